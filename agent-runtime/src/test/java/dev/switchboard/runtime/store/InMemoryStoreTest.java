package dev.switchboard.runtime.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.channel.Address;
import dev.switchboard.channel.ConversationKey;
import org.junit.jupiter.api.Test;

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

    @Test
    void historyInMemoryIsBoundedForgettingTheConversationIdleTheLongest() {
        Store store = store();
        store.record(outbound(ALICE_SMS, "alice's line", at(0), "SMa"));
        store.record(outbound(BOB_SMS, "bob's line", at(1), "SMb"));
        // Alice writes again: now Bob is the one idle the longest.
        store.record(outbound(ALICE_SMS, "alice again", at(2), "SMa2"));
        long others = InMemoryStore.MAX_HISTORY_LINES - 3;
        for (long i = 0; i < others; i++) {
            ConversationKey someone = new ConversationKey(SMS, Address.of(String.format("+1555%07d", i)));
            store.record(outbound(someone, "x", at(3), "SMx" + i));
        }
        assertThat(store.history(BOB_SMS, 10)).hasSize(1);

        store.record(outbound(CAROL_SMS, "one too many", at(4), "SMc"));

        assertThat(store.history(BOB_SMS, 10)).isEmpty();
        assertThat(store.history(ALICE_SMS, 10)).hasSize(2);
        assertThat(store.history(CAROL_SMS, 10)).hasSize(1);
    }
}
