package dev.switchboard.runtime.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.channel.Address;
import dev.switchboard.channel.Channel;
import dev.switchboard.channel.ConversationKey;
import dev.switchboard.channel.DeliveryStatus;
import dev.switchboard.channel.OutboundMessage;
import dev.switchboard.channel.PermanentChannelException;
import dev.switchboard.channel.PermanentChannelException.Reason;
import dev.switchboard.channel.RetriableChannelException;
import dev.switchboard.channel.SendReceipt;
import dev.switchboard.runtime.StubChannel;
import dev.switchboard.runtime.delivery.AmbiguousSendPolicy;
import dev.switchboard.runtime.delivery.OptOutStore;
import dev.switchboard.runtime.schedule.LogCapture;
import dev.switchboard.runtime.schedule.ManualScheduler;
import dev.switchboard.runtime.schedule.MutableClock;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The outbox on a manual clock: each attempt is counted, each backoff is a timer the test moves past,
 * and the jitter is fixed, so that every wait is known.
 */
class OutboxTest {

    private static final Address ALICE = Address.of("+15551230001");
    private static final Address BOB = Address.of("+15551230002");
    private static final ConversationKey TO_ALICE = new ConversationKey("sms", ALICE);
    private static final ConversationKey TO_BOB = new ConversationKey("sms", BOB);
    private static final Instant T0 = Instant.parse("2026-11-21T10:00:00Z");

    /** Jitter that always draws one half: each backoff is half its cap. */
    private static final RandomGenerator HALF = () -> Long.MIN_VALUE;

    private final MutableClock clock = new MutableClock(T0);
    private final ManualScheduler timer = new ManualScheduler(clock);
    private final OptOutStore optOuts = OptOutStore.inMemory();
    private final Set<String> known = Collections.synchronizedSet(new java.util.HashSet<>());
    private final ScriptedChannel channel = new ScriptedChannel(clock);
    private ExecutorService pool;

    @AfterEach
    void tearDown() {
        if (pool != null) {
            pool.shutdownNow();
        }
    }

    private Outbox outbox(AmbiguousSendPolicy policy, int maxAttempts, int concurrency, Map<String, Double> rates) {
        return new Outbox(
                new Outbox.Settings(
                        maxAttempts,
                        Duration.ofMinutes(1),
                        Duration.ofSeconds(1),
                        Duration.ofSeconds(4),
                        policy,
                        concurrency,
                        rates),
                timer,
                clock,
                HALF,
                optOuts,
                (channelId, messageId) -> known.contains(channelId + ":" + messageId));
    }

    private Outbox outbox() {
        return outbox(AmbiguousSendPolicy.RECONCILE, 5, 4, Map.of());
    }

    /** An outbox that reconciles over {@code window}, within {@code maxElapsed} of a part's first try. */
    private Outbox reconciling(int maxAttempts, Duration maxElapsed, Duration window) {
        return new Outbox(
                new Outbox.Settings(
                        maxAttempts,
                        maxElapsed,
                        Duration.ofSeconds(1),
                        Duration.ofSeconds(4),
                        AmbiguousSendPolicy.RECONCILE,
                        window,
                        4,
                        Map.of()),
                timer,
                clock,
                HALF,
                optOuts,
                (channelId, messageId) -> known.contains(channelId + ":" + messageId));
    }

    /** The instants {@code seconds} after T0. */
    private static List<Instant> at(double... seconds) {
        List<Instant> instants = new ArrayList<>();
        for (double s : seconds) {
            instants.add(T0.plusMillis(Math.round(s * 1000)));
        }
        return instants;
    }

    private static CompletableFuture<Delivery> send(Outbox outbox, Channel channel, String... parts) {
        return outbox.send(channel, TO_ALICE, List.of(parts), 0, Runnable::run);
    }

    private static RetriableChannelException throttled(Duration retryAfter) {
        return new RetriableChannelException("rate limited", "20429", retryAfter, false, null);
    }

    private static RetriableChannelException ambiguous() {
        return new RetriableChannelException("HTTP 500: may have been sent", "20500", null, true, null);
    }

