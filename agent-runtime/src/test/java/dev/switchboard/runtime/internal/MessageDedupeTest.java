package dev.switchboard.runtime.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
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
    void staysWithinItsMaximumSize() {
        MessageDedupe small = new MessageDedupe(10, Duration.ofHours(1), nanos::get);

        for (int i = 0; i < 1000; i++) {
            small.firstSighting("sms", "SM" + i);
        }

        assertThat(small.size()).isLessThanOrEqualTo(10);
    }
}
