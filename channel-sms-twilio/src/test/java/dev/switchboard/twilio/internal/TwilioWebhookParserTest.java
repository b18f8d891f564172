package dev.switchboard.twilio.internal;

import static dev.switchboard.twilio.TwilioTestData.MMS_SID;
import static dev.switchboard.twilio.TwilioTestData.SMS_SID;
import static dev.switchboard.twilio.TwilioTestData.form;
import static dev.switchboard.twilio.TwilioTestData.inboundSms;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.channel.Address;
import dev.switchboard.channel.Attachment;
import dev.switchboard.channel.DeliveryReceipt;
import dev.switchboard.channel.DeliveryStatus;
import dev.switchboard.channel.InboundMessage;
import dev.switchboard.twilio.TwilioTestData;
import java.net.URI;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class TwilioWebhookParserTest {

    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
    private final TwilioWebhookParser sms = TwilioWebhookParser.of("sms", TwilioAddressFormat.SMS);
    private final TwilioWebhookParser whatsapp = TwilioWebhookParser.of("whatsapp", TwilioAddressFormat.WHATSAPP);

    private static FormParameters params(String... pairs) {
        return FormParameters.parse(form(pairs));
    }

    @Test
    void readsAnIncomingSms() {
        InboundMessage message = sms.inbound(params(inboundSms("Hello, agent")), NOW);

        assertThat(message.id()).isEqualTo(SMS_SID);
        assertThat(message.channelId()).isEqualTo("sms");
        assertThat(message.from()).isEqualTo(Address.of("+15557654321"));
        assertThat(message.to()).isEqualTo(Address.of("+15551234567"));
        assertThat(message.text()).isEqualTo("Hello, agent");
        assertThat(message.attachments()).isEmpty();
        assertThat(message.receivedAt()).isEqualTo(NOW);
        assertThat(message.extras())
                .containsExactlyInAnyOrderEntriesOf(
                        Map.of("AccountSid", TwilioTestData.ACCOUNT_SID, "NumSegments", "1"));
    }

    @Test
    void readsAnMmsWithAttachmentsInOrder() {
        String media = "https://api.twilio.com/2010-04-01/Accounts/" + TwilioTestData.ACCOUNT_SID + "/Messages/"
                + MMS_SID + "/Media/ME0123456789abcdef0123456789abcde";
        TwilioWebhookParser withOrigin = TwilioWebhookParser.of(
                "sms",
                TwilioAddressFormat.SMS,
                new TwilioMediaOrigin(TwilioMediaOrigin.TWILIO_API, TwilioTestData.ACCOUNT_SID));
        InboundMessage message = withOrigin.inbound(
                params(
                        "MessageSid", MMS_SID,
                        "From", "+15557654321",
                        "To", "+15551234567",
                        "Body", "",
                        "NumMedia", "2",
                        "MediaContentType1", "video/mp4",
                        "MediaUrl1", media + "2",
                        "MediaUrl0", media + "1",
                        "MediaContentType0", "image/jpeg"),
                NOW);

        assertThat(message.text()).isEmpty();
        assertThat(message.attachments())
                .containsExactly(
                        new Attachment(URI.create(media + "1"), "image/jpeg", true),
                        new Attachment(URI.create(media + "2"), "video/mp4", true));
        assertThat(sms.inbound(
                                params(
                                        "MessageSid",
                                        MMS_SID,
                                        "From",
                                        "+15557654321",
                                        "To",
                                        "+15551234567",
                                        "NumMedia",
                                        "1",
                                        "MediaUrl0",
                                        media + "1"),
                                NOW)
                        .attachments())
                .as("a parser that knows no account fetches nothing")
                .extracting(Attachment::available)
                .containsExactly(false);
    }

    @Test
    void aMissingBodyIsEmptyText() {
        InboundMessage message =
                sms.inbound(params("MessageSid", SMS_SID, "From", "+15557654321", "To", "+15551234567"), NOW);

        assertThat(message.text()).isEmpty();
    }

    @Test
    void copiesTheUsefulOptionalFieldsIntoExtras() {
        InboundMessage message = whatsapp.inbound(
                params(
                        "MessageSid", SMS_SID,
                        "From", "whatsapp:+15557654321",
                        "To", "whatsapp:+15551234567",
                        "Body", "",
                        "ProfileName", "Ada",
                        "WaId", "15557654321",
                        "ButtonText", "Yes",
                        "ButtonPayload", "confirm",
                        "Latitude", "51.5",
                        "Longitude", "-0.12",
                        "OptOutType", "STOP",
                        "MessagingServiceSid", TwilioTestData.SERVICE_SID,
                        "NumSegments", "",
                        "SomethingNew", "x"),
                NOW);

        assertThat(message.from()).isEqualTo(Address.of("+15557654321"));
        assertThat(message.to()).isEqualTo(Address.of("+15551234567"));
        assertThat(message.extras())
                .containsOnly(
                        Map.entry("ProfileName", "Ada"),
                        Map.entry("WaId", "15557654321"),
                        Map.entry("ButtonText", "Yes"),
                        Map.entry("ButtonPayload", "confirm"),
                        Map.entry("Latitude", "51.5"),
                        Map.entry("Longitude", "-0.12"),
                        Map.entry("OptOutType", "STOP"),
                        Map.entry("MessagingServiceSid", TwilioTestData.SERVICE_SID));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "SM123",
                "CA0123456789abcdef0123456789abcdef",
                "SM0123456789abcdef0123456789abcdeg",
                "SM0123456789abcdef0123456789abcdef0"
            })
    void refusesAMissingOrMalformedMessageSid(String sid) {
        FormParameters params = params("MessageSid", sid, "From", "+15557654321", "To", "+15551234567");

        assertThatThrownBy(() -> sms.inbound(params, NOW))
                .isInstanceOf(MalformedWebhookException.class)
                .hasMessageStartingWith("MessageSid ");
    }

    @Test
    void refusesMissingAddresses() {
        assertThatThrownBy(() -> sms.inbound(params("MessageSid", SMS_SID, "To", "+15551234567"), NOW))
                .isInstanceOf(MalformedWebhookException.class)
                .hasMessage("From is required");
        assertThatThrownBy(() -> sms.inbound(params("MessageSid", SMS_SID, "From", "+15557654321"), NOW))
                .hasMessage("To is required");
    }

    @Test
    void refusesAWhatsappSenderOnTheSmsWebhook() {
        FormParameters params =
                params("MessageSid", SMS_SID, "From", "whatsapp:+15557654321", "To", "whatsapp:+15551234567");

        assertThatThrownBy(() -> sms.inbound(params, NOW))
                .isInstanceOf(MalformedWebhookException.class)
                .hasMessageContaining("whatsapp:")
                .hasMessageNotContaining("7654321");
    }

    @ParameterizedTest
    @CsvSource({
        "NumMedia, x",
        "NumMedia, -1",
        "NumMedia, 21",
        "NumMedia, +1",
        "NumMedia, 1234567890",
        // An Arabic-Indic one: Integer.parseInt would read it as 1.
        "NumMedia, \u0661",
        "MediaUrl0, ftp://example.com/a",
        "MediaUrl0, /relative",
        "MediaUrl0, 'https://exa mple.com/'"
    })
    void refusesBadMedia(String field, String value) {
        String[] pairs = {
            "MessageSid",
            MMS_SID,
            "From",
            "+15557654321",
            "To",
            "+15551234567",
            "NumMedia",
            "1",
            "MediaUrl0",
            "https://example.com/m",
            "MediaContentType0",
            "image/png"
        };
        for (int i = 0; i < pairs.length; i += 2) {
            if (pairs[i].equals(field)) {
                pairs[i + 1] = value;
            }
        }

        assertThatThrownBy(() -> sms.inbound(params(pairs), NOW))
                .isInstanceOf(MalformedWebhookException.class)
                .hasMessageStartingWith(field + " must be");
    }

    @Test
    void refusesADeclaredMediaThatIsMissing() {
        FormParameters params = params(
                "MessageSid",
                MMS_SID,
                "From",
                "+15557654321",
                "To",
                "+15551234567",
                "NumMedia",
                "2",
                "MediaUrl0",
                "https://example.com/0");

        assertThatThrownBy(() -> sms.inbound(params, NOW)).hasMessage("MediaUrl1 is required");
    }

    @Test
    void aMediaWithoutContentTypeIsOctetStream() {
        InboundMessage message = sms.inbound(
                params(
                        "MessageSid",
                        MMS_SID,
                        "From",
                        "+15557654321",
                        "To",
                        "+15551234567",
                        "NumMedia",
                        "1",
                        "MediaUrl0",
                        "https://example.com/0"),
                NOW);

        assertThat(message.attachments().get(0).contentType()).isEqualTo("application/octet-stream");
    }

    @Test
    void readsAStatusCallback() {
        Optional<DeliveryReceipt> receipt = sms.status(
                params(
                        "SmsSid", SMS_SID,
                        "SmsStatus", "undelivered",
                        "MessageStatus", "undelivered",
                        "To", "+15557654321",
                        "MessageSid", SMS_SID,
                        "AccountSid", TwilioTestData.ACCOUNT_SID,
                        "From", "+15551234567",
                        "ErrorCode", "30003",
                        "ApiVersion", "2010-04-01"),
                NOW);

        assertThat(receipt)
                .contains(new DeliveryReceipt(
                        SMS_SID,
                        "sms",
                        Address.of("+15557654321"),
                        DeliveryStatus.UNDELIVERED,
                        Optional.of("30003"),
                        NOW));
    }

    @Test
    void readsAWhatsappStatusCallback() {
        Optional<DeliveryReceipt> receipt = whatsapp.status(
                params("MessageSid", SMS_SID, "MessageStatus", "read", "To", "whatsapp:+15557654321"), NOW);

        assertThat(receipt.orElseThrow().to()).isEqualTo(Address.of("+15557654321"));
        assertThat(receipt.orElseThrow().status()).isEqualTo(DeliveryStatus.READ);
        assertThat(receipt.orElseThrow().errorCode()).isEmpty();
    }

    @ParameterizedTest
    @CsvSource({
        "accepted, QUEUED", "queued, QUEUED", "scheduled, QUEUED", "sending, SENDING", "sent, SENT",
        "delivered, DELIVERED", "undelivered, UNDELIVERED", "failed, FAILED", "read, READ", "canceled, CANCELED",
        "Delivered, DELIVERED"
    })
    void mapsEveryTwilioDeliveryStatus(String twilio, DeliveryStatus expected) {
        assertThat(TwilioWebhookParser.deliveryStatus(twilio)).contains(expected);
        assertThat(sms.status(params("MessageSid", SMS_SID, "MessageStatus", twilio, "To", "+15557654321"), NOW)
                        .map(DeliveryReceipt::status))
                .contains(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"received", "receiving", "partially_delivered", "brand_new"})
    void aStatusThatIsNotADeliveryStateIsEmpty(String twilio) {
        assertThat(sms.status(params("MessageSid", SMS_SID, "MessageStatus", twilio, "To", "+15557654321"), NOW))
                .isEmpty();
    }

    @Test
    void refusesAStatusCallbackWithoutStatusOrWithABadErrorCode() {
        assertThatThrownBy(() -> sms.status(params("MessageSid", SMS_SID, "To", "+15557654321"), NOW))
                .isInstanceOf(MalformedWebhookException.class)
                .hasMessage("MessageStatus is required");
        assertThatThrownBy(() -> sms.status(
                        params(
                                "MessageSid",
                                SMS_SID,
                                "MessageStatus",
                                "failed",
                                "To",
                                "+15557654321",
                                "ErrorCode",
                                "abc"),
                        NOW))
                .hasMessage("ErrorCode must be a number");
        assertThatThrownBy(() -> sms.status(params("MessageSid", "SM1", "MessageStatus", "sent", "To", "+1555"), NOW))
                .hasMessageStartingWith("MessageSid");
    }
}
