package dev.switchboard.runtime.store;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.io.TempDir;

/** The store contract on SQLite: a new database file for each store. */
class SqliteStoreTest extends StoreContractTest {

    @TempDir
    Path directory;

    private final AtomicInteger databases = new AtomicInteger();

    @Override
    protected Store create(StoreSettings settings) {
        Path file = directory.resolve("store-" + databases.incrementAndGet() + ".db");
        return JdbcStores.open("jdbc:sqlite:" + file, null, null, settings);
    }

    @Override
    protected boolean expectDurable() {
        return true;
    }
}
