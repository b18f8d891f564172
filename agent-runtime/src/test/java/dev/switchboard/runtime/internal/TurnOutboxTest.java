package dev.switchboard.runtime.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.channel.Address;
import dev.switchboard.channel.ConversationKey;
import dev.switchboard.runtime.store.Store;
import java.time.Clock;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TurnOutboxTest {

    private static final ConversationKey ALICE = new ConversationKey("sms", Address.of("+15551230001"));
    private static final ConversationKey BOB = new ConversationKey("sms", Address.of("+15551230002"));

    private final Store store = Store.inMemory();
    private final StoreOptOuts optOuts = new StoreOptOuts(store, Clock.systemUTC());

    @Test
    void theOptOutItsCommitReadHoldsWhileThisProcessChangedNoOptOut() {
        TurnOutbox notOptedOut =
                new TurnOutbox(store, 1, true, new LeasedInbox.OptOutAtCommit(false, optOuts.changes()), optOuts);
        TurnOutbox optedOut =
                new TurnOutbox(store, 2, true, new LeasedInbox.OptOutAtCommit(true, optOuts.changes()), optOuts);

        assertThat(notOptedOut.optedOutAtCommit()).contains(false);
        assertThat(optedOut.optedOutAtCommit()).contains(true);
    }

    @Test
    void anyOptOutOrOptInThisProcessMadeSinceMakesTheTurnReadItAgain() {
        TurnOutbox beforeStop =
                new TurnOutbox(store, 1, true, new LeasedInbox.OptOutAtCommit(false, optOuts.changes()), optOuts);
        // A STOP handled in the lane after the commit read the state: the read is stale.
        optOuts.optOut(ALICE);
        assertThat(beforeStop.optedOutAtCommit()).isEmpty();

        TurnOutbox beforeStart =
                new TurnOutbox(store, 2, true, new LeasedInbox.OptOutAtCommit(true, optOuts.changes()), optOuts);
        optOuts.optIn(BOB);
        assertThat(beforeStart.optedOutAtCommit()).isEmpty();
    }

    @Test
    void withoutACommitsReadTheTurnReadsTheOptOut() {
        assertThat(new TurnOutbox(store, 1, false, null, optOuts).optedOutAtCommit())
                .isEqualTo(Optional.empty());
        assertThat(TurnOutbox.NONE.optedOutAtCommit()).isEmpty();
    }
}
