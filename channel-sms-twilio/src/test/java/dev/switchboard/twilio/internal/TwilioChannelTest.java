package dev.switchboard.twilio.internal;

import static dev.switchboard.twilio.FakeTwilioApi.Answer.twilioError;
import static dev.switchboard.twilio.TwilioTestData.ACCOUNT_SID;
import static dev.switchboard.twilio.TwilioTestData.AUTH_TOKEN;
import static dev.switchboard.twilio.TwilioTestData.OUR_NUMBER;
import static dev.switchboard.twilio.TwilioTestData.PERSON;
import static dev.switchboard.twilio.TwilioTestData.SMS_SID;
import static dev.switchboard.twilio.TwilioTestData.context;
import static dev.switchboard.twilio.TwilioTestData.inboundSms;
import static dev.switchboard.twilio.TwilioTestData.signed;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.channel.AccessPolicy;
import dev.switchboard.channel.Address;
import dev.switchboard.channel.ChannelCapabilities;
import dev.switchboard.channel.ChannelContext;
import dev.switchboard.channel.HomeChannel;
import dev.switchboard.channel.OutboundMessage;
import dev.switchboard.channel.PermanentChannelException;
import dev.switchboard.channel.SendReceipt;
import dev.switchboard.channel.TextFlavour;
import dev.switchboard.channel.WebhookResult;
import dev.switchboard.channel.WebhookRoute;
import dev.switchboard.twilio.FakeTwilioApi;
import dev.switchboard.twilio.LogCapture;
import dev.switchboard.twilio.TwilioChannelBuilder;
import dev.switchboard.twilio.TwilioTestData;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The options, routes and lifecycle the Twilio channels share, driven by a profile that is neither
 * SMS's nor WhatsApp's: every name and piece of advice in what they say comes from the profile.
 */
class TwilioChannelTest {

    private static final String PUBLIC_URL = "https://bot.example.com/hooks/fax";
    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");

    private static final TwilioChannelProfile FAX = new TwilioChannelProfile(
            "fax",
            "Fax",
            TwilioAddressFormat.SMS,
            "FAX",
            "TWILIO_FAX_NUMBER",
            "/hooks/fax/",
            "set the fax machine's number",
            "the URL Twilio faxes",
            Map.of(21211, "no fax machine at {to}"));

    private static Map<String, String> env(String... pairs) {
        return TwilioTestData.env(
                Map.of(
                        "TWILIO_ACCOUNT_SID", ACCOUNT_SID,
                        "TWILIO_AUTH_TOKEN", AUTH_TOKEN,
                        "TWILIO_FAX_NUMBER", OUR_NUMBER,
                        "FAX_WEBHOOK_URL", PUBLIC_URL),
                pairs);
    }

    /** The builder of a channel whose profile is {@link #FAX}. */
    private static final class FaxBuilder extends TwilioChannelBuilder<FaxBuilder> {

        FaxBuilder() {
            super(FAX);
        }

        FaxBuilder fromEnv(Map<String, String> env) {
            return readEnv(env);
        }

        TwilioChannelConfig build() {
            return buildConfig();
        }
    }

    private static TwilioChannelConfig config(String... pairs) {
        return new FaxBuilder().fromEnv(env(pairs)).build();
    }

    /** A channel with nothing of its own but the profile: what it does, every Twilio channel does. */
    private static final class FaxChannel extends TwilioChannel {

        FaxChannel(TwilioChannelConfig config) {
            super(config, LoggerFactory.getLogger("test.fax"));
        }

        @Override
        public ChannelCapabilities capabilities() {
            return new ChannelCapabilities(MAX_MESSAGE_LENGTH, TextFlavour.PLAIN, false, true);
        }

        @Override
        public void start(ChannelContext context) {
            startOnce(context);
            logStartWarnings();
        }

        @Override
        public SendReceipt send(OutboundMessage message) {
            checkSendable(message);
            return sendAsIs(message);
        }
    }

