package dev.switchboard.whatsapp.twilio;

import static dev.switchboard.twilio.TwilioTestData.AUTH_TOKEN;
import static dev.switchboard.twilio.TwilioTestData.CONTENT_SID;
import static dev.switchboard.twilio.TwilioTestData.MMS_SID;
import static dev.switchboard.twilio.TwilioTestData.OUR_NUMBER;
import static dev.switchboard.twilio.TwilioTestData.PERSON;
import static dev.switchboard.twilio.TwilioTestData.SMS_SID;
import static dev.switchboard.twilio.TwilioTestData.context;
import static dev.switchboard.twilio.TwilioTestData.form;
import static dev.switchboard.twilio.TwilioTestData.signature;
import static dev.switchboard.whatsapp.twilio.Fixtures.OUR_WA;
import static dev.switchboard.whatsapp.twilio.Fixtures.PERSON_WA;
import static dev.switchboard.whatsapp.twilio.Fixtures.PUBLIC_URL;
import static dev.switchboard.whatsapp.twilio.Fixtures.T0;
import static dev.switchboard.whatsapp.twilio.Fixtures.env;
import static dev.switchboard.whatsapp.twilio.Fixtures.inboundWhatsApp;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.switchboard.channel.Address;
import dev.switchboard.channel.DeliveryReceipt;
import dev.switchboard.channel.DeliveryStatus;
import dev.switchboard.channel.InboundMessage;
import dev.switchboard.channel.OutboundMessage;
import dev.switchboard.channel.PermanentChannelException;
import dev.switchboard.sms.twilio.TwilioSmsChannel;
import dev.switchboard.twilio.FakeTwilioApi;
import dev.switchboard.twilio.LogCapture;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The WhatsApp and SMS channels behind one port, over real sockets: Twilio's signed webhooks in, the
 * replies out to a stand-in of Twilio's REST API. The reply texts are what the runtime's WHATSAPP and
 * PLAIN formatting make of the agent's {@code **Got it**}.
 */
class TwilioWhatsAppEndToEndTest {

    private static final String SMS_URL = "https://bot.example.com/webhooks/twilio";
    private static final String SMS_SID = "SMfedcba9876543210fedcba9876543210";

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final Fixtures.StepClock clock = new Fixtures.StepClock(T0);
    private FakeTwilioApi twilio;
    private Map<String, String> env;

    @BeforeEach
    void startTwilio() throws IOException {
        twilio = FakeTwilioApi.start();
        env = env(
                "TWILIO_API_BASE_URL", twilio.baseUrl(),
                "TWILIO_PHONE_NUMBER", OUR_NUMBER,
                "SMS_WEBHOOK_URL", SMS_URL,
                "SMS_ALLOWED_USERS", "+1 555 765 4321",
                "WHATSAPP_ALLOWED_USERS", PERSON_WA);
    }

    @AfterEach
    void stopTwilio() {
        twilio.close();
    }

