package dev.switchboard.runtime.memory;

import dev.switchboard.runtime.store.JdbcStores;
import dev.switchboard.runtime.store.Store;
import dev.switchboard.runtime.store.StoreSettings;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The history-backed memories over SQLite: a restart opens the file again. */
class HistoryMemorySqliteTest extends HistoryMemoryContract {

    @TempDir
    Path directory;

    @Override
    Store openStore() {
        return JdbcStores.open(
                "jdbc:sqlite:" + directory.resolve("switchboard.db"), null, null, StoreSettings.defaults());
    }
}
