package dev.switchboard.runtime.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.channel.Address;
import dev.switchboard.channel.PermanentChannelException;
import dev.switchboard.runtime.AgentRuntime;
import dev.switchboard.runtime.AgentRuntimeBuilder;
import dev.switchboard.runtime.schedule.PushOutcome.Kind;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Scheduled pushes, with time driven by a manual scheduler and clock: fire times run on the test's
 * thread as it moves the clock, suppliers and sends on the runtime's executor.
 */
class AgentRuntimeScheduleTest {

    private static final String HOME = "+15550001111";
    private static final ZoneId NEW_YORK = ZoneId.of("America/New_York");

    private final MutableClock clock = new MutableClock(Instant.parse("2024-05-01T08:00:00Z"));
    private final ManualScheduler timer = new ManualScheduler(clock);
    private final OutcomeRecorder outcomes = new OutcomeRecorder();
    private final PushChannel sms = PushChannel.sms().home(HOME);
    private final AtomicInteger calls = new AtomicInteger();
    private final List<String> supplierThreads = new CopyOnWriteArrayList<>();
    private AgentRuntime runtime;

    @AfterEach
    void tearDown() {
        if (runtime != null) {
            runtime.close();
        }
    }

    private AgentRuntimeBuilder builder() {
        return AgentRuntime.builder()
                .channel(sms)
                .agent(turn -> Optional.empty())
                .noWebhookServer()
                .clock(clock)
                .scheduler(timer)
                .deliveryConfirmationTimeout(Duration.ZERO)
                .listener(outcomes);
    }

    private AgentRuntime start() {
        runtime = builder().build().start();
        return runtime;
    }

    /** A supplier that counts its calls and returns "run <n>". */
    private Supplier<Optional<String>> counting() {
        return () -> {
            supplierThreads.add(Thread.currentThread().getName());
            return Optional.of("run " + calls.incrementAndGet());
        };
    }

    private static Instant at(String instant) {
        return Instant.parse(instant);
    }

    @Test
    void pushesToTheHomeAtEachFireTimeInTheScheduleZone() throws Exception {
        start();
        ScheduleHandle digest = runtime.schedule("digest", "0 9 * * *", ZoneId.of("Europe/London"), counting());

        // 09:00 in London is 08:00 UTC in summer time; 08:00 UTC now has just passed.
        assertThat(digest.nextFireTime()).contains(ZonedDateTime.parse("2024-05-02T09:00+01:00[Europe/London]"));
        timer.advanceTo(at("2024-05-02T07:59:59Z"));
        assertThat(calls).hasValue(0);
        timer.advanceTo(at("2024-05-02T08:00:00Z"));

        PushOutcome outcome = outcomes.next();
        assertThat(outcome.kind()).isEqualTo(Kind.SENT_UNCONFIRMED);
        assertThat(outcome.schedule()).contains("digest");
        assertThat(outcome.fireTime()).contains(at("2024-05-02T08:00:00Z"));
        assertThat(outcome.to()).contains(Address.of(HOME));
        assertThat(outcome.messageIds()).containsExactly("sms-1");
        assertThat(sms.sentTexts()).containsExactly("run 1");
        assertThat(digest.nextFireTime()).contains(ZonedDateTime.parse("2024-05-03T09:00+01:00[Europe/London]"));
    }

    @Test
    void firesEveryTwoSecondsWithSixFields() throws Exception {
        start();
        runtime.schedule("pulse", "*/2 * * * * *", ZoneOffset.UTC, counting());

        for (int i = 1; i <= 5; i++) {
            timer.advance(Duration.ofSeconds(2));
            assertThat(outcomes.next().fireTime())
                    .contains(at("2024-05-01T08:00:00Z").plusSeconds(2L * i));
        }
        assertThat(sms.sentTexts()).containsExactly("run 1", "run 2", "run 3", "run 4", "run 5");
    }

    @Test
    void runsTheSupplierOnTheExecutorNeverOnTheTimerThread() throws Exception {
        start();
        runtime.schedule("digest", "* * * * *", ZoneOffset.UTC, counting());

        timer.advance(Duration.ofMinutes(1));
        outcomes.next();

        assertThat(supplierThreads).singleElement().satisfies(name -> assertThat(name)
                .startsWith("switchboard-worker-")
                .isNotEqualTo(Thread.currentThread().getName()));
    }