    @Test
    void readsTheVariablesTheProfileNamesAndNoOthers() {
        TwilioChannelConfig config = config(
                "FAX_ALLOWED_USERS", "+1 555 765 4321",
                "FAX_HOME_CHANNEL", "+15550001111",
                "FAX_HOME_CHANNEL_NAME", " desk ",
                "SMS_ALLOW_ALL_USERS", "true",
                "SMS_WEBHOOK_URL", "https://bot.example.com/webhooks/twilio");

        assertThat(config.number()).contains(Address.of(OUR_NUMBER));
        assertThat(config.webhookUrl()).contains(PUBLIC_URL);
        assertThat(config.statusUrl()).contains(PUBLIC_URL + "/status");
        assertThat(config.accessPolicy()).isEqualTo(AccessPolicy.allowOnly(Set.of(Address.of(PERSON))));
        assertThat(config.home()).contains(new HomeChannel(Address.of("+15550001111"), "desk"));
        assertThat(config.webhookPath()).isEqualTo("/hooks/fax");
        assertThat(config.statusPath()).isEqualTo("/hooks/fax/status");
        assertThat(config.connectTimeout()).isEqualTo(TwilioChannelBuilder.DEFAULT_CONNECT_TIMEOUT);
        assertThat(config.summary()).isEqualTo("from=+1555***4567, webhook=/hooks/fax, signatures=checked");
    }

    @Test
    void everyRefusalNamesTheProfilesVariablesAndAdvice() {
        assertThatThrownBy(() -> config("TWILIO_FAX_NUMBER", null))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("neither TWILIO_FAX_NUMBER nor TWILIO_MESSAGING_SERVICE_SID is set: set the fax"
                        + " machine's number");
        assertThatThrownBy(() -> config("FAX_WEBHOOK_URL", null))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("FAX_WEBHOOK_URL is not set: Twilio signatures are checked against the public webhook"
                        + " URL. Set it to the URL Twilio faxes, or set FAX_INSECURE_NO_SIGNATURE=true for local"
                        + " testing only.");
        assertThatThrownBy(() -> config("FAX_WEBHOOK_URL", "bot.example.com"))
                .hasMessage("FAX_WEBHOOK_URL must be an absolute http(s) URL without a fragment: bot.example.com");
        assertThatThrownBy(() -> config("FAX_ALLOW_ALL_USERS", "1"))
                .hasMessage("FAX_ALLOW_ALL_USERS must be true or false: 1");
        assertThatThrownBy(() -> config("FAX_ALLOWED_USERS", "bob"))
                .hasMessageStartingWith("FAX_ALLOWED_USERS must be a phone number");
        assertThatThrownBy(() -> config("TWILIO_FAX_NUMBER", "555"))
                .hasMessageStartingWith("TWILIO_FAX_NUMBER must be a phone number");
        assertThatThrownBy(() -> config("FAX_HOME_CHANNEL_NAME", "desk"))
                .hasMessage("FAX_HOME_CHANNEL_NAME is set (desk) but FAX_HOME_CHANNEL is not");
        assertThatThrownBy(() -> new FaxBuilder().home(PERSON, " "))
                .hasMessage("FAX_HOME_CHANNEL_NAME cannot be blank");
    }

    @Test
    void theRoutesAnswerWithTheSharedHandlersVerdictsStampedWithTheChannelAndTheHostClock() {
        try (FaxChannel channel = new FaxChannel(config())) {
            channel.start(context(Clock.fixed(NOW, ZoneOffset.UTC)));
            WebhookRoute inbound = channel.routes().get(0);
            WebhookRoute status = channel.routes().get(1);

            WebhookResult result =
                    inbound.handler().handle(signed(AUTH_TOKEN, PUBLIC_URL, inbound.path(), "", inboundSms("hi")));
            WebhookResult forged =
                    inbound.handler().handle(signed("guessed", PUBLIC_URL, inbound.path(), "", inboundSms("hi")));
            WebhookResult receipt = status.handler()
                    .handle(signed(
                            AUTH_TOKEN,
                            PUBLIC_URL + "/status",
                            status.path(),
                            "",
                            "MessageSid",
                            SMS_SID,
                            "MessageStatus",
                            "sent",
                            "To",
                            PERSON));

            assertThat(channel.id()).isEqualTo("fax");
            assertThat(channel.routes())
                    .extracting(WebhookRoute::path)
                    .containsExactly("/hooks/fax", "/hooks/fax/status");
            assertThat(((WebhookResult.Inbound) result).message().channelId()).isEqualTo("fax");
            assertThat(((WebhookResult.Inbound) result).message().receivedAt()).isEqualTo(NOW);
            assertThat(forged.response().status()).isEqualTo(403);
            assertThat(receipt).isInstanceOf(WebhookResult.Receipt.class);
            assertThat(channel.selfAddresses()).containsExactly(Address.of(OUR_NUMBER));
        }
    }

