package dev.switchboard.twilio.internal;

import static dev.switchboard.twilio.FakeTwilioApi.Answer.json;
import static dev.switchboard.twilio.FakeTwilioApi.Answer.twilioError;
import static dev.switchboard.twilio.FakeTwilioApi.listedMessage;
import static dev.switchboard.twilio.FakeTwilioApi.messagePage;
import static dev.switchboard.twilio.TwilioTestData.ACCOUNT_SID;
import static dev.switchboard.twilio.TwilioTestData.CREDENTIALS;
import static dev.switchboard.twilio.TwilioTestData.OUR_NUMBER;
import static dev.switchboard.twilio.TwilioTestData.PERSON;
import static dev.switchboard.twilio.TwilioTestData.SERVICE_SID;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.switchboard.channel.Address;
import dev.switchboard.channel.DeliveryReceipt;
import dev.switchboard.channel.DeliveryStatus;
import dev.switchboard.channel.OutboundMessage;
import dev.switchboard.channel.PermanentChannelException;
import dev.switchboard.channel.PermanentChannelException.Reason;
import dev.switchboard.channel.RetriableChannelException;
import dev.switchboard.channel.SendReceipt;
import dev.switchboard.channel.Template;
import dev.switchboard.twilio.FakeTwilioApi;
import dev.switchboard.twilio.LogCapture;
import dev.switchboard.twilio.TwilioTestData;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * What the sender does for a caller that must not send twice: looking up a send whose answer was
 * lost, telling opted-out recipients and configuration errors apart, and reading failed delivery
 * reports.
 */
class TwilioSenderReconcileTest {

    private static final Address TO = Address.of(PERSON);
    private static final String MESSAGES_PATH = "/2010-04-01/Accounts/" + ACCOUNT_SID + "/Messages.json";
    private static final Instant FIRST_ATTEMPT = Instant.parse("2026-11-21T10:00:10Z");
    private static final String SM_A = "SM000000000000000000000000000000a1";
    private static final String SM_B = "SM000000000000000000000000000000b2";
    private static final String SM_C = "SM000000000000000000000000000000c3";
    private static final String SM_D = "SM000000000000000000000000000000d4";
    private static final String SM_E = "SM000000000000000000000000000000e5";
    private static final String SM_F = "SM000000000000000000000000000000f6";
    private static final String SM_G = "SM00000000000000000000000000000007";
    private static final String SM_H = "SM00000000000000000000000000000008";
    private static final String SM_I = "SM00000000000000000000000000000009";

    private FakeTwilioApi api;
    private TwilioSender sender;

    @BeforeEach
    void start() throws IOException {
        api = FakeTwilioApi.start();
        sender = TwilioSender.builder(CREDENTIALS)
                .channelId("sms")
                .from(Address.of(OUR_NUMBER))
                .apiBaseUrl(api.baseUrl())
                .build();
    }

    @AfterEach
    void stop() {
        sender.close();
        api.close();
    }

    private static String at(String time) {
        return "Sat, 21 Nov 2026 " + time + " +0000";
    }

    private static Map<String, String> query(String rawQuery) {
        return java.util.Arrays.stream(rawQuery.split("&"))
                .map(pair -> pair.split("=", 2))
                .collect(java.util.stream.Collectors.toMap(
                        p -> URLDecoder.decode(p[0], StandardCharsets.UTF_8),
                        p -> URLDecoder.decode(p[1], StandardCharsets.UTF_8)));
    }

