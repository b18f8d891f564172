package dev.switchboard.samples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.samples.sandbox.SandboxUpdate;
import dev.switchboard.samples.sandbox.TextOutcome;
import dev.switchboard.samples.sandbox.TwilioSandbox;
import dev.switchboard.twilio.live.LiveCheck;
import dev.switchboard.twilio.live.LiveCheck.Status;
import dev.switchboard.twilio.live.TwilioLive;
import dev.switchboard.twilio.live.WebhookChange;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link TwilioLive} against the Twilio stand-in over loopback, with a gateway listening at the
 * webhook URL: the healthy setup, each problem the stand-in can present, and configuring the webhook.
 */
class TwilioLiveSandboxTest {

    private static final String GATEWAY = GatewayHarness.GATEWAY;
    private static final String WHATSAPP = "+15005550007";
    private static final String PHONE = "+15557654321";
    private static final String OLD_URL = "https://old.example.com/sms";

    private GatewayHarness gateway;
    private TwilioSandbox sandbox;
    private String webhookUrl;

    @BeforeEach
    void start() {
        gateway = GatewayHarness.builder()
                .senders(GATEWAY, "whatsapp:" + WHATSAPP)
                .env("SMS_ALLOWED_USERS", PHONE)
                .runtime(runtime -> runtime.agent(new SilentAgent()))
                .start();
        sandbox = gateway.sandbox();
        webhookUrl = gateway.publicUrl();
        // As the sample gateway does: the number's SmsUrl is the gateway's webhook URL.
        gateway.numberPointedHere();
    }

    @AfterEach
    void stop() {
        gateway.close();
    }

    private Map<String, String> env(String... more) {
        return gateway.liveEnv(more);
    }

    private Map<String, LiveCheck> doctor(Map<String, String> env) {
        try (TwilioLive live = TwilioLive.fromEnv(env)) {
            return live.doctor().stream()
                    .collect(Collectors.toMap(LiveCheck::name, Function.identity(), (a, b) -> a, LinkedHashMap::new));
        }
    }

    private List<WebhookChange> configure(Map<String, String> env, boolean dryRun) {
        try (TwilioLive live = TwilioLive.fromEnv(env)) {
            return live.configureWebhooks(dryRun);
        }
    }

    @Test
    void theDefaultSandboxIsAHealthySetup() {
        Map<String, LiveCheck> checks = doctor(env());

        assertThat(checks.keySet())
                .containsExactly("credentials", "sender", "webhook", "recent-errors", "reachability");
        assertThat(checks.values())
                .allSatisfy(c -> assertThat(c.status()).as(c.toString()).isEqualTo(Status.OK));
        assertThat(checks.get("reachability").detail()).contains("405");
    }

    @Test
    void aWhatsAppNumberOfTheAccountIsHealthyToo() {
        String whatsAppUrl = webhookUrl.replace("/webhooks/twilio", "/webhooks/twilio-whatsapp");
        sandbox.configureWebhook("whatsapp:" + WHATSAPP, URI.create(whatsAppUrl), whatsAppUrl);
        Map<String, LiveCheck> checks =
                doctor(env("TWILIO_WHATSAPP_NUMBER", "whatsapp:" + WHATSAPP, "WHATSAPP_WEBHOOK_URL", whatsAppUrl));

        assertThat(checks.get("whatsapp-sender").status()).isEqualTo(Status.OK);
        assertThat(checks.get("whatsapp-webhook").status()).isEqualTo(Status.OK);
    }

    @Test
    void refusedCredentials() {
        sandbox.refuseCredentials(true);
        Map<String, LiveCheck> checks = doctor(env());

        assertThat(checks.get("credentials").status()).isEqualTo(Status.FAIL);
        assertThat(checks.get("credentials").detail()).contains("the Account SID or Auth Token is wrong", "20003");
        assertThat(checks.get("sender").detail()).isEqualTo("not checked: the credentials were refused");
        assertThat(checks.get("reachability").status()).isEqualTo(Status.OK);
    }

    @Test
    void aWrongTokenIsRefusedToo() {
        LiveCheck credentials =
                doctor(env("TWILIO_AUTH_TOKEN", "not-the-token")).get("credentials");
        assertThat(credentials.status()).isEqualTo(Status.FAIL);
        assertThat(credentials.detail()).contains("the Account SID or Auth Token is wrong");
    }

