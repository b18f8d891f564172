package dev.switchboard.sms.twilio;

import static dev.switchboard.twilio.TwilioTestData.ACCOUNT_SID;
import static dev.switchboard.twilio.TwilioTestData.AUTH_TOKEN;
import static dev.switchboard.twilio.TwilioTestData.CONTENT_SID;
import static dev.switchboard.twilio.TwilioTestData.MMS_SID;
import static dev.switchboard.twilio.TwilioTestData.OUR_NUMBER;
import static dev.switchboard.twilio.TwilioTestData.PERSON;
import static dev.switchboard.twilio.TwilioTestData.SERVICE_SID;
import static dev.switchboard.twilio.TwilioTestData.SMS_SID;
import static dev.switchboard.twilio.TwilioTestData.form;
import static dev.switchboard.twilio.TwilioTestData.inboundSms;
import static dev.switchboard.twilio.TwilioTestData.request;
import static dev.switchboard.twilio.TwilioTestData.signed;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.channel.AccessPolicy;
import dev.switchboard.channel.Address;
import dev.switchboard.channel.ChannelCapabilities;
import dev.switchboard.channel.ChannelContext;
import dev.switchboard.channel.DeliveryReceipt;
import dev.switchboard.channel.DeliveryStatus;
import dev.switchboard.channel.HomeChannel;
import dev.switchboard.channel.MessageIdShape;
import dev.switchboard.channel.OutboundMessage;
import dev.switchboard.channel.PermanentChannelException;
import dev.switchboard.channel.SendReceipt;
import dev.switchboard.channel.Template;
import dev.switchboard.channel.TextFlavour;
import dev.switchboard.channel.WebhookResult;
import dev.switchboard.channel.WebhookRoute;
import dev.switchboard.twilio.FakeTwilioApi;
import dev.switchboard.twilio.LogCapture;
import dev.switchboard.twilio.TwilioTestData;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TwilioSmsChannelTest {

    private static final String PUBLIC_URL = "https://bot.example.com/webhooks/twilio";
    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");

    private static final Map<String, String> ENV = Map.of(
            "TWILIO_ACCOUNT_SID", ACCOUNT_SID,
            "TWILIO_AUTH_TOKEN", AUTH_TOKEN,
            "TWILIO_PHONE_NUMBER", "+1 (555) 123-4567",
            "SMS_WEBHOOK_URL", PUBLIC_URL);

    /** The minimal environment of an SMS channel, with {@code pairs} added, or removed when null. */
    private static Map<String, String> env(String... pairs) {
        return TwilioTestData.env(ENV, pairs);
    }

    private static ChannelContext context() {
        return TwilioTestData.context(Clock.fixed(NOW, ZoneOffset.UTC));
    }

    @Test
    void fromEnvReadsEveryVariable() {
        try (TwilioSmsChannel channel = TwilioSmsChannel.fromEnv(env(
                "SMS_ALLOWED_USERS", "+1 555 765 4321, +44 20 7946 0958",
                "SMS_HOME_CHANNEL", "+1-555-000-1111",
                "SMS_HOME_CHANNEL_NAME", "ops phone",
                "SMS_WEBHOOK_HOST", "0.0.0.0",
                "SMS_WEBHOOK_PORT", "8080"))) {
            assertThat(channel.id()).isEqualTo("sms");
            assertThat(channel.selfAddresses()).containsExactly(Address.of(OUR_NUMBER));
            assertThat(channel.accessPolicy())
                    .isEqualTo(AccessPolicy.allowOnly(Set.of(Address.of(PERSON), Address.of("+442079460958"))));
            assertThat(channel.home()).contains(new HomeChannel(Address.of("+15550001111"), "ops phone"));
        }
    }

    @Test
    void namesTheWebhookServerAddressFromTheVariablesItIsAskedWith() {
        try (TwilioSmsChannel channel = TwilioSmsChannel.fromEnv(env("SMS_WEBHOOK_PORT", "9999"))) {
            assertThat(channel.webhookServerAddress(Map.of()))
                    .contains(InetSocketAddress.createUnresolved("0.0.0.0", 8080));
            assertThat(channel.webhookServerAddress(
                            Map.of("SMS_WEBHOOK_HOST", "127.0.0.1", "SMS_WEBHOOK_PORT", "8443")))
                    .contains(InetSocketAddress.createUnresolved("127.0.0.1", 8443));
            assertThatThrownBy(() -> channel.webhookServerAddress(Map.of("SMS_WEBHOOK_PORT", "http")))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("SMS_WEBHOOK_PORT must be a port number (0-65535): http");
        }
    }

    @Test
    void theCapabilitiesAreThoseOfSms() {
        try (TwilioSmsChannel channel = TwilioSmsChannel.fromEnv(env())) {
            assertThat(channel.capabilities())
                    .isEqualTo(new ChannelCapabilities(
                            1600, TextFlavour.PLAIN, true, true, MessageIdShape.lettersThenHex(2, 32)));
        }
    }

    @Test
    void deniesEveryoneByDefaultAndAllowsAllOnlyWhenSet() {
        try (TwilioSmsChannel closed = TwilioSmsChannel.fromEnv(env());
                TwilioSmsChannel open = TwilioSmsChannel.fromEnv(env("SMS_ALLOW_ALL_USERS", "TRUE"));
                TwilioSmsChannel stillClosed = TwilioSmsChannel.fromEnv(env("SMS_ALLOW_ALL_USERS", "false"))) {
            assertThat(closed.accessPolicy()).isEqualTo(AccessPolicy.denyAll());
            assertThat(closed.accessPolicy().permits(Address.of(PERSON))).isFalse();
            assertThat(open.accessPolicy().permits(Address.of(PERSON))).isTrue();
            assertThat(stillClosed.accessPolicy().permits(Address.of(PERSON))).isFalse();
        }
    }

    @Test
    void theHomeChannelNameDefaultsToHome() {
        try (TwilioSmsChannel channel = TwilioSmsChannel.fromEnv(env("SMS_HOME_CHANNEL", "+15550001111"))) {
            assertThat(channel.home()).contains(new HomeChannel(Address.of("+15550001111"), "home"));
        }
        try (TwilioSmsChannel channel = TwilioSmsChannel.fromEnv(env())) {
            assertThat(channel.home()).isEmpty();
        }
    }

    @Test
    void refusesToBuildWithoutTheWebhookUrlInOneLine() {
        assertThatThrownBy(() -> TwilioSmsChannel.fromEnv(env("SMS_WEBHOOK_URL", null)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("SMS_WEBHOOK_URL is not set: Twilio signatures are checked against the public webhook"
                        + " URL. Set it to the URL Twilio calls, or set SMS_INSECURE_NO_SIGNATURE=true for local"
                        + " testing only.");
        assertThatThrownBy(() -> TwilioSmsChannel.fromEnv(env("SMS_WEBHOOK_URL", "  ")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("SMS_WEBHOOK_URL is not set");
        assertThatThrownBy(() ->
                        TwilioSmsChannel.fromEnv(env("SMS_WEBHOOK_URL", null, "SMS_INSECURE_NO_SIGNATURE", "false")))
                .hasMessageStartingWith("SMS_WEBHOOK_URL is not set");
    }

    @Test
    void everyEnvironmentErrorNamesTheVariableAndTheValue() {
        assertThatThrownBy(() -> TwilioSmsChannel.fromEnv(env("TWILIO_ACCOUNT_SID", null)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("TWILIO_ACCOUNT_SID is not set");
        assertThatThrownBy(() -> TwilioSmsChannel.fromEnv(env("TWILIO_AUTH_TOKEN", "")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("TWILIO_AUTH_TOKEN is not set");
        assertThatThrownBy(() -> TwilioSmsChannel.fromEnv(env("TWILIO_ACCOUNT_SID", "AC42")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("TWILIO_ACCOUNT_SID must be AC followed by 32 hex digits: AC42");
        assertThatThrownBy(() -> TwilioSmsChannel.fromEnv(env("TWILIO_PHONE_NUMBER", null)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("neither TWILIO_PHONE_NUMBER nor TWILIO_MESSAGING_SERVICE_SID is set");
        assertThatThrownBy(() -> TwilioSmsChannel.fromEnv(env("TWILIO_PHONE_NUMBER", "555 123 4567")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("TWILIO_PHONE_NUMBER must be a phone number")
                .hasMessageEndingWith(": 555 1***4567");
        assertThatThrownBy(() -> TwilioSmsChannel.fromEnv(env("TWILIO_MESSAGING_SERVICE_SID", "MGxyz")))
                .hasMessage("TWILIO_MESSAGING_SERVICE_SID must be MG followed by 32 hex digits: MGxyz");
        assertThatThrownBy(() -> TwilioSmsChannel.fromEnv(env("SMS_WEBHOOK_URL", "bot.example.com/hook")))
                .hasMessage("SMS_WEBHOOK_URL must be an absolute http(s) URL without a fragment: bot.example.com/hook");
        assertThatThrownBy(() -> TwilioSmsChannel.fromEnv(env("SMS_INSECURE_NO_SIGNATURE", "yes")))
                .hasMessage("SMS_INSECURE_NO_SIGNATURE must be true or false: yes");
        assertThatThrownBy(() -> TwilioSmsChannel.fromEnv(env("SMS_ALLOW_ALL_USERS", "1")))
                .hasMessage("SMS_ALLOW_ALL_USERS must be true or false: 1");
        assertThatThrownBy(() -> TwilioSmsChannel.fromEnv(env("SMS_ALLOWED_USERS", "+15557654321,bob")))
                .hasMessage("SMS_ALLOWED_USERS must be a phone number in international form (+ and the country"
                        + " code): ***ob");
        assertThatThrownBy(() -> TwilioSmsChannel.fromEnv(env("SMS_HOME_CHANNEL", "5550001111")))
                .hasMessageStartingWith("SMS_HOME_CHANNEL must be a phone number")
                .hasMessageNotContaining("5550001111");
        assertThatThrownBy(() -> TwilioSmsChannel.fromEnv(env("SMS_HOME_CHANNEL_NAME", "ops")))
                .hasMessage("SMS_HOME_CHANNEL_NAME is set (ops) but SMS_HOME_CHANNEL is not");
        assertThatThrownBy(() -> TwilioSmsChannel.fromEnv(env("TWILIO_API_BASE_URL", "localhost:4010")))
                .hasMessage("TWILIO_API_BASE_URL must be an absolute http(s) URL: localhost:4010");
    }

    @Test
    void aMessagingServiceAloneIsEnoughAndHasNoSelfAddress() {
        try (TwilioSmsChannel channel = TwilioSmsChannel.fromEnv(
                env("TWILIO_PHONE_NUMBER", null, "TWILIO_MESSAGING_SERVICE_SID", SERVICE_SID))) {
            assertThat(channel.selfAddresses()).isEmpty();
        }
    }

    @Test
    void routesIncomingMessagesAndStatusCallbacks() {
        try (TwilioSmsChannel channel = TwilioSmsChannel.fromEnv(env())) {
            assertThat(channel.routes())
                    .extracting(WebhookRoute::path)
                    .containsExactly("/webhooks/twilio", "/webhooks/twilio/status");
            assertThat(channel.routes()).allSatisfy(route -> {
                assertThat(route.methods()).containsExactly("POST");
                assertThat(route.mediaTypes()).containsExactly("application/x-www-form-urlencoded");
            });
        }
        try (TwilioSmsChannel channel =
                TwilioSmsChannel.builderFromEnv(env()).webhookPath("/sms/in/").build()) {
            assertThat(channel.routes()).extracting(WebhookRoute::path).containsExactly("/sms/in", "/sms/in/status");
        }
    }

    @Test
    void theIncomingRouteAcceptsSignedMessagesAndStampsThemWithTheHostClock() {
        try (TwilioSmsChannel channel = TwilioSmsChannel.fromEnv(env())) {
            channel.start(context());
            WebhookRoute route = channel.routes().get(0);

            WebhookResult result =
                    route.handler().handle(signed(AUTH_TOKEN, PUBLIC_URL, route.path(), "", inboundSms("hello")));

            assertThat(result).isInstanceOf(WebhookResult.Inbound.class);
            WebhookResult.Inbound inbound = (WebhookResult.Inbound) result;
            assertThat(inbound.message().id()).isEqualTo(SMS_SID);
            assertThat(inbound.message().channelId()).isEqualTo("sms");
            assertThat(inbound.message().from()).isEqualTo(Address.of(PERSON));
            assertThat(inbound.message().receivedAt()).isEqualTo(NOW);
            assertThat(inbound.response().status()).isEqualTo(200);
        }
    }

    @Test
    void beforeStartTheSystemClockStampsMessages() {
        try (TwilioSmsChannel channel = TwilioSmsChannel.fromEnv(env())) {
            Instant before = Instant.now();

            WebhookResult.Inbound inbound = (WebhookResult.Inbound) channel.routes()
                    .get(0)
                    .handler()
                    .handle(signed(AUTH_TOKEN, PUBLIC_URL, "/webhooks/twilio", "", inboundSms("hello")));

            assertThat(inbound.message().receivedAt()).isBetween(before, Instant.now());
        }
    }

    @Test
    void theIncomingRouteRefusesForgedAndLocallySignedRequests() {
        try (TwilioSmsChannel channel = TwilioSmsChannel.fromEnv(env())) {
            WebhookRoute route = channel.routes().get(0);

            WebhookResult forged =
                    route.handler().handle(signed("guessed-token", PUBLIC_URL, route.path(), "", inboundSms("hi")));
            WebhookResult local = route.handler()
                    .handle(signed(
                            AUTH_TOKEN, "http://127.0.0.1:8080/webhooks/twilio", route.path(), "", inboundSms("hi")));
            WebhookResult unsigned = route.handler().handle(request(route.path(), "", null, form(inboundSms("hi"))));

            assertThat(forged.response().status()).isEqualTo(403);
            assertThat(local.response().status()).isEqualTo(403);
            assertThat(unsigned.response().status()).isEqualTo(403);
        }
    }

    @Test
    void theIncomingRouteAcceptsPortVariantsAndAnAppendedQuery() {
        try (TwilioSmsChannel channel = TwilioSmsChannel.fromEnv(env())) {
            WebhookRoute route = channel.routes().get(0);

            WebhookResult withPort = route.handler()
                    .handle(signed(
                            AUTH_TOKEN,
                            "https://bot.example.com:443/webhooks/twilio",
                            route.path(),
                            "",
                            inboundSms("hi")));
            WebhookResult withQuery = route.handler()
                    .handle(signed(AUTH_TOKEN, PUBLIC_URL + "?source=tw", route.path(), "source=tw", inboundSms("hi")));

            assertThat(withPort).isInstanceOf(WebhookResult.Inbound.class);
            assertThat(withQuery).isInstanceOf(WebhookResult.Inbound.class);
        }
    }

    @Test
    void theIncomingRouteReadsMmsAttachments() {
        try (TwilioSmsChannel channel = TwilioSmsChannel.fromEnv(env())) {
            WebhookResult result = channel.routes()
                    .get(0)
                    .handler()
                    .handle(signed(
                            AUTH_TOKEN,
                            PUBLIC_URL,
                            "/webhooks/twilio",
                            "",
                            "MessageSid",
                            MMS_SID,
                            "From",
                            PERSON,
                            "To",
                            OUR_NUMBER,
                            "Body",
                            "",
                            "NumMedia",
                            "1",
                            "MediaUrl0",
                            "https://api.twilio.com/media/ME1",
                            "MediaContentType0",
                            "image/gif"));

            assertThat(((WebhookResult.Inbound) result).message().attachments())
                    .singleElement()
                    .satisfies(a -> assertThat(a.contentType()).isEqualTo("image/gif"));
        }
    }

    @Test
    void theStatusRouteIsSignedForTheStatusUrl() {
        try (TwilioSmsChannel channel = TwilioSmsChannel.fromEnv(env())) {
            channel.start(context());
            WebhookRoute route = channel.routes().get(1);
            String[] callback = {"MessageSid", SMS_SID, "MessageStatus", "delivered", "To", PERSON, "From", OUR_NUMBER};

            WebhookResult result =
                    route.handler().handle(signed(AUTH_TOKEN, PUBLIC_URL + "/status", route.path(), "", callback));
            WebhookResult signedForInbound =
                    route.handler().handle(signed(AUTH_TOKEN, PUBLIC_URL, route.path(), "", callback));

            assertThat(result).isInstanceOf(WebhookResult.Receipt.class);
            WebhookResult.Receipt receipt = (WebhookResult.Receipt) result;
            assertThat(receipt.receipt().status()).isEqualTo(DeliveryStatus.DELIVERED);
            assertThat(receipt.receipt().to()).isEqualTo(Address.of(PERSON));
            assertThat(receipt.receipt().receivedAt()).isEqualTo(NOW);
            assertThat(signedForInbound.response().status()).isEqualTo(403);
        }
    }

    @Test
    void insecureModeAcceptsUnsignedRequestsAndWarnsAtStart() {
        String logs;
        try (LogCapture log = LogCapture.start();
                TwilioSmsChannel channel =
                        TwilioSmsChannel.fromEnv(env("SMS_WEBHOOK_URL", null, "SMS_INSECURE_NO_SIGNATURE", "True"))) {
            channel.start(context());
            WebhookResult result = channel.routes()
                    .get(0)
                    .handler()
                    .handle(request("/webhooks/twilio", "", null, form(inboundSms("x"))));
            logs = log.text();

            assertThat(result).isInstanceOf(WebhookResult.Inbound.class);
        }
        assertThat(logs).contains("WARN").contains("SMS_INSECURE_NO_SIGNATURE=true");
    }

    @Test
    void logsWhereItListensAndFromWhichNumberRedacted() {
        String logs;
        try (LogCapture log = LogCapture.start();
                TwilioSmsChannel channel = TwilioSmsChannel.fromEnv(env("SMS_ALLOW_ALL_USERS", "true"))) {
            channel.start(context());
            logs = log.text();
        }
        assertThat(logs)
                .contains("[sms] Twilio webhook server listening on 127.0.0.1:8080, from: +1555***4567\n")
                .doesNotContain(OUR_NUMBER)
                .doesNotContain(AUTH_TOKEN)
                .doesNotContain("WARN");
    }

    @Test
    void bracketsAnIpv6ListenAddress() {
        String logs;
        try (LogCapture log = LogCapture.start();
                TwilioSmsChannel channel = TwilioSmsChannel.fromEnv(env())) {
            channel.start(TwilioTestData.context(Clock.systemUTC(), new InetSocketAddress("::1", 9000)));
            logs = log.text();
        }
        assertThat(logs).contains("listening on [0:0:0:0:0:0:0:1]:9000, from: +1555***4567");
    }

    @Test
    void saysSoWhenTheApplicationsServerBringsTheWebhooks() {
        String logs;
        try (LogCapture log = LogCapture.start();
                TwilioSmsChannel channel = TwilioSmsChannel.fromEnv(env())) {
            channel.start(TwilioTestData.contextWithoutListener(Clock.systemUTC()));
            logs = log.text();
        }
        assertThat(logs)
                .contains("[sms] Twilio webhooks arrive through the application's HTTP server, from: +1555***4567\n")
                .doesNotContain("listening on");
    }

    @Test
    void withOnlyAMessagingServiceTheStartLogNamesIt() {
        String logs;
        try (LogCapture log = LogCapture.start();
                TwilioSmsChannel channel = TwilioSmsChannel.fromEnv(
                        env("TWILIO_PHONE_NUMBER", null, "TWILIO_MESSAGING_SERVICE_SID", SERVICE_SID))) {
            channel.start(context());
            logs = log.text();
        }
        assertThat(logs)
                .contains("[sms] Twilio webhook server listening on 127.0.0.1:8080, from: " + SERVICE_SID + "\n")
                .contains("neither SMS_ALLOWED_USERS nor SMS_ALLOW_ALL_USERS is set");
    }

    @Test
    void startsOnceAndNotAfterClose() {
        TwilioSmsChannel channel = TwilioSmsChannel.fromEnv(env());
        channel.start(context());

        assertThatThrownBy(() -> channel.start(context()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("already started");
        channel.close();
        channel.close();
        assertThatThrownBy(() -> channel.start(context())).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> channel.send(OutboundMessage.text(Address.of(PERSON), "hi")))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void sendsThroughTheBaseUrlWithTheStatusCallback() throws IOException {
        try (FakeTwilioApi api = FakeTwilioApi.start();
                TwilioSmsChannel channel = TwilioSmsChannel.fromEnv(env("TWILIO_API_BASE_URL", api.baseUrl()))) {
            SendReceipt receipt = channel.send(OutboundMessage.text(Address.of(PERSON), "your reply"));

            assertThat(receipt).isEqualTo(new SendReceipt(FakeTwilioApi.CREATED_SID, DeliveryStatus.QUEUED));
            FakeTwilioApi.Recorded request = api.requests().get(0);
            assertThat(request.path()).isEqualTo("/2010-04-01/Accounts/" + ACCOUNT_SID + "/Messages.json");
            assertThat(request.form().asMap())
                    .containsOnly(
                            Map.entry("To", List.of(PERSON)),
                            Map.entry("From", List.of(OUR_NUMBER)),
                            Map.entry("Body", List.of("your reply")),
                            Map.entry("StatusCallback", List.of(PUBLIC_URL + "/status")));
        }
    }

    @Test
    void theStatusCallbackKeepsTheWebhookUrlQuery() throws IOException {
        try (FakeTwilioApi api = FakeTwilioApi.start();
                TwilioSmsChannel channel = TwilioSmsChannel.fromEnv(
                        env("TWILIO_API_BASE_URL", api.baseUrl(), "SMS_WEBHOOK_URL", PUBLIC_URL + "/?tenant=7"))) {
            channel.send(OutboundMessage.text(Address.of(PERSON), "hi"));

            assertThat(api.requests().get(0).form().first("StatusCallback")).contains(PUBLIC_URL + "/status?tenant=7");
        }
    }

    @Test
    void sendsThroughTheMessagingServiceWhenBothAreSet() throws IOException {
        try (FakeTwilioApi api = FakeTwilioApi.start();
                TwilioSmsChannel channel = TwilioSmsChannel.fromEnv(
                        env("TWILIO_API_BASE_URL", api.baseUrl(), "TWILIO_MESSAGING_SERVICE_SID", SERVICE_SID))) {
            channel.send(OutboundMessage.text(Address.of(PERSON), "hi"));

            assertThat(api.requests().get(0).form().first("MessagingServiceSid"))
                    .contains(SERVICE_SID);
            assertThat(api.requests().get(0).form().first("From")).isEmpty();
            assertThat(channel.selfAddresses()).containsExactly(Address.of(OUR_NUMBER));
        }
    }

    @Test
    void insecureModeWithoutUrlSendsNoStatusCallback() throws IOException {
        try (FakeTwilioApi api = FakeTwilioApi.start();
                TwilioSmsChannel channel = TwilioSmsChannel.fromEnv(env(
                        "TWILIO_API_BASE_URL",
                        api.baseUrl(),
                        "SMS_WEBHOOK_URL",
                        null,
                        "SMS_INSECURE_NO_SIGNATURE",
                        "true"))) {
            channel.send(OutboundMessage.text(Address.of(PERSON), "hi"));

            assertThat(api.requests().get(0).form().first("StatusCallback")).isEmpty();
        }
    }

    @Test
    void prefersTextOverATemplateAndUsesTheTemplateAlone() throws IOException {
        Template template = new Template(CONTENT_SID, Map.of("1", "Ada"));
        try (FakeTwilioApi api = FakeTwilioApi.start();
                TwilioSmsChannel channel = TwilioSmsChannel.fromEnv(env("TWILIO_API_BASE_URL", api.baseUrl()))) {
            channel.send(OutboundMessage.text(Address.of(PERSON), "plain").withTemplate(template));
            channel.send(new OutboundMessage(Address.of(PERSON), "", List.of(), Optional.of(template)));

            assertThat(api.requests().get(0).form().first("Body")).contains("plain");
            assertThat(api.requests().get(0).form().first("ContentSid")).isEmpty();
            assertThat(api.requests().get(1).form().first("ContentSid")).contains(template.id());
            assertThat(api.requests().get(1).form().first("Body")).isEmpty();
        }
    }

    @Test
    void looksUpAnEarlierSendAsTheTextItWouldHaveSentAndATemplateNotAtAll() throws IOException {
        Template template = new Template(CONTENT_SID, Map.of("1", "Ada"));
        Instant firstAttempt = NOW.minusSeconds(5);
        try (FakeTwilioApi api = FakeTwilioApi.start();
                TwilioSmsChannel channel = TwilioSmsChannel.fromEnv(env("TWILIO_API_BASE_URL", api.baseUrl()))) {
            api.answer(FakeTwilioApi.Answer.json(
                    200,
                    FakeTwilioApi.messagePage(FakeTwilioApi.listedMessage(
                            SMS_SID,
                            "outbound-api",
                            PERSON,
                            OUR_NUMBER,
                            null,
                            "plain",
                            0,
                            "Sun, 01 Mar 2026 11:59:56 +0000",
                            "delivered"))));

            List<SendReceipt> found = channel.findSent(
                    OutboundMessage.text(Address.of(PERSON), "plain").withTemplate(template), firstAttempt);

            assertThat(found).containsExactly(new SendReceipt(SMS_SID, DeliveryStatus.DELIVERED));
            assertThat(api.only().method()).isEqualTo("GET");
            assertThatThrownBy(() -> channel.findSent(
                            new OutboundMessage(Address.of(PERSON), "", List.of(), Optional.of(template)),
                            firstAttempt))
                    .isInstanceOf(UnsupportedOperationException.class);
            assertThat(api.requests()).hasSize(1);
        }
    }

    @Test
    void readsAFailedStatusCallbackInTwilioTerms() {
        try (TwilioSmsChannel channel = TwilioSmsChannel.fromEnv(env())) {
            Optional<PermanentChannelException> failure = channel.deliveryFailure(new DeliveryReceipt(
                    SMS_SID, "sms", Address.of(PERSON), DeliveryStatus.FAILED, Optional.of("21610"), NOW));

            assertThat(failure).hasValueSatisfying(e -> {
                assertThat(e.providerCode()).contains("21610");
                assertThat(e.reason()).isEqualTo(PermanentChannelException.Reason.RECIPIENT_OPTED_OUT);
                assertThat(e).hasMessageContaining("+1555***4321").hasMessageNotContaining(PERSON);
            });
        }
    }

    @Test
    void refusesTextOverTheLimitWithoutARequest() throws IOException {
        try (FakeTwilioApi api = FakeTwilioApi.start();
                TwilioSmsChannel channel = TwilioSmsChannel.fromEnv(env("TWILIO_API_BASE_URL", api.baseUrl()))) {
            assertThatThrownBy(() -> channel.send(OutboundMessage.text(Address.of(PERSON), "x".repeat(1601))))
                    .isInstanceOf(PermanentChannelException.class)
                    .hasMessageContaining("1601 characters");
            channel.send(OutboundMessage.text(Address.of(PERSON), "x".repeat(1600)));

            assertThat(api.requests()).hasSize(1);
        }
    }

    @Test
    void theBuilderWorksWithoutTheEnvironment() {
        try (TwilioSmsChannel channel = TwilioSmsChannel.builder()
                .credentials(TwilioTestData.CREDENTIALS)
                .phoneNumber(OUR_NUMBER)
                .webhookUrl(PUBLIC_URL)
                .allowedUsers(List.of("+1 555 765 4321"))
                .home("+15550001111", "me")
                .build()) {
            assertThat(channel.accessPolicy().permits(Address.of(PERSON))).isTrue();
            assertThat(channel.home().map(HomeChannel::name)).contains("me");
            assertThat(channel.toString()).doesNotContain(OUR_NUMBER).doesNotContain(AUTH_TOKEN);
        }
        assertThatThrownBy(() -> TwilioSmsChannel.builder().webhookPath("webhooks"))
                .hasMessage("webhookPath must start with / and have no query, fragment or whitespace: webhooks");
        assertThatThrownBy(() -> TwilioSmsChannel.builder().home("+15550001111", " "))
                .hasMessage("SMS_HOME_CHANNEL_NAME cannot be blank");
    }
}