    private static Delivery.Sent sent(CompletableFuture<Delivery> future) {
        assertThat(future).isDone();
        return (Delivery.Sent) future.join();
    }

    private static Delivery.Failed failed(CompletableFuture<Delivery> future) {
        assertThat(future).isDone();
        return (Delivery.Failed) future.join();
    }

    @Test
    void sendsEveryPartInOrderOnTheCallingThread() {
        CompletableFuture<Delivery> delivery = send(outbox(), channel, "one", "two", "three");

        assertThat(sent(delivery).receipts()).extracting(SendReceipt::messageId).containsExactly("SM1", "SM2", "SM3");
        assertThat(channel.texts()).containsExactly("one", "two", "three");
        assertThat(channel.threads()).containsOnly(Thread.currentThread().getName());
    }

    @Test
    void sendsAThrottledPartAgainOnlyAfterItsRetryAfterAndOnce() {
        channel.script(throttled(Duration.ofSeconds(3)), throttled(Duration.ofSeconds(3)));

        CompletableFuture<Delivery> delivery = send(outbox(), channel, "hello");

        assertThat(channel.sendCalls()).isEqualTo(1);
        assertThat(timer.pending()).containsExactly(T0.plusSeconds(3));
        timer.advance(Duration.ofMillis(2999));
        assertThat(channel.sendCalls()).isEqualTo(1);
        timer.advance(Duration.ofMillis(1));
        assertThat(channel.sendCalls()).isEqualTo(2);
        timer.advance(Duration.ofSeconds(3));

        assertThat(channel.sendCalls()).isEqualTo(3);
        assertThat(channel.texts()).containsExactly("hello");
        assertThat(sent(delivery).receipts()).extracting(SendReceipt::messageId).containsExactly("SM3");
    }

    @Test
    void backsOffExponentiallyWithFullJitterUpToTheMaximum() {
        channel.script(throttled(null), throttled(null), throttled(null), throttled(null));

        send(outbox(), channel, "hello");

        // Half of 1 s, 2 s, 4 s, then of the 4 s maximum.
        List<Duration> waits = new ArrayList<>();
        Instant last = T0;
        for (int i = 0; i < 4; i++) {
            Instant due = timer.nextDue().orElseThrow();
            waits.add(Duration.between(last, due));
            last = due;
            timer.advanceTo(due);
        }
        assertThat(waits)
                .containsExactly(
                        Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(2));
        assertThat(channel.sendCalls()).isEqualTo(5);
    }

    @Test
    void givesUpAfterTheMostAttemptsWithTheLastFailure() {
        channel.script(throttled(null), throttled(null), throttled(null));

        CompletableFuture<Delivery> delivery =
                send(outbox(AmbiguousSendPolicy.RECONCILE, 3, 4, Map.of()), channel, "a");
        timer.advance(Duration.ofSeconds(10));

        Delivery.Failed failed = failed(delivery);
        assertThat(channel.sendCalls()).isEqualTo(3);
        assertThat(failed.part()).isEqualTo(1);
        assertThat(failed.failure().providerCode()).contains("20429");
        assertThat(failed.reason()).isEqualTo("gave up after 3 attempts in 1s: rate limited");
        assertThat(timer.pending()).isEmpty();
    }

    @Test
    void givesUpAtOnceWhenTheNextTryWouldPassTheTimeLimit() {
        channel.script(throttled(Duration.ofSeconds(90)));

        CompletableFuture<Delivery> delivery = send(outbox(), channel, "a");

        assertThat(failed(delivery).reason())
                .isEqualTo("gave up as the next try, in 1m30s, would pass the limit of 1m in 0ms: rate limited");
        assertThat(channel.sendCalls()).isEqualTo(1);
        assertThat(timer.pending()).isEmpty();
    }