    private HttpResponse<String> post(OnePortHost host, String path, String signedUrl, String token, String... fields)
            throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(host.url(path)))
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/x-www-form-urlencoded; charset=UTF-8")
                .header("X-Twilio-Signature", signature(token, signedUrl, fields))
                .POST(HttpRequest.BodyPublishers.ofByteArray(form(fields)))
                .build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void smsAndWhatsAppAreServedTogetherOnOnePortAndRepliedToInTheirOwnForms() throws Exception {
        String logs;
        try (LogCapture log = LogCapture.start();
                TwilioSmsChannel sms = TwilioSmsChannel.fromEnv(env);
                TwilioWhatsAppChannel whatsApp = TwilioWhatsAppChannel.fromEnv(env);
                OnePortHost host = OnePortHost.serving(sms, whatsApp)) {
            sms.start(context(clock));
            whatsApp.start(context(clock));

            HttpResponse<String> waAck = post(
                    host, "/webhooks/twilio-whatsapp", PUBLIC_URL, AUTH_TOKEN, inboundWhatsApp(SMS_SID, "Hi there"));
            InboundMessage waMessage = host.nextInbound();
            whatsApp.send(OutboundMessage.text(waMessage.from(), "*Got it*, Ada"));

            HttpResponse<String> smsAck = post(
                    host,
                    "/webhooks/twilio",
                    SMS_URL,
                    AUTH_TOKEN,
                    "MessageSid",
                    SMS_SID,
                    "From",
                    PERSON,
                    "To",
                    OUR_NUMBER,
                    "Body",
                    "Hi by SMS",
                    "NumMedia",
                    "0");
            InboundMessage smsMessage = host.nextInbound();
            sms.send(OutboundMessage.text(smsMessage.from(), "Got it, Ada"));
            logs = log.text();

            assertThat(waAck.statusCode()).isEqualTo(200);
            assertThat(waAck.body()).endsWith("<Response/>");
            assertThat(smsAck.statusCode()).isEqualTo(200);

            assertThat(waMessage.channelId()).isEqualTo("whatsapp");
            assertThat(smsMessage.channelId()).isEqualTo("sms");
            // One person, one address: the same allowlist entry and history key on both channels.
            assertThat(waMessage.from()).isEqualTo(smsMessage.from()).isEqualTo(Address.of(PERSON));
            assertThat(waMessage.extras()).containsEntry("ProfileName", "Ada Lovelace");
            assertThat(whatsApp.accessPolicy().permits(waMessage.from())).isTrue();
            assertThat(sms.accessPolicy().permits(smsMessage.from())).isTrue();

            List<FakeTwilioApi.Recorded> sent = twilio.requests();
            assertThat(sent).hasSize(2);
            assertThat(sent.get(0).form().asMap())
                    .containsOnly(
                            Map.entry("To", List.of(PERSON_WA)),
                            Map.entry("From", List.of(OUR_WA)),
                            Map.entry("Body", List.of("*Got it*, Ada")),
                            Map.entry("StatusCallback", List.of(PUBLIC_URL + "/status")));
            assertThat(sent.get(1).form().asMap())
                    .containsOnly(
                            Map.entry("To", List.of(PERSON)),
                            Map.entry("From", List.of(OUR_NUMBER)),
                            Map.entry("Body", List.of("Got it, Ada")),
                            Map.entry("StatusCallback", List.of(SMS_URL + "/status")));
        }
        assertThat(logs)
                .contains("[whatsapp] inbound " + SMS_SID + " from +1555***4321")
                .contains("[sms] inbound " + SMS_SID + " from +1555***4321")
                .doesNotContain(PERSON)
                .doesNotContain(OUR_NUMBER)
                .doesNotContain("Hi there")
                .doesNotContain("Got it");
    }

    @Test
    void eachRouteChecksItsOwnSignatureOnTheSharedPort() throws Exception {
        try (TwilioSmsChannel sms = TwilioSmsChannel.fromEnv(env);
                TwilioWhatsAppChannel whatsApp = TwilioWhatsAppChannel.fromEnv(env);
                OnePortHost host = OnePortHost.serving(sms, whatsApp)) {
            String[] fields = inboundWhatsApp(SMS_SID, "hi");

            HttpResponse<String> forged = post(host, "/webhooks/twilio-whatsapp", PUBLIC_URL, "guessed", fields);
            HttpResponse<String> signedForSms = post(host, "/webhooks/twilio-whatsapp", SMS_URL, AUTH_TOKEN, fields);
            HttpResponse<String> waOnSmsRoute = post(host, "/webhooks/twilio", SMS_URL, AUTH_TOKEN, fields);
            HttpResponse<String> nowhere = post(host, "/webhooks/twilio-wa", PUBLIC_URL, AUTH_TOKEN, fields);

            assertThat(forged.statusCode()).isEqualTo(403);
            assertThat(signedForSms.statusCode()).isEqualTo(403);
            // Authentic, but a whatsapp: sender on the SMS number's webhook is a misconfiguration.
            assertThat(waOnSmsRoute.statusCode()).isEqualTo(400);
            assertThat(nowhere.statusCode()).isEqualTo(404);
            assertThat(host.nothingPending()).isTrue();
            assertThat(whatsApp.isWindowOpen(Address.of(PERSON))).isFalse();
        }
    }

    @Test
    void aReplyAfterTheWindowClosedGoesOutAsTheConfiguredTemplate() throws Exception {
        try (TwilioWhatsAppChannel whatsApp = TwilioWhatsAppChannel.builderFromEnv(env)
                        .proactiveTemplate(CONTENT_SID)
                        .build();
                OnePortHost host = OnePortHost.serving(whatsApp)) {
            whatsApp.start(context(clock));
            post(host, "/webhooks/twilio-whatsapp", PUBLIC_URL, AUTH_TOKEN, inboundWhatsApp(SMS_SID, "remind me"));
            Address person = host.nextInbound().from();

            clock.advance(Duration.ofHours(26));
            whatsApp.send(OutboundMessage.text(person, "*Reminder*: call the bank"));

            assertThat(twilio.only().form().asMap())
                    .containsOnly(
                            Map.entry("To", List.of(PERSON_WA)),
                            Map.entry("From", List.of(OUR_WA)),
                            Map.entry("ContentSid", List.of(CONTENT_SID)),
                            Map.entry("ContentVariables", List.of("{\"1\":\"*Reminder*: call the bank\"}")),
                            Map.entry("StatusCallback", List.of(PUBLIC_URL + "/status")));
        }
    }

    @Test
    void aReplyAfterTheWindowClosedFailsAtOnceWithoutATemplateAndALaterRefusalMapsToTheSameError() throws Exception {
        try (TwilioWhatsAppChannel whatsApp = TwilioWhatsAppChannel.fromEnv(env);
                OnePortHost host = OnePortHost.serving(whatsApp)) {
            whatsApp.start(context(clock));
            post(host, "/webhooks/twilio-whatsapp", PUBLIC_URL, AUTH_TOKEN, inboundWhatsApp(MMS_SID, "hello"));
            Address person = host.nextInbound().from();
            whatsApp.send(OutboundMessage.text(person, "hello back"));

            clock.advance(Duration.ofHours(24));
            PermanentChannelException late = catchThrowableOfType(
                    PermanentChannelException.class, () -> whatsApp.send(OutboundMessage.text(person, "too late")));
            HttpResponse<String> callback = post(
                    host,
                    "/webhooks/twilio-whatsapp/status",
                    PUBLIC_URL + "/status",
                    AUTH_TOKEN,
                    "MessageSid",
                    FakeTwilioApi.CREATED_SID,
                    "MessageStatus",
                    "undelivered",
                    "ErrorCode",
                    "63016",
                    "To",
                    PERSON_WA,
                    "From",
                    OUR_WA);
            DeliveryReceipt receipt = host.nextReceipt();

            assertThat(twilio.requests()).hasSize(1);
            assertThat(late.providerCode()).contains("63016");
            assertThat(late).hasMessageContaining("(last inbound: 2026-11-21T10:00:00Z)");
            assertThat(callback.statusCode()).isEqualTo(200);
            assertThat(receipt.status()).isEqualTo(DeliveryStatus.UNDELIVERED);
            assertThat(receipt.errorCode()).contains("63016");
            assertThat(whatsApp.windowClosedFailure(receipt)).hasValueSatisfying(failure -> assertThat(failure)
                    .hasMessage(late.getMessage())
                    .satisfies(f -> assertThat(f.providerCode()).contains("63016")));
        }
    }
}
