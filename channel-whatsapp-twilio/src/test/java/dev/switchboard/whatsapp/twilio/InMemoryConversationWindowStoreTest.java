package dev.switchboard.whatsapp.twilio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.channel.Address;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class InMemoryConversationWindowStoreTest {

    private static final Address ADA = Address.of("+15557654321");
    private static final Address BOB = Address.of("+15550001111");
    private static final Instant T0 = Instant.parse("2026-11-21T10:00:00Z");

    private final InMemoryConversationWindowStore store = new InMemoryConversationWindowStore(Duration.ofHours(24));

    @Test
    void remembersTheLatestMessageOfEachPerson() {
        store.recordInbound(ADA, T0);
        store.recordInbound(ADA, T0.plusSeconds(60));

        assertThat(store.lastInbound(ADA)).contains(T0.plusSeconds(60));
        assertThat(store.lastInbound(BOB)).isEmpty();
    }

    @Test
    void aLateWebhookDoesNotMoveTheWindowBack() {
        store.recordInbound(ADA, T0.plusSeconds(60));
        store.recordInbound(ADA, T0);

        assertThat(store.lastInbound(ADA)).contains(T0.plusSeconds(60));
    }

    @Test
    void forgetsPeopleWhoseWindowHasPassed() {
        store.recordInbound(ADA, T0);
        store.recordInbound(BOB, T0.plus(Duration.ofHours(23)));

        store.recordInbound(BOB, T0.plus(Duration.ofHours(25)));

        assertThat(store.lastInbound(ADA)).isEmpty();
        assertThat(store.lastInbound(BOB)).contains(T0.plus(Duration.ofHours(25)));
        assertThat(store.size()).isEqualTo(1);
    }

    @Test
    void staysBoundedUnderAStreamOfNewSenders() {
        for (int minute = 0; minute < 3 * 24 * 60; minute++) {
            store.recordInbound(
                    Address.of("+1555" + String.format("%07d", minute)), T0.plus(Duration.ofMinutes(minute)));
        }

        // A day of senders, one a minute, plus at most one sweep interval (an hour) not yet swept.
        assertThat(store.size()).isBetween(24 * 60, 25 * 60);
    }

    @Test
    void sweepsAtMostOncePerIntervalSoAnExpiredEntryMayLingerUpToAnHour() {
        store.recordInbound(ADA, T0);
        // Sweeps (nothing has expired yet); the next sweep is due an hour later.
        store.recordInbound(BOB, T0.plus(Duration.ofMinutes(23 * 60 + 30)));

        store.recordInbound(BOB, T0.plus(Duration.ofHours(24)).plusSeconds(1));
        assertThat(store.lastInbound(ADA)).contains(T0);

        store.recordInbound(BOB, T0.plus(Duration.ofMinutes(24 * 60 + 30)));
        assertThat(store.lastInbound(ADA)).isEmpty();
    }

    @Test
    void refusesANonPositiveRetention() {
        assertThatThrownBy(() -> ConversationWindowStore.inMemory(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("retention must be positive: PT0S");
    }
}
