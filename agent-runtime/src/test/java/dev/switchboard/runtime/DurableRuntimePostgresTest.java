package dev.switchboard.runtime;

import dev.switchboard.runtime.store.JdbcStores;
import dev.switchboard.runtime.store.Store;
import dev.switchboard.runtime.store.StoreSettings;
import java.sql.SQLException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The durable runtime's promises on a real PostgreSQL (started from Maven jars): replicas are
 * runtimes with pools of their own on one database, a fresh one for each test.
 */
class DurableRuntimePostgresTest extends DurableRuntimeContract {

    @RegisterExtension
    static final FreshPostgres postgres = new FreshPostgres();

    private String url;

    @BeforeEach
    void createDatabase() throws SQLException {
        url = postgres.newDatabase("runtime");
    }

    @Override
    Store replicaStore() {
        return JdbcStores.open(url, "postgres", null, StoreSettings.defaults());
    }
}
