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

/** A store in memory is purged on the runtime's timer, so that a long-running process keeps no more than its retention. */
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

        timer.advanceTo(Instant.parse("2024-05-01T08:50:00Z"));
        assertThat(store.history(ALICE, 10)).hasSize(1);
        timer.advanceTo(Instant.parse("2024-05-01T09:10:00Z"));
        assertThat(store.history(ALICE, 10)).isEmpty();
    }
}
