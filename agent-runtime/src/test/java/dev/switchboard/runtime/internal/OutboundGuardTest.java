package dev.switchboard.runtime.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.switchboard.channel.Address;
import dev.switchboard.channel.Channel;
import dev.switchboard.channel.ConversationKey;
import dev.switchboard.channel.DeliveryStatus;
import dev.switchboard.channel.OutboundMessage;
import dev.switchboard.channel.PermanentChannelException;
import dev.switchboard.channel.RetriableChannelException;
import dev.switchboard.channel.SendReceipt;
import dev.switchboard.runtime.StubChannel;
import dev.switchboard.runtime.delivery.AmbiguousSendPolicy;
import dev.switchboard.runtime.delivery.OptOutStore;
import dev.switchboard.runtime.format.SegmentCounter;
import dev.switchboard.runtime.schedule.LogCapture;
import dev.switchboard.runtime.schedule.ManualScheduler;
import dev.switchboard.runtime.schedule.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The outbound guard through the outbox, on a manual clock: what each recipient is sent in any rolling
 * hour never passes the cap, a refused part never reaches the channel, and each episode is logged
 * once.
 */
class OutboundGuardTest {

    private static final Address ALICE = Address.of("+15551230001");
    private static final Address BOB = Address.of("+15551230002");
    private static final ConversationKey SMS_ALICE = new ConversationKey("sms", ALICE);
    private static final ConversationKey SMS_BOB = new ConversationKey("sms", BOB);
    private static final ConversationKey WHATSAPP_ALICE = new ConversationKey("whatsapp", ALICE);
    private static final Instant T0 = Instant.parse("2026-11-21T10:00:00Z");

    /** 160 GSM-7 characters: one segment. */
    private static final String ONE_SEGMENT = "a".repeat(160);
    /** 161 GSM-7 characters: two segments. */
    private static final String TWO_SEGMENTS = "a".repeat(161);
    /** As many characters as {@link #ONE_SEGMENT}, one of them an emoji: UCS-2, three segments. */
    private static final String UCS2 = "\uD83D\uDE00" + "a".repeat(158);

    private final MutableClock clock = new MutableClock(T0);
    private final ManualScheduler timer = new ManualScheduler(clock);
    private final AtomicLong nanos = new AtomicLong();
    private final Ticker ticker = nanos::get;
    private final TestChannel sms = new TestChannel("sms", true);
    private final TestChannel whatsApp = new TestChannel("whatsapp", false);
    private ExecutorService pool;

    @AfterEach
    void tearDown() {
        if (pool != null) {
            pool.shutdownNow();
        }
    }

    private OutboundGuard guard(int cap) {
        return new OutboundGuard(cap, clock, ticker, 1000);
    }

    private Outbox outbox(OutboundGuard guard, AmbiguousSendPolicy policy) {
        return new Outbox(
                new Outbox.Settings(
                        3, Duration.ofMinutes(1), Duration.ofSeconds(1), Duration.ofSeconds(4), policy, 4, Map.of()),
                timer,
                clock,
                () -> Long.MIN_VALUE,
                OptOutStore.inMemory(),
                (channelId, messageId) -> false,
                guard);
    }

    private Outbox outbox(OutboundGuard guard) {
        return outbox(guard, AmbiguousSendPolicy.RECONCILE);
    }

    private static Delivery send(Outbox outbox, Channel channel, ConversationKey to, String... parts) {
        CompletableFuture<Delivery> delivery = outbox.send(channel, to, List.of(parts), 0, Runnable::run);
        assertThat(delivery).isDone();
        return delivery.join();
    }

    private void advance(Duration duration) {
        timer.advance(duration);
        nanos.addAndGet(duration.toNanos());
    }

