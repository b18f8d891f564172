package dev.switchboard.samples;

import static dev.switchboard.samples.DeliveryRecorder.next;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.channel.Address;
import dev.switchboard.runtime.delivery.ReplyOutcome;
import dev.switchboard.runtime.schedule.ManualScheduler;
import dev.switchboard.runtime.schedule.MutableClock;
import dev.switchboard.runtime.schedule.PushOutcome;
import dev.switchboard.samples.sandbox.SandboxMessage;
import dev.switchboard.samples.sandbox.TwilioSandbox;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The outbound guard end to end, against the Twilio stand-in: the echo agent and a bot at the other
 * end that answers every message it gets talk to each other until the guard stops the loop at the
 * cap, with nothing more sent to Twilio; an hour later they may talk again.
 */
class OutboundGuardEndToEndTest {

    private static final String GATEWAY = GatewayHarness.GATEWAY;
    private static final String BOT = "+15551230001";
    private static final Instant T0 = Instant.parse("2026-11-21T10:00:00Z");

    private final MutableClock clock = new MutableClock(T0);
    private final ManualScheduler timer = new ManualScheduler(clock);
    private final DeliveryRecorder recorder = new DeliveryRecorder();
    private final ExecutorService bot = Executors.newSingleThreadExecutor();
    private final List<String> sent = Collections.synchronizedList(new ArrayList<>());
    private GatewayHarness harness;
    private TwilioSandbox sandbox;
    private Gateway gateway;
    private SignedWebhooks webhooks;

    @AfterEach
    void stop() throws InterruptedException {
        bot.shutdownNow();
        assertThat(bot.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        if (harness != null) {
            harness.close();
        }
        if (gateway != null) {
            gateway.close();
        }
    }

    private void startLoop(int cap) {
        harness = GatewayHarness.builder()
                .clock(clock)
                .env("SMS_ALLOWED_USERS", BOT)
                .runtime(runtime -> runtime.agent(new EchoAgent())
                        .listener(recorder)
                        .clock(clock)
                        .scheduler(timer)
                        .outboundSegmentCap(cap)
                        .shutdownTimeout(Duration.ofSeconds(5)))
                .start();
        sandbox = harness.sandbox();
        webhooks = harness.webhooks();
        // The bot answers whatever the gateway sends it with the same words, on a thread of its own.
        sandbox.onMessage(message -> {
            sent.add(message.body());
            bot.execute(() -> text(message.body()));
        });
    }

    private void text(String body) {
        try {
            assertThat(webhooks.post(webhooks.sms(SignedWebhooks.newSid(), BOT, GATEWAY, body))
                            .statusCode())
                    .isEqualTo(200);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private ReplyOutcome nextFailure() throws InterruptedException {
        while (true) {
            ReplyOutcome outcome = next(recorder.outcomes);
            if (outcome.kind() == ReplyOutcome.Kind.FAILED) {
                return outcome;
            }
        }
    }

    @Test
    void twoBotsAnsweringEachOtherAreStoppedAtTheCapAndMayTalkAgainAnHourLater() throws Exception {
        startLoop(3);

        text("hi");
        ReplyOutcome stopped = nextFailure();

        assertThat(stopped.reason())
                .isEqualTo("not sent: outbound guard: +1555***0001 already received 3 segments in the last hour"
                        + " (cap 3); not sending part 1/1. Raise or disable it with"
                        + " AgentRuntimeBuilder#outboundSegmentCap");
        assertThat(stopped.providerCode()).isEmpty();
        assertThat(sent).containsExactly("echo: hi", "echo: echo: hi", "echo: echo: echo: hi");
        assertThat(sandbox.messages()).hasSize(3);
        assertThat(sandbox.createRequests())
                .as("no request to Twilio for a refused part")
                .isEqualTo(3);

        timer.advance(Duration.ofMinutes(59));
        text("still there?");
        assertThat(nextFailure().reason()).contains("already received 3 segments in the last hour");
        timer.advance(Duration.ofMinutes(1));
        text("an hour later");
        assertThat(nextFailure().reason()).contains("already received 3 segments in the last hour");

        assertThat(sent)
                .containsExactly(
                        "echo: hi",
                        "echo: echo: hi",
                        "echo: echo: echo: hi",
                        "echo: an hour later",
                        "echo: echo: an hour later",
                        "echo: echo: echo: an hour later");
        assertThat(sandbox.createRequests()).isEqualTo(6);
    }

    @Test
    void theGatewayTakesItsCapFromTheEnvironment() throws Exception {
        gateway = Gateway.start(
                Map.of(
                        "SWITCHBOARD_AGENT", "echo",
                        "SMS_WEBHOOK_PORT", "0",
                        "SWITCHBOARD_ADMIN_PORT", "0",
                        "SWITCHBOARD_OUTBOUND_SEGMENT_CAP", " 2 "),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        Address phone = Address.of(Gateway.SANDBOX_PHONE);

        PushOutcome first = gateway.runtime().send("sms", phone, "one").get(30, TimeUnit.SECONDS);
        PushOutcome second = gateway.runtime().send("sms", phone, "two").get(30, TimeUnit.SECONDS);
        PushOutcome third = gateway.runtime().send("sms", phone, "three").get(30, TimeUnit.SECONDS);

        assertThat(first.kind()).isEqualTo(PushOutcome.Kind.DELIVERED);
        assertThat(second.kind()).isEqualTo(PushOutcome.Kind.DELIVERED);
        assertThat(third.kind()).isEqualTo(PushOutcome.Kind.FAILED);
        assertThat(third.reason()).contains("outbound guard: +1555***4321 already received 2 segments");
        assertThat(gateway.sandbox().orElseThrow().messages())
                .extracting(SandboxMessage::body)
                .containsExactly("one", "two");
    }

    @Test
    void aCapThatIsNotACountIsRefusedNamingTheVariable() {
        PrintStream console = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        for (String value : new String[] {"lots", "-1"}) {
            assertThatThrownBy(() -> gateway = Gateway.start(
                            Map.of(
                                    "SMS_WEBHOOK_PORT",
                                    "0",
                                    "SWITCHBOARD_ADMIN_PORT",
                                    "0",
                                    "SWITCHBOARD_OUTBOUND_SEGMENT_CAP",
                                    value),
                            console))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("SWITCHBOARD_OUTBOUND_SEGMENT_CAP must be a number of segments per recipient per"
                            + " hour, 0 or more (0 turns the guard off): " + value);
        }
    }
}