    @Test
    void looksUpAnAmbiguousSendAndTakesWhatTheProviderHasWithoutSendingAgain() {
        channel.script(ambiguous());
        channel.found(List.of(new SendReceipt("SMfound", DeliveryStatus.SENT)));

        CompletableFuture<Delivery> delivery = send(outbox(), channel, "hello");
        assertThat(channel.lookups()).isZero();
        // A look-up waits at least the base backoff, so that the provider has listed the message.
        assertThat(timer.pending()).containsExactly(T0.plusSeconds(1));
        timer.advance(Duration.ofSeconds(1));

        assertThat(sent(delivery).receipts()).containsExactly(new SendReceipt("SMfound", DeliveryStatus.SENT));
        assertThat(channel.sendCalls()).isEqualTo(1);
        assertThat(channel.lookups()).isEqualTo(1);
        assertThat(channel.lookedUpSince()).containsExactly(T0);
    }

    @Test
    void sendsAPartNeverListedAgainOnlyAfterTheWholeWindowAndOnce() {
        channel.script(ambiguous());
        channel.found(List.of());

        CompletableFuture<Delivery> delivery = send(outbox(), channel, "hello");
        timer.advance(Duration.ofMillis(15_999));

        // The default window: 16 s, looked through at 1, 2, 4 and 8 s, and last at its end.
        assertThat(channel.lookedUpAt()).isEqualTo(at(1, 2, 4, 8));
        assertThat(channel.sendCalls()).isEqualTo(1);
        assertThat(delivery).isNotDone();
        timer.advance(Duration.ofMillis(1));

        assertThat(channel.lookedUpAt()).isEqualTo(at(1, 2, 4, 8, 16));
        assertThat(sent(delivery).receipts()).extracting(SendReceipt::messageId).containsExactly("SM2");
        assertThat(channel.sendCalls()).isEqualTo(2);
        assertThat(channel.texts()).containsExactly("hello");
        assertThat(timer.pending()).isEmpty();
    }

    @Test
    void doesNotSendAgainAMessageListedOnlyOnTheThirdLookUp() {
        channel.script(ambiguous());
        channel.answerLookUps(List.of(), List.of(), List.of(new SendReceipt("SMlate", DeliveryStatus.QUEUED)));

        CompletableFuture<Delivery> delivery = send(outbox(), channel, "hello");
        timer.advance(Duration.ofMinutes(1));

        assertThat(sent(delivery).receipts()).extracting(SendReceipt::messageId).containsExactly("SMlate");
        assertThat(channel.lookedUpAt()).isEqualTo(at(1, 2, 4));
        assertThat(channel.sendCalls()).isEqualTo(1);
    }

    @Test
    void aListedMessageEndsTheLookUpsAtOnce() {
        channel.script(ambiguous());
        channel.answerLookUps(List.of(), List.of(new SendReceipt("SMfound", DeliveryStatus.SENT)));

        CompletableFuture<Delivery> delivery =
                send(reconciling(5, Duration.ofMinutes(2), Duration.ofMinutes(1)), channel, "hello");
        timer.advance(Duration.ofSeconds(1));
        assertThat(delivery).isNotDone();
        timer.advance(Duration.ofSeconds(1));

        assertThat(sent(delivery).receipts()).extracting(SendReceipt::messageId).containsExactly("SMfound");
        assertThat(timer.pending()).isEmpty();
        timer.advance(Duration.ofMinutes(2));
        assertThat(channel.lookedUpAt()).isEqualTo(at(1, 2));
        assertThat(channel.sendCalls()).isEqualTo(1);
    }

    @Test
    void theTimeLimitEndsTheWindowAndThePartFailsAsMaybeSentWithoutBeingSentAgain() {
        // Throttled for 10 s first, so the window (10 s + 16 s) would end after the limit (20 s).
        channel.script(throttled(Duration.ofSeconds(10)), ambiguous());
        channel.found(List.of());

        CompletableFuture<Delivery> delivery =
                send(reconciling(5, Duration.ofSeconds(20), Duration.ofSeconds(16)), channel, "hello");
        timer.advance(Duration.ofMinutes(5));

        assertThat(channel.lookedUpAt()).isEqualTo(at(11, 12, 14, 18, 20));
        Delivery.Failed failed = failed(delivery);
        assertThat(failed.reason())
                .isEqualTo("may have been sent, and is not sent again: not listed by the provider 10s after the"
                        + " failed send, when the limit of 20s ended the look-ups (reconcile window 16s): HTTP 500:"
                        + " may have been sent");
        assertThat(((RetriableChannelException) failed.failure()).mayHaveBeenProcessed())
                .isTrue();
        assertThat(channel.sendCalls()).isEqualTo(2);
        assertThat(timer.pending()).isEmpty();
    }

