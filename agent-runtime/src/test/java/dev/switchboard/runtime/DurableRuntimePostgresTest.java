package dev.switchboard.runtime;

import dev.switchboard.runtime.store.JdbcStores;
import dev.switchboard.runtime.store.Store;
import dev.switchboard.runtime.store.StoreSettings;
import java.io.IOException;
import java.sql.SQLException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/**
 * The durable runtime's promises on a real PostgreSQL (started from Maven jars): replicas are
 * runtimes with pools of their own on one database, a fresh one for each test.
 */
class DurableRuntimePostgresTest extends DurableRuntimeContract {

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

    @BeforeEach
    void createDatabase() throws SQLException {
        url = postgres.newDatabase("runtime");
    }

    @Override
    Store replicaStore() {
        return JdbcStores.open(url, "postgres", null, StoreSettings.defaults());
    }
}
