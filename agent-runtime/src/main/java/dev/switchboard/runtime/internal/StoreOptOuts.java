package dev.switchboard.runtime.internal;

import dev.switchboard.channel.ConversationKey;
import dev.switchboard.runtime.delivery.OptOutStore;
import dev.switchboard.runtime.store.Store;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicLong;

/** The opt-outs of a {@link Store}: durable and shared by replicas when the store is. */
public final class StoreOptOuts implements OptOutStore {

    private final Store store;
    private final Clock clock;
    private final AtomicLong changes = new AtomicLong();

    public StoreOptOuts(Store store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    @Override
    public boolean isOptedOut(ConversationKey conversation) {
        return store.isOptedOut(conversation);
    }

    @Override
    public void optOut(ConversationKey conversation) {
        try {
            store.optOut(conversation, clock.instant());
        } finally {
            changes.incrementAndGet();
        }
    }

    @Override
    public void optIn(ConversationKey conversation) {
        try {
            store.optIn(conversation);
        } finally {
            changes.incrementAndGet();
        }
    }

    /** Whether this is the opt-out store of {@code store}. */
    boolean isOf(Store store) {
        return this.store == store;
    }

    /**
     * How many changes this process made, counted once each is written: a state read from the store
     * when this count was {@code n} is still what this process knows as long as it is {@code n}.
     */
    long changes() {
        return changes.get();
    }
}