    @Test
    void aWindowLongerThanTheTimeLimitEndsWithIt() {
        channel.script(ambiguous());
        channel.found(List.of());

        CompletableFuture<Delivery> delivery =
                send(reconciling(5, Duration.ofSeconds(30), Duration.ofHours(1)), channel, "hello");
        timer.advance(Duration.ofHours(2));

        assertThat(channel.lookedUpAt()).isEqualTo(at(1, 2, 4, 8, 16, 30));
        assertThat(failed(delivery).reason()).startsWith("may have been sent, and is not sent again: not listed");
        assertThat(channel.sendCalls()).isEqualTo(1);
    }

    @Test
    void givesUpWithoutLookingWhenTheFirstLookUpWouldPassTheTimeLimit() {
        channel.script(throttled(Duration.ofMillis(9_500)), ambiguous());

        CompletableFuture<Delivery> delivery =
                send(reconciling(5, Duration.ofSeconds(10), Duration.ofSeconds(16)), channel, "hello");
        timer.advance(Duration.ofMinutes(1));

        assertThat(failed(delivery).reason())
                .isEqualTo("may have been sent; gave up as the first look-up, in 1s, would pass the limit of 10s"
                        + " in 9s: HTTP 500: may have been sent");
        assertThat(channel.lookups()).isZero();
        assertThat(channel.sendCalls()).isEqualTo(2);
    }

    @Test
    void aFailedLookUpProvesNothingAndTheWindowGoesOn() {
        channel.script(ambiguous());
        RetriableChannelException unavailable =
                new RetriableChannelException("could not look", null, null, false, null);
        channel.answerLookUps(unavailable, unavailable);
        channel.found(List.of());

        CompletableFuture<Delivery> delivery = send(outbox(), channel, "hello");
        timer.advance(Duration.ofMillis(15_999));

        assertThat(channel.lookedUpAt()).isEqualTo(at(1, 2, 4, 8));
        assertThat(channel.sendCalls()).isEqualTo(1);
        timer.advance(Duration.ofMillis(1));

        assertThat(sent(delivery).receipts()).extracting(SendReceipt::messageId).containsExactly("SM2");
        assertThat(channel.lookedUpAt()).isEqualTo(at(1, 2, 4, 8, 16));
    }

    @Test
    void aFailedLastLookUpIsMadeAgainBeforeThePartIsSentAgain() {
        channel.script(ambiguous());
        channel.answerLookUps(
                List.of(),
                List.of(),
                List.of(),
                List.of(),
                new RetriableChannelException("could not look", null, null, false, null));
        channel.found(List.of());

        CompletableFuture<Delivery> delivery = send(outbox(), channel, "hello");
        timer.advance(Duration.ofSeconds(16));
        assertThat(channel.sendCalls()).isEqualTo(1);
        assertThat(delivery).isNotDone();
        // After the window's end, a failed look-up is made again after a backoff: at least the base.
        timer.advance(Duration.ofSeconds(1));

        assertThat(channel.lookedUpAt()).isEqualTo(at(1, 2, 4, 8, 16, 17));
        assertThat(sent(delivery).receipts()).extracting(SendReceipt::messageId).containsExactly("SM2");
    }