    @Test
    void runsADailyJobInTheSpringForwardGapOnceRightAfterIt() throws Exception {
        clock.set(
                ZonedDateTime.parse("2024-03-09T12:00-05:00[America/New_York]").toInstant());
        start();
        ScheduleHandle job = runtime.schedule("backup-report", "30 2 * * *", NEW_YORK, counting());

        assertThat(job.nextFireTime()).contains(ZonedDateTime.parse("2024-03-10T03:00-04:00[America/New_York]"));
        timer.advanceTo(
                ZonedDateTime.parse("2024-03-10T12:00-04:00[America/New_York]").toInstant());

        assertThat(outcomes.next().fireTime())
                .contains(ZonedDateTime.parse("2024-03-10T03:00-04:00[America/New_York]")
                        .toInstant());
        assertThat(calls).hasValue(1);
        assertThat(job.nextFireTime()).contains(ZonedDateTime.parse("2024-03-11T02:30-04:00[America/New_York]"));
    }

    @Test
    void runsADailyJobInTheRepeatedFallBackHourOnce() throws Exception {
        clock.set(
                ZonedDateTime.parse("2024-11-02T12:00-04:00[America/New_York]").toInstant());
        start();
        ScheduleHandle job = runtime.schedule("backup-report", "30 1 * * *", NEW_YORK, counting());

        timer.advanceTo(
                ZonedDateTime.parse("2024-11-03T01:45-04:00[America/New_York]").toInstant());
        assertThat(outcomes.next().fireTime())
                .contains(ZonedDateTime.parse("2024-11-03T01:30-04:00[America/New_York]")
                        .toInstant());
        // Through the second 01:30 (EST) and the rest of the day: nothing more.
        timer.advanceTo(
                ZonedDateTime.parse("2024-11-03T23:00-05:00[America/New_York]").toInstant());

        assertThat(calls).hasValue(1);
        assertThat(outcomes.drain()).isEmpty();
        assertThat(job.nextFireTime()).contains(ZonedDateTime.parse("2024-11-04T01:30-05:00[America/New_York]"));
    }

