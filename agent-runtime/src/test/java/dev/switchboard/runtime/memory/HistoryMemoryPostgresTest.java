package dev.switchboard.runtime.memory;

import dev.switchboard.runtime.FreshPostgres;
import dev.switchboard.runtime.store.JdbcStores;
import dev.switchboard.runtime.store.Store;
import dev.switchboard.runtime.store.StoreSettings;
import java.sql.SQLException;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The history-backed memories over a real PostgreSQL: a restart is a new pool on the same database. */
class HistoryMemoryPostgresTest extends HistoryMemoryContract {

    @RegisterExtension
    static final FreshPostgres postgres = new FreshPostgres();

    private String url;

    @Override
    Store openStore() {
        if (url == null) {
            // A fresh database for each test (an instance each), made when the test first opens it.
            try {
                url = postgres.newDatabase("memory");
            } catch (SQLException e) {
                throw new IllegalStateException("cannot create the test's database", e);
            }
        }
        return JdbcStores.open(url, "postgres", null, StoreSettings.defaults());
    }
}
