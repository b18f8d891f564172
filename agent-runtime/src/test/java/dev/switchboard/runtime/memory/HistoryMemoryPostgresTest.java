package dev.switchboard.runtime.memory;

import dev.switchboard.runtime.FreshPostgres;
import dev.switchboard.runtime.store.JdbcStores;
import dev.switchboard.runtime.store.Store;
import dev.switchboard.runtime.store.StoreSettings;
import java.io.IOException;
import java.sql.SQLException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The history-backed memories over a real PostgreSQL: a restart is a new pool on the same database. */
class HistoryMemoryPostgresTest extends HistoryMemoryContract {

    private static FreshPostgres postgres;

    private String url;

    @BeforeAll
    static void startPostgres() throws IOException {
        postgres = FreshPostgres.start();
    }

    @AfterAll
    static void stopPostgres() throws IOException {
        postgres.close();
    }

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
