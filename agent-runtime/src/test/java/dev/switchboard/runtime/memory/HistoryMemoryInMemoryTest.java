package dev.switchboard.runtime.memory;

import dev.switchboard.runtime.store.Store;

/** The history-backed memories over a store in memory (one process: a restart keeps the store here). */
class HistoryMemoryInMemoryTest extends HistoryMemoryContract {

    private final Store memory = Store.inMemory();

    @Override
    Store openStore() {
        return memory;
    }
}