    @Test
    void sendsNoPartThatWouldTakeARecipientOverTheCapAndKeepsThoseBeforeIt() {
        Outbox outbox = outbox(guard(5));
        assertThat(send(outbox, sms, SMS_ALICE, TWO_SEGMENTS, ONE_SEGMENT)).isInstanceOf(Delivery.Sent.class);

        Delivery delivery = send(outbox, sms, SMS_ALICE, "one", "two", "three");

        Delivery.Failed failed = (Delivery.Failed) delivery;
        assertThat(failed.byGuard()).isTrue();
        assertThat(failed.part()).isEqualTo(3);
        assertThat(failed.parts()).isEqualTo(3);
        assertThat(failed.accepted()).extracting(SendReceipt::messageId).containsExactly("SM3", "SM4");
        assertThat(failed.failure()).isInstanceOf(PermanentChannelException.class);
        assertThat(failed.failure().providerCode()).isEmpty();
        assertThat(((PermanentChannelException) failed.failure()).reason())
                .isEqualTo(PermanentChannelException.Reason.OTHER);
        assertThat(failed.failure().getMessage())
                .isEqualTo("outbound guard: +1555***0001 already received 5 segments in the last hour (cap 5);"
                        + " not sending part 3/3. Raise or disable it with AgentRuntimeBuilder#outboundSegmentCap");
        assertThat(failed.reason()).isEqualTo("not sent: " + failed.failure().getMessage());
        assertThat(sms.texts()).containsExactly(TWO_SEGMENTS, ONE_SEGMENT, "one", "two");
        assertThat(sms.sendCalls()).isEqualTo(4);
    }

    @Test
    void aLoopNeverSendsARecipientMoreThanTheCapAndOtherRecipientsAreUnaffected() {
        Outbox outbox = outbox(guard(10));
        int sent = 0;
        int refused = 0;
        for (int i = 0; i < 50; i++) {
            clock.advance(Duration.ofSeconds(7));
            Delivery delivery = send(outbox, sms, SMS_ALICE, "ping " + i);
            if (delivery instanceof Delivery.Sent) {
                sent++;
            } else {
                assertThat(((Delivery.Failed) delivery).byGuard()).isTrue();
                refused++;
            }
        }

        assertThat(sent).isEqualTo(10);
        assertThat(refused).isEqualTo(40);
        assertThat(sms.sendCalls()).isEqualTo(10);
        assertThat(send(outbox, sms, SMS_BOB, "hello Bob")).isInstanceOf(Delivery.Sent.class);
        assertThat(send(outbox, whatsApp, WHATSAPP_ALICE, "hello on WhatsApp")).isInstanceOf(Delivery.Sent.class);
    }

    @Test
    void eachPartLeavesTheWindowAnHourAfterItWasSent() {
        Outbox outbox = outbox(guard(3));
        send(outbox, sms, SMS_ALICE, "at 10:00");
        advance(Duration.ofMinutes(20));
        send(outbox, sms, SMS_ALICE, "at 10:20", "also at 10:20");
        assertThat(send(outbox, sms, SMS_ALICE, "refused")).isInstanceOf(Delivery.Failed.class);

        advance(Duration.ofMinutes(40).minusSeconds(1));
        assertThat(send(outbox, sms, SMS_ALICE, "refused at 10:59:59")).isInstanceOf(Delivery.Failed.class);
        advance(Duration.ofSeconds(1));
        assertThat(send(outbox, sms, SMS_ALICE, "at 11:00")).isInstanceOf(Delivery.Sent.class);
        assertThat(send(outbox, sms, SMS_ALICE, "refused at 11:00")).isInstanceOf(Delivery.Failed.class);
        advance(Duration.ofMinutes(20));
        assertThat(send(outbox, sms, SMS_ALICE, "at 11:20", "again at 11:20")).isInstanceOf(Delivery.Sent.class);

        assertThat(sms.texts())
                .containsExactly("at 10:00", "at 10:20", "also at 10:20", "at 11:00", "at 11:20", "again at 11:20");
    }

