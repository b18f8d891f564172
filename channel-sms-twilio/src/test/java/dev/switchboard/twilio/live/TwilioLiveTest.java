package dev.switchboard.twilio.live;

import static dev.switchboard.twilio.live.FakeTwilioHttp.ACCOUNT_SID;
import static dev.switchboard.twilio.live.FakeTwilioHttp.API;
import static dev.switchboard.twilio.live.FakeTwilioHttp.AUTH_TOKEN;
import static dev.switchboard.twilio.live.FakeTwilioHttp.NUMBER;
import static dev.switchboard.twilio.live.FakeTwilioHttp.NUMBER_SID;
import static dev.switchboard.twilio.live.FakeTwilioHttp.SERVICE_SID;
import static dev.switchboard.twilio.live.FakeTwilioHttp.WEBHOOK;
import static dev.switchboard.twilio.live.FakeTwilioHttp.account;
import static dev.switchboard.twilio.live.FakeTwilioHttp.error;
import static dev.switchboard.twilio.live.FakeTwilioHttp.healthyNumber;
import static dev.switchboard.twilio.live.FakeTwilioHttp.messagePage;
import static dev.switchboard.twilio.live.FakeTwilioHttp.number;
import static dev.switchboard.twilio.live.FakeTwilioHttp.numberPage;
import static dev.switchboard.twilio.live.FakeTwilioHttp.service;
import static dev.switchboard.twilio.live.FakeTwilioHttp.servicePhoneNumbers;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.channel.PermanentChannelException;
import dev.switchboard.channel.RetriableChannelException;
import dev.switchboard.twilio.LogCapture;
import dev.switchboard.twilio.live.LiveCheck.Status;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@link TwilioLive} against Twilio faked at the SDK's HTTP seam, the webhook probe faked too. */
class TwilioLiveTest {

    private static final String SERVICE = "/v1/Services/" + SERVICE_SID;
    private static final String WA_NUMBER = "+15559876543";
    private static final String WA_SID = "PNfedcba9876543210fedcba9876543210";
    private static final String WA_WEBHOOK = "https://agent.example.com/webhooks/twilio-whatsapp";

    private final FakeTwilioHttp twilio = new FakeTwilioHttp();
    private WebhookProbe.Outcome probeAnswer = new WebhookProbe.Answered(405);
    private final List<URI> probed = new java.util.ArrayList<>();

    private static Map<String, String> env(String... more) {
        Map<String, String> env = new HashMap<>();
        env.put("TWILIO_ACCOUNT_SID", ACCOUNT_SID);
        env.put("TWILIO_AUTH_TOKEN", AUTH_TOKEN);
        env.put("TWILIO_PHONE_NUMBER", NUMBER);
        env.put("SMS_WEBHOOK_URL", WEBHOOK);
        for (int i = 0; i < more.length; i += 2) {
            if (more[i + 1] == null) {
                env.remove(more[i]);
            } else {
                env.put(more[i], more[i + 1]);
            }
        }
        return env;
    }

    private TwilioLive live(Map<String, String> env) {
        WebhookProbe probe = new WebhookProbe(Duration.ofSeconds(3)) {
            @Override
            Outcome get(URI url) {
                probed.add(url);
                return probeAnswer;
            }
        };
        return new TwilioLive(LiveSettings.fromEnv(env), twilio, probe);
    }

    private Map<String, LiveCheck> doctor(Map<String, String> env) {
        try (TwilioLive live = live(env)) {
            return live.doctor().stream()
                    .collect(Collectors.toMap(
                            LiveCheck::name, Function.identity(), (a, b) -> a, java.util.LinkedHashMap::new));
        }
    }

    private FakeTwilioHttp healthy() {
        return twilio.on("GET", API + ".json", 200, account("active", "Full"))
                .on("GET", API + "/IncomingPhoneNumbers.json", 200, numberPage(healthyNumber()))
                .on("GET", API + "/Messages.json", 200, messagePage(null, null));
    }

    // ---- the healthy setup, and the exact requests ----