    @Test
    void failedLookUpsCountTowardTheMostAttemptsAcrossTheWindow() {
        channel.script(ambiguous());
        RetriableChannelException unavailable =
                new RetriableChannelException("could not look", null, null, false, null);
        channel.answerLookUps(unavailable, List.of(), unavailable, List.of(), unavailable);

        CompletableFuture<Delivery> delivery =
                send(outbox(AmbiguousSendPolicy.RECONCILE, 3, 4, Map.of()), channel, "hello");
        timer.advance(Duration.ofMinutes(1));

        assertThat(failed(delivery).reason())
                .isEqualTo("may have been sent; gave up after 3 failed look-ups in 16s: could not look");
        assertThat(channel.lookedUpAt()).isEqualTo(at(1, 2, 4, 8, 16));
        assertThat(channel.sendCalls()).isEqualTo(1);
    }

    @Test
    void aFailedLookUpWaitsForTheProvidersRetryAfterWithinTheWindow() {
        channel.script(ambiguous());
        channel.answerLookUps(
                new RetriableChannelException("rate limited", "20429", Duration.ofSeconds(5), false, null));
        channel.found(List.of());

        CompletableFuture<Delivery> delivery = send(outbox(), channel, "hello");
        timer.advance(Duration.ofMinutes(1));

        assertThat(channel.lookedUpAt()).isEqualTo(at(1, 6, 8, 16));
        assertThat(sent(delivery).receipts()).extracting(SendReceipt::messageId).containsExactly("SM2");
    }

    @Test
    void doesNotTakeAMessageItAlreadyHasForThePartItLooksFor() {
        // Two identical parts: the second's look-up finds the first, and one the runtime knows of.
        channel.script(null, ambiguous());
        known.add("sms:SMold");
        channel.found(List.of(
                new SendReceipt("SM1", DeliveryStatus.QUEUED),
                new SendReceipt("SMold", DeliveryStatus.DELIVERED),
                new SendReceipt("SMsecond", DeliveryStatus.QUEUED)));

        CompletableFuture<Delivery> delivery = send(outbox(), channel, "same", "same");
        timer.advance(Duration.ofSeconds(1));

        assertThat(sent(delivery).receipts()).extracting(SendReceipt::messageId).containsExactly("SM1", "SMsecond");
        assertThat(channel.sendCalls()).isEqualTo(2);
    }

    @Test
    void looksUpAgainAfterALookUpFailsAndNeverSendsMoreThanOnce() {
        channel.script(ambiguous());
        channel.lookupFailure(new RetriableChannelException("could not look", null, null, false, null));
        channel.found(List.of(new SendReceipt("SMfound", DeliveryStatus.QUEUED)));

        CompletableFuture<Delivery> delivery = send(outbox(), channel, "hello");
        timer.advance(Duration.ofSeconds(1));
        assertThat(channel.lookups()).isEqualTo(1);
        timer.advance(Duration.ofSeconds(1));

        assertThat(sent(delivery).receipts()).extracting(SendReceipt::messageId).containsExactly("SMfound");
        assertThat(channel.lookups()).isEqualTo(2);
        assertThat(channel.sendCalls()).isEqualTo(1);
    }

    @Test
    void neverSendsAnAmbiguousPartAgainUnderNeverResend() {
        channel.script(ambiguous());

        CompletableFuture<Delivery> delivery =
                send(outbox(AmbiguousSendPolicy.NEVER_RESEND, 5, 4, Map.of()), channel, "a", "b");

        Delivery.Failed failed = failed(delivery);
        assertThat(failed.part()).isEqualTo(1);
        assertThat(failed.reason()).startsWith("may have been sent, and is not sent again");
        assertThat(((RetriableChannelException) failed.failure()).mayHaveBeenProcessed())
                .isTrue();
        assertThat(channel.sendCalls()).isEqualTo(1);
        assertThat(channel.lookups()).isZero();
        assertThat(timer.pending()).isEmpty();
    }

    @Test
    void sendsAnAmbiguousPartAgainWithoutLookingUnderAlwaysResend() {
        channel.script(ambiguous());

        CompletableFuture<Delivery> delivery =
                send(outbox(AmbiguousSendPolicy.ALWAYS_RESEND, 5, 4, Map.of()), channel, "a");
        timer.advance(Duration.ofSeconds(1));

        assertThat(sent(delivery).receipts()).extracting(SendReceipt::messageId).containsExactly("SM2");
        assertThat(channel.lookups()).isZero();
    }

