package dev.switchboard.samples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.channel.ChannelException;
import dev.switchboard.runtime.Agent;
import dev.switchboard.runtime.RuntimeListener;
import dev.switchboard.runtime.delivery.ReplyOutcome;
import dev.switchboard.runtime.schedule.MutableClock;
import dev.switchboard.samples.sandbox.SandboxMessage;
import dev.switchboard.samples.sandbox.TwilioSandbox;
import dev.switchboard.sms.twilio.TwilioSmsChannel;
import dev.switchboard.whatsapp.twilio.TwilioWhatsAppChannel;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * WhatsApp end to end over real sockets, beside SMS on the same listener: signed {@code whatsapp:}
 * webhooks in, WhatsApp-formatted replies out through the REST stand-in, and the 24-hour window.
 */
class WhatsAppGatewayEndToEndTest {

    private static final String SMS_NUMBER = GatewayHarness.GATEWAY;
    private static final String WA_NUMBER = "+14155238886";
    private static final String ALICE = "+15551230001";
    private static final String BOB = "+15551230002";
    private static final String SMS_URL = "https://agent.example.com/webhooks/twilio";
    private static final String WA_URL = "https://agent.example.com/webhooks/twilio-whatsapp";
    private static final String TEMPLATE = "HX" + "0123456789abcdef".repeat(2);

    private final BlockingQueue<ChannelException> failures = new LinkedBlockingQueue<>();
    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-20T09:00:00Z"));
    private GatewayHarness gateway;
    private TwilioSandbox sandbox;
    private BlockingQueue<SandboxMessage> sent;
    private SignedWebhooks sms;
    private SignedWebhooks whatsApp;

