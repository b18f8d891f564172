package dev.switchboard.sms.twilio;

import static dev.switchboard.twilio.TwilioTestData.ACCOUNT_SID;
import static dev.switchboard.twilio.TwilioTestData.AUTH_TOKEN;
import static dev.switchboard.twilio.TwilioTestData.PERSON;
import static dev.switchboard.twilio.TwilioTestData.SERVICE_SID;
import static dev.switchboard.twilio.TwilioTestData.SMS_SID;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.channel.Address;
import dev.switchboard.channel.ConversationKey;
import dev.switchboard.channel.InboundMessage;
import dev.switchboard.channel.OutboundMessage;
import dev.switchboard.channel.PermanentChannelException;
import dev.switchboard.twilio.FakeTwilioApi;
import dev.switchboard.twilio.TwilioTestData;
import java.io.IOException;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Several numbers on one channel, and the inbound and outbound routes. */
class TwilioSmsChannelRoutesTest {

    private static final String FIRST = "+15551230001";
    private static final String SECOND = "+15551230002";
    private static final String THIRD = "+15551230003";

    private static final Map<String, String> ENV = Map.of(
            "TWILIO_ACCOUNT_SID",
            ACCOUNT_SID,
            "TWILIO_AUTH_TOKEN",
            AUTH_TOKEN,
            "TWILIO_PHONE_NUMBER",
            FIRST + ", +1 (555) 123-0002",
            "SMS_WEBHOOK_URL",
            "https://bot.example.com/webhooks/twilio");

    private static Map<String, String> env(String... pairs) {
        return TwilioTestData.env(ENV, pairs);
    }

    private static InboundMessage inbound(String from, String to) {
        return new InboundMessage(
                SMS_SID, "sms", Address.of(from), Address.of(to), "hello", List.of(), Instant.EPOCH, Map.of());
    }

    @Test
    void everyNumberIsItsOwnAndTheFirstSendsByDefault() throws IOException {
        try (FakeTwilioApi api = FakeTwilioApi.start();
                TwilioSmsChannel channel = TwilioSmsChannel.fromEnv(env("TWILIO_API_BASE_URL", api.baseUrl()))) {
            assertThat(channel.selfAddresses()).containsExactlyInAnyOrder(Address.of(FIRST), Address.of(SECOND));

            channel.send(OutboundMessage.text(Address.of(PERSON), "push"));
            channel.send(OutboundMessage.text(Address.of(PERSON), "reply").withFrom(Address.of(SECOND)));

            assertThat(api.requests()).extracting(r -> r.field("From")).containsExactly(FIRST, SECOND);
        }
    }

    @Test
    void aSenderThatIsNotOneOfTheNumbersIsRefusedWithoutARequest() throws IOException {
        try (FakeTwilioApi api = FakeTwilioApi.start();
                TwilioSmsChannel channel = TwilioSmsChannel.fromEnv(env("TWILIO_API_BASE_URL", api.baseUrl()))) {
            assertThatThrownBy(() -> channel.send(
                            OutboundMessage.text(Address.of(PERSON), "hi").withFrom(Address.of(THIRD))))
                    .isInstanceOf(PermanentChannelException.class)
                    .hasMessageContaining("cannot send from +1555***0003")
                    .hasMessageContaining("TWILIO_PHONE_NUMBER")
                    .hasMessageNotContaining(THIRD);
            assertThat(api.requests()).isEmpty();
        }
    }

    @Test
    void withAMessagingServiceANamedNumberIsSentAsFromAndNoneGoesThroughTheService() throws IOException {
        try (FakeTwilioApi api = FakeTwilioApi.start();
                TwilioSmsChannel channel = TwilioSmsChannel.fromEnv(
                        env("TWILIO_API_BASE_URL", api.baseUrl(), "TWILIO_MESSAGING_SERVICE_SID", SERVICE_SID))) {
            channel.send(OutboundMessage.text(Address.of(PERSON), "reply").withFrom(Address.of(SECOND)));
            channel.send(OutboundMessage.text(Address.of(PERSON), "push"));
            // A pool number the channel was not told of: the service picks, as it would for a push.
            channel.send(OutboundMessage.text(Address.of(PERSON), "pool").withFrom(Address.of(THIRD)));

            assertThat(api.requests())
                    .extracting(r -> r.field("From"), r -> r.field("MessagingServiceSid"))
                    .containsExactly(
                            org.assertj.core.groups.Tuple.tuple(SECOND, null),
                            org.assertj.core.groups.Tuple.tuple(null, SERVICE_SID),
                            org.assertj.core.groups.Tuple.tuple(null, SERVICE_SID));
        }
    }

    @Test
    void mediaWithoutTextGoesOutAsRepeatedMediaUrls() throws IOException {
        try (FakeTwilioApi api = FakeTwilioApi.start();
                TwilioSmsChannel channel = TwilioSmsChannel.fromEnv(env("TWILIO_API_BASE_URL", api.baseUrl()))) {
            channel.send(new OutboundMessage(
                    Address.of(PERSON),
                    "",
                    List.of(URI.create("https://cdn.example.com/a.png"), URI.create("https://cdn.example.com/b.jpg")),
                    java.util.Optional.empty()));

            assertThat(api.only().form().asMap().get("MediaUrl"))
                    .containsExactly("https://cdn.example.com/a.png", "https://cdn.example.com/b.jpg");
            assertThat(api.only().field("Body")).isNull();
        }
    }