    @Test
    void doesNotSendAgainThroughAChannelThatCannotLook() {
        channel.script(ambiguous());
        channel.cannotLookUp();

        CompletableFuture<Delivery> delivery = send(outbox(), channel, "a");
        timer.advance(Duration.ofSeconds(1));

        assertThat(failed(delivery).reason())
                .isEqualTo("may have been sent, and is not sent again (the channel cannot check): HTTP 500: may have"
                        + " been sent");
        assertThat(channel.sendCalls()).isEqualTo(1);
    }

    @Test
    void stopsAtAPartRefusedForGoodAndNeverSendsAnAcceptedPartAgain() {
        channel.script(null, new PermanentChannelException("invalid number", "21211", null));

        CompletableFuture<Delivery> delivery = send(outbox(), channel, "one", "two", "three");

        Delivery.Failed failed = failed(delivery);
        assertThat(failed.part()).isEqualTo(2);
        assertThat(failed.parts()).isEqualTo(3);
        assertThat(failed.accepted()).extracting(SendReceipt::messageId).containsExactly("SM1");
        assertThat(failed.reason()).isEqualTo("refused: invalid number");
        assertThat(channel.texts()).containsExactly("one");
        assertThat(channel.sendCalls()).isEqualTo(2);
    }

    @Test
    void refusesAnOptedOutRecipientWithoutAskingTheChannel() {
        optOuts.optOut(TO_ALICE);

        CompletableFuture<Delivery> delivery = send(outbox(), channel, "hello");

        Delivery.Failed failed = failed(delivery);
        assertThat(((PermanentChannelException) failed.failure()).reason()).isEqualTo(Reason.RECIPIENT_OPTED_OUT);
        assertThat(failed.reason()).startsWith("not sent: +1555***0001 opted out of sms");
        assertThat(channel.sendCalls()).isZero();
        assertThat(outbox().send(channel, TO_BOB, List.of("hi"), 0, Runnable::run))
                .succeedsWithin(Duration.ZERO);
    }

    @Test
    void recordsAnOptOutTheProviderReportsAndSendsThemNothingMore() {
        channel.script(new PermanentChannelException(
                "Twilio error 21610: unsubscribed", "21610", null, Reason.RECIPIENT_OPTED_OUT));
        Outbox outbox = outbox();

        send(outbox, channel, "first");
        CompletableFuture<Delivery> second = send(outbox, channel, "second");

        assertThat(optOuts.isOptedOut(TO_ALICE)).isTrue();
        assertThat(failed(second).reason()).startsWith("not sent:");
        assertThat(channel.sendCalls()).isEqualTo(1);
    }

    @Test
    void failsRatherThanRiskASendWhenTheOptOutStoreFails() {
        Outbox outbox = new Outbox(
                new Outbox.Settings(
                        5,
                        Duration.ofMinutes(1),
                        Duration.ofSeconds(1),
                        Duration.ofSeconds(4),
                        AmbiguousSendPolicy.RECONCILE,
                        4,
                        Map.of()),
                timer,
                clock,
                HALF,
                new OptOutStore() {
                    @Override
                    public boolean isOptedOut(ConversationKey conversation) {
                        throw new IllegalStateException("database down");
                    }

                    @Override
                    public void optOut(ConversationKey conversation) {}

                    @Override
                    public void optIn(ConversationKey conversation) {}
                },
                (c, m) -> false);

        assertThat(failed(send(outbox, channel, "hello")).reason()).contains("the opt-out store failed");
        assertThat(channel.sendCalls()).isZero();
    }

