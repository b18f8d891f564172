package dev.switchboard.runtime;

import dev.switchboard.runtime.store.Store;

/** Pairing on the in-memory store: replicas in one process share one store (closing it does nothing). */
class PairingRuntimeMemoryTest extends PairingRuntimeContract {

    private final Store shared = Store.inMemory();

    @Override
    Store replicaStore() {
        return shared;
    }
}