    @Test
    void findsTheEarlierSendByRecipientSenderTimeAndBodyOldestFirst() {
        api.answer(json(
                200,
                messagePage(
                        listedMessage(
                                SM_A, "outbound-api", PERSON, OUR_NUMBER, null, "hello", 0, at("10:00:12"), "sent"),
                        listedMessage(
                                SM_B, "outbound-api", PERSON, OUR_NUMBER, null, "other", 0, at("10:00:12"), "sent"),
                        listedMessage(
                                SM_C,
                                "outbound-api",
                                PERSON,
                                OUR_NUMBER,
                                null,
                                "hello",
                                0,
                                at("09:59:00"),
                                "delivered"),
                        listedMessage(
                                SM_D, "inbound", OUR_NUMBER, PERSON, null, "hello", 0, at("10:00:11"), "received"),
                        listedMessage(
                                SM_E,
                                "outbound-api",
                                PERSON,
                                OUR_NUMBER,
                                null,
                                "hello",
                                0,
                                at("09:59:45"),
                                "queued"))));

        List<SendReceipt> found = sender.findSent(OutboundMessage.text(TO, "hello"), FIRST_ATTEMPT);

        // E is dated before the first attempt, within the allowance for Twilio's clock; C is too old.
        assertThat(found)
                .containsExactly(
                        new SendReceipt(SM_E, DeliveryStatus.QUEUED), new SendReceipt(SM_A, DeliveryStatus.SENT));
        FakeTwilioApi.Recorded request = api.only();
        assertThat(request.method()).isEqualTo("GET");
        assertThat(request.path()).isEqualTo(MESSAGES_PATH);
        assertThat(query(request.rawQuery()))
                .containsEntry("To", PERSON)
                .containsEntry("From", OUR_NUMBER)
                .containsEntry("PageSize", "50")
                .doesNotContainKeys("DateSent", "DateSent>", "DateSent<");
    }

    @Test
    void logsEachListedMessageItSetsAsideBySidAndReasonWithoutBodiesOrRawNumbers() {
        String text = "meet at noon";
        String other = "+15550002222";
        String stranger = "+15550003333";
        api.answer(json(
                200,
                messagePage(
                        listedMessage(SM_A, "outbound-api", PERSON, OUR_NUMBER, null, text, 0, at("10:00:12"), "sent"),
                        listedMessage(
                                SM_B,
                                "outbound-api",
                                PERSON,
                                OUR_NUMBER,
                                null,
                                text + ", bring cake",
                                0,
                                at("10:00:12"),
                                "sent"),
                        listedMessage(SM_C, "outbound-api", PERSON, OUR_NUMBER, null, text, 0, at("09:59:00"), "sent"),
                        listedMessage(SM_D, "inbound", OUR_NUMBER, PERSON, null, text, 0, at("10:00:11"), "received"),
                        listedMessage(
                                SM_E, "outbound-api", PERSON, OUR_NUMBER, null, text, 0, "yesterday at noon", "sent"),
                        listedMessage(SM_F, "outbound-api", other, OUR_NUMBER, null, text, 0, at("10:00:12"), "sent"),
                        listedMessage(SM_G, "outbound-api", PERSON, stranger, null, text, 0, at("10:00:12"), "sent"),
                        listedMessage(SM_H, "outbound-api", PERSON, OUR_NUMBER, null, text, 1, at("10:00:12"), "sent"),
                        listedMessage(
                                SM_I,
                                "outbound-api",
                                "whatsapp:" + PERSON,
                                OUR_NUMBER,
                                null,
                                text,
                                0,
                                at("10:00:12"),
                                "sent"),
                        listedMessage(
                                "XX" + PERSON,
                                "outbound-api",
                                PERSON,
                                OUR_NUMBER,
                                null,
                                text,
                                0,
                                at("10:00:12"),
                                "sent"))));

        List<SendReceipt> found;
        String logs;
        try (LogCapture log = LogCapture.start()) {
            found = sender.findSent(OutboundMessage.text(TO, text), FIRST_ATTEMPT);
            logs = log.text();
        }

        assertThat(found).containsExactly(new SendReceipt(SM_A, DeliveryStatus.SENT));
        String setAside = "[sms] look-up of a send to +1555***4321: set aside ";
        assertThat(logs)
                .contains(setAside + SM_B + ": its body differs (24 characters, where 12 were sent)")
                .contains(setAside + SM_C + ": it was created at 2026-11-21T09:59:00Z, before 2026-11-21T09:59:40Z"
                        + " (the first attempt, less the allowance for Twilio's clock)")
                .contains(setAside + SM_D + ": it is an incoming message")
                .contains(setAside + SM_E + ": its creation date is missing or did not parse")
                .contains(setAside + SM_F + ": it went to another recipient, +1555***2222")
                .contains(setAside + SM_G + ": it was sent from another number, +1555***3333")
                .contains(setAside + SM_H + ": it has 1 media, where 0 were sent")
                .contains(setAside + SM_I + ": its recipient is missing or not written as on this channel")
                .contains(setAside + "a message without a valid sid: its sid is not a message sid")
                .contains("[sms] 1 of 10 message(s) listed to +1555***4321 match an earlier send")
                .doesNotContain(setAside + SM_A)
                .doesNotContain(PERSON)
                .doesNotContain(OUR_NUMBER)
                .doesNotContain(other)
                .doesNotContain(stranger)
                .doesNotContain("noon")
                .doesNotContain("cake");
    }

