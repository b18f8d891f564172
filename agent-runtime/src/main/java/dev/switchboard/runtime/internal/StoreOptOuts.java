package dev.switchboard.runtime.internal;

import dev.switchboard.channel.ConversationKey;
import dev.switchboard.runtime.delivery.OptOutStore;
import dev.switchboard.runtime.store.Store;
import java.time.Clock;

/** The opt-outs of a {@link Store}: durable and shared by replicas when the store is. */
public final class StoreOptOuts implements OptOutStore {

    private final Store store;
    private final Clock clock;

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
        store.optOut(conversation, clock.instant());
    }

    @Override
    public void optIn(ConversationKey conversation) {
        store.optIn(conversation);
    }
}