    @Test
    void aUcs2PartCostsMoreSegmentsThanAGsm7PartOfTheSameLength() {
        assertThat(SegmentCounter.count(ONE_SEGMENT).count()).isEqualTo(1);
        assertThat(SegmentCounter.count(UCS2).count()).isEqualTo(3);
        assertThat(UCS2).hasSameSizeAs(ONE_SEGMENT);
        Outbox outbox = outbox(guard(4));

        assertThat(send(outbox, sms, SMS_ALICE, UCS2)).isInstanceOf(Delivery.Sent.class);
        Delivery.Failed failed = (Delivery.Failed) send(outbox, sms, SMS_ALICE, UCS2);
        assertThat(send(outbox, sms, SMS_ALICE, ONE_SEGMENT)).isInstanceOf(Delivery.Sent.class);

        assertThat(failed.failure().getMessage())
                .startsWith("outbound guard: +1555***0001 already received 3 segments in the last hour, and part 1/1"
                        + " costs 3 (cap 4); not sending part 1/1.");
        assertThat(sms.texts()).containsExactly(UCS2, ONE_SEGMENT);
    }

    @Test
    void aChannelNotBilledPerSegmentCountsOnePerMessage() {
        Outbox outbox = outbox(guard(2));

        assertThat(send(outbox, whatsApp, WHATSAPP_ALICE, UCS2.repeat(5), TWO_SEGMENTS.repeat(5)))
                .isInstanceOf(Delivery.Sent.class);
        Delivery.Failed failed = (Delivery.Failed) send(outbox, whatsApp, WHATSAPP_ALICE, "a third");

        assertThat(failed.failure().getMessage())
                .startsWith("outbound guard: +1555***0001 already received 2 messages in the last hour (cap 2)");
        assertThat(whatsApp.sendCalls()).isEqualTo(2);
    }

    @Test
    void aPartThatCostsMoreThanTheWholeCapIsRefusedSayingSo() {
        Outbox outbox = outbox(guard(2));

        Delivery.Failed failed = (Delivery.Failed) send(outbox, sms, SMS_ALICE, "a".repeat(307));

        assertThat(failed.failure().getMessage())
                .startsWith("outbound guard: +1555***0001 already received 0 segments in the last hour, and part 1/1"
                        + " alone costs 3 (cap 2)");
        assertThat(sms.sendCalls()).isZero();
    }

    @Test
    void aPartTheProviderRefusedCostsNothing() {
        Outbox outbox = outbox(guard(2));
        sms.script(new PermanentChannelException("invalid number", "21211", null));

        assertThat(((Delivery.Failed) send(outbox, sms, SMS_ALICE, "refused by the provider")).byGuard())
                .isFalse();

        assertThat(send(outbox, sms, SMS_ALICE, "one", "two")).isInstanceOf(Delivery.Sent.class);
        assertThat(((Delivery.Failed) send(outbox, sms, SMS_ALICE, "three")).byGuard())
                .isTrue();
    }

    @Test
    void aPartThatMayHaveBeenSentStaysCharged() {
        Outbox outbox = outbox(guard(2), AmbiguousSendPolicy.NEVER_RESEND);
        sms.script(new RetriableChannelException("timed out", null, null, true, null));

        assertThat(((Delivery.Failed) send(outbox, sms, SMS_ALICE, "maybe sent")).byGuard())
                .isFalse();

        assertThat(send(outbox, sms, SMS_ALICE, "one")).isInstanceOf(Delivery.Sent.class);
        assertThat(((Delivery.Failed) send(outbox, sms, SMS_ALICE, "two")).byGuard())
                .isTrue();
    }

    @Test
    void aRetriedPartIsChargedOnce() {
        Outbox outbox = outbox(guard(2));
        sms.script(new RetriableChannelException("rate limited", "20429", null, false, null));

        CompletableFuture<Delivery> retried = outbox.send(sms, SMS_ALICE, List.of("throttled once"), 0, Runnable::run);
        timer.advance(Duration.ofSeconds(1));

        assertThat(retried.join()).isInstanceOf(Delivery.Sent.class);
        assertThat(sms.sendCalls()).isEqualTo(2);
        assertThat(send(outbox, sms, SMS_ALICE, "second")).isInstanceOf(Delivery.Sent.class);
        assertThat(send(outbox, sms, SMS_ALICE, "third")).isInstanceOf(Delivery.Failed.class);
    }