    @Test
    void logsAConfigurationErrorAtErrorOncePerChannelAndCode() {
        PermanentChannelException badToken = new PermanentChannelException(
                "Twilio rejected the credentials (error 20003): check TWILIO_AUTH_TOKEN",
                "20003",
                null,
                Reason.CONFIGURATION);
        channel.script(badToken, badToken, badToken);
        Outbox outbox = outbox();

        String logs;
        try (LogCapture log = LogCapture.start()) {
            for (int i = 0; i < 3; i++) {
                send(outbox, channel, "secret text " + i);
            }
            logs = log.text();
        }

        assertThat(logs.lines().filter(l -> l.contains("ERROR")))
                .singleElement()
                .satisfies(line -> assertThat(line)
                        .contains("channel sms is misconfigured")
                        .contains("20003"));
        assertThat(logs).doesNotContain("secret text").doesNotContain(ALICE.value());
    }

    @Test
    void closingFailsATextWaitingToBeSentAgain() {
        channel.script(throttled(Duration.ofSeconds(5)));
        Outbox outbox = outbox();
        CompletableFuture<Delivery> delivery = send(outbox, channel, "hello");
        assertThat(outbox.waitingCount()).isEqualTo(1);

        outbox.close();

        assertThat(failed(delivery).reason())
                .isEqualTo("the runtime closed while it waited to be sent again: rate limited");
        assertThat(outbox.waitingCount()).isZero();
        timer.advance(Duration.ofSeconds(10));
        assertThat(channel.sendCalls()).isEqualTo(1);
        // Once closed, a part that would have to wait fails at once.
        channel.script(throttled(null));
        assertThat(failed(send(outbox, channel, "later")).reason()).startsWith("the runtime closed");
    }

    @Test
    void pacesSendsToTheChannelsRate() {
        Outbox outbox = outbox(AmbiguousSendPolicy.RECONCILE, 5, 4, Map.of("sms", 2.0));

        CompletableFuture<Delivery> first = outbox.send(channel, TO_ALICE, List.of("a"), 0, Runnable::run);
        CompletableFuture<Delivery> second = outbox.send(channel, TO_BOB, List.of("b1", "b2"), 0, Runnable::run);

        assertThat(first).isDone();
        assertThat(channel.texts()).containsExactly("a");
        assertThat(timer.pending()).containsExactly(T0.plusMillis(500));
        timer.advance(Duration.ofMillis(500));
        assertThat(channel.texts()).containsExactly("a", "b1");
        timer.advance(Duration.ofMillis(500));
        assertThat(channel.texts()).containsExactly("a", "b1", "b2");
        assertThat(second).isDone();
    }

    @Test
    void boundsTheSendsUnderWayOnAChannelWithoutHoldingAThreadForTheOthers() throws Exception {
        pool = Executors.newFixedThreadPool(4);
        CountDownLatch release = new CountDownLatch(1);
        channel.blockUntil(release);
        Outbox outbox = outbox(AmbiguousSendPolicy.RECONCILE, 5, 1, Map.of());

        CompletableFuture<CompletableFuture<Delivery>> first =
                CompletableFuture.supplyAsync(() -> outbox.send(channel, TO_ALICE, List.of("a"), 0, pool), pool);
        assertThat(channel.awaitEntered(1)).isTrue();
        // The second text finds no permit: it queues and its caller goes on.
        CompletableFuture<Delivery> second = outbox.send(channel, TO_BOB, List.of("b"), 0, pool);
        assertThat(second).isNotDone();
        assertThat(outbox.waitingCount()).isEqualTo(1);
        release.countDown();

        assertThat(first.get(10, TimeUnit.SECONDS).get(10, TimeUnit.SECONDS)).isInstanceOf(Delivery.Sent.class);
        assertThat(second.get(10, TimeUnit.SECONDS)).isInstanceOf(Delivery.Sent.class);
        assertThat(channel.maxConcurrent()).isEqualTo(1);
        assertThat(channel.texts()).containsExactly("a", "b");
    }

    /**
     * A channel that answers sends from a script (null: accept) and look-ups with what it was given,
     * counting both.
     */
    static final class ScriptedChannel extends StubChannel {