    @Test
    void aSuspendedOrTrialAccount() {
        sandbox.accountStatus("suspended");
        LiveCheck suspended = doctor(env()).get("credentials");
        assertThat(suspended.status()).isEqualTo(Status.FAIL);
        assertThat(suspended.detail()).contains("suspended");

        sandbox.accountStatus("active");
        sandbox.accountType("Trial");
        LiveCheck trial = doctor(env()).get("credentials");
        assertThat(trial.status()).isEqualTo(Status.WARN);
        assertThat(trial.detail()).contains("trial");
    }

    @Test
    void aNumberNotInTheAccount() {
        sandbox.releaseNumber(GATEWAY);
        Map<String, LiveCheck> checks = doctor(env());

        assertThat(checks.get("sender").status()).isEqualTo(Status.FAIL);
        assertThat(checks.get("sender").detail()).contains("is not a number of the account");
        assertThat(checks.get("webhook").detail()).startsWith("not checked");
    }

    @Test
    void eachWebhookProblem() {
        sandbox.numberSmsUrl(GATEWAY, "");
        assertThat(doctor(env()).get("webhook").detail()).startsWith("not_set:");

        sandbox.numberSmsUrl(GATEWAY, OLD_URL);
        assertThat(doctor(env()).get("webhook").detail())
                .startsWith("url_mismatch:")
                .contains(OLD_URL);

        sandbox.numberSmsUrl(GATEWAY, webhookUrl);
        sandbox.numberSmsMethod(GATEWAY, "GET");
        assertThat(doctor(env()).get("webhook").detail()).startsWith("wrong_http_method:");

        sandbox.numberSmsMethod(GATEWAY, "POST");
        sandbox.numberSmsApplicationSid(GATEWAY, "AP0123456789abcdef0123456789abcdef");
        LiveCheck override = doctor(env()).get("webhook");
        assertThat(override.status()).isEqualTo(Status.FAIL);
        assertThat(override.fix()).startsWith("clear SmsApplicationSid or point the application's SmsUrl");
    }

    @Test
    void aNumberWithoutMms() {
        sandbox.numberCapabilities(GATEWAY, true, false);
        assertThat(doctor(env()).get("sender").status()).isEqualTo(Status.WARN);
    }

    @Test
    void aMessagingServiceThatDefersToItsNumbers() {
        String service = sandbox.addMessagingService(Set.of(GATEWAY), "https://ignored.example.com/in", true);
        Map<String, String> env = env("TWILIO_PHONE_NUMBER", null, "TWILIO_MESSAGING_SERVICE_SID", service);
        Map<String, LiveCheck> checks = doctor(env);
        assertThat(checks.values())
                .allSatisfy(c -> assertThat(c.status()).as(c.toString()).isEqualTo(Status.OK));
        assertThat(checks.get("webhook").detail()).startsWith("UseInboundWebhookOnNumber is true");

        sandbox.numberSmsUrl(GATEWAY, OLD_URL);
        LiveCheck webhook = doctor(env).get("webhook");
        assertThat(webhook.status()).isEqualTo(Status.FAIL);
        assertThat(webhook.detail()).contains("url_mismatch:");
    }

    @Test
    void aMessagingServiceWithoutSendersOrInboundUrl() {
        String empty = sandbox.addMessagingService(Set.of(), null, false);
        LiveCheck sender = doctor(env("TWILIO_PHONE_NUMBER", null, "TWILIO_MESSAGING_SERVICE_SID", empty))
                .get("sender");
        assertThat(sender.status()).isEqualTo(Status.FAIL);
        assertThat(sender.detail()).contains("no phone numbers");

        String service = sandbox.addMessagingService(Set.of(GATEWAY), null, false);
        LiveCheck webhook = doctor(env("TWILIO_MESSAGING_SERVICE_SID", service)).get("webhook");
        assertThat(webhook.detail()).startsWith("not_set:").contains("InboundRequestUrl");
    }

    @Test
    void failedWebhooksInRecentMessages() {
        sandbox.addFailedInbound(PHONE, GATEWAY, 11200);
        sandbox.addFailedInbound(PHONE, GATEWAY, 11200);
        LiveCheck errors = doctor(env()).get("recent-errors");

        assertThat(errors.status()).isEqualTo(Status.WARN);
        assertThat(errors.detail()).contains("11200 ×2 (HTTP retrieval failure");
        assertThat(errors.detail()).doesNotContain(PHONE).doesNotContain(GATEWAY);
    }