    @Test
    void aHealthySetupPassesEveryCheckWithTheseRequests() {
        healthy();
        Map<String, LiveCheck> checks = doctor(env());

        assertThat(checks.keySet())
                .containsExactly("credentials", "sender", "webhook", "recent-errors", "reachability");
        assertThat(checks.values()).allSatisfy(c -> {
            assertThat(c.status()).as(c.toString()).isEqualTo(Status.OK);
            assertThat(c.fix()).isEmpty();
        });
        assertThat(twilio.keys())
                .containsExactly(
                        "GET " + API + ".json",
                        "GET " + API + "/IncomingPhoneNumbers.json",
                        "GET " + API + "/Messages.json");
        assertThat(twilio.calls()).allSatisfy(c -> assertThat(c.host()).isEqualTo("api.twilio.com"));
        assertThat(twilio.only("GET", API + "/IncomingPhoneNumbers.json").query())
                .isEqualTo(Map.of("PhoneNumber", List.of(NUMBER)));
        assertThat(twilio.only("GET", API + "/Messages.json").query())
                .isEqualTo(Map.of("To", List.of(NUMBER), "PageSize", List.of("50")));
        assertThat(probed).containsExactly(URI.create(WEBHOOK));
        assertThat(checks.get("sender").detail()).contains(NUMBER_SID).doesNotContain(NUMBER);
    }

    // ---- credentials ----

    @Test
    void refusedCredentialsFailAndTheTwilioChecksAreNotRun() {
        twilio.on("GET", API + ".json", 401, error(401, 20003, "Authenticate"));
        Map<String, LiveCheck> checks =
                doctor(env("TWILIO_WHATSAPP_NUMBER", WA_NUMBER, "WHATSAPP_WEBHOOK_URL", WA_WEBHOOK));

        assertThat(checks.get("credentials").status()).isEqualTo(Status.FAIL);
        assertThat(checks.get("credentials").detail()).contains("the Account SID or Auth Token is wrong", "20003");
        for (String name : List.of("sender", "webhook", "recent-errors", "whatsapp-sender", "whatsapp-webhook")) {
            assertThat(checks.get(name).status()).isEqualTo(Status.FAIL);
            assertThat(checks.get(name).detail()).isEqualTo("not checked: the credentials were refused");
        }
        assertThat(checks.get("reachability").status()).isEqualTo(Status.OK);
        assertThat(checks.keySet())
                .containsExactly(
                        "credentials",
                        "sender",
                        "webhook",
                        "recent-errors",
                        "reachability",
                        "whatsapp-sender",
                        "whatsapp-webhook");
        assertThat(twilio.keys()).containsExactly("GET " + API + ".json");
    }

    @ParameterizedTest
    @CsvSource({"suspended, Full, FAIL", "closed, Full, FAIL", "active, Trial, WARN"})
    void theAccountsStatusAndTypeAreReported(String status, String type, Status expected) {
        healthy().on("GET", API + ".json", 200, account(status, type));
        LiveCheck credentials = doctor(env()).get("credentials");

        assertThat(credentials.status()).isEqualTo(expected);
        assertThat(credentials.detail()).contains(expected == Status.WARN ? "trial" : status);
        assertThat(credentials.fix()).isNotEmpty();
    }

    @Test
    void twilioUnreachableFailsCredentialsWithTheCall() {
        twilio.unreachable("GET", API + ".json");
        Map<String, LiveCheck> checks = doctor(env());

        assertThat(checks.get("credentials").status()).isEqualTo(Status.FAIL);
        assertThat(checks.get("credentials").detail()).contains("GET " + API + ".json failed: no answer from Twilio");
        assertThat(checks.get("sender").detail()).startsWith("not checked");
    }

    // ---- sender ----

    @Test
    void aNumberNotInTheAccountFailsSenderAndSkipsTheWebhook() {
        healthy()
                .on(
                        "GET",
                        API + "/IncomingPhoneNumbers.json",
                        200,
                        numberPage(number(NUMBER_SID, "+15551234567000", WEBHOOK, "POST", "", true, true)));
        Map<String, LiveCheck> checks = doctor(env());

        assertThat(checks.get("sender").status()).isEqualTo(Status.FAIL);
        assertThat(checks.get("sender").detail()).contains("+1555***4567 is not a number of the account");
        assertThat(checks.get("webhook").detail()).startsWith("not checked");
        assertThat(checks.get("recent-errors").status()).isEqualTo(Status.FAIL);
        assertThat(twilio.keys()).doesNotContain("GET " + API + "/Messages.json");
    }