    @Test
    void aPartThatGaveUpWithoutReachingTheProviderCostsNothing() {
        Outbox outbox = outbox(guard(1));
        RetriableChannelException refused =
                new RetriableChannelException("connection refused", null, null, false, null);
        sms.script(refused, refused, refused);

        CompletableFuture<Delivery> gaveUp = outbox.send(sms, SMS_ALICE, List.of("never arrived"), 0, Runnable::run);
        timer.advance(Duration.ofSeconds(10));

        assertThat(((Delivery.Failed) gaveUp.join()).reason()).startsWith("gave up after 3 attempts");
        assertThat(send(outbox, sms, SMS_ALICE, "arrives")).isInstanceOf(Delivery.Sent.class);
    }

    @Test
    void concurrentTextsToOneRecipientNeverPassTheCapTogether() throws Exception {
        pool = Executors.newFixedThreadPool(8);
        Outbox outbox = outbox(guard(100));
        List<CompletableFuture<Delivery>> deliveries = Collections.synchronizedList(new ArrayList<>());
        List<CompletableFuture<Void>> senders = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            senders.add(CompletableFuture.runAsync(
                    () -> {
                        for (int i = 0; i < 40; i++) {
                            deliveries.add(outbox.send(sms, SMS_ALICE, List.of("x"), 0, Runnable::run));
                        }
                    },
                    pool));
        }
        CompletableFuture.allOf(senders.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);

