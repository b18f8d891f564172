package dev.switchboard.whatsapp.twilio;

import static dev.switchboard.twilio.TwilioTestData.AUTH_TOKEN;
import static dev.switchboard.twilio.TwilioTestData.MMS_SID;
import static dev.switchboard.twilio.TwilioTestData.OUR_NUMBER;
import static dev.switchboard.twilio.TwilioTestData.PERSON;
import static dev.switchboard.twilio.TwilioTestData.SMS_SID;
import static dev.switchboard.twilio.TwilioTestData.context;
import static dev.switchboard.twilio.TwilioTestData.form;
import static dev.switchboard.twilio.TwilioTestData.request;
import static dev.switchboard.twilio.TwilioTestData.signed;
import static dev.switchboard.whatsapp.twilio.Fixtures.OUR_WA;
import static dev.switchboard.whatsapp.twilio.Fixtures.PERSON_WA;
import static dev.switchboard.whatsapp.twilio.Fixtures.PUBLIC_URL;
import static dev.switchboard.whatsapp.twilio.Fixtures.T0;
import static dev.switchboard.whatsapp.twilio.Fixtures.env;
import static dev.switchboard.whatsapp.twilio.Fixtures.inboundWhatsApp;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.channel.Address;
import dev.switchboard.channel.Attachment;
import dev.switchboard.channel.DeliveryStatus;
import dev.switchboard.channel.InboundMessage;
import dev.switchboard.channel.OutboundMessage;
import dev.switchboard.channel.WebhookResult;
import dev.switchboard.channel.WebhookRoute;
import dev.switchboard.twilio.LogCapture;
import dev.switchboard.twilio.TwilioTestData;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class TwilioWhatsAppWebhookTest {

    private static TwilioWhatsAppChannel started() {
        TwilioWhatsAppChannel channel = TwilioWhatsAppChannel.fromEnv(env());
        channel.start(context(Clock.fixed(T0, ZoneOffset.UTC)));
        return channel;
    }

    private static WebhookRoute inboundRoute(TwilioWhatsAppChannel channel) {
        return channel.routes().get(0);
    }

    /** Posts {@code fields} to the channel's incoming route, signed for its public URL as Twilio would. */
    private static WebhookResult receive(TwilioWhatsAppChannel channel, String... fields) {
        return inboundRoute(channel)
                .handler()
                .handle(signed(AUTH_TOKEN, PUBLIC_URL, "/webhooks/twilio-whatsapp", "", fields));
    }

    @Test
    void aSignedWhatsAppMessageArrivesWithPlainE164AddressesAndTheProfile() {
        try (TwilioWhatsAppChannel channel = started()) {
            WebhookResult result = receive(channel, inboundWhatsApp(SMS_SID, "*hi* there"));

            assertThat(result).isInstanceOf(WebhookResult.Inbound.class);
            InboundMessage message = ((WebhookResult.Inbound) result).message();
            assertThat(message.id()).isEqualTo(SMS_SID);
            assertThat(message.channelId()).isEqualTo("whatsapp");
            assertThat(message.from()).isEqualTo(Address.of(PERSON));
            assertThat(message.to()).isEqualTo(Address.of(OUR_NUMBER));
            assertThat(message.text()).isEqualTo("*hi* there");
            assertThat(message.receivedAt()).isEqualTo(T0);
            assertThat(message.extras())
                    .containsEntry("ProfileName", "Ada Lovelace")
                    .containsEntry("WaId", "15557654321");
            assertThat(result.response().status()).isEqualTo(200);
            assertThat(new String(result.response().body(), StandardCharsets.UTF_8))
                    .endsWith("<Response/>");
        }
    }

    @Test
    void mediaArriveAsAttachmentsInOrder() {
        try (TwilioWhatsAppChannel channel = started()) {
            String media = "https://api.twilio.com/2010-04-01/Accounts/" + TwilioTestData.ACCOUNT_SID + "/Messages/"
                    + MMS_SID + "/Media/ME0123456789abcdef0123456789abcde";
            WebhookResult result = receive(
                    channel,
                    "MessageSid",
                    MMS_SID,
                    "From",
                    PERSON_WA,
                    "To",
                    OUR_WA,
                    "Body",
                    "",
                    "ProfileName",
                    "Ada",
                    "WaId",
                    "15557654321",
                    "NumMedia",
                    "2",
                    "MediaUrl0",
                    media + "1",
                    "MediaContentType0",
                    "image/jpeg",
                    "MediaUrl1",
                    media + "2",
                    "MediaContentType1",
                    "audio/ogg");

            InboundMessage message = ((WebhookResult.Inbound) result).message();
            assertThat(message.text()).isEmpty();
            assertThat(message.attachments())
                    .containsExactly(
                            new Attachment(URI.create(media + "1"), "image/jpeg", true),
                            new Attachment(URI.create(media + "2"), "audio/ogg", true));
        }
    }

    @Test
    void severalSendersAreOwnAndAcceptTheMediaTypesOfWhatsApp() {
        try (TwilioWhatsAppChannel channel = TwilioWhatsAppChannel.builder()
                .accountSid(TwilioTestData.ACCOUNT_SID)
                .authToken(TwilioTestData.AUTH_TOKEN)
                .insecureNoSignature(true)
                .whatsAppNumbers("whatsapp:+15551230001", "+15551230002")
                .build()) {
            assertThat(channel.selfAddresses())
                    .containsExactlyInAnyOrder(Address.of("+15551230001"), Address.of("+15551230002"));
            assertThat(channel.acceptsMediaType("audio/ogg")).isTrue();
            assertThat(channel.acceptsMediaType("image/gif")).isFalse();
        }
    }

    @Test
    void routesReadTheirWhatsAppVariables() {
        assertThatThrownBy(() -> TwilioWhatsAppChannel.fromEnv(Map.of(
                        "TWILIO_ACCOUNT_SID", TwilioTestData.ACCOUNT_SID,
                        "TWILIO_AUTH_TOKEN", TwilioTestData.AUTH_TOKEN,
                        "TWILIO_WHATSAPP_NUMBER", "whatsapp:+15551230001",
                        "WHATSAPP_INSECURE_NO_SIGNATURE", "true",
                        "WHATSAPP_ROUTE_TO", "whatsapp:+15551230009")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(
                        "WHATSAPP_ROUTE_TO names +1555***0009, which is not one of TWILIO_WHATSAPP_NUMBER");
    }

    @Test
    void buttonRepliesAndLocationsArePassedThroughAsExtras() {
        try (TwilioWhatsAppChannel channel = started()) {
            WebhookResult button = receive(
                    channel,
                    inboundWhatsApp(
                            SMS_SID,
                            "Yes please",
                            "ButtonText",
                            "Yes please",
                            "ButtonPayload",
                            "confirm-42",
                            "OriginalRepliedMessageSid",
                            "SMbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"));
            WebhookResult location = receive(
                    channel,
                    inboundWhatsApp(
                            MMS_SID,
                            "",
                            "Latitude",
                            "51.5074",
                            "Longitude",
                            "-0.1278",
                            "Address",
                            "Trafalgar Square",
                            "Label",
                            "Meet here"));

            assertThat(((WebhookResult.Inbound) button).message().extras())
                    .containsEntry("ButtonText", "Yes please")
                    .containsEntry("ButtonPayload", "confirm-42")
                    .containsEntry("OriginalRepliedMessageSid", "SMbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb");
            assertThat(((WebhookResult.Inbound) location).message().extras())
                    .containsEntry("Latitude", "51.5074")
                    .containsEntry("Longitude", "-0.1278")
                    .containsEntry("Address", "Trafalgar Square")
                    .containsEntry("Label", "Meet here")
                    .doesNotContainKey("ButtonPayload");
        }
    }

    @Test
    void forgedUnsignedAndLocallySignedRequestsAre403AndOpenNoWindow() {
        try (TwilioWhatsAppChannel channel = started()) {
            WebhookRoute route = inboundRoute(channel);
            String[] fields = inboundWhatsApp(SMS_SID, "hi");

            WebhookResult forged =
                    route.handler().handle(signed("guessed-token", PUBLIC_URL, route.path(), "", fields));
            WebhookResult local = route.handler()
                    .handle(signed(
                            AUTH_TOKEN, "http://127.0.0.1:8080/webhooks/twilio-whatsapp", route.path(), "", fields));
            WebhookResult smsUrl = route.handler()
                    .handle(signed(AUTH_TOKEN, "https://bot.example.com/webhooks/twilio", route.path(), "", fields));
            WebhookResult unsigned = route.handler().handle(request(route.path(), "", null, form(fields)));

            assertThat(forged.response().status()).isEqualTo(403);
            assertThat(local.response().status()).isEqualTo(403);
            assertThat(smsUrl.response().status()).isEqualTo(403);
            assertThat(unsigned.response().status()).isEqualTo(403);
            assertThat(channel.isWindowOpen(Address.of(PERSON))).isFalse();
        }
    }

    @Test
    void anSmsSenderPointedAtTheWhatsAppWebhookIsRefused() {
        try (TwilioWhatsAppChannel channel = started()) {
            WebhookResult result =
                    receive(channel, "MessageSid", SMS_SID, "From", PERSON, "To", OUR_NUMBER, "Body", "hi");

            assertThat(result.response().status()).isEqualTo(400);
            assertThat(new String(result.response().body(), StandardCharsets.UTF_8))
                    .contains("must start with whatsapp:")
                    .doesNotContain(PERSON);
            assertThat(channel.isWindowOpen(Address.of(PERSON))).isFalse();
        }
    }

    /** A store that keeps what it is told and counts every call, from any thread. */
    private static final class CountingStore implements ConversationWindowStore {

        final ConversationWindowStore kept = ConversationWindowStore.inMemory(Duration.ofHours(24));
        final AtomicInteger calls = new AtomicInteger();

        @Override
        public Optional<Instant> lastInbound(Address person) {
            calls.incrementAndGet();
            return kept.lastInbound(person);
        }

        @Override
        public void recordInbound(Address person, Instant at) {
            calls.incrementAndGet();
            kept.recordInbound(person, at);
        }
    }

    private static InboundMessage message(WebhookResult result) {
        assertThat(result).isInstanceOf(WebhookResult.Inbound.class);
        return ((WebhookResult.Inbound) result).message();
    }

    @Test
    void theWebhookHandlerNeverCallsTheWindowStore() {
        CountingStore store = new CountingStore();
        try (TwilioWhatsAppChannel channel =
                TwilioWhatsAppChannel.builderFromEnv(env()).windowStore(store).build()) {
            channel.start(context(Clock.fixed(T0, ZoneOffset.UTC)));
            WebhookRoute route = inboundRoute(channel);

            WebhookResult authentic = receive(channel, inboundWhatsApp(SMS_SID, "hi"));
            WebhookResult again = receive(channel, inboundWhatsApp(SMS_SID, "hi"));
            WebhookResult forged = route.handler()
                    .handle(signed("guessed-token", PUBLIC_URL, route.path(), "", inboundWhatsApp(MMS_SID, "hi")));
            WebhookResult unreadable = receive(channel, "MessageSid", MMS_SID, "From", PERSON_WA);

            assertThat(authentic).isInstanceOf(WebhookResult.Inbound.class);
            assertThat(again).isInstanceOf(WebhookResult.Inbound.class);
            assertThat(forged.response().status()).isEqualTo(403);
            assertThat(unreadable.response().status()).isEqualTo(400);
            assertThat(store.calls).hasValue(0);
        }
    }

    @Test
    void anAcceptedMessageOpensTheSendersWindowFromItsArrival() {
        Fixtures.StepClock clock = new Fixtures.StepClock(T0);
        CountingStore store = new CountingStore();
        try (TwilioWhatsAppChannel channel =
                TwilioWhatsAppChannel.builderFromEnv(env()).windowStore(store).build()) {
            channel.start(context(clock));
            InboundMessage hi = message(receive(channel, inboundWhatsApp(SMS_SID, "hi")));
            assertThat(channel.isWindowOpen(Address.of(PERSON))).isFalse();

            // The host accepts the message a little after it arrived: the window counts from arrival.
            clock.advance(Duration.ofMinutes(5));
            channel.accepted(hi);

            assertThat(store.kept.lastInbound(Address.of(PERSON))).contains(T0);
            assertThat(channel.isWindowOpen(Address.of(PERSON))).isTrue();
            assertThat(channel.isWindowOpen(Address.of("+15550009999"))).isFalse();
            clock.advance(Duration.ofHours(24).minusMinutes(5));
            assertThat(channel.isWindowOpen(Address.of(PERSON))).isFalse();
        }
    }

    @Test
    void aMessageHandledButNeverAcceptedLeavesTheWindowAsItWas() {
        Fixtures.StepClock clock = new Fixtures.StepClock(T0);
        CountingStore store = new CountingStore();
        try (TwilioWhatsAppChannel channel =
                TwilioWhatsAppChannel.builderFromEnv(env()).windowStore(store).build()) {
            channel.start(context(clock));
            channel.accepted(message(receive(channel, inboundWhatsApp(SMS_SID, "hi"))));

            // Late in the window, Twilio repeats the message and the person writes once more; the host
            // drops the repeat as a duplicate and answers the new one 429 (over the inbound limit).
            clock.advance(Duration.ofHours(23));
            message(receive(channel, inboundWhatsApp(SMS_SID, "hi")));
            message(receive(channel, inboundWhatsApp(MMS_SID, "and again")));
            clock.advance(Duration.ofHours(1));

            assertThat(store.kept.lastInbound(Address.of(PERSON))).contains(T0);
            assertThat(channel.isWindowOpen(Address.of(PERSON))).isFalse();
            assertThatThrownBy(() -> channel.send(OutboundMessage.text(Address.of(PERSON), "too late")))
                    .hasMessageContaining("last inbound: " + T0);
        }
    }

    @Test
    void aFailingStoreDoesNotCostTheMessage() {
        AtomicInteger attempts = new AtomicInteger();
        ConversationWindowStore broken = new ConversationWindowStore() {
            @Override
            public Optional<Instant> lastInbound(Address person) {
                return Optional.empty();
            }

            @Override
            public void recordInbound(Address person, Instant at) {
                attempts.incrementAndGet();
                throw new IllegalStateException("database down");
            }
        };
        String logs;
        try (LogCapture log = LogCapture.start();
                TwilioWhatsAppChannel channel = TwilioWhatsAppChannel.builderFromEnv(env())
                        .windowStore(broken)
                        .build()) {
            WebhookResult result = receive(channel, inboundWhatsApp(SMS_SID, "hi"));

            channel.accepted(message(result));
            logs = log.text();
        }
        assertThat(attempts).hasValue(1);
        assertThat(logs)
                .contains("WARN")
                .contains("could not record the window with +1555***4321")
                .doesNotContain(PERSON);
    }

    @Test
    void aStatusCallbackCarriesTwilioErrorCodeAndMapsToTheWindowError() {
        try (TwilioWhatsAppChannel channel = started()) {
            WebhookRoute status = channel.routes().get(1);
            String[] callback = {
                "MessageSid",
                SMS_SID,
                "MessageStatus",
                "failed",
                "ErrorCode",
                "63016",
                "To",
                PERSON_WA,
                "From",
                OUR_WA,
                "ApiVersion",
                "2010-04-01"
            };

            WebhookResult result =
                    status.handler().handle(signed(AUTH_TOKEN, PUBLIC_URL + "/status", status.path(), "", callback));
            WebhookResult signedForInbound =
                    status.handler().handle(signed(AUTH_TOKEN, PUBLIC_URL, status.path(), "", callback));

            assertThat(result).isInstanceOf(WebhookResult.Receipt.class);
            var receipt = ((WebhookResult.Receipt) result).receipt();
            assertThat(receipt.status()).isEqualTo(DeliveryStatus.FAILED);
            assertThat(receipt.to()).isEqualTo(Address.of(PERSON));
            assertThat(receipt.errorCode()).contains("63016");
            assertThat(channel.windowClosedFailure(receipt)).hasValueSatisfying(failure -> {
                assertThat(failure.providerCode()).contains("63016");
                assertThat(failure.getMessage())
                        .startsWith("WhatsApp's 24-hour window with +1555***4321 is closed (last inbound: none on"
                                + " record)")
                        .doesNotContain(PERSON);
            });
            assertThat(signedForInbound.response().status()).isEqualTo(403);
        }
    }

    @Test
    void receiptsWithOtherOutcomesAreNotWindowFailures() {
        try (TwilioWhatsAppChannel channel = started()) {
            WebhookRoute status = channel.routes().get(1);
            var delivered = ((WebhookResult.Receipt) status.handler()
                            .handle(signed(
                                    AUTH_TOKEN,
                                    PUBLIC_URL + "/status",
                                    status.path(),
                                    "",
                                    "MessageSid",
                                    SMS_SID,
                                    "MessageStatus",
                                    "read",
                                    "To",
                                    PERSON_WA)))
                    .receipt();
            var unreachable = ((WebhookResult.Receipt) status.handler()
                            .handle(signed(
                                    AUTH_TOKEN,
                                    PUBLIC_URL + "/status",
                                    status.path(),
                                    "",
                                    "MessageSid",
                                    SMS_SID,
                                    "MessageStatus",
                                    "undelivered",
                                    "ErrorCode",
                                    "63003",
                                    "To",
                                    PERSON_WA)))
                    .receipt();

            assertThat(delivered.status()).isEqualTo(DeliveryStatus.READ);
            assertThat(channel.windowClosedFailure(delivered)).isEmpty();
            assertThat(channel.windowClosedFailure(unreachable)).isEmpty();
        }
    }

    @Test
    void insecureModeAcceptsUnsignedRequestsAndWarnsAtStart() {
        String logs;
        try (LogCapture log = LogCapture.start();
                TwilioWhatsAppChannel channel = TwilioWhatsAppChannel.fromEnv(
                        env("WHATSAPP_WEBHOOK_URL", null, "WHATSAPP_INSECURE_NO_SIGNATURE", "true"))) {
            channel.start(context(Clock.systemUTC()));
            WebhookResult result = inboundRoute(channel)
                    .handler()
                    .handle(request("/webhooks/twilio-whatsapp", "", null, form(inboundWhatsApp(SMS_SID, "x"))));
            logs = log.text();

            assertThat(result).isInstanceOf(WebhookResult.Inbound.class);
        }
        assertThat(logs).contains("WARN").contains("WHATSAPP_INSECURE_NO_SIGNATURE=true");
    }

    @Test
    void logsWhereItListensFromWhichSenderAndHowItTreatsTheWindowWithoutRawNumbers() {
        String logs;
        try (LogCapture log = LogCapture.start();
                TwilioWhatsAppChannel channel = TwilioWhatsAppChannel.fromEnv(env("WHATSAPP_ALLOWED_USERS", PERSON))) {
            channel.start(context(Clock.systemUTC()));
            receive(channel, inboundWhatsApp(SMS_SID, "secret words"));
            logs = log.text();
        }
        assertThat(logs)
                .contains("[whatsapp] Twilio WhatsApp webhook on 127.0.0.1:8080/webhooks/twilio-whatsapp, from:"
                        + " whatsapp:+1555***4567\n")
                .contains("the PT24H window is kept in memory (after a restart it counts as closed until each person"
                        + " writes again); outside it: a message's own template, or an immediate failure")
                .doesNotContain(OUR_NUMBER)
                .doesNotContain(PERSON)
                .doesNotContain("15557654321")
                .doesNotContain("secret words")
                .doesNotContain(AUTH_TOKEN)
                .doesNotContain("WARN");
    }

    @Test
    void namesThePathWhenTheApplicationsServerBringsTheWebhooks() {
        String logs;
        try (LogCapture log = LogCapture.start();
                TwilioWhatsAppChannel channel = TwilioWhatsAppChannel.fromEnv(env("WHATSAPP_ALLOWED_USERS", PERSON))) {
            channel.start(TwilioTestData.contextWithoutListener(Clock.systemUTC()));
            logs = log.text();
        }
        assertThat(logs)
                .contains("[whatsapp] Twilio WhatsApp webhook on /webhooks/twilio-whatsapp of the application's HTTP"
                        + " server, from: whatsapp:+1555***4567\n");
    }

    @Test
    void warnsWhenNobodyMayTalkToTheAgent() {
        String logs;
        try (LogCapture log = LogCapture.start();
                TwilioWhatsAppChannel channel = TwilioWhatsAppChannel.fromEnv(env())) {
            channel.start(context(Clock.systemUTC()));
            logs = log.text();
        }
        assertThat(logs)
                .contains("WARN")
                .contains("neither WHATSAPP_ALLOWED_USERS nor WHATSAPP_ALLOW_ALL_USERS is set");
    }

    @Test
    void startsOnceAndNotAfterClose() {
        TwilioWhatsAppChannel channel = TwilioWhatsAppChannel.fromEnv(env());
        channel.start(context(Clock.systemUTC()));

        assertThatThrownBy(() -> channel.start(context(Clock.systemUTC())))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("the whatsapp channel is already started");
        channel.close();
        channel.close();
        assertThatThrownBy(() -> channel.start(context(Clock.systemUTC())))
                .hasMessage("the whatsapp channel is closed");
        assertThatThrownBy(() -> channel.send(OutboundMessage.text(Address.of(PERSON), "hi")))
                .isInstanceOf(IllegalStateException.class);
    }
}