    @Test
    void findsNothingWhenTwilioHasNoSuchMessage() {
        api.answer(json(200, messagePage()));

        assertThat(sender.findSent(OutboundMessage.text(TO, "hello"), FIRST_ATTEMPT))
                .isEmpty();
        assertThat(api.requests()).hasSize(1);
    }

    @Test
    void throughAMessagingServiceMatchesTheServiceInsteadOfTheNumber() {
        try (TwilioSender viaService = TwilioSender.builder(CREDENTIALS)
                .messagingServiceSid(SERVICE_SID)
                .addressFormat(TwilioAddressFormat.WHATSAPP)
                .apiBaseUrl(api.baseUrl())
                .build()) {
            api.answer(json(
                    200,
                    messagePage(
                            listedMessage(
                                    SM_A,
                                    "outbound-api",
                                    "whatsapp:" + PERSON,
                                    "whatsapp:+15550009999",
                                    SERVICE_SID,
                                    "hello",
                                    0,
                                    at("10:00:12"),
                                    "sent"),
                            listedMessage(
                                    SM_B,
                                    "outbound-api",
                                    "whatsapp:" + PERSON,
                                    "whatsapp:+15550009999",
                                    "MGffffffffffffffffffffffffffffffff",
                                    "hello",
                                    0,
                                    at("10:00:12"),
                                    "sent"),
                            listedMessage(
                                    SM_C,
                                    "outbound-api",
                                    "whatsapp:" + PERSON,
                                    "whatsapp:+15550009999",
                                    null,
                                    "hello",
                                    0,
                                    at("10:00:12"),
                                    "sent"))));

            List<SendReceipt> found;
            String logs;
            try (LogCapture log = LogCapture.start()) {
                found = viaService.findSent(OutboundMessage.text(TO, "hello"), FIRST_ATTEMPT);
                logs = log.text();
            }

            assertThat(found).extracting(SendReceipt::messageId).containsExactly(SM_A);
            assertThat(logs)
                    .contains("set aside " + SM_B
                            + ": it was sent through another Messaging Service, MGffffffffffffffffffffffffffffffff")
                    .contains("set aside " + SM_C + ": it was not sent through a Messaging Service")
                    .doesNotContain(PERSON);
            assertThat(query(api.only().rawQuery()))
                    .containsEntry("To", "whatsapp:" + PERSON)
                    .doesNotContainKey("From");
        }
    }

    @Test
    void aTemplateCannotBeLookedUpAndNothingIsAsked() {
        OutboundMessage template = new OutboundMessage(
                TO, "", List.of(), Optional.of(new Template(TwilioTestData.CONTENT_SID, Map.of("1", "x"))));

        assertThatThrownBy(() -> sender.findSent(template, FIRST_ATTEMPT))
                .isInstanceOf(UnsupportedOperationException.class);
        assertThat(api.requests()).isEmpty();
    }

