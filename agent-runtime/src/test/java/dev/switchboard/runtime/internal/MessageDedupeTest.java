package dev.switchboard.runtime.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class MessageDedupeTest {

    private final AtomicLong nanos = new AtomicLong();
    private final MessageDedupe dedupe = new MessageDedupe(1000, Duration.ofMinutes(10), nanos::get);

    @Test
    void recognisesARepeatWithinTheTimeToLive() {
        assertThat(dedupe.firstSighting("sms", "SM1")).isTrue();

        nanos.addAndGet(Duration.ofMinutes(10).toNanos() - 1);

        assertThat(dedupe.firstSighting("sms", "SM1")).isFalse();
    }

    @Test
    void forgetsAnIdOnceTheTimeToLivePassed() {
        dedupe.firstSighting("sms", "SM1");

        nanos.addAndGet(Duration.ofMinutes(10).toNanos());

        assertThat(dedupe.firstSighting("sms", "SM1")).isTrue();
        assertThat(dedupe.firstSighting("sms", "SM1")).isFalse();
    }

    @Test
    void keepsChannelsApart() {
        assertThat(dedupe.firstSighting("sms", "SM1")).isTrue();
        assertThat(dedupe.firstSighting("whatsapp", "SM1")).isTrue();
    }

    @Test
    void remembersTheMostRecentIdsOnceFull() {
        MessageDedupe small = new MessageDedupe(1000, Duration.ofHours(1), nanos::get);

        for (int i = 0; i < 20_000; i++) {
            assertThat(small.firstSighting("sms", sid(i))).isTrue();
        }

        // A retry comes soon after the first delivery: the newest ids are the ones to keep.
        assertThat(IntStream.range(19_000, 20_000).filter(i -> !small.remembers("sms", sid(i))))
                .isEmpty();
        assertThat(IntStream.range(0, 19_000).filter(i -> small.remembers("sms", sid(i))))
                .isEmpty();
        assertThat(small.firstSighting("sms", sid(19_999))).isFalse();
    }

    @Test
    void remembersTheMostRecentIdsOfALargeBoundAcrossItsStripes() {
        MessageDedupe large = new MessageDedupe(100_000, Duration.ofHours(1), nanos::get);

        for (int i = 0; i < 300_000; i++) {
            large.firstSighting("sms", sid(i));
        }

        assertThat(large.size()).isLessThanOrEqualTo(100_000).isGreaterThan(95_000);
        assertThat(IntStream.range(250_000, 300_000).filter(i -> !large.remembers("sms", sid(i))))
                .isEmpty();
        assertThat(IntStream.range(0, 150_000).filter(i -> large.remembers("sms", sid(i))))
                .isEmpty();
    }

    @Test
    void forgetsAnIdWhenTold() {
        dedupe.firstSighting("sms", sid(1));
        dedupe.firstSighting("sms", "not-a-twilio-id");

        dedupe.forget("sms", sid(1));
        dedupe.forget("sms", "not-a-twilio-id");

        assertThat(dedupe.firstSighting("sms", sid(1))).isTrue();
        assertThat(dedupe.firstSighting("sms", "not-a-twilio-id")).isTrue();
    }

    @Test
    void tellsApartIdsThatDifferOnlyInCaseOrPrefix() {
        String lower = "SM" + "0123456789abcdef".repeat(2);

        assertThat(dedupe.firstSighting("sms", lower)).isTrue();
        assertThat(dedupe.firstSighting("sms", lower.toUpperCase(Locale.ROOT))).isTrue();
        assertThat(dedupe.firstSighting("sms", "MM" + lower.substring(2))).isTrue();
        assertThat(dedupe.firstSighting("sms", lower)).isFalse();
        assertThat(dedupe.firstSighting("sms", lower.toUpperCase(Locale.ROOT))).isFalse();
    }

    @Test
    void letsExpiredIdsGoWithoutWaitingForTheBound() {
        for (int i = 0; i < 100; i++) {
            dedupe.firstSighting("sms", sid(i));
        }
        nanos.addAndGet(Duration.ofMinutes(10).toNanos());
        dedupe.firstSighting("sms", sid(100));

        assertThat(dedupe.size()).isEqualTo(1);
    }

    private static String sid(int i) {
        return String.format("SM%032x", i);
    }

    @Test
    void staysWithinItsMaximumSize() {
        MessageDedupe small = new MessageDedupe(10, Duration.ofHours(1), nanos::get);

        for (int i = 0; i < 1000; i++) {
            small.firstSighting("sms", "SM" + i);
        }

        assertThat(small.size()).isLessThanOrEqualTo(10);
    }
}