    @Test
    void aNumberWithoutSmsFailsAndWithoutMmsWarns() {
        healthy()
                .on(
                        "GET",
                        API + "/IncomingPhoneNumbers.json",
                        200,
                        numberPage(number(NUMBER_SID, NUMBER, WEBHOOK, "POST", "", false, false)));
        assertThat(doctor(env()).get("sender").status()).isEqualTo(Status.FAIL);

        healthy()
                .on(
                        "GET",
                        API + "/IncomingPhoneNumbers.json",
                        200,
                        numberPage(number(NUMBER_SID, NUMBER, WEBHOOK, "POST", "", true, false)));
        LiveCheck sender = doctor(env()).get("sender");
        assertThat(sender.status()).isEqualTo(Status.WARN);
        assertThat(sender.detail()).contains("not MMS");
    }

    @Test
    void aFailedLookUpFailsSenderWithTheCallAndTwiliosCode() {
        healthy().on("GET", API + "/IncomingPhoneNumbers.json", 500, error(500, 20500, "Internal Server Error"));
        LiveCheck sender = doctor(env()).get("sender");

        assertThat(sender.status()).isEqualTo(Status.FAIL);
        assertThat(sender.detail())
                .contains("GET " + API + "/IncomingPhoneNumbers.json?PhoneNumber=+1555***4567 failed")
                .contains("Twilio error 20500 (HTTP 500): Internal Server Error");
    }