        assertThat(deliveries).hasSize(320);
        int sent = 0;
        for (CompletableFuture<Delivery> delivery : deliveries) {
            if (delivery.get(10, TimeUnit.SECONDS) instanceof Delivery.Sent) {
                sent++;
            }
        }
        assertThat(sent).isEqualTo(100);
        assertThat(sms.sendCalls()).isEqualTo(100);
    }

    @Test
    void logsOneWarningPerEpisodeAndOneLineWhenItEndsNeverTheNumberOrTheText() {
        Outbox outbox = outbox(guard(4));

        String logs;
        try (LogCapture log = LogCapture.start()) {
            send(outbox, sms, SMS_ALICE, "secret one");
            for (String text : List.of("secret two", "secret three", "secret four")) {
                advance(Duration.ofMinutes(10));
                send(outbox, sms, SMS_ALICE, text);
            }
            for (int i = 0; i < 20; i++) {
                advance(Duration.ofMinutes(1));
                send(outbox, sms, SMS_ALICE, "secret refused " + i);
            }
            // The first part rolls off and another squeezes in: the same episode goes on.
            advance(Duration.ofMinutes(10));
            assertThat(((Delivery.Failed) send(outbox, sms, SMS_ALICE, "secret squeezed", "secret over")).part())
                    .isEqualTo(2);
            assertThat(logs(log, "WARN")).hasSize(1);
            assertThat(logs(log, "INFO")).isEmpty();
            // Half the cap free again: the episode ends at the next part let through.
            advance(Duration.ofMinutes(30));
            send(outbox, sms, SMS_ALICE, "secret after");
            send(outbox, sms, SMS_ALICE, "secret five", "secret six", "secret seven", "secret refused again");
            logs = log.text();
        }

        assertThat(logs(logs, "WARN"))
                .hasSize(2)
                .first()
                .asString()
                .contains("outbound guard engaged for sms:+1555***0001: 4 segments sent to them in the last hour,"
                        + " and part 1/1 would take them over the cap of 4; further parts to them are refused until"
                        + " the hour rolls over");
        assertThat(logs(logs, "INFO"))
                .singleElement()
                .asString()
                .contains("outbound guard released for sms:+1555***0001: it is let through again; 21 part(s) refused"
                        + " over 59m");
        assertThat(sms.texts())
                .containsExactly(
                        "secret one",
                        "secret two",
                        "secret three",
                        "secret four",
                        "secret squeezed",
                        "secret after",
                        "secret five",
                        "secret six");
        assertThat(logs).doesNotContain("secret").doesNotContain(ALICE.value());
    }

    @Test
    void forgetsARecipientIdleForAnHourAndEndsItsEpisode() {
        OutboundGuard guard = guard(1);
        Outbox outbox = outbox(guard);
        send(outbox, sms, SMS_ALICE, "one");
        send(outbox, sms, SMS_BOB, "one");

        String logs;
        try (LogCapture log = LogCapture.start()) {
            send(outbox, sms, SMS_ALICE, "refused");
            advance(Duration.ofMinutes(59));
            assertThat(guard.remembered()).isEqualTo(2);
            advance(Duration.ofMinutes(1).plusSeconds(1));
            assertThat(guard.remembered()).isZero();
            logs = log.text();
        }

        assertThat(logs(logs, "INFO"))
                .singleElement()
                .asString()
                .contains("outbound guard released for sms:+1555***0001: it went an hour without a part for them;"
                        + " 1 part(s) refused over 0s");
    }

    @Test
    void logsAnEpisodeStillGoingOnWhenItCloses() {
        OutboundGuard guard = guard(1);
        Outbox outbox = outbox(guard);
        send(outbox, sms, SMS_ALICE, "one");
        send(outbox, sms, SMS_ALICE, "refused");
        advance(Duration.ofMinutes(5));
        send(outbox, sms, SMS_ALICE, "refused too");

        String logs;
        try (LogCapture log = LogCapture.start()) {
            guard.close();
            logs = log.text();
        }

        assertThat(logs(logs, "INFO"))
                .singleElement()
                .asString()
                .contains("outbound guard released for sms:+1555***0001: it is no longer followed: the runtime is"
                        + " closing; 2 part(s) refused over 5m");
    }

    @Test
    void offLetsEveryPartThrough() {
        Outbox outbox = outbox(OutboundGuard.OFF);

        for (int i = 0; i < 300; i++) {
            assertThat(send(outbox, sms, SMS_ALICE, TWO_SEGMENTS)).isInstanceOf(Delivery.Sent.class);
        }

        assertThat(sms.sendCalls()).isEqualTo(300);
        assertThat(OutboundGuard.OFF.off()).isTrue();
        assertThat(guard(1).off()).isFalse();
    }

    private static List<String> logs(LogCapture log, String level) {
        return logs(log.text(), level);
    }

    private static List<String> logs(String text, String level) {
        return text.lines()
                .filter(line -> line.contains(" " + level + " ") && line.contains("OutboundGuard"))
                .toList();
    }

    /** A channel that accepts every send unless scripted to fail, recording the texts. */
    private static final class TestChannel extends StubChannel {

        private final Queue<RuntimeException> script = new ArrayDeque<>();
        private final List<String> texts = Collections.synchronizedList(new ArrayList<>());
        private final AtomicInteger sendCalls = new AtomicInteger();

        TestChannel(String id, boolean billedPerSegment) {
            super(id, plain(billedPerSegment));
        }

        synchronized void script(RuntimeException... failures) {
            script.addAll(List.of(failures));
        }

        List<String> texts() {
            return List.copyOf(texts);
        }

        int sendCalls() {
            return sendCalls.get();
        }

        @Override
        public SendReceipt send(OutboundMessage message) {
            int call = sendCalls.incrementAndGet();
            RuntimeException failure;
            synchronized (this) {
                failure = script.poll();
            }
            if (failure != null) {
                throw failure;
            }
            texts.add(message.text());
            return new SendReceipt("SM" + call, DeliveryStatus.QUEUED);
        }
    }
}