    @Test
    void aLookupThatFailsIsRetriableAndSaysNothingWasSent() {
        api.answer(json(503, "{}"), twilioError(401, 20003));

        RetriableChannelException unavailable = catchThrowableOfType(
                RetriableChannelException.class, () -> sender.findSent(OutboundMessage.text(TO, "x"), FIRST_ATTEMPT));
        PermanentChannelException refused = catchThrowableOfType(
                PermanentChannelException.class, () -> sender.findSent(OutboundMessage.text(TO, "x"), FIRST_ATTEMPT));

        assertThat(unavailable.mayHaveBeenProcessed()).isFalse();
        assertThat(unavailable).hasMessageContaining("HTTP 503").hasMessageContaining("still unknown");
        assertThat(refused.providerCode()).contains("20003");
        assertThat(refused.reason()).isEqualTo(Reason.CONFIGURATION);
        assertThat(refused).hasMessageContaining("TWILIO_AUTH_TOKEN").hasMessageNotContaining(PERSON);
    }

    @ParameterizedTest
    @CsvSource({
        "21610, RECIPIENT_OPTED_OUT",
        "20003, CONFIGURATION",
        "21606, CONFIGURATION",
        "21211, OTHER",
        "21614, OTHER"
    })
    void refusalsSayWhetherTheRecipientOptedOutOrTheConfigurationIsWrong(int code, Reason reason) {
        api.answer(twilioError(code == 20003 ? 401 : 400, code));

        PermanentChannelException refused =
                catchThrowableOfType(PermanentChannelException.class, () -> sender.send(OutboundMessage.text(TO, "x")));

        assertThat(refused.providerCode()).contains(Integer.toString(code));
        assertThat(refused.reason()).isEqualTo(reason);
    }

    private static DeliveryReceipt report(DeliveryStatus status, String code) {
        return new DeliveryReceipt(SM_A, "sms", TO, status, Optional.ofNullable(code), FIRST_ATTEMPT);
    }

    @Test
    void readsAFailedDeliveryReportLikeARefusal() {
        PermanentChannelException unreachable = sender.deliveryFailure(report(DeliveryStatus.UNDELIVERED, "30003"))
                .orElseThrow();
        PermanentChannelException optedOut =
                sender.deliveryFailure(report(DeliveryStatus.FAILED, "21610")).orElseThrow();
        PermanentChannelException unregistered =
                sender.deliveryFailure(report(DeliveryStatus.FAILED, "30034")).orElseThrow();
        PermanentChannelException unknown = sender.deliveryFailure(report(DeliveryStatus.UNDELIVERED, "39999"))
                .orElseThrow();
        PermanentChannelException bare =
                sender.deliveryFailure(report(DeliveryStatus.FAILED, null)).orElseThrow();

        assertThat(unreachable.providerCode()).contains("30003");
        assertThat(unreachable)
                .hasMessageStartingWith("Twilio error 30003: the handset of +1555***4321 is unreachable")
                .hasMessageNotContaining(PERSON);
        assertThat(unreachable.reason()).isEqualTo(Reason.OTHER);
        assertThat(optedOut.reason()).isEqualTo(Reason.RECIPIENT_OPTED_OUT);
        assertThat(unregistered.reason()).isEqualTo(Reason.CONFIGURATION);
        assertThat(unknown)
                .hasMessage("Twilio reported the message to +1555***4321 undelivered with error 39999;"
                        + " look the code up in Twilio's error dictionary");
        assertThat(bare).hasMessage("Twilio reported the message to +1555***4321 failed without an error code");
        assertThat(bare.providerCode()).isEmpty();
    }

    @Test
    void aReportOfSuccessIsNoFailure() {
        assertThat(sender.deliveryFailure(report(DeliveryStatus.DELIVERED, null)))
                .isEmpty();
        assertThat(sender.deliveryFailure(report(DeliveryStatus.SENT, null))).isEmpty();
    }
}