    // ---- webhook ----

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "''|POST|''|not_set:",
                "https://agent.example.com/webhooks/twilio/|POST|''|url_mismatch:",
                "https://other.example.com/sms|POST|''|url_mismatch:",
                WEBHOOK + "|GET|''|wrong_http_method:",
                WEBHOOK + "|POST|AP0123456789abcdef0123456789abcdef|application_override:"
            })
    void eachWebhookProblemIsDiagnosed(String smsUrl, String method, String appSid, String diagnosis) {
        healthy()
                .on(
                        "GET",
                        API + "/IncomingPhoneNumbers.json",
                        200,
                        numberPage(number(NUMBER_SID, NUMBER, smsUrl, method, appSid, true, true)));
        LiveCheck webhook = doctor(env()).get("webhook");

        assertThat(webhook.status()).isEqualTo(Status.FAIL);
        assertThat(webhook.detail()).startsWith(diagnosis);
        assertThat(webhook.fix()).isNotEmpty();
        if (diagnosis.equals("application_override:")) {
            assertThat(webhook.fix())
                    .startsWith("clear SmsApplicationSid or point the application's SmsUrl")
                    .contains(WEBHOOK);
        }
        if (smsUrl.endsWith("/")) {
            assertThat(webhook.detail()).contains("trailing slash");
        }
    }

    // ---- Messaging Service ----

    private FakeTwilioHttp healthyService(boolean useInboundWebhookOnNumber) {
        return healthy()
                .on("GET", SERVICE, 200, service(WEBHOOK, "POST", useInboundWebhookOnNumber))
                .on("GET", SERVICE + "/PhoneNumbers", 200, servicePhoneNumbers(NUMBER));
    }

    @Test
    void aHealthyMessagingServicePassesWithTheseRequests() {
        healthyService(false);
        Map<String, LiveCheck> checks =
                doctor(env("TWILIO_PHONE_NUMBER", null, "TWILIO_MESSAGING_SERVICE_SID", SERVICE_SID));

        assertThat(checks.values())
                .allSatisfy(c -> assertThat(c.status()).as(c.toString()).isEqualTo(Status.OK));
        assertThat(twilio.keys())
                .containsExactly(
                        "GET " + API + ".json",
                        "GET " + SERVICE,
                        "GET " + SERVICE + "/PhoneNumbers",
                        "GET " + API + "/Messages.json");
        assertThat(twilio.only("GET", SERVICE).host()).isEqualTo("messaging.twilio.com");
        assertThat(checks.get("webhook").detail()).contains("InboundRequestUrl");
    }

    @Test
    void aMissingServiceOrOneWithoutNumbersFails() {
        healthy().on("GET", SERVICE, 404, error(404, 20404, "The requested resource was not found"));
        Map<String, LiveCheck> checks = doctor(env("TWILIO_MESSAGING_SERVICE_SID", SERVICE_SID));
        assertThat(checks.get("sender").status()).isEqualTo(Status.FAIL);
        assertThat(checks.get("sender").detail()).contains("does not exist");
        assertThat(checks.get("webhook").detail()).startsWith("not checked");

        healthyService(false).on("GET", SERVICE + "/PhoneNumbers", 200, servicePhoneNumbers());
        checks = doctor(env("TWILIO_PHONE_NUMBER", null, "TWILIO_MESSAGING_SERVICE_SID", SERVICE_SID));
        assertThat(checks.get("sender").status()).isEqualTo(Status.FAIL);
        assertThat(checks.get("sender").detail()).contains("no phone numbers");
    }

    @Test
    void aServiceInboundUrlMismatchAndMethodAreDiagnosed() {
        healthyService(false).on("GET", SERVICE, 200, service(null, "POST", false));
        assertThat(doctor(env("TWILIO_MESSAGING_SERVICE_SID", SERVICE_SID))
                        .get("webhook")
                        .detail())
                .startsWith("not_set:")
                .contains("InboundRequestUrl");

        healthyService(false).on("GET", SERVICE, 200, service(WEBHOOK, "GET", false));
        assertThat(doctor(env("TWILIO_MESSAGING_SERVICE_SID", SERVICE_SID))
                        .get("webhook")
                        .detail())
                .startsWith("wrong_http_method:")
                .contains("InboundMethod");
    }

    @Test
    void aServiceThatDefersToItsNumbersHasTheNumbersSmsUrlChecked() {
        healthyService(true)
                .on("GET", SERVICE, 200, service("https://ignored.example.com/", "POST", true))
                .on(
                        "GET",
                        API + "/IncomingPhoneNumbers.json",
                        200,
                        numberPage(number(NUMBER_SID, NUMBER, "https://old.example.com/sms", "POST", "", true, true)));
        LiveCheck webhook = doctor(env("TWILIO_PHONE_NUMBER", null, "TWILIO_MESSAGING_SERVICE_SID", SERVICE_SID))
                .get("webhook");

        assertThat(webhook.status()).isEqualTo(Status.FAIL);
        assertThat(webhook.detail())
                .startsWith("UseInboundWebhookOnNumber is true")
                .contains("url_mismatch:");
        assertThat(twilio.only("GET", API + "/IncomingPhoneNumbers.json").query())
                .isEqualTo(Map.of("PhoneNumber", List.of(NUMBER)));
    }

    // ---- recent errors ----

    @Test
    void recentErrorsAreCountedAndExplained() {
        healthy().on("GET", API + "/Messages.json", 200, messagePage(11200, 11200, null, 30003, 99999, 12300));
        LiveCheck errors = doctor(env()).get("recent-errors");

        assertThat(errors.status()).isEqualTo(Status.WARN);
        assertThat(errors.detail())
                .contains("5 of the last 6 message(s) to +1555***4567 carry an error")
                .contains("11200 ×2 (HTTP retrieval failure")
                .contains("12300 ×1 (Invalid Content-Type")
                .contains("30003 ×1")
                .contains("99999 ×1");
        assertThat(errors.fix()).contains("https://www.twilio.com/docs/errors/99999");
    }

    @Test
    void aFailedMessageListFailsRecentErrors() {
        healthy().on("GET", API + "/Messages.json", 403, error(403, 20403, "Forbidden"));
        LiveCheck errors = doctor(env()).get("recent-errors");
        assertThat(errors.status()).isEqualTo(Status.FAIL);
        assertThat(errors.detail()).contains("20403");
    }

    // ---- reachability ----

    @Test
    void reachabilityIsJudgedFromTheProbe() {
        healthy();
        probeAnswer = new WebhookProbe.Refused();
        LiveCheck refused = doctor(env()).get("reachability");
        assertThat(refused.status()).isEqualTo(Status.FAIL);
        assertThat(refused.fix()).contains("Is the tunnel running?");

        probeAnswer = new WebhookProbe.TimedOut();
        LiveCheck timedOut = doctor(env()).get("reachability");
        assertThat(timedOut.status()).isEqualTo(Status.FAIL);
        assertThat(timedOut.detail()).contains("within 3 s");
        assertThat(timedOut.fix()).contains("is the tunnel running?");

        // Twilio's POST to a path nobody serves fails the same way: every message would be an 11200.
        probeAnswer = new WebhookProbe.Answered(404);
        assertThat(doctor(env()).get("reachability").status()).isEqualTo(Status.FAIL);
        probeAnswer = new WebhookProbe.Answered(502);
        assertThat(doctor(env()).get("reachability").status()).isEqualTo(Status.FAIL);
        probeAnswer = new WebhookProbe.Answered(200);
        assertThat(doctor(env()).get("reachability").status()).isEqualTo(Status.WARN);
        probeAnswer = new WebhookProbe.UnknownHost();
        assertThat(doctor(env()).get("reachability").status()).isEqualTo(Status.FAIL);
    }

    @Test
    void aLocalWebhookUrlWarnsUnlessTwilioIsALocalStandIn() {
        healthy()
                .on(
                        "GET",
                        API + "/IncomingPhoneNumbers.json",
                        200,
                        numberPage(number(
                                NUMBER_SID, NUMBER, "http://127.0.0.1:8080/webhooks/twilio", "POST", "", true, true)));
        String local = "http://127.0.0.1:8080/webhooks/twilio";
        assertThat(doctor(env("SMS_WEBHOOK_URL", local)).get("reachability").status())
                .isEqualTo(Status.WARN);
        assertThat(doctor(env("SMS_WEBHOOK_URL", local, "TWILIO_API_BASE_URL", "http://127.0.0.1:9"))
                        .get("reachability")
                        .status())
                .isEqualTo(Status.OK);
    }

    // ---- WhatsApp ----

    @Test
    void aWhatsAppNumberOfTheAccountIsCheckedLikeTheSmsOne() {
        healthy();
        Map<String, String> env =
                env("TWILIO_WHATSAPP_NUMBER", "whatsapp:" + WA_NUMBER, "WHATSAPP_WEBHOOK_URL", WA_WEBHOOK);
        twilio.on(
                "GET",
                API + "/IncomingPhoneNumbers.json",
                200,
                numberPage(number(WA_SID, WA_NUMBER, WA_WEBHOOK, "POST", "", true, true)));
        // The one route answers both look-ups: the SMS number is then missing, the WhatsApp one is there.
        Map<String, LiveCheck> checks = doctor(env);
        assertThat(checks.get("whatsapp-sender").status()).isEqualTo(Status.OK);
        assertThat(checks.get("whatsapp-webhook").status()).isEqualTo(Status.OK);
        assertThat(twilio.calls().stream()
                        .filter(c -> c.path().endsWith("/IncomingPhoneNumbers.json"))
                        .map(c -> c.query().get("PhoneNumber").get(0)))
                .containsExactly(NUMBER, WA_NUMBER);

        twilio.on(
                "GET",
                API + "/IncomingPhoneNumbers.json",
                200,
                numberPage(number(WA_SID, WA_NUMBER, WEBHOOK, "POST", "", true, true)));
        LiveCheck mismatch = doctor(env).get("whatsapp-webhook");
        assertThat(mismatch.status()).isEqualTo(Status.FAIL);
        assertThat(mismatch.detail()).startsWith("url_mismatch:").contains("WHATSAPP_WEBHOOK_URL");
    }

    @Test
    void aWhatsAppSenderOutsideTheNumbersApiWarns() {
        healthy();
        Map<String, LiveCheck> checks =
                doctor(env("TWILIO_WHATSAPP_NUMBER", "+14155238886", "WHATSAPP_WEBHOOK_URL", WA_WEBHOOK));
        assertThat(checks.get("whatsapp-sender").status()).isEqualTo(Status.WARN);
        assertThat(checks.get("whatsapp-sender").detail()).contains("WhatsApp sandbox");
        assertThat(checks.get("whatsapp-webhook").status()).isEqualTo(Status.WARN);
        assertThat(checks.get("whatsapp-webhook").fix()).contains(WA_WEBHOOK);
    }

    // ---- configureWebhooks ----

    @Test
    void configureSetsOnlyTheFieldsThatDiffer() {
        healthy()
                .on(
                        "GET",
                        API + "/IncomingPhoneNumbers.json",
                        200,
                        numberPage(number(NUMBER_SID, NUMBER, "https://old.example.com/sms", "POST", "", true, true)))
                .on("POST", API + "/IncomingPhoneNumbers/" + NUMBER_SID + ".json", 200, healthyNumber());
        List<WebhookChange> changes;
        try (TwilioLive live = live(env())) {
            changes = live.configureWebhooks(false);
        }
        String target = "IncomingPhoneNumber " + NUMBER_SID + " (+1555***4567)";
        assertThat(changes)
                .containsExactly(
                        new WebhookChange(target, "SmsUrl", "https://old.example.com/sms", WEBHOOK, true),
                        new WebhookChange(target, "SmsMethod", "POST", "POST", false));
        FakeTwilioHttp.Call update = twilio.only("POST", API + "/IncomingPhoneNumbers/" + NUMBER_SID + ".json");
        assertThat(update.form()).isEqualTo(Map.of("SmsUrl", List.of(WEBHOOK)));
        assertThat(update.host()).isEqualTo("api.twilio.com");
    }

    @Test
    void aDryRunSendsNoUpdate() {
        healthy()
                .on(
                        "GET",
                        API + "/IncomingPhoneNumbers.json",
                        200,
                        numberPage(number(NUMBER_SID, NUMBER, "", "GET", "", true, true)));
        List<WebhookChange> changes;
        try (TwilioLive live = live(env())) {
            changes = live.configureWebhooks(true);
        }
        assertThat(changes)
                .extracting(WebhookChange::field, WebhookChange::from, WebhookChange::to, WebhookChange::applied)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("SmsUrl", "", WEBHOOK, false),
                        org.assertj.core.groups.Tuple.tuple("SmsMethod", "GET", "POST", false));
        assertThat(changes).allSatisfy(c -> assertThat(c.changes()).isTrue());
        assertThat(twilio.keys()).noneMatch(k -> k.startsWith("POST"));
    }

    @Test
    void aRightSetupIsLeftAlone() {
        healthy();
        List<WebhookChange> changes;
        try (TwilioLive live = live(env())) {
            changes = live.configureWebhooks(false);
        }
        assertThat(changes).hasSize(2).allSatisfy(c -> {
            assertThat(c.applied()).isFalse();
            assertThat(c.from()).isEqualTo(c.to());
        });
        assertThat(twilio.keys()).containsExactly("GET " + API + "/IncomingPhoneNumbers.json");
    }

    @Test
    void aMessagingServiceGetsItsInboundRequestUrl() {
        healthyService(false)
                .on("GET", SERVICE, 200, service(null, "GET", false))
                .on("POST", SERVICE, 200, service(WEBHOOK, "POST", false));
        List<WebhookChange> changes;
        try (TwilioLive live = live(env("TWILIO_PHONE_NUMBER", null, "TWILIO_MESSAGING_SERVICE_SID", SERVICE_SID))) {
            changes = live.configureWebhooks(false);
        }
        assertThat(changes)
                .containsExactly(
                        new WebhookChange("Messaging Service " + SERVICE_SID, "InboundRequestUrl", "", WEBHOOK, true),
                        new WebhookChange("Messaging Service " + SERVICE_SID, "InboundMethod", "GET", "POST", true));
        FakeTwilioHttp.Call update = twilio.only("POST", SERVICE);
        assertThat(update.host()).isEqualTo("messaging.twilio.com");
        assertThat(update.form())
                .isEqualTo(Map.of("InboundRequestUrl", List.of(WEBHOOK), "InboundMethod", List.of("POST")));
    }

    @Test
    void aServiceThatDefersToItsNumbersHasTheNumberConfigured() {
        healthyService(true)
                .on(
                        "GET",
                        API + "/IncomingPhoneNumbers.json",
                        200,
                        numberPage(number(NUMBER_SID, NUMBER, "", "POST", "", true, true)))
                .on("POST", API + "/IncomingPhoneNumbers/" + NUMBER_SID + ".json", 200, healthyNumber());
        try (TwilioLive live = live(env("TWILIO_PHONE_NUMBER", null, "TWILIO_MESSAGING_SERVICE_SID", SERVICE_SID))) {
            live.configureWebhooks(false);
        }
        assertThat(twilio.keys()).doesNotContain("POST " + SERVICE);
        assertThat(twilio.only("POST", API + "/IncomingPhoneNumbers/" + NUMBER_SID + ".json")
                        .form())
                .isEqualTo(Map.of("SmsUrl", List.of(WEBHOOK)));
    }

    @Test
    void anApplicationOverrideIsRefusedBeforeAnyUpdate() {
        healthy()
                .on(
                        "GET",
                        API + "/IncomingPhoneNumbers.json",
                        200,
                        numberPage(number(
                                NUMBER_SID, NUMBER, "", "POST", "AP0123456789abcdef0123456789abcdef", true, true)));
        try (TwilioLive live = live(env())) {
            assertThatThrownBy(() -> live.configureWebhooks(false))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("SmsApplicationSid AP0123456789abcdef0123456789abcdef");
        }
        assertThat(twilio.keys()).noneMatch(k -> k.startsWith("POST"));
    }

    @Test
    void aRefusedUpdateNamesTheCallAndTwiliosCodeAndMessageWithNumbersRedacted() {
        healthy()
                .on(
                        "GET",
                        API + "/IncomingPhoneNumbers.json",
                        200,
                        numberPage(number(NUMBER_SID, NUMBER, "", "POST", "", true, true)))
                .on(
                        "POST",
                        API + "/IncomingPhoneNumbers/" + NUMBER_SID + ".json",
                        400,
                        error(400, 21402, "Url is not a valid URL for +15551234567"));
        try (TwilioLive live = live(env())) {
            assertThatThrownBy(() -> live.configureWebhooks(false))
                    .isInstanceOf(PermanentChannelException.class)
                    .hasMessageContaining("POST " + API + "/IncomingPhoneNumbers/" + NUMBER_SID + ".json failed")
                    .hasMessageContaining("Twilio error 21402 (HTTP 400): Url is not a valid URL for +1555***4567")
                    .hasMessageNotContaining(NUMBER);
        }
    }

    @Test
    void aNumberNotInTheAccountOrAnUnreachableTwilioFailsConfigure() {
        healthy().on("GET", API + "/IncomingPhoneNumbers.json", 200, numberPage());
        try (TwilioLive live = live(env())) {
            assertThatThrownBy(() -> live.configureWebhooks(false))
                    .isInstanceOf(PermanentChannelException.class)
                    .hasMessageContaining("is not a number of the account");
        }
        twilio.unreachable("GET", API + "/IncomingPhoneNumbers.json");
        try (TwilioLive live = live(env())) {
            assertThatThrownBy(() -> live.configureWebhooks(false))
                    .isInstanceOf(RetriableChannelException.class)
                    .hasMessageContaining("IncomingPhoneNumbers.json?PhoneNumber=+1555***4567 failed: no answer");
        }
    }

    @Test
    void theWhatsAppNumberIsConfiguredToo() {
        healthy()
                .on(
                        "GET",
                        API + "/IncomingPhoneNumbers.json",
                        200,
                        numberPage(healthyNumber(), number(WA_SID, WA_NUMBER, "", "POST", "", true, true)))
                .on("POST", API + "/IncomingPhoneNumbers/" + WA_SID + ".json", 200, healthyNumber());
        List<WebhookChange> changes;
        try (TwilioLive live = live(env("TWILIO_WHATSAPP_NUMBER", WA_NUMBER, "WHATSAPP_WEBHOOK_URL", WA_WEBHOOK))) {
            changes = live.configureWebhooks(false);
        }
        assertThat(changes)
                .filteredOn(WebhookChange::applied)
                .containsExactly(new WebhookChange(
                        "IncomingPhoneNumber " + WA_SID + " (+1555***6543)", "SmsUrl", "", WA_WEBHOOK, true));
        assertThat(twilio.only("POST", API + "/IncomingPhoneNumbers/" + WA_SID + ".json")
                        .form())
                .isEqualTo(Map.of("SmsUrl", List.of(WA_WEBHOOK)));
    }

    @Test
    void oneNumberForSmsAndWhatsAppWithTwoUrlsIsRefused() {
        healthy();
        try (TwilioLive live = live(env("TWILIO_WHATSAPP_NUMBER", NUMBER, "WHATSAPP_WEBHOOK_URL", WA_WEBHOOK))) {
            assertThatThrownBy(() -> live.configureWebhooks(false))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("one number has one SmsUrl");
        }
        assertThat(twilio.keys()).noneMatch(k -> k.startsWith("POST"));
    }

    // ---- fromEnv, closing and logs ----

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "TWILIO_ACCOUNT_SID|''|TWILIO_ACCOUNT_SID is not set",
                "TWILIO_ACCOUNT_SID|AB123|TWILIO_ACCOUNT_SID must be AC followed by 32 hex digits: AB123",
                "TWILIO_AUTH_TOKEN|''|TWILIO_AUTH_TOKEN is not set",
                "SMS_WEBHOOK_URL|''|SMS_WEBHOOK_URL is not set",
                "SMS_WEBHOOK_URL|ftp://x/y|SMS_WEBHOOK_URL must be an absolute http(s) URL without a fragment: ftp://x/y",
                "TWILIO_PHONE_NUMBER|5551234567|TWILIO_PHONE_NUMBER must be a phone number",
                "TWILIO_MESSAGING_SERVICE_SID|MG1|TWILIO_MESSAGING_SERVICE_SID must be MG followed by 32 hex digits: MG1",
                "TWILIO_API_BASE_URL|http://x/?a=b|TWILIO_API_BASE_URL cannot have a query or fragment: http://x/?a=b",
                "TWILIO_WHATSAPP_NUMBER|+15559876543|WHATSAPP_WEBHOOK_URL is not set"
            })
    void fromEnvNamesTheVariableAndValueButNeverTheToken(String variable, String value, String message) {
        assertThatThrownBy(() -> TwilioLive.fromEnv(env(variable, value)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message)
                .hasMessageNotContaining(AUTH_TOKEN);
    }

    @Test
    void fromEnvNeedsANumberOrAService() {
        assertThatThrownBy(() -> TwilioLive.fromEnv(env("TWILIO_PHONE_NUMBER", null)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("neither TWILIO_PHONE_NUMBER nor TWILIO_MESSAGING_SERVICE_SID is set");
    }

    @Test
    void closingIsIdempotentAndStopsCalls() {
        TwilioLive live = TwilioLive.fromEnv(env("TWILIO_API_BASE_URL", "http://127.0.0.1:9"));
        assertThat(live.toString()).doesNotContain(AUTH_TOKEN).doesNotContain(NUMBER);
        live.close();
        live.close();
        assertThatThrownBy(live::doctor).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> live.configureWebhooks(true)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void logsCarryNoTokenNoRawNumber() {
        healthy()
                .on(
                        "GET",
                        API + "/IncomingPhoneNumbers.json",
                        200,
                        numberPage(number(NUMBER_SID, NUMBER, "", "POST", "", true, true)))
                .on("POST", API + "/IncomingPhoneNumbers/" + NUMBER_SID + ".json", 200, healthyNumber());
        try (LogCapture logs = LogCapture.start()) {
            try (TwilioLive live = live(env())) {
                live.doctor();
                live.configureWebhooks(false);
            }
            assertThat(logs.text())
                    .contains("SmsUrl of IncomingPhoneNumber")
                    .doesNotContain(AUTH_TOKEN)
                    .doesNotContain(NUMBER);
        }
    }
}