    @Test
    void aMessageToANumberThatIsNotTheChannelsIsUnrouted() {
        try (TwilioSmsChannel channel = TwilioSmsChannel.fromEnv(env())) {
            assertThat(channel.unrouted(inbound(PERSON, SECOND))).isEmpty();
            assertThat(channel.unrouted(inbound(PERSON, THIRD)))
                    .hasValue("sent to +1555***0003, which is not one of this channel's numbers (TWILIO_PHONE_NUMBER)");
        }
    }

    @Test
    void withAMessagingServiceAnyNumberOfItsPoolIsAnswered() {
        try (TwilioSmsChannel channel = TwilioSmsChannel.fromEnv(env("TWILIO_MESSAGING_SERVICE_SID", SERVICE_SID))) {
            assertThat(channel.unrouted(inbound(PERSON, THIRD))).isEmpty();
        }
    }

    @Test
    void routeToAnswersOnlyTheNumbersItNames() {
        try (TwilioSmsChannel channel = TwilioSmsChannel.fromEnv(env("SMS_ROUTE_TO", SECOND))) {
            assertThat(channel.unrouted(inbound(PERSON, SECOND))).isEmpty();
            assertThat(channel.unrouted(inbound(PERSON, FIRST)))
                    .hasValue("sent to +1555***0001, which this channel's routes do not answer (SMS_ROUTE_TO)");
        }
    }

    @Test
    void routeFromAnswersOnlyTheSendersAndPrefixesItNames() {
        try (TwilioSmsChannel channel = TwilioSmsChannel.fromEnv(env("SMS_ROUTE_FROM", "+44*, +1 555 765 4321"))) {
            assertThat(channel.unrouted(inbound(PERSON, FIRST))).isEmpty();
            assertThat(channel.unrouted(inbound("+442079460958", FIRST))).isEmpty();
            assertThat(channel.unrouted(inbound("+15550009999", FIRST)))
                    .hasValue("sent by +1555***9999, whom this channel's routes do not answer (SMS_ROUTE_FROM)");
        }
    }

    @Test
    void repliesGoToTheSenderUnlessReplyToIsSet() {
        ConversationKey conversation = new ConversationKey("sms", Address.of(PERSON));
        try (TwilioSmsChannel plain = TwilioSmsChannel.fromEnv(env());
                TwilioSmsChannel fixed = TwilioSmsChannel.fromEnv(env("SMS_REPLY_TO", "+1 555 000 1111"))) {
            assertThat(plain.replyAddress(conversation)).isEqualTo(Address.of(PERSON));
            assertThat(fixed.replyAddress(conversation)).isEqualTo(Address.of("+15550001111"));
        }
    }

    @Test
    void theBuilderSetsSeveralNumbersAndRoutes() {
        try (TwilioSmsChannel channel = TwilioSmsChannel.builder()
                .accountSid(ACCOUNT_SID)
                .authToken(AUTH_TOKEN)
                .insecureNoSignature(true)
                .phoneNumbers(FIRST, SECOND)
                .routeTo(List.of(FIRST))
                .routeFrom(List.of("+1555*"))
                .replyTo(THIRD)
                .build()) {
            assertThat(channel.selfAddresses()).containsExactlyInAnyOrder(Address.of(FIRST), Address.of(SECOND));
            assertThat(channel.unrouted(inbound(PERSON, SECOND))).isPresent();
            assertThat(channel.unrouted(inbound("+445550001111", FIRST))).isPresent();
            assertThat(channel.unrouted(inbound(PERSON, FIRST))).isEmpty();
            assertThat(channel.replyAddress(new ConversationKey("sms", Address.of(PERSON))))
                    .isEqualTo(Address.of(THIRD));
        }
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "TWILIO_PHONE_NUMBER | +15551230001,5551230002 | TWILIO_PHONE_NUMBER must be a phone number in"
                        + " international form",
                "TWILIO_PHONE_NUMBER | ' , ' | TWILIO_PHONE_NUMBER names no number",
                "SMS_ROUTE_FROM | +44*,44* | SMS_ROUTE_FROM entries must be phone numbers or prefixes such as +44*"
                        + " (a plus, digits, a star): ***4*",
                "SMS_ROUTE_FROM | +4a* | SMS_ROUTE_FROM entries must be phone numbers",
                "SMS_ROUTE_TO | +15551230003 | SMS_ROUTE_TO names +1555***0003, which is not one of"
                        + " TWILIO_PHONE_NUMBER",
                "SMS_REPLY_TO | hello | SMS_REPLY_TO must be a phone number",
                "SMS_MEDIA_MAX_BYTES | 0 | SMS_MEDIA_MAX_BYTES must be a positive number of bytes: 0",
                "SMS_MEDIA_MAX_BYTES | 5MB | SMS_MEDIA_MAX_BYTES must be a positive number of bytes: 5MB"
            })
    void aBadValueNamesTheVariableAndTheValue(String variable, String value, String message) {
        assertThatThrownBy(() -> TwilioSmsChannel.fromEnv(env(variable, value)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message);
    }
}