    @Test
    void startsOnceBracketsIpv6AndRefusesAfterClose() {
        FaxChannel channel = new FaxChannel(config());

        assertThat(channel.startOnce(context(Clock.systemUTC(), new InetSocketAddress("::1", 9000))))
                .contains("[0:0:0:0:0:0:0:1]:9000");
        assertThat(new FaxChannel(config()).startOnce(TwilioTestData.contextWithoutListener(Clock.systemUTC())))
                .isEmpty();
        assertThatThrownBy(() -> channel.start(context(Clock.systemUTC())))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("the fax channel is already started");
        channel.close();
        channel.close();
        assertThatThrownBy(() -> channel.start(context(Clock.systemUTC()))).hasMessage("the fax channel is closed");
        assertThatThrownBy(() -> channel.send(OutboundMessage.text(Address.of(PERSON), "hi")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("the fax channel is closed");
    }

    @Test
    void refusesTextOverTheLimitNamingTheChannel() {
        try (FaxChannel channel = new FaxChannel(config())) {
            channel.checkSendable(OutboundMessage.text(Address.of(PERSON), "x".repeat(1600)));

            assertThatThrownBy(() -> channel.send(OutboundMessage.text(Address.of(PERSON), "x".repeat(1601))))
                    .isInstanceOf(PermanentChannelException.class)
                    .hasMessage("the message is 1601 characters, over Fax's 1600: split it before sending (a bug in"
                            + " the caller)");
        }
    }

    @Test
    void sendsWithTheProfilesAdviceForTwilioErrors() throws IOException {
        try (FakeTwilioApi api = FakeTwilioApi.start();
                FaxChannel channel = new FaxChannel(config("TWILIO_API_BASE_URL", api.baseUrl()))) {
            api.answer(twilioError(400, 21211));

            assertThatThrownBy(() -> channel.send(OutboundMessage.text(Address.of(PERSON), "hi")))
                    .isInstanceOf(PermanentChannelException.class)
                    .hasMessage("no fax machine at +1555***4321");
            assertThat(api.only().field("StatusCallback")).isEqualTo(PUBLIC_URL + "/status");
        }
    }

    @Test
    void warnsThroughTheChannelsLoggerInTheProfilesWords() {
        String logs;
        try (LogCapture log = LogCapture.start();
                FaxChannel channel = new FaxChannel(config(
                        "FAX_WEBHOOK_URL",
                        null,
                        "FAX_INSECURE_NO_SIGNATURE",
                        "true",
                        "TWILIO_MESSAGING_SERVICE_SID",
                        TwilioTestData.SERVICE_SID))) {
            channel.start(context(Clock.systemUTC()));
            logs = log.text();
        }
        assertThat(logs)
                .contains("INFO test.fax - [fax] sending through Messaging Service " + TwilioTestData.SERVICE_SID)
                .contains("WARN test.fax - [fax] FAX_INSECURE_NO_SIGNATURE=true: webhook signatures are NOT checked,"
                        + " so anyone who can reach /hooks/fax can post messages in anyone's name.")
                .contains("WARN test.fax - [fax] neither FAX_ALLOWED_USERS nor FAX_ALLOW_ALL_USERS is set: every"
                        + " sender is ignored")
                .doesNotContain(OUR_NUMBER);
    }
}
