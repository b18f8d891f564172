package dev.switchboard.samples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.channel.ChannelException;
import dev.switchboard.runtime.Agent;
import dev.switchboard.runtime.AgentRuntime;
import dev.switchboard.runtime.RuntimeListener;
import dev.switchboard.runtime.delivery.ReplyOutcome;
import dev.switchboard.runtime.schedule.MutableClock;
import dev.switchboard.samples.sandbox.SandboxMessage;
import dev.switchboard.samples.sandbox.TwilioSandbox;
import dev.switchboard.sms.twilio.TwilioSmsChannel;
import dev.switchboard.whatsapp.twilio.TwilioWhatsAppChannel;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * WhatsApp end to end over real sockets, beside SMS on the same listener: signed {@code whatsapp:}
 * webhooks in, WhatsApp-formatted replies out through the REST stand-in, and the 24-hour window.
 */
class WhatsAppGatewayEndToEndTest {

    private static final String SMS_NUMBER = "+15005550006";
    private static final String WA_NUMBER = "+14155238886";
    private static final String ALICE = "+15551230001";
    private static final String BOB = "+15551230002";
    private static final String SMS_URL = "https://agent.example.com/webhooks/twilio";
    private static final String WA_URL = "https://agent.example.com/webhooks/twilio-whatsapp";
    private static final String TEMPLATE = "HX" + "0123456789abcdef".repeat(2);

    private final BlockingQueue<SandboxMessage> sent = new LinkedBlockingQueue<>();
    private final BlockingQueue<ChannelException> failures = new LinkedBlockingQueue<>();
    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-20T09:00:00Z"));
    private TwilioSandbox sandbox;
    private AgentRuntime runtime;
    private SignedWebhooks sms;
    private SignedWebhooks whatsApp;

    @BeforeEach
    void startSandbox() {
        sandbox = TwilioSandbox.builder()
                .senders(Set.of(SMS_NUMBER, "whatsapp:" + WA_NUMBER))
                .callbackDelay(Duration.ofMillis(20))
                .build()
                .start();
        sandbox.onMessage(sent::add);
    }

    @AfterEach
    void stop() {
        if (runtime != null) {
            runtime.close();
        }
        sandbox.close();
    }

    private void startGateway(Agent agent, Map<String, String> extra, Optional<String> template) {
        Map<String, String> env = new HashMap<>();
        env.put("TWILIO_ACCOUNT_SID", sandbox.accountSid());
        env.put("TWILIO_AUTH_TOKEN", sandbox.authToken());
        env.put("TWILIO_API_BASE_URL", sandbox.baseUrl().toString());
        env.put("TWILIO_PHONE_NUMBER", SMS_NUMBER);
        env.put("TWILIO_WHATSAPP_NUMBER", "whatsapp:" + WA_NUMBER);
        env.put("SMS_WEBHOOK_URL", SMS_URL);
        env.put("WHATSAPP_WEBHOOK_URL", WA_URL);
        env.put("SMS_ALLOWED_USERS", ALICE);
        env.put("WHATSAPP_ALLOWED_USERS", ALICE);
        env.putAll(extra);
        TwilioWhatsAppChannel.Builder wa = TwilioWhatsAppChannel.builderFromEnv(env);
        template.ifPresent(wa::proactiveTemplate);
        runtime = AgentRuntime.builder()
                .listen("127.0.0.1", 0)
                .clock(clock)
                .channel(TwilioSmsChannel.fromEnv(env))
                .channel(wa.build())
                .agent(agent)
                .listener(new RuntimeListener() {
                    @Override
                    public void onReplyOutcome(ReplyOutcome outcome) {
                        outcome.failure().ifPresent(failures::add);
                    }
                })
                .build()
                .start();
        String local = "http://127.0.0.1:" + runtime.port();
        sms = new SignedWebhooks(
                URI.create(local + "/webhooks/twilio"), SMS_URL, sandbox.accountSid(), sandbox.authToken());
        whatsApp = new SignedWebhooks(
                URI.create(local + "/webhooks/twilio-whatsapp"), WA_URL, sandbox.accountSid(), sandbox.authToken());
    }

    private Map<String, List<String>> whatsAppMessage(String from, String body) {
        Map<String, List<String>> params =
                whatsApp.sms(SignedWebhooks.newSid(), "whatsapp:" + from, "whatsapp:" + WA_NUMBER, body);
        params.put("ProfileName", List.of("Alice"));
        params.put("WaId", List.of(from.substring(1)));
        return params;
    }

    private SandboxMessage nextSent() throws InterruptedException {
        SandboxMessage message = sent.poll(10, TimeUnit.SECONDS);
        assertThat(message).as("a message sent through the REST stand-in").isNotNull();
        return message;
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
