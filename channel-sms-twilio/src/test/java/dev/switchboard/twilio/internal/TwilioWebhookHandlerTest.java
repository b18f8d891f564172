package dev.switchboard.twilio.internal;

import static dev.switchboard.twilio.TwilioTestData.AUTH_TOKEN;
import static dev.switchboard.twilio.TwilioTestData.MMS_SID;
import static dev.switchboard.twilio.TwilioTestData.SMS_SID;
import static dev.switchboard.twilio.TwilioTestData.form;
import static dev.switchboard.twilio.TwilioTestData.inboundSms;
import static dev.switchboard.twilio.TwilioTestData.request;
import static dev.switchboard.twilio.TwilioTestData.signed;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.channel.Address;
import dev.switchboard.channel.DeliveryStatus;
import dev.switchboard.channel.WebhookRequest;
import dev.switchboard.channel.WebhookResponse;
import dev.switchboard.channel.WebhookResult;
import dev.switchboard.twilio.LogCapture;
import dev.switchboard.twilio.TwilioSignature;
import dev.switchboard.twilio.TwilioTestData;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TwilioWebhookHandlerTest {

    private static final String PUBLIC_URL = "https://bot.example.com/webhooks/twilio";
    private static final String PATH = "/webhooks/twilio";
    private static final String TWIML = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response/>";
    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");

    private static TwilioWebhookHandler inbound(String publicUrl) {
        return TwilioWebhookHandler.builder(TwilioWebhookHandler.Kind.INBOUND, "sms")
                .signedBy(TwilioSignature.verifier(AUTH_TOKEN), publicUrl)
                .clock(() -> Clock.fixed(NOW, ZoneOffset.UTC))
                .build();
    }

    private static TwilioWebhookHandler status(String publicUrl) {
        return TwilioWebhookHandler.builder(TwilioWebhookHandler.Kind.STATUS, "sms")
                .signedBy(TwilioSignature.verifier(AUTH_TOKEN), publicUrl)
                .clock(() -> Clock.fixed(NOW, ZoneOffset.UTC))
                .build();
    }

    private static String body(WebhookResponse response) {
        return new String(response.body(), StandardCharsets.UTF_8);
    }

    @Test
    void acceptsAndParsesASignedIncomingMessage() {
        WebhookResult result =
                inbound(PUBLIC_URL).handle(signed(AUTH_TOKEN, PUBLIC_URL, PATH, "", inboundSms("hi there")));

        assertThat(result).isInstanceOf(WebhookResult.Inbound.class);
        WebhookResult.Inbound in = (WebhookResult.Inbound) result;
        assertThat(in.message().id()).isEqualTo(SMS_SID);
        assertThat(in.message().text()).isEqualTo("hi there");
        assertThat(in.message().from()).isEqualTo(Address.of(TwilioTestData.PERSON));
        assertThat(in.message().receivedAt()).isEqualTo(NOW);
        assertThat(in.response().status()).isEqualTo(200);
        assertThat(in.response().contentType()).isEqualTo("text/xml");
        assertThat(body(in.response())).isEqualTo(TWIML);
    }

    @Test
    void acceptsAnMmsWithAttachments() {
        WebhookResult result = inbound(PUBLIC_URL)
                .handle(signed(
                        AUTH_TOKEN,
                        PUBLIC_URL,
                        PATH,
                        "",
                        "MessageSid",
                        MMS_SID,
                        "From",
                        TwilioTestData.PERSON,
                        "To",
                        TwilioTestData.OUR_NUMBER,
                        "Body",
                        "",
                        "NumMedia",
                        "2",
                        "MediaUrl0",
                        "https://api.twilio.com/m/0",
                        "MediaContentType0",
                        "image/jpeg",
                        "MediaUrl1",
                        "https://api.twilio.com/m/1",
                        "MediaContentType1",
                        "image/png"));

        assertThat(((WebhookResult.Inbound) result).message().attachments())
                .extracting(a -> a.url().toString() + " " + a.contentType())
                .containsExactly("https://api.twilio.com/m/0 image/jpeg", "https://api.twilio.com/m/1 image/png");
    }

    @Test
    void refusesAForgedSignatureWith403AndLogsWithoutSecrets() {
        WebhookRequest forged = signed("not-the-token", PUBLIC_URL, PATH, "", inboundSms("hi"));
        String signature = forged.header("X-Twilio-Signature").orElseThrow();

        WebhookResult result;
        String logs;
        try (LogCapture log = LogCapture.start()) {
            result = inbound(PUBLIC_URL).handle(forged);
            logs = log.text();
        }

        assertThat(result).isInstanceOf(WebhookResult.Rejected.class);
        assertThat(result.response().status()).isEqualTo(403);
        assertThat(body(result.response())).isEqualTo("invalid X-Twilio-Signature");
        assertThat(logs)
                .contains("WARN")
                .contains("/webhooks/twilio")
                .contains("+1555***4321")
                .doesNotContain(signature)
                .doesNotContain(TwilioTestData.PERSON)
                .doesNotContain(AUTH_TOKEN);
    }

    @Test
    void whileTheTokenIsRotatedAcceptsEitherTokenAndRefusesAnyOtherWith403() {
        TwilioWebhookHandler rotating = TwilioWebhookHandler.builder(TwilioWebhookHandler.Kind.INBOUND, "sms")
                .signedBy(TwilioSignature.verifier(AUTH_TOKEN, "old-token"), PUBLIC_URL)
                .clock(() -> Clock.fixed(NOW, ZoneOffset.UTC))
                .build();
        WebhookRequest unknown = signed("unknown-token", PUBLIC_URL, PATH, "", inboundSms("hi"));

        WebhookResult primary = rotating.handle(signed(AUTH_TOKEN, PUBLIC_URL, PATH, "", inboundSms("hi")));
        WebhookResult secondary = rotating.handle(signed("old-token", PUBLIC_URL, PATH, "", inboundSms("hi")));
        WebhookResult refused;
        String logs;
        try (LogCapture log = LogCapture.start()) {
            refused = rotating.handle(unknown);
            logs = log.text();
        }

        assertThat(primary).isInstanceOf(WebhookResult.Inbound.class);
        assertThat(secondary).isInstanceOf(WebhookResult.Inbound.class);
        assertThat(((WebhookResult.Inbound) secondary).message().id()).isEqualTo(SMS_SID);
        assertThat(refused).isInstanceOf(WebhookResult.Rejected.class);
        assertThat(refused.response().status()).isEqualTo(403);
        assertThat(body(refused.response())).isEqualTo("invalid X-Twilio-Signature");
        assertThat(logs)
                .contains("WARN")
                .doesNotContain(unknown.header("X-Twilio-Signature").orElseThrow())
                .doesNotContain("old-token")
                .doesNotContain(AUTH_TOKEN);
    }

    @Test
    void refusesAMissingOrEmptySignatureWith403() {
        byte[] body = form(inboundSms("hi"));

        WebhookResult missing = inbound(PUBLIC_URL).handle(request(PATH, "", null, body));
        WebhookResult empty = inbound(PUBLIC_URL).handle(request(PATH, "", "", body));

        assertThat(missing.response().status()).isEqualTo(403);
        assertThat(body(missing.response())).isEqualTo("missing X-Twilio-Signature");
        assertThat(empty.response().status()).isEqualTo(403);
    }

    @Test
    void refusesATamperedBody() {
        WebhookRequest genuine = signed(AUTH_TOKEN, PUBLIC_URL, PATH, "", inboundSms("pay 10"));
        WebhookRequest tampered =
                request(PATH, "", genuine.header("X-Twilio-Signature").orElseThrow(), form(inboundSms("pay 1000")));

        assertThat(inbound(PUBLIC_URL).handle(genuine)).isInstanceOf(WebhookResult.Inbound.class);
        assertThat(inbound(PUBLIC_URL).handle(tampered).response().status()).isEqualTo(403);
    }

    @Test
    void checksAgainstThePublicUrlNeverTheLocalOne() {
        WebhookRequest signedForLocal =
                signed(AUTH_TOKEN, "http://127.0.0.1:8080/webhooks/twilio", PATH, "", inboundSms("hi"));

        assertThat(inbound(PUBLIC_URL).handle(signedForLocal).response().status())
                .isEqualTo(403);
    }

    @ParameterizedTest
    @CsvSource({
        "https://bot.example.com:443/webhooks/twilio, https://bot.example.com/webhooks/twilio",
        "https://bot.example.com/webhooks/twilio, https://bot.example.com:443/webhooks/twilio",
        "http://bot.example.com:80/webhooks/twilio, http://bot.example.com/webhooks/twilio",
    })
    void acceptsTheDefaultPortVariants(String signedUrl, String configuredUrl) {
        WebhookResult result = inbound(configuredUrl).handle(signed(AUTH_TOKEN, signedUrl, PATH, "", inboundSms("hi")));

        assertThat(result).isInstanceOf(WebhookResult.Inbound.class);
    }

    @Test
    void appendsTheRequestQueryWhenThePublicUrlHasNone() {
        WebhookRequest request =
                signed(AUTH_TOKEN, PUBLIC_URL + "?tenant=a%20b&x=1", PATH, "tenant=a%20b&x=1", inboundSms("hi"));

        assertThat(inbound(PUBLIC_URL).signedUrl(request)).isEqualTo(PUBLIC_URL + "?tenant=a%20b&x=1");
        assertThat(inbound(PUBLIC_URL).handle(request)).isInstanceOf(WebhookResult.Inbound.class);
    }

    @Test
    void keepsTheConfiguredQueryWhenThePublicUrlHasOne() {
        String configured = PUBLIC_URL + "?key=1";
        WebhookRequest request = signed(AUTH_TOKEN, configured, PATH, "key=2", inboundSms("hi"));

        assertThat(inbound(configured).signedUrl(request)).isEqualTo(configured);
        assertThat(inbound(configured).handle(request)).isInstanceOf(WebhookResult.Inbound.class);
    }

    @Test
    void refusesAQueryThatWasNotSigned() {
        WebhookRequest request = signed(AUTH_TOKEN, PUBLIC_URL, PATH, "injected=1", inboundSms("hi"));

        assertThat(inbound(PUBLIC_URL).handle(request).response().status()).isEqualTo(403);
    }

    @Test
    void answersAMalformedBodyWith400() {
        byte[] body = "MessageSid=SM1&Body=%E2%82".getBytes(StandardCharsets.US_ASCII);
        WebhookRequest request = request(PATH, "", "c2lnbmF0dXJl", body);

        WebhookResult result = inbound(PUBLIC_URL).handle(request);

        assertThat(result).isInstanceOf(WebhookResult.Rejected.class);
        assertThat(result.response().status()).isEqualTo(400);
        assertThat(body(result.response())).isEqualTo("malformed form body: invalid UTF-8 (in the value of Body)");
    }

    @Test
    void answersASignedButInvalidMessageWith400() {
        WebhookRequest request = signed(
                AUTH_TOKEN,
                PUBLIC_URL,
                PATH,
                "",
                "MessageSid",
                "SMnope",
                "From",
                TwilioTestData.PERSON,
                "To",
                TwilioTestData.OUR_NUMBER);

        WebhookResult result = inbound(PUBLIC_URL).handle(request);

        assertThat(result.response().status()).isEqualTo(400);
        assertThat(body(result.response())).isEqualTo("MessageSid must be SM or MM followed by 32 hex digits");
    }

    @Test
    void readsASignedStatusCallback() {
        String statusUrl = PUBLIC_URL + "/status";
        WebhookResult result = status(statusUrl)
                .handle(signed(
                        AUTH_TOKEN,
                        statusUrl,
                        PATH + "/status",
                        "",
                        "MessageSid",
                        SMS_SID,
                        "MessageStatus",
                        "failed",
                        "ErrorCode",
                        "30007",
                        "To",
                        TwilioTestData.PERSON,
                        "From",
                        TwilioTestData.OUR_NUMBER));

        assertThat(result).isInstanceOf(WebhookResult.Receipt.class);
        WebhookResult.Receipt receipt = (WebhookResult.Receipt) result;
        assertThat(receipt.receipt().messageId()).isEqualTo(SMS_SID);
        assertThat(receipt.receipt().status()).isEqualTo(DeliveryStatus.FAILED);
        assertThat(receipt.receipt().errorCode()).contains("30007");
        assertThat(receipt.receipt().receivedAt()).isEqualTo(NOW);
        assertThat(receipt.response().status()).isEqualTo(200);
        assertThat(body(receipt.response())).isEqualTo(TWIML);
    }

    @Test
    void ignoresAStatusThatIsNotADeliveryState() {
        String statusUrl = PUBLIC_URL + "/status";
        WebhookResult result = status(statusUrl)
                .handle(signed(
                        AUTH_TOKEN,
                        statusUrl,
                        PATH + "/status",
                        "",
                        "MessageSid",
                        SMS_SID,
                        "MessageStatus",
                        "receiving",
                        "To",
                        TwilioTestData.PERSON));

        assertThat(result).isInstanceOf(WebhookResult.Ignored.class);
        assertThat(result.response().status()).isEqualTo(200);
    }

    @Test
    void insecureModeSkipsTheCheck() {
        TwilioWebhookHandler insecure = TwilioWebhookHandler.builder(TwilioWebhookHandler.Kind.INBOUND, "sms")
                .insecureNoSignature()
                .build();

        WebhookResult result = insecure.handle(request(PATH, "", null, form(inboundSms("hi"))));

        assertThat(insecure.checksSignatures()).isFalse();
        assertThat(result).isInstanceOf(WebhookResult.Inbound.class);
    }

    @Test
    void stripsTheChannelPrefixAndRedactsInLogs() {
        TwilioWebhookHandler whatsapp = TwilioWebhookHandler.builder(TwilioWebhookHandler.Kind.INBOUND, "whatsapp")
                .addressFormat(TwilioAddressFormat.WHATSAPP)
                .signedBy(TwilioSignature.verifier(AUTH_TOKEN), PUBLIC_URL)
                .build();
        String[] pairs = {
            "MessageSid",
            SMS_SID,
            "From",
            "whatsapp:" + TwilioTestData.PERSON,
            "To",
            "whatsapp:" + TwilioTestData.OUR_NUMBER,
            "Body",
            "secret words",
            "ProfileName",
            "Ada"
        };

        String logs;
        WebhookResult accepted;
        WebhookResult forged;
        try (LogCapture log = LogCapture.start()) {
            accepted = whatsapp.handle(signed(AUTH_TOKEN, PUBLIC_URL, PATH, "", pairs));
            forged = whatsapp.handle(signed("wrong", PUBLIC_URL, PATH, "", pairs));
            logs = log.text();
        }

        assertThat(((WebhookResult.Inbound) accepted).message().from()).isEqualTo(Address.of(TwilioTestData.PERSON));
        assertThat(forged.response().status()).isEqualTo(403);
        assertThat(logs)
                .contains("[whatsapp] inbound " + SMS_SID + " from +1555***4321")
                .contains("+1555***4321: invalid X-Twilio-Signature")
                .doesNotContain(TwilioTestData.PERSON)
                .doesNotContain(TwilioTestData.OUR_NUMBER)
                .doesNotContain("secret words");
    }

    @Test
    void theBuilderNeedsExactlyOneWayToTreatSignatures() {
        assertThatThrownBy(() -> TwilioWebhookHandler.builder(TwilioWebhookHandler.Kind.INBOUND, "sms")
                        .build())
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> TwilioWebhookHandler.builder(TwilioWebhookHandler.Kind.INBOUND, "sms")
                        .signedBy(TwilioSignature.verifier(AUTH_TOKEN), PUBLIC_URL)
                        .insecureNoSignature()
                        .build())
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> TwilioWebhookHandler.builder(TwilioWebhookHandler.Kind.INBOUND, "sms")
                        .signedBy(TwilioSignature.verifier(AUTH_TOKEN), "/webhooks/twilio"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("publicUrl");
    }

    @Test
    void theAcknowledgementIsAFreshCopy() {
        WebhookResponse first = TwilioWebhookHandler.emptyTwiml();
        first.body()[0] = 'X';

        assertThat(body(TwilioWebhookHandler.emptyTwiml())).isEqualTo(TWIML);
    }
}
