package dev.switchboard.runtime.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.channel.Address;
import dev.switchboard.channel.ConversationKey;
import dev.switchboard.runtime.AgentRuntime;
import dev.switchboard.runtime.store.HistoryEntry;
import dev.switchboard.runtime.store.Store;
import dev.switchboard.runtime.store.StoreSettings;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A store in memory is purged as the runtime writes to it, so that a long-running process keeps no more than its retention. */
class InMemoryStorePurgeTest {

    private static final ConversationKey ALICE = new ConversationKey("sms", Address.of("+15551230001"));

    private final MutableClock clock = new MutableClock(Instant.parse("2024-05-01T08:00:00Z"));
    private final ManualScheduler timer = new ManualScheduler(clock);
    private AgentRuntime runtime;

    @AfterEach
    void tearDown() {
        if (runtime != null) {
            runtime.close();
        }
    }

    @Test
    void historyPastItsRetentionIsForgottenWithoutADurableStore() {
        Store store = Store.inMemory(StoreSettings.defaults().withHistoryRetention(Duration.ofHours(1)));
        runtime = AgentRuntime.builder()
                .channel(PushChannel.sms())
                .agent(turn -> Optional.empty())
                .noWebhookServer()
                .deliveryConfirmationTimeout(Duration.ZERO)
                .clock(clock)
                .scheduler(timer)
                .store(store)
                .build()
                .start();
        runtime.store()
                .record(new HistoryEntry(
                        ALICE,
                        HistoryEntry.Direction.INBOUND,
                        "hello",
                        clock.instant(),
                        Optional.empty(),
                        Optional.empty()));

        // The runtime writes history as it goes, and purges when it writes once the time has come.
        clock.set(Instant.parse("2024-05-01T08:50:00Z"));
        runtime.send("sms", ALICE.counterpart(), "first push").join();
        assertThat(store.history(ALICE, 10)).extracting(HistoryEntry::text).containsExactly("hello", "first push");
        clock.set(Instant.parse("2024-05-01T09:10:00Z"));
        runtime.send("sms", ALICE.counterpart(), "second push").join();
        assertThat(store.history(ALICE, 10))
                .extracting(HistoryEntry::text)
                .containsExactly("first push", "second push");
    }
}
