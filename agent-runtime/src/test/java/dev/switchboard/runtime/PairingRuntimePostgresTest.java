package dev.switchboard.runtime;

import dev.switchboard.runtime.store.JdbcStores;
import dev.switchboard.runtime.store.Store;
import dev.switchboard.runtime.store.StoreSettings;
import java.sql.SQLException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Pairing on a real PostgreSQL (started from Maven jars): replicas on one database, a fresh one for each test. */
class PairingRuntimePostgresTest extends PairingRuntimeContract {

    @RegisterExtension
    static final FreshPostgres postgres = new FreshPostgres();

    private String url;

    @BeforeEach
    void createDatabase() throws SQLException {
        url = postgres.newDatabase("pairing");
    }

    @Override
    Store replicaStore() {
        return JdbcStores.open(url, "postgres", null, StoreSettings.defaults());
    }
}
