package dev.switchboard.samples;

import static dev.switchboard.samples.DeliveryRecorder.next;
import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.channel.Address;
import dev.switchboard.runtime.AgentRuntime;
import dev.switchboard.runtime.DropReason;
import dev.switchboard.runtime.delivery.ReplyOutcome;
import dev.switchboard.runtime.schedule.PushOutcome;
import dev.switchboard.samples.sandbox.TwilioSandbox;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Opt-outs end to end: STOP, START and HELP texted through signed webhooks, replies and pushes to an
 * opted-out person that never reach the Twilio stand-in, and Twilio's own 21610.
 */
class OptOutEndToEndTest {

    private static final String GATEWAY = GatewayHarness.GATEWAY;
    private static final String ALICE = "+15551230001";
    private static final String HELP = "Acme bot: ask me anything. Reply STOP to opt out.";

    private final DeliveryRecorder recorder = new DeliveryRecorder();
    private final List<String> agentSaw = Collections.synchronizedList(new ArrayList<>());
    private GatewayHarness gateway;
    private TwilioSandbox sandbox;
    private AgentRuntime runtime;
    private SignedWebhooks webhooks;

    @AfterEach
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
    }

    private void start() {
        gateway = GatewayHarness.builder()
                .env("SMS_ALLOWED_USERS", ALICE)
                .runtime(runtime -> runtime.agent(turn -> {
                            agentSaw.add(turn.text());
                            return Optional.of("echo: " + turn.text());
                        })
                        .listener(recorder)
                        .helpText("sms", HELP))
                .start();
        sandbox = gateway.sandbox();
        runtime = gateway.runtime();
        webhooks = gateway.webhooks();
    }

    private void text(String body) throws Exception {
        assertThat(webhooks.post(webhooks.sms(SignedWebhooks.newSid(), ALICE, GATEWAY, body))
                        .statusCode())
                .isEqualTo(200);
    }

    private PushOutcome push(String text) throws Exception {
        return runtime.send("sms", Address.of(ALICE), text).get(10, TimeUnit.SECONDS);
    }

    @Test
    void afterStopNothingIsSentUntilStartAndThenRepliesGoOutAgain() throws Exception {
        start();

        text("STOP");
        assertThat(next(recorder.drops)).isEqualTo(DropReason.STOP_KEYWORD);
        text("one more question");
        assertThat(next(recorder.drops)).isEqualTo(DropReason.OPTED_OUT);
        PushOutcome refused = push("weekly digest");

        assertThat(refused.kind()).isEqualTo(PushOutcome.Kind.FAILED);
        assertThat(refused.reason()).contains("opted out").doesNotContain(ALICE);
        assertThat(sandbox.createRequests()).as("nothing reached Twilio").isZero();
        assertThat(agentSaw).isEmpty();

        text("start");
        assertThat(next(recorder.drops)).isEqualTo(DropReason.START_KEYWORD);
        text("hello again");
        assertThat(next(gateway.sent()).body()).isEqualTo("echo: hello again");
        PushOutcome pushed = push("weekly digest");

        assertThat(pushed.kind()).isEqualTo(PushOutcome.Kind.DELIVERED);
        assertThat(next(gateway.sent()).body()).isEqualTo("weekly digest");
        assertThat(agentSaw).containsExactly("hello again");
        assertThat(sandbox.createRequests()).isEqualTo(2);
    }

    @Test
    void twilioRefusingARecipientAsUnsubscribedOptsThemOutHere() throws Exception {
        start();
        sandbox.optOut(ALICE);

        text("hi");
        ReplyOutcome outcome = next(recorder.outcomes);
        assertThat(outcome.kind()).isEqualTo(ReplyOutcome.Kind.FAILED);
        assertThat(outcome.providerCode()).contains("21610");
        assertThat(outcome.reason()).contains("+1555***0001").doesNotContain(ALICE);
        text("hello?");
        assertThat(next(recorder.drops)).isEqualTo(DropReason.OPTED_OUT);
        PushOutcome refused = push("news");

        assertThat(refused.kind()).isEqualTo(PushOutcome.Kind.FAILED);
        assertThat(sandbox.createRequests())
                .as("only the first reply reached Twilio")
                .isEqualTo(1);
        assertThat(agentSaw).containsExactly("hi");
    }

    @Test
    void helpIsAnsweredWithTheHelpTextAndNeverReachesTheAgent() throws Exception {
        start();

        text(" Help ");
        assertThat(next(recorder.drops)).isEqualTo(DropReason.HELP_KEYWORD);

        assertThat(next(gateway.sent()).body()).isEqualTo(HELP);
        assertThat(agentSaw).isEmpty();
    }
}
