package dev.switchboard.runtime;

import dev.switchboard.runtime.store.JdbcStores;
import dev.switchboard.runtime.store.Store;
import dev.switchboard.runtime.store.StoreSettings;
import java.io.IOException;
import java.sql.SQLException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/** Pairing on a real PostgreSQL (started from Maven jars): replicas on one database, a fresh one for each test. */
class PairingRuntimePostgresTest extends PairingRuntimeContract {

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
        url = postgres.newDatabase("pairing");
    }

    @Override
    Store replicaStore() {
        return JdbcStores.open(url, "postgres", null, StoreSettings.defaults());
    }
}
