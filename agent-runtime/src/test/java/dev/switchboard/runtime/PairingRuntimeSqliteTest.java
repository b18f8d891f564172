package dev.switchboard.runtime;

import dev.switchboard.runtime.store.JdbcStores;
import dev.switchboard.runtime.store.Store;
import dev.switchboard.runtime.store.StoreSettings;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** Pairing on SQLite: replicas are runtimes with pools of their own on one file. */
class PairingRuntimeSqliteTest extends PairingRuntimeContract {

    @TempDir
    Path directory;

    @Override
    Store replicaStore() {
        return JdbcStores.open(
                "jdbc:sqlite:" + directory.resolve("switchboard.db"), null, null, StoreSettings.defaults());
    }
}