        private final Queue<RuntimeException> script = new ArrayDeque<>();
        private final Clock clock;
        private final Queue<Object> lookupAnswers = new ArrayDeque<>();
        private final List<Instant> lookedUpAt = Collections.synchronizedList(new ArrayList<>());
        private final List<String> texts = Collections.synchronizedList(new ArrayList<>());
        private final List<String> threads = Collections.synchronizedList(new ArrayList<>());
        private final List<Instant> lookedUpSince = Collections.synchronizedList(new ArrayList<>());
        private final AtomicInteger sendCalls = new AtomicInteger();
        private final AtomicInteger lookups = new AtomicInteger();
        private final AtomicInteger concurrent = new AtomicInteger();
        private final AtomicInteger maxConcurrent = new AtomicInteger();
        private volatile List<SendReceipt> found = List.of();
        private volatile boolean cannotLookUp;
        private volatile CountDownLatch blockUntil;
        private final CountDownLatch[] entered = {new CountDownLatch(1)};

        ScriptedChannel(Clock clock) {
            super("sms", plain(true));
            this.clock = clock;
        }

        synchronized void script(RuntimeException... outcomes) {
            for (RuntimeException outcome : outcomes) {
                script.add(outcome == null ? new Accept() : outcome);
            }
        }

        void found(List<SendReceipt> receipts) {
            this.found = receipts;
        }

        synchronized void lookupFailure(RuntimeException failure) {
            lookupAnswers.add(failure);
        }

        /**
         * The answers of the next look-ups, in turn: a list of receipts, or a failure to throw; then
         * {@link #found}.
         */
        synchronized void answerLookUps(Object... answers) {
            lookupAnswers.addAll(List.of(answers));
        }

        void cannotLookUp() {
            this.cannotLookUp = true;
        }

        void blockUntil(CountDownLatch latch) {
            this.blockUntil = latch;
        }

        boolean awaitEntered(int count) throws InterruptedException {
            return entered[0].await(10, TimeUnit.SECONDS);
        }

        List<String> texts() {
            return List.copyOf(texts);
        }

        List<String> threads() {
            return List.copyOf(threads);
        }

        List<Instant> lookedUpSince() {
            return List.copyOf(lookedUpSince);
        }

        /** When each look-up was made, by the test's clock. */
        List<Instant> lookedUpAt() {
            return List.copyOf(lookedUpAt);
        }

        int sendCalls() {
            return sendCalls.get();
        }

        int lookups() {
            return lookups.get();
        }

        int maxConcurrent() {
            return maxConcurrent.get();
        }

        @Override
        public SendReceipt send(OutboundMessage message) {
            int call = sendCalls.incrementAndGet();
            maxConcurrent.accumulateAndGet(concurrent.incrementAndGet(), Math::max);
            try {
                entered[0].countDown();
                CountDownLatch block = blockUntil;
                if (block != null) {
                    blockUntil = null;
                    block.await(10, TimeUnit.SECONDS);
                }
                RuntimeException outcome;
                synchronized (this) {
                    outcome = script.poll();
                }
                if (outcome != null && !(outcome instanceof Accept)) {
                    throw outcome;
                }
                texts.add(message.text());
                threads.add(Thread.currentThread().getName());
                return new SendReceipt("SM" + call, DeliveryStatus.QUEUED);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            } finally {
                concurrent.decrementAndGet();
            }
        }

        @Override
        @SuppressWarnings("unchecked")
        public List<SendReceipt> findSent(OutboundMessage message, Instant notBefore) {
            lookups.incrementAndGet();
            lookedUpSince.add(notBefore);
            lookedUpAt.add(clock.instant());
            if (cannotLookUp) {
                throw new UnsupportedOperationException("no look-ups here");
            }
            Object answer;
            synchronized (this) {
                answer = lookupAnswers.poll();
            }
            if (answer instanceof RuntimeException failure) {
                throw failure;
            }
            return answer != null ? (List<SendReceipt>) answer : found;
        }

        /** A scripted success. */
        private static final class Accept extends RuntimeException {
            private static final long serialVersionUID = 1L;
        }
    }
}
