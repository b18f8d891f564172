package dev.switchboard.runtime.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.channel.Address;
import dev.switchboard.runtime.schedule.LogCapture;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class InboundLimiterTest {

    private static final Address ALICE = Address.of("+15551230001");
    private static final Address BOB = Address.of("+15551230002");

    private final AtomicLong nanos = new AtomicLong();
    // 6 a minute: one every 10 seconds, 3 at once.
    private final InboundLimiter limiter = new InboundLimiter(6, 3, 1000, nanos::get);

    private void advance(Duration duration) {
        nanos.addAndGet(duration.toNanos());
    }

    private List<Boolean> send(Address from, int count) {
        List<Boolean> admitted = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            admitted.add(limiter.admit("sms", from));
        }
        return admitted;
    }

    @Test
    void letsABurstThroughThenOneAnInterval() {
        assertThat(send(ALICE, 4)).containsExactly(true, true, true, false);

        advance(Duration.ofSeconds(9));
        assertThat(limiter.admit("sms", ALICE)).isFalse();
        advance(Duration.ofSeconds(1));
        assertThat(send(ALICE, 2)).containsExactly(true, false);

        advance(Duration.ofSeconds(30));
        assertThat(send(ALICE, 4)).containsExactly(true, true, true, false);
    }

    @Test
    void aSenderThatKeepsUnderTheRateIsNeverRefused() {
        for (int i = 0; i < 100; i++) {
            assertThat(limiter.admit("sms", ALICE)).isTrue();
            advance(Duration.ofSeconds(10));
        }
    }

    @Test
    void keepsSendersAndChannelsApart() {
        assertThat(send(ALICE, 4)).containsExactly(true, true, true, false);

        assertThat(send(BOB, 3)).containsOnly(true);
        assertThat(limiter.admit("whatsapp", ALICE)).isTrue();
    }

    @Test
    void theUnlimitedLimiterLetsEverythingThrough() {
        for (int i = 0; i < 10_000; i++) {
            assertThat(InboundLimiter.UNLIMITED.admit("sms", ALICE)).isTrue();
        }
        assertThat(InboundLimiter.UNLIMITED.unlimited()).isTrue();
        assertThat(limiter.unlimited()).isFalse();
    }

    @Test
    void logsAnEpisodeOnceWhenItStartsAndOnceWhenItEnds() {
        String logged;
        try (LogCapture log = LogCapture.start()) {
            send(ALICE, 3);
            assertThat(send(ALICE, 200)).containsOnly(false);
            advance(Duration.ofSeconds(10));
            assertThat(limiter.admit("sms", ALICE)).isTrue();
            logged = log.text();
        }

        assertThat(lines(logged, "sent more than"))
                .singleElement()
                .asString()
                .contains("WARN", "[sms]", "+1555***0001", "6 messages a minute (burst 3)", "429");
        assertThat(lines(logged, "under the limit again"))
                .singleElement()
                .asString()
                .contains("INFO", "+1555***0001", "200 message(s) refused over PT10S");
        assertThat(logged).doesNotContain(ALICE.value());
    }

    @Test
    void rationsEpisodeLinesWhenManySendersGoOverAtOnce() {
        String logged;
        try (LogCapture log = LogCapture.start()) {
            for (int s = 0; s < 50; s++) {
                Address sender = Address.of("+1555100" + String.format("%04d", s));
                send(sender, 10);
            }
            advance(Duration.ofMinutes(1));
            send(Address.of("+15552000000"), 10);
            limiter.close();
            logged = log.text();
        }

        List<String> warnings = lines(logged, "WARN");
        // Ten a minute: the first ten senders, then one more a minute later that counts the others.
        assertThat(warnings).hasSize(11);
        assertThat(warnings.get(10)).contains("and 40 other sender(s) went over, not logged one by one");
        assertThat(lines(logged, "has gone quiet")).hasSize(11);
        // The 40 senders not logged refused 7 messages each; their counts ride on the lines logged.
        Matcher held =
                Pattern.compile("and (\\d+) from senders not logged one by one").matcher(logged);
        int refused = 0;
        while (held.find()) {
            refused += Integer.parseInt(held.group(1));
        }
        assertThat(refused).isEqualTo(280);
    }

    @Test
    void logsTheEpisodesStillGoingWhenItCloses() {
        String logged;
        try (LogCapture log = LogCapture.start()) {
            send(ALICE, 8);
            advance(Duration.ofSeconds(3));
            limiter.close();
            logged = log.text();
        }

        assertThat(lines(logged, "has gone quiet"))
                .singleElement()
                .asString()
                .contains("+1555***0001", "5 message(s) refused over PT3S");
    }

    @Test
    void remembersABoundedNumberOfSenders() {
        InboundLimiter small = new InboundLimiter(6, 1, 100, nanos::get);

        for (int s = 0; s < 10_000; s++) {
            small.admit("sms", Address.of("+1555" + String.format("%07d", s)));
        }

        assertThat(small.senders()).isLessThanOrEqualTo(100);
    }

    @Test
    void forgetsASenderOnceItsWholeBurstIsBack() {
        send(ALICE, 3);
        assertThat(limiter.senders()).isEqualTo(1);

        advance(Duration.ofSeconds(30));

        assertThat(limiter.senders()).isZero();
        assertThat(send(ALICE, 4)).containsExactly(true, true, true, false);
    }

    private static List<String> lines(String text, String containing) {
        return text.lines().filter(line -> line.contains(containing)).toList();
    }
}