    @Test
    void aGatewayThatIsNotRunningIsUnreachable() {
        String closed = "http://127.0.0.1:" + Gateway.freeLoopbackPort() + "/webhooks/twilio";
        sandbox.numberSmsUrl(GATEWAY, closed);
        LiveCheck reachability = doctor(env("SMS_WEBHOOK_URL", closed)).get("reachability");
        assertThat(reachability.status()).isEqualTo(Status.FAIL);
        assertThat(reachability.fix()).contains("Is the tunnel running?");
    }

    @Test
    void configureWebhooksFixesTheNumberOnceAndTextsFlowAgain() {
        sandbox.numberSmsUrl(GATEWAY, OLD_URL);
        sandbox.numberSmsMethod(GATEWAY, "GET");
        String target = "IncomingPhoneNumber " + sandbox.numberSid(GATEWAY) + " (+1500***0006)";

        List<WebhookChange> dryRun = configure(env(), true);
        assertThat(dryRun)
                .containsExactly(
                        new WebhookChange(target, "SmsUrl", OLD_URL, webhookUrl, false),
                        new WebhookChange(target, "SmsMethod", "GET", "POST", false));
        assertThat(sandbox.updates()).isEmpty();
        assertThat(sandbox.numberSmsUrl(GATEWAY)).isEqualTo(OLD_URL);

        List<WebhookChange> applied = configure(env(), false);
        assertThat(applied)
                .containsExactly(
                        new WebhookChange(target, "SmsUrl", OLD_URL, webhookUrl, true),
                        new WebhookChange(target, "SmsMethod", "GET", "POST", true));
        assertThat(sandbox.updates())
                .containsExactly(new SandboxUpdate(
                        "POST",
                        "/2010-04-01/Accounts/" + sandbox.accountSid() + "/IncomingPhoneNumbers/"
                                + sandbox.numberSid(GATEWAY) + ".json",
                        Map.of("SmsUrl", List.of(webhookUrl), "SmsMethod", List.of("POST"))));
        assertThat(sandbox.numberSmsUrl(GATEWAY)).isEqualTo(webhookUrl);

        List<WebhookChange> again = configure(env(), false);
        assertThat(again).allSatisfy(c -> {
            assertThat(c.applied()).isFalse();
            assertThat(c.from()).isEqualTo(c.to());
        });
        assertThat(sandbox.updates()).hasSize(1);
        assertThat(doctor(env()).values())
                .allSatisfy(c -> assertThat(c.status()).isEqualTo(Status.OK));

        // The number's webhook is signed for, and posted to, the URL set: the gateway takes the text.
        TextOutcome outcome = sandbox.text(PHONE, GATEWAY, "hello");
        assertThat(outcome.webhookStatus()).isEqualTo(200);
    }

    @Test
    void configureWebhooksSetsAMessagingServicesInboundUrlOnce() {
        String service = sandbox.addMessagingService(Set.of(GATEWAY), null, false);
        Map<String, String> env = env("TWILIO_PHONE_NUMBER", null, "TWILIO_MESSAGING_SERVICE_SID", service);

        assertThat(configure(env, false))
                .containsExactly(
                        new WebhookChange("Messaging Service " + service, "InboundRequestUrl", "", webhookUrl, true),
                        new WebhookChange("Messaging Service " + service, "InboundMethod", "POST", "POST", false));
        assertThat(sandbox.updates())
                .containsExactly(new SandboxUpdate(
                        "POST", "/v1/Services/" + service, Map.of("InboundRequestUrl", List.of(webhookUrl))));
        assertThat(configure(env, false)).noneMatch(WebhookChange::applied);
        assertThat(sandbox.updates()).hasSize(1);
        assertThat(doctor(env).get("webhook").status()).isEqualTo(Status.OK);
    }

    @Test
    void configureWebhooksOnARefusedAccountNamesTheCallAndCode() {
        sandbox.refuseCredentials(true);
        assertThatThrownBy(() -> configure(env(), false))
                .hasMessageContaining("IncomingPhoneNumbers.json?PhoneNumber=+1500***0006 failed")
                .hasMessageContaining("Twilio error 20003 (HTTP 401)")
                .hasMessageNotContaining(sandbox.authToken());
        assertThat(sandbox.updates()).isEmpty();
    }
}