    @AfterEach
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
    }

    private void startGateway(Agent agent, Map<String, String> extra, Optional<String> template) {
        gateway = GatewayHarness.builder()
                .senders(SMS_NUMBER, "whatsapp:" + WA_NUMBER)
                .publicUrl(SMS_URL)
                .env("TWILIO_WHATSAPP_NUMBER", "whatsapp:" + WA_NUMBER)
                .env("WHATSAPP_WEBHOOK_URL", WA_URL)
                .env("SMS_ALLOWED_USERS", ALICE)
                .env("WHATSAPP_ALLOWED_USERS", ALICE)
                .env(extra)
                .channels(env -> {
                    TwilioWhatsAppChannel.Builder wa = TwilioWhatsAppChannel.builderFromEnv(env);
                    template.ifPresent(wa::proactiveTemplate);
                    return List.of(TwilioSmsChannel.fromEnv(env), wa.build());
                })
                .runtime(runtime -> runtime.clock(clock).agent(agent).listener(new RuntimeListener() {
                    @Override
                    public void onReplyOutcome(ReplyOutcome outcome) {
                        outcome.failure().ifPresent(failures::add);
                    }
                }))
                .start();
        sandbox = gateway.sandbox();
        sent = gateway.sent();
        sms = gateway.webhooks();
        whatsApp = gateway.webhooks("/webhooks/twilio-whatsapp", WA_URL);
    }

    private Map<String, List<String>> whatsAppMessage(String from, String body) {
        Map<String, List<String>> params =
                whatsApp.sms(SignedWebhooks.newSid(), "whatsapp:" + from, "whatsapp:" + WA_NUMBER, body);
        params.put("ProfileName", List.of("Alice"));
        params.put("WaId", List.of(from.substring(1)));
        return params;
    }

    private SandboxMessage nextSent() throws InterruptedException {
        return gateway.nextSent();
    }

    @Test
    void whatsAppWebhookIsAnsweredWithWhatsAppAddressesAndFormatting() throws Exception {
        startGateway(
                turn -> Optional.of("**Got it**, " + turn.message().extras().get("ProfileName") + ": _" + turn.text()
                        + "_ and ~~not~~ `code`"),
                Map.of(),
                Optional.empty());

        assertThat(whatsApp.post(whatsAppMessage(ALICE, "hello")).statusCode()).isEqualTo(200);

        SandboxMessage reply = nextSent();
        assertThat(reply.to()).isEqualTo("whatsapp:" + ALICE);
        assertThat(reply.from()).contains("whatsapp:" + WA_NUMBER);
        assertThat(reply.body()).isEqualTo("*Got it*, Alice: _hello_ and ~not~ `code`");
        assertThat(reply.statusCallback()).contains(WA_URL + "/status");
    }

    @Test
    void smsAndWhatsAppShareOnePortEachAnsweringInItsOwnForm() throws Exception {
        startGateway(turn -> Optional.of("**" + turn.conversation().channelId() + "**"), Map.of(), Optional.empty());

        assertThat(sms.post(sms.sms(SignedWebhooks.newSid(), ALICE, SMS_NUMBER, "hi"))
                        .statusCode())
                .isEqualTo(200);
        SandboxMessage smsReply = nextSent();
        assertThat(whatsApp.post(whatsAppMessage(ALICE, "hi")).statusCode()).isEqualTo(200);
        SandboxMessage waReply = nextSent();

        assertThat(smsReply.to()).isEqualTo(ALICE);
        assertThat(smsReply.from()).contains(SMS_NUMBER);
        assertThat(smsReply.body()).isEqualTo("sms");
        assertThat(waReply.to()).isEqualTo("whatsapp:" + ALICE);
        assertThat(waReply.body()).isEqualTo("*whatsapp*");
    }

    @Test
    void aReplyAfterTheWindowClosedGoesOutAsTheConfiguredTemplate() throws Exception {
        startGateway(
                turn -> {
                    clock.advance(Duration.ofHours(25)); // the agent took longer than WhatsApp's window
                    return Optional.of("Your **report** is ready");
                },
                Map.of(),
                Optional.of(TEMPLATE));

        assertThat(whatsApp.post(whatsAppMessage(ALICE, "report please")).statusCode())
                .isEqualTo(200);

        SandboxMessage reply = nextSent();
        assertThat(reply.to()).isEqualTo("whatsapp:" + ALICE);
        assertThat(reply.contentSid()).contains(TEMPLATE);
        assertThat(reply.contentVariables()).contains("{\"1\":\"Your *report* is ready\"}");
        assertThat(reply.body()).isEmpty();
    }

    @Test
    void aReplyAfterTheWindowClosedFailsAtOnceWithoutATemplate() throws Exception {
        startGateway(
                turn -> {
                    clock.advance(Duration.ofHours(25));
                    return Optional.of("too late");
                },
                Map.of(),
                Optional.empty());

        assertThat(whatsApp.post(whatsAppMessage(ALICE, "anyone there?")).statusCode())
                .isEqualTo(200);

        ChannelException failure = failures.poll(10, TimeUnit.SECONDS);
        assertThat(failure).isNotNull();
        assertThat(failure.providerCode()).contains("63016");
        assertThat(failure.getMessage())
                .contains("24-hour")
                .contains("template")
                .doesNotContain(ALICE);
        assertThat(sandbox.createRequests())
                .as("nothing was sent to Twilio to fail later")
                .isZero();
    }

    @Test
    void allowlistsWorkWrittenWithOrWithoutThePrefix() throws Exception {
        startGateway(
                turn -> Optional.of("ok"),
                Map.of("WHATSAPP_ALLOWED_USERS", "whatsapp:" + ALICE + ", " + BOB),
                Optional.empty());

        assertThat(whatsApp.post(whatsAppMessage(ALICE, "from alice")).statusCode())
                .isEqualTo(200);
        assertThat(nextSent().to()).isEqualTo("whatsapp:" + ALICE);
        assertThat(whatsApp.post(whatsAppMessage(BOB, "from bob")).statusCode()).isEqualTo(200);
        assertThat(nextSent().to()).isEqualTo("whatsapp:" + BOB);
        assertThat(whatsApp.post(whatsAppMessage("+15551239999", "stranger")).statusCode())
                .isEqualTo(200);
        assertThat(sent.poll(300, TimeUnit.MILLISECONDS))
                .as("no reply to a stranger")
                .isNull();
    }
}