    @Test
    void skipsAFireTimeWhileThePreviousRunIsStillGoing() throws Exception {
        start();
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        runtime.schedule("slow", "* * * * *", ZoneOffset.UTC, () -> {
            int call = calls.incrementAndGet();
            if (call == 1) {
                entered.countDown();
                try {
                    release.await(5, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return Optional.of("run " + call);
        });

        timer.advance(Duration.ofMinutes(1));
        assertThat(entered.await(5, TimeUnit.SECONDS)).isTrue();
        timer.advance(Duration.ofMinutes(1));

        PushOutcome skipped = outcomes.next();
        assertThat(skipped.kind()).isEqualTo(Kind.SKIPPED);
        assertThat(skipped.reason()).isEqualTo("previous run still in progress");
        assertThat(skipped.fireTime()).contains(at("2024-05-01T08:02:00Z"));
        assertThat(skipped.to()).contains(Address.of(HOME));

        release.countDown();
        PushOutcome first = outcomes.next();
        assertThat(first.kind()).isEqualTo(Kind.SENT_UNCONFIRMED);
        assertThat(first.fireTime()).contains(at("2024-05-01T08:01:00Z"));
        timer.advance(Duration.ofMinutes(1));
        assertThat(outcomes.next().fireTime()).contains(at("2024-05-01T08:03:00Z"));
        assertThat(sms.sentTexts()).containsExactly("run 1", "run 2");
    }

    @Test
    void runsOnceToCatchUpAfterAPauseThenGoesOnFromNow() throws Exception {
        start();
        ScheduleHandle hourly = runtime.schedule("hourly", "0 * * * *", ZoneOffset.UTC, counting());
        timer.advanceTo(at("2024-05-01T09:00:00Z"));
        outcomes.next();

        // Paused from just after 09:00 until 19:30: ten fire times (10:00 to 19:00) went by.
        timer.jumpTo(at("2024-05-01T19:30:00Z"));

        // Reported from different threads: in either order.
        List<PushOutcome> both = List.of(outcomes.next(), outcomes.next());
        PushOutcome missed =
                both.stream().filter(o -> o.kind() == Kind.SKIPPED).findFirst().orElseThrow();
        PushOutcome caughtUp =
                both.stream().filter(o -> o != missed).findFirst().orElseThrow();
        assertThat(missed.kind()).isEqualTo(Kind.SKIPPED);
        assertThat(missed.fireTime()).contains(at("2024-05-01T10:00:00Z"));
        assertThat(missed.reason())
                .isEqualTo("missed 9 fire times since 2024-05-01T10:00Z before running for 2024-05-01T19:00Z:"
                        + " the process was paused or the clock jumped");
        assertThat(caughtUp.kind()).isEqualTo(Kind.SENT_UNCONFIRMED);
        assertThat(caughtUp.fireTime()).contains(at("2024-05-01T19:00:00Z"));
        assertThat(hourly.nextFireTime()).contains(ZonedDateTime.parse("2024-05-01T20:00Z"));
        assertThat(calls).hasValue(2);

        timer.advanceTo(at("2024-05-01T20:00:00Z"));
        assertThat(outcomes.next().fireTime()).contains(at("2024-05-01T20:00:00Z"));
        assertThat(calls).hasValue(3);
        assertThat(sms.sentTexts()).containsExactly("run 1", "run 2", "run 3");
    }

    @Test
    void runsNothingForMissedFireTimesWithoutCatchUp() throws Exception {
        start();
        ScheduleHandle hourly = runtime.schedule(
                "hourly",
                "0 * * * *",
                ZoneOffset.UTC,
                ScheduleOptions.defaults().withCatchUp(CatchUp.NONE),
                counting());
        timer.advanceTo(at("2024-05-01T09:00:00Z"));
        outcomes.next();

        timer.jumpTo(at("2024-05-01T19:30:00Z"));

        PushOutcome missed = outcomes.next();
        assertThat(missed.kind()).isEqualTo(Kind.SKIPPED);
        assertThat(missed.reason())
                .isEqualTo("missed 10 fire times from 2024-05-01T10:00Z to 2024-05-01T19:00Z (catch-up is off):"
                        + " the process was paused or the clock jumped");
        assertThat(hourly.nextFireTime()).contains(ZonedDateTime.parse("2024-05-01T20:00Z"));
        timer.advanceTo(at("2024-05-01T20:00:00Z"));
        assertThat(outcomes.next().fireTime()).contains(at("2024-05-01T20:00:00Z"));
        assertThat(calls).hasValue(2);
    }

    @Test
    void runsALateFireTimeWithinTheMisfireThresholdAsAnOrdinaryRun() throws Exception {
        start();
        runtime.schedule(
                "hourly",
                "0 * * * *",
                ZoneOffset.UTC,
                ScheduleOptions.defaults().withCatchUp(CatchUp.NONE).withMisfireThreshold(Duration.ofMinutes(5)),
                counting());

        timer.jumpTo(at("2024-05-01T09:04:00Z"));

        PushOutcome outcome = outcomes.next();
        assertThat(outcome.kind()).isEqualTo(Kind.SENT_UNCONFIRMED);
        assertThat(outcome.fireTime()).contains(at("2024-05-01T09:00:00Z"));
    }

    @Test
    void waitsForTheFireTimeWhenTheTimerWakesEarlyByTheClock() throws Exception {
        start();
        ScheduleHandle hourly = runtime.schedule("hourly", "0 * * * *", ZoneOffset.UTC, counting());
        // The clock was set back after the timer was armed for 09:00: by the clock, it wakes early.
        clock.set(at("2024-05-01T07:00:00Z"));

        timer.runAllNow();

        assertThat(calls).hasValue(0);
        assertThat(timer.pending()).containsExactly(at("2024-05-01T09:00:00Z"));
        assertThat(hourly.nextFireTime()).contains(ZonedDateTime.parse("2024-05-01T09:00Z"));
        timer.advanceTo(at("2024-05-01T09:00:00Z"));
        assertThat(outcomes.next().fireTime()).contains(at("2024-05-01T09:00:00Z"));
        assertThat(calls).hasValue(1);
    }

    @Test
    void reportsAnEmptySupplierAsSkippedAndSendsNothing() throws Exception {
        start();
        runtime.schedule("quiet", "* * * * *", ZoneOffset.UTC, Optional::empty);

        timer.advance(Duration.ofMinutes(1));

        PushOutcome outcome = outcomes.next();
        assertThat(outcome.kind()).isEqualTo(Kind.SKIPPED);
        assertThat(outcome.reason()).isEqualTo("the supplier had nothing to send");
        assertThat(outcome.to()).contains(Address.of(HOME));
        assertThat(sms.sent()).isEmpty();
    }

    @Test
    void reportsASupplierThatThrowsAndLogsItAtWarnWithTheNameAndRedactedAddress() throws Exception {
        start();
        runtime.schedule("digest", "* * * * *", ZoneOffset.UTC, () -> {
            if (calls.incrementAndGet() == 1) {
                throw new IllegalStateException("database down");
            }
            return Optional.of("all good");
        });

        String logs;
        PushOutcome outcome;
        try (LogCapture log = LogCapture.start()) {
            timer.advance(Duration.ofMinutes(1));
            outcome = outcomes.next();
            logs = log.text();
        }

        assertThat(outcome.kind()).isEqualTo(Kind.SUPPLIER_ERROR);
        assertThat(outcome.kind().isFailure()).isTrue();
        assertThat(outcome.failure()).get().isInstanceOf(IllegalStateException.class);
        assertThat(outcome.reason()).isEqualTo("the supplier threw java.lang.IllegalStateException: database down");
        assertThat(logs)
                .contains("WARN")
                .contains("push of schedule 'digest' to sms:" + Address.of(HOME).redacted() + " SUPPLIER_ERROR")
                .doesNotContain(HOME);
        assertThat(sms.sent()).isEmpty();
        // The schedule goes on.
        timer.advance(Duration.ofMinutes(1));
        assertThat(outcomes.next().kind()).isEqualTo(Kind.SENT_UNCONFIRMED);
    }

    @Test
    void reportsASupplierThatReturnsNull() throws Exception {
        start();
        runtime.schedule("broken", "* * * * *", ZoneOffset.UTC, () -> null);

        timer.advance(Duration.ofMinutes(1));

        PushOutcome outcome = outcomes.next();
        assertThat(outcome.kind()).isEqualTo(Kind.SUPPLIER_ERROR);
        assertThat(outcome.reason()).contains("returned null");
    }

    @Test
    void logsAFailedScheduledPushAtWarnWithoutItsText() throws Exception {
        sms.failSend(
                1, new PermanentChannelException("Twilio error 21610: the recipient is unsubscribed", "21610", null));
        start();
        runtime.schedule("digest", "* * * * *", ZoneOffset.UTC, () -> Optional.of("private figures"));

        String logs;
        PushOutcome outcome;
        try (LogCapture log = LogCapture.start()) {
            timer.advance(Duration.ofMinutes(1));
            outcome = outcomes.next();
            logs = log.text();
        }

        assertThat(outcome.kind()).isEqualTo(Kind.FAILED);
        assertThat(outcome.providerCode()).contains("21610");
        assertThat(outcome.schedule()).contains("digest");
        assertThat(logs)
                .contains("WARN")
                .contains("push of schedule 'digest' to sms:+1555***1111 FAILED")
                .doesNotContain("private figures")
                .doesNotContain(HOME);
    }

    @Test
    void pushesToAnExplicitRecipient() throws Exception {
        start();
        Address oncall = Address.of("+15550009999");
        runtime.schedule(
                "oncall",
                "* * * * *",
                ZoneOffset.UTC,
                ScheduleOptions.defaults().withTarget(PushTarget.to("sms", oncall)),
                counting());

        timer.advance(Duration.ofMinutes(1));

        assertThat(outcomes.next().to()).contains(oncall);
        assertThat(sms.sent())
                .singleElement()
                .satisfies(s -> assertThat(s.message().to()).isEqualTo(oncall));
    }

    @Test
    void refusesABadExpressionAtRegistrationNamingItTheScheduleAndTheReason() {
        start();

        assertThatThrownBy(() -> runtime.schedule("digest", "*/61 * * * * *", ZoneOffset.UTC, counting()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "invalid cron expression '*/61 * * * * *' for schedule 'digest': Period 61 not in range [0, 59]");
        assertThatThrownBy(() -> runtime.schedule("digest", "0 9 * *", ZoneOffset.UTC, counting()))
                .hasMessageStartingWith("invalid cron expression '0 9 * *' for schedule 'digest': expected 5 fields");
        assertThatThrownBy(() -> runtime.schedule("digest", "0 0 31 2 *", ZoneOffset.UTC, counting()))
                .hasMessage("invalid cron expression '0 0 31 2 *' for schedule 'digest': it never fires");
        assertThat(runtime.schedules()).isEmpty();
    }

    @Test
    void refusesATargetWithoutRecipientsAtRegistration() {
        PushChannel homeless = PushChannel.whatsapp();
        runtime = AgentRuntime.builder()
                .channel(homeless)
                .agent(turn -> Optional.empty())
                .noWebhookServer()
                .clock(clock)
                .scheduler(timer)
                .build()
                .start();

        assertThatThrownBy(() -> runtime.schedule("digest", "0 9 * * *", ZoneOffset.UTC, counting()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("schedule 'digest' pushes to every home address, but no channel has one")
                .hasMessageContaining("whatsapp: WHATSAPP_HOME_CHANNEL");
        ScheduleOptions toHome = ScheduleOptions.defaults().withTarget(PushTarget.home("whatsapp"));
        assertThatThrownBy(() -> runtime.schedule("digest", "0 9 * * *", ZoneOffset.UTC, toHome, counting()))
                .hasMessageStartingWith("schedule 'digest' pushes to the home of channel whatsapp, which has none");
        ScheduleOptions toUnknown = ScheduleOptions.defaults().withTarget(PushTarget.home("telegram"));
        assertThatThrownBy(() -> runtime.schedule("digest", "0 9 * * *", ZoneOffset.UTC, toUnknown, counting()))
                .hasMessage("schedule 'digest': no channel with id telegram; the channels are [whatsapp]");
    }

    @Test
    void refusesATakenOrBlankName() {
        start();
        runtime.schedule("digest", "0 9 * * *", ZoneOffset.UTC, counting());

        assertThatThrownBy(() -> runtime.schedule("digest", "0 10 * * *", ZoneOffset.UTC, counting()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("schedule name 'digest' is already used");
        assertThatThrownBy(() -> runtime.schedule(" ", "0 10 * * *", ZoneOffset.UTC, counting()))
                .hasMessage("schedule name cannot be blank");
    }

    @Test
    void stopsFiringOnceCancelledAndFreesTheName() throws Exception {
        start();
        ScheduleHandle digest = runtime.schedule("digest", "* * * * *", ZoneOffset.UTC, counting());
        timer.advance(Duration.ofMinutes(1));
        outcomes.next();

        assertThat(digest.cancel()).isTrue();
        assertThat(digest.cancel()).isFalse();
        timer.advance(Duration.ofMinutes(5));

        assertThat(calls).hasValue(1);
        assertThat(digest.isCancelled()).isTrue();
        assertThat(digest.nextFireTime()).isEmpty();
        assertThat(runtime.schedules()).isEmpty();
        assertThat(timer.pending()).isEmpty();
        runtime.schedule("digest", "* * * * *", ZoneOffset.UTC, counting());
        assertThat(runtime.schedules()).extracting(ScheduleHandle::name).containsExactly("digest");
    }

    @Test
    void firesAScheduleRegisteredBeforeStartOnlyOnceStarted() throws Exception {
        AgentRuntime notStarted = builder().build();
        runtime = notStarted;
        ScheduleHandle digest = notStarted.schedule("digest", "* * * * *", ZoneOffset.UTC, counting());
        assertThat(digest.nextFireTime()).contains(ZonedDateTime.parse("2024-05-01T08:01Z"));
        assertThat(timer.pending()).isEmpty();

        notStarted.start();
        timer.advance(Duration.ofMinutes(1));

        assertThat(outcomes.next().fireTime()).contains(at("2024-05-01T08:01:00Z"));
    }

    @Test
    void cancelsSchedulesWhenClosing() {
        start();
        ScheduleHandle digest = runtime.schedule("digest", "* * * * *", ZoneOffset.UTC, counting());

        runtime.close();

        assertThat(digest.isCancelled()).isTrue();
        assertThat(digest.nextFireTime()).isEmpty();
        assertThat(timer.pending()).isEmpty();
        assertThatThrownBy(() -> runtime.schedule("later", "* * * * *", ZoneOffset.UTC, counting()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
    }

    @Test
    void letsARunUnderWayFinishItsPushWhenClosing() throws Exception {
        start();
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        runtime.schedule("slow", "* * * * *", ZoneOffset.UTC, () -> {
            entered.countDown();
            try {
                release.await(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return Optional.of("last words");
        });
        timer.advance(Duration.ofMinutes(1));
        assertThat(entered.await(5, TimeUnit.SECONDS)).isTrue();

        CompletableFuture<Void> closing = CompletableFuture.runAsync(runtime::close);
        release.countDown();
        closing.get(5, TimeUnit.SECONDS);

        assertThat(sms.sentTexts()).containsExactly("last words");
        assertThat(outcomes.next().kind()).isEqualTo(Kind.SENT_UNCONFIRMED);
    }
}
