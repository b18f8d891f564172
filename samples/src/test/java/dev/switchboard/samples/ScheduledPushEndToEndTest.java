package dev.switchboard.samples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.runtime.AgentRuntime;
import dev.switchboard.runtime.RuntimeListener;
import dev.switchboard.runtime.schedule.ManualScheduler;
import dev.switchboard.runtime.schedule.MutableClock;
import dev.switchboard.runtime.schedule.PushOutcome;
import dev.switchboard.samples.sandbox.SandboxMessage;
import dev.switchboard.samples.sandbox.TwilioSandbox;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Scheduled pushes to the SMS home channel end to end: cron fire times on an injected clock, REST
 * calls through the Twilio SDK to the stand-in, and delivery confirmed by its signed status callbacks.
 */
class ScheduledPushEndToEndTest {

    private static final String GATEWAY = GatewayHarness.GATEWAY;
    private static final String HOME = "+15551230001";
    private static final Instant START = Instant.parse("2026-11-22T08:00:00.500Z");

    private final MutableClock clock = new MutableClock(START);
    private final ManualScheduler scheduler = new ManualScheduler(clock);
    private final BlockingQueue<PushOutcome> outcomes = new LinkedBlockingQueue<>();
    private GatewayHarness gateway;
    private TwilioSandbox sandbox;
    private BlockingQueue<SandboxMessage> sent;
    private AgentRuntime runtime;

    private void start(String home) {
        gateway = GatewayHarness.builder()
                .clock(clock)
                .callbackDelay(Duration.ofMillis(10))
                .env("SMS_HOME_CHANNEL", home)
                .env("SMS_HOME_CHANNEL_NAME", "ops phone")
                .runtime(runtime -> runtime.clock(clock)
                        .scheduler(scheduler)
                        .agent(turn -> Optional.empty())
                        .listener(new RuntimeListener() {
                            @Override
                            public void onPushOutcome(PushOutcome outcome) {
                                outcomes.add(outcome);
                            }
                        }))
                .start();
        sandbox = gateway.sandbox();
        sent = gateway.sent();
        runtime = gateway.runtime();
    }

    @AfterEach
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
    }

    private PushOutcome nextOutcome() throws InterruptedException {
        PushOutcome outcome = outcomes.poll(10, TimeUnit.SECONDS);
        assertThat(outcome).as("a push outcome").isNotNull();
        return outcome;
    }

    @Test
    void everyTwoSecondsTheHomeChannelGetsItsPushOnTimeInOrderWithOneOutcomeEach() throws Exception {
        start(HOME);
        AtomicInteger run = new AtomicInteger();
        runtime.schedule(
                "heartbeat", "*/2 * * * * *", ZoneOffset.UTC, () -> Optional.of("beat " + run.incrementAndGet()));

        List<SandboxMessage> pushes = new ArrayList<>();
        List<PushOutcome> settled = new ArrayList<>();
        for (int i = 1; i <= 4; i++) {
            scheduler.advanceTo(Instant.parse("2026-11-22T08:00:00Z").plusSeconds(2L * i));
            pushes.add(sent.poll(10, TimeUnit.SECONDS));
            settled.add(nextOutcome());
        }

        assertThat(pushes).extracting(SandboxMessage::body).containsExactly("beat 1", "beat 2", "beat 3", "beat 4");
        assertThat(pushes).extracting(SandboxMessage::to).containsOnly(HOME);
        assertThat(pushes)
                .extracting(SandboxMessage::createdAt)
                .containsExactly(
                        Instant.parse("2026-11-22T08:00:02Z"),
                        Instant.parse("2026-11-22T08:00:04Z"),
                        Instant.parse("2026-11-22T08:00:06Z"),
                        Instant.parse("2026-11-22T08:00:08Z"));
        assertThat(settled).extracting(PushOutcome::kind).containsOnly(PushOutcome.Kind.DELIVERED);
        assertThat(settled).extracting(PushOutcome::schedule).containsOnly(Optional.of("heartbeat"));
        for (int i = 0; i < 4; i++) {
            assertThat(settled.get(i).messageIds())
                    .containsExactly(pushes.get(i).sid());
        }
        assertThat(outcomes.poll(200, TimeUnit.MILLISECONDS))
                .as("one outcome per run")
                .isNull();
        assertThat(runtime.schedules().get(0).nextFireTime()).hasValueSatisfying(next -> assertThat(next.toInstant())
                .isEqualTo(Instant.parse("2026-11-22T08:00:10Z")));
    }

    @Test
    void anOptedOutHomeNumberGivesAFailedOutcomeWithTheTwilioCode() throws Exception {
        start("+15005550004");
        runtime.schedule("heartbeat", "*/2 * * * * *", ZoneId.of("UTC"), () -> Optional.of("beat"));

        scheduler.advanceTo(START.plusSeconds(2));

        PushOutcome outcome = nextOutcome();
        assertThat(outcome.kind()).isEqualTo(PushOutcome.Kind.FAILED);
        assertThat(outcome.providerCode()).contains("21610");
        assertThat(sandbox.messages()).isEmpty();
    }

    @Test
    void anInvalidHomeNumberGivesAFailedOutcomeWithTheTwilioCode() throws Exception {
        start("+15005550001");

        PushOutcome outcome = runtime.sendHome("sms", "are you there?").get(10, TimeUnit.SECONDS);

        assertThat(outcome.kind()).isEqualTo(PushOutcome.Kind.FAILED);
        assertThat(outcome.providerCode()).contains("21211");
        assertThat(outcome.toString()).doesNotContain("+15005550001");
    }
}
