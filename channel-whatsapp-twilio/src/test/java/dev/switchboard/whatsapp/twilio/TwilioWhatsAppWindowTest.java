package dev.switchboard.whatsapp.twilio;

import static dev.switchboard.twilio.FakeTwilioApi.Answer.twilioError;
import static dev.switchboard.twilio.TwilioTestData.ACCOUNT_SID;
import static dev.switchboard.twilio.TwilioTestData.AUTH_TOKEN;
import static dev.switchboard.twilio.TwilioTestData.CONTENT_SID;
import static dev.switchboard.twilio.TwilioTestData.PERSON;
import static dev.switchboard.twilio.TwilioTestData.SERVICE_SID;
import static dev.switchboard.twilio.TwilioTestData.SMS_SID;
import static dev.switchboard.twilio.TwilioTestData.context;
import static dev.switchboard.twilio.TwilioTestData.signed;
import static dev.switchboard.whatsapp.twilio.Fixtures.OUR_WA;
import static dev.switchboard.whatsapp.twilio.Fixtures.PERSON_WA;
import static dev.switchboard.whatsapp.twilio.Fixtures.PUBLIC_URL;
import static dev.switchboard.whatsapp.twilio.Fixtures.T0;
import static dev.switchboard.whatsapp.twilio.Fixtures.env;
import static dev.switchboard.whatsapp.twilio.Fixtures.inboundWhatsApp;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.switchboard.channel.Address;
import dev.switchboard.channel.ChannelContext;
import dev.switchboard.channel.ChannelState;
import dev.switchboard.channel.ConversationKey;
import dev.switchboard.channel.DeliveryReceipt;
import dev.switchboard.channel.DeliveryStatus;
import dev.switchboard.channel.OutboundMessage;
import dev.switchboard.channel.PermanentChannelException;
import dev.switchboard.channel.RetriableChannelException;
import dev.switchboard.channel.SendReceipt;
import dev.switchboard.channel.Template;
import dev.switchboard.channel.WebhookResult;
import dev.switchboard.twilio.FakeTwilioApi;
import dev.switchboard.twilio.LogCapture;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TwilioWhatsAppWindowTest {

    private static final Address TO = Address.of(PERSON);
    private static final String MESSAGES_PATH = "/2010-04-01/Accounts/" + ACCOUNT_SID + "/Messages.json";

    private final Fixtures.StepClock clock = new Fixtures.StepClock(T0);
    private final List<TwilioWhatsAppChannel> channels = new ArrayList<>();
    private FakeTwilioApi twilio;

    @BeforeEach
    void startTwilio() throws IOException {
        twilio = FakeTwilioApi.start();
    }

    @AfterEach
    void stop() {
        channels.forEach(TwilioWhatsAppChannel::close);
        twilio.close();
    }

    private TwilioWhatsAppChannel channel(TwilioWhatsAppChannel.Builder builder) {
        TwilioWhatsAppChannel channel = builder.build();
        channels.add(channel);
        channel.start(context(clock));
        return channel;
    }

    private TwilioWhatsAppChannel channel(String... env) {
        List<String> pairs = new ArrayList<>(List.of("TWILIO_API_BASE_URL", twilio.baseUrl()));
        pairs.addAll(List.of(env));
        return channel(TwilioWhatsAppChannel.builderFromEnv(env(pairs.toArray(String[]::new))));
    }

    private TwilioWhatsAppChannel.Builder builder() {
        return TwilioWhatsAppChannel.builderFromEnv(env("TWILIO_API_BASE_URL", twilio.baseUrl()));
    }

    /**
     * The person writes to the channel, through its signed webhook, at the clock's time, and the
     * host accepts the message, as it does before the message's turn.
     */
    private static void personWrites(TwilioWhatsAppChannel channel) {
        WebhookResult result = channel.routes()
                .get(0)
                .handler()
                .handle(signed(
                        AUTH_TOKEN, PUBLIC_URL, "/webhooks/twilio-whatsapp", "", inboundWhatsApp(SMS_SID, "hi")));
        assertThat(result).isInstanceOf(WebhookResult.Inbound.class);
        channel.accepted(((WebhookResult.Inbound) result).message());
    }

    @Test
    void insideTheWindowFreeTextGoesOutWithWhatsAppAddresses() {
        TwilioWhatsAppChannel channel = channel();
        personWrites(channel);
        clock.advance(Duration.ofHours(23).plusMinutes(59));

        SendReceipt receipt = channel.send(OutboundMessage.text(TO, "*bold* and _italic_ and ~gone~ and ```code```"));

        assertThat(receipt).isEqualTo(new SendReceipt(FakeTwilioApi.CREATED_SID, DeliveryStatus.QUEUED));
        FakeTwilioApi.Recorded request = twilio.only();
        assertThat(request.path()).isEqualTo(MESSAGES_PATH);
        assertThat(request.form().asMap())
                .containsOnly(
                        Map.entry("To", List.of(PERSON_WA)),
                        Map.entry("From", List.of(OUR_WA)),
                        Map.entry("Body", List.of("*bold* and _italic_ and ~gone~ and ```code```")),
                        Map.entry("StatusCallback", List.of(PUBLIC_URL + "/status")));
    }

    @Test
    void insideTheWindowMediaGoWithTheTextAndATemplateOnTheMessageIsNotUsed() {
        TwilioWhatsAppChannel channel = channel();
        personWrites(channel);
        URI picture = URI.create("https://cdn.example.com/chart.png");

        channel.send(OutboundMessage.text(TO, "your chart")
                .withMedia(List.of(picture))
                .withTemplate(new Template(CONTENT_SID, Map.of("1", "x"))));

        FakeTwilioApi.Recorded request = twilio.only();
        assertThat(request.field("Body")).isEqualTo("your chart");
        assertThat(request.form().all("MediaUrl")).containsExactly(picture.toString());
        assertThat(request.field("ContentSid")).isNull();
    }

    @Test
    void afterTwentyFourHoursWithoutATemplateTheSendFailsAtOnceAndNothingReachesTwilio() {
        TwilioWhatsAppChannel channel = channel();
        personWrites(channel);
        clock.advance(Duration.ofHours(24));

        PermanentChannelException failure = catchThrowableOfType(
                PermanentChannelException.class, () -> channel.send(OutboundMessage.text(TO, "the daily report")));

        assertThat(failure.providerCode()).contains("63016");
        assertThat(failure)
                .hasMessage("WhatsApp's 24-hour window with +1555***4321 is closed (last inbound:"
                        + " 2026-11-21T10:00:00Z): free text would fail with Twilio error 63016. Send a Content API"
                        + " template (OutboundMessage.withTemplate) or configure a default template"
                        + " (TwilioWhatsAppChannel.Builder#proactiveTemplate, WHATSAPP_HOME_TEMPLATE_SID in the sample"
                        + " gateway)");
        assertThat(twilio.requests()).isEmpty();
        assertThat(channel.isWindowOpen(TO)).isFalse();
    }

    @Test
    void toSomeoneWhoNeverWroteTheSendFailsAtOnce() {
        TwilioWhatsAppChannel channel = channel();

        assertThatThrownBy(() -> channel.send(OutboundMessage.text(TO, "hello out of the blue")))
                .isInstanceOf(PermanentChannelException.class)
                .hasMessageStartingWith(
                        "WhatsApp's 24-hour window with +1555***4321 is closed (last inbound: none on" + " record)");
        assertThat(twilio.requests()).isEmpty();
    }

    @Test
    void afterTheWindowTheMessagesOwnTemplateGoesOutInsteadOfTheText() {
        TwilioWhatsAppChannel channel = channel();
        personWrites(channel);
        clock.advance(Duration.ofDays(3));

        channel.send(OutboundMessage.text(TO, "free text that may not go")
                .withMedia(List.of(URI.create("https://cdn.example.com/a.png")))
                .withTemplate(new Template(CONTENT_SID, Map.of("2", "Tuesday", "1", "Ada"))));

        FakeTwilioApi.Recorded request = twilio.only();
        assertThat(request.form().asMap())
                .containsOnly(
                        Map.entry("To", List.of(PERSON_WA)),
                        Map.entry("From", List.of(OUR_WA)),
                        Map.entry("ContentSid", List.of(CONTENT_SID)),
                        Map.entry("ContentVariables", List.of("{\"1\":\"Ada\",\"2\":\"Tuesday\"}")),
                        Map.entry("StatusCallback", List.of(PUBLIC_URL + "/status")));
    }

    @Test
    void afterTheWindowTheProactiveTemplateCarriesTheTextAsVariableOne() {
        TwilioWhatsAppChannel channel = channel(builder().proactiveTemplate(CONTENT_SID));
        personWrites(channel);
        clock.advance(Duration.ofHours(24).plusSeconds(1));

        channel.send(OutboundMessage.text(TO, "Ünïcode ✓ \"quoted\"\nnext line"));

        FakeTwilioApi.Recorded request = twilio.only();
        assertThat(request.field("ContentSid")).isEqualTo(CONTENT_SID);
        assertThat(request.field("ContentVariables")).isEqualTo("{\"1\":\"Ünïcode ✓ \\\"quoted\\\"\\nnext line\"}");
        assertThat(request.field("Body")).isNull();
        assertThat(request.field("To")).isEqualTo(PERSON_WA);
    }

    @Test
    void theProactiveTemplateAlsoStartsAConversationWithSomeoneWhoNeverWrote() {
        TwilioWhatsAppChannel channel = channel(builder().home(PERSON, "ops").proactiveTemplate(CONTENT_SID));

        channel.send(OutboundMessage.text(channel.home().orElseThrow().address(), "nightly backup done"));

        assertThat(twilio.only().field("ContentVariables")).isEqualTo("{\"1\":\"nightly backup done\"}");
    }

    @Test
    void mediaAloneCannotFillTheProactiveTemplateAndFailsAtOnce() {
        TwilioWhatsAppChannel channel = channel(builder().proactiveTemplate(CONTENT_SID));
        OutboundMessage pictureOnly =
                new OutboundMessage(TO, "", List.of(URI.create("https://cdn.example.com/a.png")), Optional.empty());

        assertThatThrownBy(() -> channel.send(pictureOnly))
                .isInstanceOf(PermanentChannelException.class)
                .hasMessageContaining("no text for the proactive template's variable 1")
                .hasMessageNotContaining(PERSON);
        assertThat(twilio.requests()).isEmpty();
    }

    @Test
    void theApplicationCanChooseTheTemplateForEachMessageOrNone() {
        TwilioWhatsAppChannel channel = channel(builder()
                .proactiveTemplate(CONTENT_SID) // replaced by the function below
                .proactiveTemplate(message -> message.text().startsWith("alert")
                        ? Optional.of(new Template(CONTENT_SID, Map.of("1", "ops", "2", message.text())))
                        : Optional.empty()));

        channel.send(OutboundMessage.text(TO, "alert: disk full"));
        PermanentChannelException chatty = catchThrowableOfType(
                PermanentChannelException.class, () -> channel.send(OutboundMessage.text(TO, "just saying hi")));

        assertThat(twilio.only().field("ContentVariables")).isEqualTo("{\"1\":\"ops\",\"2\":\"alert: disk full\"}");
        assertThat(chatty.providerCode()).contains("63016");
    }

    @Test
    void aTemplateAloneGoesOutAtAnyTime() {
        TwilioWhatsAppChannel channel = channel();

        channel.send(new OutboundMessage(TO, "", List.of(), Optional.of(new Template(CONTENT_SID, Map.of()))));

        assertThat(twilio.only().field("ContentSid")).isEqualTo(CONTENT_SID);
        assertThat(twilio.only().field("ContentVariables")).isNull();
    }

    @Test
    void aNewMessageReopensAClosedWindow() {
        TwilioWhatsAppChannel channel = channel();
        personWrites(channel);
        clock.advance(Duration.ofDays(2));
        assertThatThrownBy(() -> channel.send(OutboundMessage.text(TO, "late")))
                .isInstanceOf(PermanentChannelException.class);

        personWrites(channel);
        channel.send(OutboundMessage.text(TO, "welcome back"));

        assertThat(twilio.only().field("Body")).isEqualTo("welcome back");
    }

    @Test
    void aShorterWindowLeavesAMargin() {
        TwilioWhatsAppChannel channel = channel(builder().window(Duration.ofHours(23)));
        personWrites(channel);
        clock.advance(Duration.ofHours(23));

        assertThat(channel.isWindowOpen(TO)).isFalse();
        assertThatThrownBy(() -> channel.send(OutboundMessage.text(TO, "x")))
                .isInstanceOf(PermanentChannelException.class);
        assertThat(twilio.requests()).isEmpty();
    }

    @Test
    void afterARestartTheDefaultWindowIsClosedUntilThePersonWritesAgain() {
        TwilioWhatsAppChannel before = channel();
        personWrites(before);
        before.close();

        TwilioWhatsAppChannel after = channel();

        assertThat(after.isWindowOpen(TO)).isFalse();
        assertThatThrownBy(() -> after.send(OutboundMessage.text(TO, "x")))
                .isInstanceOf(PermanentChannelException.class);
        assertThat(twilio.requests()).isEmpty();
    }

    @Test
    void anApplicationStoreKeepsTheWindowAcrossARestart() {
        ConversationWindowStore kept = ConversationWindowStore.inMemory(Duration.ofHours(24));
        TwilioWhatsAppChannel before = channel(builder().windowStore(kept));
        personWrites(before);
        before.close();
        clock.advance(Duration.ofHours(1));

        TwilioWhatsAppChannel after = channel(builder().windowStore(kept));
        after.send(OutboundMessage.text(TO, "still here"));

        assertThat(twilio.only().field("Body")).isEqualTo("still here");
    }

    @Test
    void theHostsDurableStoreKeepsTheWindowAcrossARestartAndForOtherReplicas() {
        Map<ConversationKey, Instant> database = new ConcurrentHashMap<>();
        ChannelState hostState = new ChannelState() {
            @Override
            public Optional<Instant> lastInbound(ConversationKey conversation) {
                return Optional.ofNullable(database.get(conversation));
            }

            @Override
            public void recordInbound(ConversationKey conversation, Instant at) {
                database.merge(conversation, at, (a, b) -> a.isAfter(b) ? a : b);
            }
        };
        TwilioWhatsAppChannel before = builder().build();
        channels.add(before);
        before.start(withState(context(clock), hostState));
        personWrites(before);
        before.close();
        assertThat(database).containsOnlyKeys(new ConversationKey(TwilioWhatsAppChannel.ID, TO));
        clock.advance(Duration.ofHours(1));

        TwilioWhatsAppChannel after = builder().build();
        channels.add(after);
        after.start(withState(context(clock), hostState));
        after.send(OutboundMessage.text(TO, "still here"));

        assertThat(twilio.only().field("Body")).isEqualTo("still here");
    }

    @Test
    void anApplicationsOwnWindowStoreWinsOverTheHosts() {
        ChannelState unused = new ChannelState() {
            @Override
            public Optional<Instant> lastInbound(ConversationKey conversation) {
                throw new AssertionError("the host's store was asked");
            }

            @Override
            public void recordInbound(ConversationKey conversation, Instant at) {
                throw new AssertionError("the host's store was written");
            }
        };
        ConversationWindowStore kept = ConversationWindowStore.inMemory(Duration.ofHours(24));
        TwilioWhatsAppChannel channel = builder().windowStore(kept).build();
        channels.add(channel);
        channel.start(withState(context(clock), unused));
        personWrites(channel);

        assertThat(kept.lastInbound(TO)).isPresent();
    }

    private static ChannelContext withState(ChannelContext context, ChannelState state) {
        return new ChannelContext() {
            @Override
            public java.time.Clock clock() {
                return context.clock();
            }

            @Override
            public java.util.concurrent.Executor executor() {
                return context.executor();
            }

            @Override
            public Optional<java.net.InetSocketAddress> listenAddress() {
                return context.listenAddress();
            }

            @Override
            public Optional<ChannelState> state() {
                return Optional.of(state);
            }
        };
    }

    @Test
    void aMessagingServiceReplacesFromAndTheNumberStaysOurOwn() {
        TwilioWhatsAppChannel channel = channel("TWILIO_MESSAGING_SERVICE_SID", SERVICE_SID);
        personWrites(channel);

        channel.send(OutboundMessage.text(TO, "hi"));

        assertThat(twilio.only().field("MessagingServiceSid")).isEqualTo(SERVICE_SID);
        assertThat(twilio.only().field("From")).isNull();
        assertThat(twilio.only().field("To")).isEqualTo(PERSON_WA);
    }

    @Test
    void refusesTextOverTheLimitWithoutARequest() {
        TwilioWhatsAppChannel channel = channel();
        personWrites(channel);

        assertThatThrownBy(() -> channel.send(OutboundMessage.text(TO, "x".repeat(1601))))
                .isInstanceOf(PermanentChannelException.class)
                .hasMessage("the message is 1601 characters, over WhatsApp's 1600: split it before sending (a bug in"
                        + " the caller)");
        channel.send(OutboundMessage.text(TO, "x".repeat(1600)));

        assertThat(twilio.requests()).hasSize(1);
    }

    @Test
    void twilioErrorsGetWhatsAppAdvice() {
        TwilioWhatsAppChannel channel = channel();
        personWrites(channel);
        twilio.answer(
                twilioError(400, 63016),
                twilioError(400, 63007),
                twilioError(400, 21606),
                twilioError(400, 21211),
                twilioError(429, 20429));

        PermanentChannelException closed = catchThrowableOfType(
                PermanentChannelException.class, () -> channel.send(OutboundMessage.text(TO, "a")));
        PermanentChannelException noSender = catchThrowableOfType(
                PermanentChannelException.class, () -> channel.send(OutboundMessage.text(TO, "b")));
        PermanentChannelException notOurs = catchThrowableOfType(
                PermanentChannelException.class, () -> channel.send(OutboundMessage.text(TO, "c")));
        PermanentChannelException invalid = catchThrowableOfType(
                PermanentChannelException.class, () -> channel.send(OutboundMessage.text(TO, "d")));
        RetriableChannelException throttled = catchThrowableOfType(
                RetriableChannelException.class, () -> channel.send(OutboundMessage.text(TO, "e")));

        assertThat(closed.providerCode()).contains("63016");
        assertThat(closed)
                .hasMessageStartingWith("Twilio error 63016: WhatsApp's 24-hour window with +1555***4321 is closed")
                .hasMessageContaining("TwilioWhatsAppChannel.Builder#proactiveTemplate");
        assertThat(noSender.providerCode()).contains("63007");
        assertThat(noSender).hasMessageContaining("check TWILIO_WHATSAPP_NUMBER");
        assertThat(notOurs).hasMessageContaining("not a WhatsApp sender of this account");
        assertThat(invalid.providerCode()).contains("21211");
        assertThat(invalid).hasMessageContaining("+1555***4321").hasMessageNotContaining(PERSON);
        assertThat(throttled.mayHaveBeenProcessed()).isFalse();
        assertThat(twilio.requests()).hasSize(5);
    }

    @Test
    void looksUpEarlierFreeTextInsideTheWindowButNotATemplateOutsideIt() {
        TwilioWhatsAppChannel channel = channel(builder().proactiveTemplate(CONTENT_SID));
        personWrites(channel);
        twilio.answer(FakeTwilioApi.Answer.json(
                200,
                FakeTwilioApi.messagePage(FakeTwilioApi.listedMessage(
                        SMS_SID,
                        "outbound-api",
                        PERSON_WA,
                        OUR_WA,
                        null,
                        "*hi*",
                        0,
                        "Sat, 21 Nov 2026 10:00:01 +0000",
                        "sent"))));

        List<SendReceipt> found = channel.findSent(OutboundMessage.text(TO, "*hi*"), T0);
        clock.advance(Duration.ofHours(25));

        assertThat(found).containsExactly(new SendReceipt(SMS_SID, DeliveryStatus.SENT));
        assertThat(twilio.only().rawQuery())
                .contains("To=whatsapp%3A%2B15557654321")
                .contains("From=whatsapp%3A%2B15551234567");
        assertThatThrownBy(() -> channel.findSent(OutboundMessage.text(TO, "*hi*"), T0))
                .isInstanceOf(UnsupportedOperationException.class);
        assertThat(twilio.requests()).hasSize(1);
    }

    @Test
    void aStatusCallbackWith63016IsTheSameFailureAsAClosedWindowBeforeSending() {
        TwilioWhatsAppChannel channel = channel();
        personWrites(channel);
        DeliveryReceipt refused = new DeliveryReceipt(
                SMS_SID, "whatsapp", TO, DeliveryStatus.UNDELIVERED, Optional.of("63016"), T0.plusSeconds(60));
        DeliveryReceipt throttled = new DeliveryReceipt(
                SMS_SID, "whatsapp", TO, DeliveryStatus.FAILED, Optional.of("63018"), T0.plusSeconds(60));

        PermanentChannelException closed = channel.deliveryFailure(refused).orElseThrow();
        PermanentChannelException limited = channel.deliveryFailure(throttled).orElseThrow();

        PermanentChannelException before = TwilioWhatsAppChannel.windowClosed(TO, Optional.of(T0));
        assertThat(closed).hasMessage(before.getMessage());
        assertThat(closed.providerCode()).isEqualTo(before.providerCode());
        assertThat(limited.providerCode()).contains("63018");
        assertThat(limited).hasMessageContaining("over its messaging limit");
        assertThat(channel.deliveryFailure(
                        new DeliveryReceipt(SMS_SID, "whatsapp", TO, DeliveryStatus.READ, Optional.empty(), T0)))
                .isEmpty();
    }

    @Test
    void windowDecisionsAreLoggedWithoutTextOrRawNumbers() {
        String logs;
        try (LogCapture log = LogCapture.start()) {
            TwilioWhatsAppChannel channel = channel(builder().proactiveTemplate(CONTENT_SID));
            personWrites(channel);
            channel.send(OutboundMessage.text(TO, "inside words"));
            clock.advance(Duration.ofDays(1));
            channel.send(OutboundMessage.text(TO, "outside words"));
            logs = log.text();
        }
        assertThat(logs)
                .contains("window with +1555***4321 is closed: sending template " + CONTENT_SID)
                .doesNotContain(PERSON)
                .doesNotContain("inside words")
                .doesNotContain("outside words")
                .doesNotContain(AUTH_TOKEN);
    }
}
