package dev.switchboard.whatsapp.twilio;

import static dev.switchboard.twilio.TwilioTestData.ACCOUNT_SID;
import static dev.switchboard.twilio.TwilioTestData.AUTH_TOKEN;
import static dev.switchboard.twilio.TwilioTestData.CONTENT_SID;
import static dev.switchboard.twilio.TwilioTestData.OUR_NUMBER;
import static dev.switchboard.twilio.TwilioTestData.PERSON;
import static dev.switchboard.twilio.TwilioTestData.SERVICE_SID;
import static dev.switchboard.whatsapp.twilio.Fixtures.PUBLIC_URL;
import static dev.switchboard.whatsapp.twilio.Fixtures.env;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.channel.AccessPolicy;
import dev.switchboard.channel.Address;
import dev.switchboard.channel.ChannelCapabilities;
import dev.switchboard.channel.HomeChannel;
import dev.switchboard.channel.MessageIdShape;
import dev.switchboard.channel.TextFlavour;
import dev.switchboard.channel.WebhookResult;
import dev.switchboard.channel.WebhookRoute;
import dev.switchboard.sms.twilio.TwilioSmsChannel;
import dev.switchboard.twilio.TwilioCredentials;
import dev.switchboard.twilio.TwilioTestData;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TwilioWhatsAppChannelConfigTest {

    @Test
    void fromEnvReadsEveryVariable() {
        try (TwilioWhatsAppChannel channel = TwilioWhatsAppChannel.fromEnv(env(
                "WHATSAPP_ALLOWED_USERS", "whatsapp:+1 555 765 4321, +44 20 7946 0958",
                "WHATSAPP_HOME_CHANNEL", "whatsapp:+1-555-000-1111",
                "WHATSAPP_HOME_CHANNEL_NAME", " ops phone ",
                "TWILIO_MESSAGING_SERVICE_SID", SERVICE_SID,
                "TWILIO_API_BASE_URL", "http://127.0.0.1:9"))) {
            assertThat(channel.id()).isEqualTo("whatsapp");
            assertThat(channel.selfAddresses()).containsExactly(Address.of(OUR_NUMBER));
            assertThat(channel.accessPolicy())
                    .isEqualTo(AccessPolicy.allowOnly(Set.of(Address.of(PERSON), Address.of("+442079460958"))));
            assertThat(channel.home()).contains(new HomeChannel(Address.of("+15550001111"), "ops phone"));
        }
    }

    @Test
    void namesTheWebhookServerAddressBySmsVariablesSinceOneServerServesBothChannels() {
        Map<String, String> listen =
                Map.of("SMS_WEBHOOK_HOST", "127.0.0.1", "SMS_WEBHOOK_PORT", "8443", "WHATSAPP_WEBHOOK_PORT", "9000");
        try (TwilioWhatsAppChannel whatsApp = TwilioWhatsAppChannel.fromEnv(env());
                TwilioSmsChannel sms = TwilioSmsChannel.fromEnv(Map.of(
                        "TWILIO_ACCOUNT_SID", ACCOUNT_SID,
                        "TWILIO_AUTH_TOKEN", AUTH_TOKEN,
                        "TWILIO_PHONE_NUMBER", OUR_NUMBER,
                        "SMS_INSECURE_NO_SIGNATURE", "true"))) {
            assertThat(whatsApp.webhookServerAddress(listen))
                    .contains(InetSocketAddress.createUnresolved("127.0.0.1", 8443))
                    .isEqualTo(sms.webhookServerAddress(listen));
            assertThat(whatsApp.webhookServerAddress(Map.of("WHATSAPP_WEBHOOK_PORT", "9000")))
                    .contains(InetSocketAddress.createUnresolved("0.0.0.0", 8080));
            assertThatThrownBy(() -> whatsApp.webhookServerAddress(Map.of("SMS_WEBHOOK_PORT", "70000")))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("SMS_WEBHOOK_PORT must be a port number (0-65535): 70000");
        }
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "+15551234567",
                "whatsapp:+15551234567",
                "WhatsApp:+1 (555) 123-4567",
                " whatsapp: +1 555 123 4567 "
            })
    void theWhatsAppNumberIsKeptInPlainE164WithOrWithoutThePrefix(String configured) {
        try (TwilioWhatsAppChannel channel = TwilioWhatsAppChannel.fromEnv(env("TWILIO_WHATSAPP_NUMBER", configured))) {
            assertThat(channel.selfAddresses()).containsExactly(Address.of(OUR_NUMBER));
        }
    }

    @Test
    void allowlistsWrittenWithOrWithoutThePrefixAreTheSameAddresses() {
        try (TwilioWhatsAppChannel prefixed = TwilioWhatsAppChannel.fromEnv(
                        env("WHATSAPP_ALLOWED_USERS", "whatsapp:+15557654321,whatsapp:+442079460958"));
                TwilioWhatsAppChannel plain = TwilioWhatsAppChannel.fromEnv(
                        env("WHATSAPP_ALLOWED_USERS", "+1 555 765 4321, +44 20 7946 0958"));
                TwilioWhatsAppChannel mixed = TwilioWhatsAppChannel.builderFromEnv(env())
                        .allowedUsers(List.of("whatsapp:+15557654321", "+442079460958"))
                        .build()) {
            assertThat(prefixed.accessPolicy()).isEqualTo(plain.accessPolicy()).isEqualTo(mixed.accessPolicy());
            assertThat(prefixed.accessPolicy().permits(Address.of(PERSON))).isTrue();
            assertThat(plain.accessPolicy().permits(Address.of(PERSON))).isTrue();
            assertThat(prefixed.accessPolicy().permits(Address.of("whatsapp:" + PERSON)))
                    .isFalse();
        }
    }

    @Test
    void theSmsAllowlistAndHomeChannelMeanTheSamePeopleOnWhatsApp() {
        Map<String, String> env = env(
                "TWILIO_PHONE_NUMBER", OUR_NUMBER,
                "SMS_WEBHOOK_URL", "https://bot.example.com/webhooks/twilio",
                "SMS_ALLOWED_USERS", "+1 555 765 4321",
                "SMS_HOME_CHANNEL", "+15550001111",
                "WHATSAPP_ALLOWED_USERS", "whatsapp:+15557654321",
                "WHATSAPP_HOME_CHANNEL", "whatsapp:+15550001111");
        try (TwilioSmsChannel sms = TwilioSmsChannel.fromEnv(env);
                TwilioWhatsAppChannel whatsApp = TwilioWhatsAppChannel.fromEnv(env)) {
            assertThat(whatsApp.accessPolicy()).isEqualTo(sms.accessPolicy());
            assertThat(whatsApp.home().map(HomeChannel::address))
                    .isEqualTo(sms.home().map(HomeChannel::address));
            assertThat(whatsApp.selfAddresses()).isEqualTo(sms.selfAddresses());
        }
    }

    @Test
    void theCapabilitiesAreWhatsAppsAndNotBilledPerSegment() {
        try (TwilioWhatsAppChannel channel = TwilioWhatsAppChannel.fromEnv(env())) {
            assertThat(channel.capabilities())
                    .isEqualTo(new ChannelCapabilities(
                            1600, TextFlavour.WHATSAPP, true, false, MessageIdShape.lettersThenHex(2, 32)));
        }
    }

    @Test
    void deniesEveryoneByDefaultAndAllowsAllOnlyWhenSet() {
        try (TwilioWhatsAppChannel closed = TwilioWhatsAppChannel.fromEnv(env());
                TwilioWhatsAppChannel open = TwilioWhatsAppChannel.fromEnv(env("WHATSAPP_ALLOW_ALL_USERS", "True"));
                TwilioWhatsAppChannel stillClosed =
                        TwilioWhatsAppChannel.fromEnv(env("WHATSAPP_ALLOW_ALL_USERS", "false"))) {
            assertThat(closed.accessPolicy()).isEqualTo(AccessPolicy.denyAll());
            assertThat(open.accessPolicy().permits(Address.of(PERSON))).isTrue();
            assertThat(stillClosed.accessPolicy().permits(Address.of(PERSON))).isFalse();
        }
    }

    @Test
    void theHomeChannelNameDefaultsToHome() {
        try (TwilioWhatsAppChannel channel =
                TwilioWhatsAppChannel.fromEnv(env("WHATSAPP_HOME_CHANNEL", "+15550001111"))) {
            assertThat(channel.home()).contains(new HomeChannel(Address.of("+15550001111"), "home"));
        }
        try (TwilioWhatsAppChannel channel = TwilioWhatsAppChannel.fromEnv(env())) {
            assertThat(channel.home()).isEmpty();
        }
    }

    @Test
    void ignoresTheSmsVariables() {
        try (TwilioWhatsAppChannel channel = TwilioWhatsAppChannel.fromEnv(env(
                "SMS_ALLOW_ALL_USERS",
                "true",
                "SMS_HOME_CHANNEL",
                "+15550001111",
                "TWILIO_PHONE_NUMBER",
                "+15550002222"))) {
            assertThat(channel.accessPolicy()).isEqualTo(AccessPolicy.denyAll());
            assertThat(channel.home()).isEmpty();
            assertThat(channel.selfAddresses()).containsExactly(Address.of(OUR_NUMBER));
        }
    }

    @Test
    void refusesToBuildWithoutTheWebhookUrlInOneLineNamingIt() {
        assertThatThrownBy(() -> TwilioWhatsAppChannel.fromEnv(env("WHATSAPP_WEBHOOK_URL", null)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("WHATSAPP_WEBHOOK_URL is not set: Twilio signatures are checked against the public"
                        + " webhook URL. Set it to the URL Twilio calls for WhatsApp messages, or set"
                        + " WHATSAPP_INSECURE_NO_SIGNATURE=true for local testing only.");
        assertThatThrownBy(() -> TwilioWhatsAppChannel.fromEnv(env("WHATSAPP_WEBHOOK_URL", " ")))
                .hasMessageStartingWith("WHATSAPP_WEBHOOK_URL is not set");
        assertThatThrownBy(() -> TwilioWhatsAppChannel.fromEnv(
                        env("WHATSAPP_WEBHOOK_URL", null, "WHATSAPP_INSECURE_NO_SIGNATURE", "false")))
                .hasMessageStartingWith("WHATSAPP_WEBHOOK_URL is not set");
        // The SMS channel's URL is no stand-in: it is signed for another path.
        assertThatThrownBy(() -> TwilioWhatsAppChannel.fromEnv(env(
                        "WHATSAPP_WEBHOOK_URL", null, "SMS_WEBHOOK_URL", "https://bot.example.com/webhooks/twilio")))
                .hasMessageStartingWith("WHATSAPP_WEBHOOK_URL is not set");
        try (TwilioWhatsAppChannel insecure = TwilioWhatsAppChannel.fromEnv(
                env("WHATSAPP_WEBHOOK_URL", null, "WHATSAPP_INSECURE_NO_SIGNATURE", "TRUE"))) {
            assertThat(insecure.toString()).contains("signatures=off");
        }
    }

    @Test
    void everyEnvironmentErrorNamesTheVariableAndTheValue() {
        assertThatThrownBy(() -> TwilioWhatsAppChannel.fromEnv(env("TWILIO_ACCOUNT_SID", null)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("TWILIO_ACCOUNT_SID is not set");
        assertThatThrownBy(() -> TwilioWhatsAppChannel.fromEnv(env("TWILIO_AUTH_TOKEN", "")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("TWILIO_AUTH_TOKEN is not set");
        assertThatThrownBy(() -> TwilioWhatsAppChannel.fromEnv(env("TWILIO_ACCOUNT_SID", "AC42")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("TWILIO_ACCOUNT_SID must be AC followed by 32 hex digits: AC42");
        assertThatThrownBy(() -> TwilioWhatsAppChannel.fromEnv(env("TWILIO_WHATSAPP_NUMBER", null)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("neither TWILIO_WHATSAPP_NUMBER nor TWILIO_MESSAGING_SERVICE_SID is set");
        assertThatThrownBy(() -> TwilioWhatsAppChannel.fromEnv(env("TWILIO_WHATSAPP_NUMBER", "whatsapp:555 123 4567")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("TWILIO_WHATSAPP_NUMBER must be a phone number in international form (+ and the country"
                        + " code): whats***4567");
        assertThatThrownBy(() -> TwilioWhatsAppChannel.fromEnv(env("TWILIO_WHATSAPP_NUMBER", "sms:+15551234567")))
                .hasMessageStartingWith("TWILIO_WHATSAPP_NUMBER must be a phone number")
                .hasMessageNotContaining("15551234567");
        assertThatThrownBy(() -> TwilioWhatsAppChannel.fromEnv(env("TWILIO_MESSAGING_SERVICE_SID", "MGxyz")))
                .hasMessage("TWILIO_MESSAGING_SERVICE_SID must be MG followed by 32 hex digits: MGxyz");
        assertThatThrownBy(() -> TwilioWhatsAppChannel.fromEnv(env("WHATSAPP_WEBHOOK_URL", "bot.example.com/wa")))
                .hasMessage(
                        "WHATSAPP_WEBHOOK_URL must be an absolute http(s) URL without a fragment: bot.example.com/wa");
        assertThatThrownBy(() -> TwilioWhatsAppChannel.fromEnv(env("WHATSAPP_WEBHOOK_URL", PUBLIC_URL + "#top")))
                .hasMessageStartingWith("WHATSAPP_WEBHOOK_URL must be an absolute http(s) URL");
        assertThatThrownBy(() -> TwilioWhatsAppChannel.fromEnv(env("WHATSAPP_INSECURE_NO_SIGNATURE", "yes")))
                .hasMessage("WHATSAPP_INSECURE_NO_SIGNATURE must be true or false: yes");
        assertThatThrownBy(() -> TwilioWhatsAppChannel.fromEnv(env("WHATSAPP_ALLOW_ALL_USERS", "1")))
                .hasMessage("WHATSAPP_ALLOW_ALL_USERS must be true or false: 1");
        assertThatThrownBy(
                        () -> TwilioWhatsAppChannel.fromEnv(env("WHATSAPP_ALLOWED_USERS", "whatsapp:+15557654321,bob")))
                .hasMessage("WHATSAPP_ALLOWED_USERS must be a phone number in international form (+ and the country"
                        + " code): ***ob");
        assertThatThrownBy(() -> TwilioWhatsAppChannel.fromEnv(env("WHATSAPP_HOME_CHANNEL", "whatsapp:5550001111")))
                .hasMessageStartingWith("WHATSAPP_HOME_CHANNEL must be a phone number")
                .hasMessageNotContaining("5550001111");
        assertThatThrownBy(() -> TwilioWhatsAppChannel.fromEnv(env("WHATSAPP_HOME_CHANNEL_NAME", "ops")))
                .hasMessage("WHATSAPP_HOME_CHANNEL_NAME is set (ops) but WHATSAPP_HOME_CHANNEL is not");
        assertThatThrownBy(() -> TwilioWhatsAppChannel.fromEnv(env("TWILIO_API_BASE_URL", "localhost:4010")))
                .hasMessage("TWILIO_API_BASE_URL must be an absolute http(s) URL: localhost:4010");
    }

    @Test
    void builderOptionsNameThemselvesAndTheValue() {
        TwilioWhatsAppChannel.Builder builder = TwilioWhatsAppChannel.builder();
        assertThatThrownBy(() -> builder.webhookPath("webhooks"))
                .hasMessage("webhookPath must start with / and have no query, fragment or whitespace: webhooks");
        assertThatThrownBy(() -> builder.home("+15550001111", " "))
                .hasMessage("WHATSAPP_HOME_CHANNEL_NAME cannot be blank");
        assertThatThrownBy(() -> builder.proactiveTemplate("HX42"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("proactiveTemplate must be a Content SID, HX followed by 32 hex digits: HX42");
        assertThatThrownBy(() -> builder.window(Duration.ZERO)).hasMessage("window must be positive: PT0S");
        assertThatThrownBy(() -> builder.window(Duration.ofHours(25)))
                .hasMessage("window cannot be longer than WhatsApp's 24 hours (free text would fail with 63016):"
                        + " PT25H");
        assertThatThrownBy(() -> builder.readTimeout(Duration.ofSeconds(-1)))
                .hasMessage("readTimeout must be positive: PT-1S");
        assertThatThrownBy(() -> builder.connectTimeout(Duration.ZERO))
                .hasMessage("connectTimeout must be positive: PT0S");
    }

    @Test
    void theBuilderWorksWithoutTheEnvironment() {
        try (TwilioWhatsAppChannel channel = TwilioWhatsAppChannel.builder()
                .credentials(new TwilioCredentials(ACCOUNT_SID, AUTH_TOKEN))
                .whatsAppNumber("whatsapp:" + OUR_NUMBER)
                .webhookUrl(PUBLIC_URL)
                .allowedUsers("whatsapp:" + PERSON)
                .home(PERSON, "me")
                .proactiveTemplate(CONTENT_SID)
                .build()) {
            assertThat(channel.accessPolicy().permits(Address.of(PERSON))).isTrue();
            assertThat(channel.home().map(HomeChannel::name)).contains("me");
            assertThat(channel.toString()).doesNotContain(OUR_NUMBER).doesNotContain(AUTH_TOKEN);
        }
    }

    @Test
    void servesIncomingMessagesAndStatusCallbacksBesideTheSmsRoutes() {
        try (TwilioWhatsAppChannel channel = TwilioWhatsAppChannel.fromEnv(env())) {
            assertThat(channel.routes())
                    .extracting(WebhookRoute::path)
                    .containsExactly("/webhooks/twilio-whatsapp", "/webhooks/twilio-whatsapp/status");
            assertThat(channel.routes()).allSatisfy(route -> {
                assertThat(route.methods()).containsExactly("POST");
                assertThat(route.mediaTypes()).containsExactly("application/x-www-form-urlencoded");
            });
        }
        try (TwilioWhatsAppChannel channel = TwilioWhatsAppChannel.builderFromEnv(env())
                .webhookPath("/wa/in//")
                .build()) {
            assertThat(channel.routes()).extracting(WebhookRoute::path).containsExactly("/wa/in", "/wa/in/status");
        }
        try (TwilioWhatsAppChannel channel =
                TwilioWhatsAppChannel.builderFromEnv(env()).webhookPath("/").build()) {
            assertThat(channel.routes()).extracting(WebhookRoute::path).containsExactly("/", "/status");
        }
    }

    @Test
    void takesOnlyTheAccountFromTheCredentialsFileAndAcceptsASecondaryToken(@TempDir Path directory)
            throws IOException {
        Path file = directory.resolve("twilio.json");
        Files.writeString(
                file,
                "{\"accountSid\": \"" + ACCOUNT_SID + "\", \"authToken\": \"file-token\", \"phoneNumber\":"
                        + " \"+15550009999\"}");
        if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        }
        try (TwilioWhatsAppChannel channel = TwilioWhatsAppChannel.fromEnv(env(
                "TWILIO_ACCOUNT_SID",
                null,
                "TWILIO_AUTH_TOKEN",
                null,
                // The SMS number, which WhatsApp neither reads nor compares with the file's.
                "TWILIO_PHONE_NUMBER",
                "+15551110000",
                "TWILIO_CREDENTIALS_FILE",
                file.toString(),
                "TWILIO_AUTH_TOKEN_SECONDARY",
                "old-token"))) {
            WebhookRoute route = channel.routes().get(0);
            String[] message = Fixtures.inboundWhatsApp(TwilioTestData.SMS_SID, "hi");

            assertThat(channel.selfAddresses()).containsExactly(Address.of(OUR_NUMBER));
            assertThat(route.handler()
                            .handle(TwilioTestData.signed("file-token", PUBLIC_URL, route.path(), "", message)))
                    .isInstanceOf(WebhookResult.Inbound.class);
            assertThat(route.handler()
                            .handle(TwilioTestData.signed("old-token", PUBLIC_URL, route.path(), "", message)))
                    .isInstanceOf(WebhookResult.Inbound.class);
            assertThat(route.handler()
                            .handle(TwilioTestData.signed(AUTH_TOKEN, PUBLIC_URL, route.path(), "", message))
                            .response()
                            .status())
                    .isEqualTo(403);
        }
        assertThatThrownBy(() -> TwilioWhatsAppChannel.fromEnv(env("TWILIO_CREDENTIALS_FILE", file.toString())))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("TWILIO_AUTH_TOKEN differs from authToken in TWILIO_CREDENTIALS_FILE=" + file
                        + ": set it in one place only");
    }
}
