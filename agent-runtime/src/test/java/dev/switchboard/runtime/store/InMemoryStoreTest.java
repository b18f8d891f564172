package dev.switchboard.runtime.store;

/** The store contract, kept in memory. */
class InMemoryStoreTest extends StoreContractTest {

    @Override
    protected Store create(StoreSettings settings) {
        return Store.inMemory(settings);
    }

    @Override
    protected boolean expectDurable() {
        return false;
    }
}
