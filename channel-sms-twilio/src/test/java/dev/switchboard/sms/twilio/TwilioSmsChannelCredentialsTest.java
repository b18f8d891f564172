package dev.switchboard.sms.twilio;

import static dev.switchboard.twilio.TwilioTestData.ACCOUNT_SID;
import static dev.switchboard.twilio.TwilioTestData.AUTH_TOKEN;
import static dev.switchboard.twilio.TwilioTestData.OUR_NUMBER;
import static dev.switchboard.twilio.TwilioTestData.PERSON;
import static dev.switchboard.twilio.TwilioTestData.inboundSms;
import static dev.switchboard.twilio.TwilioTestData.signed;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.channel.Address;
import dev.switchboard.channel.OutboundMessage;
import dev.switchboard.channel.WebhookResult;
import dev.switchboard.channel.WebhookRoute;
import dev.switchboard.twilio.CredentialsProvider;
import dev.switchboard.twilio.FakeTwilioApi;
import dev.switchboard.twilio.LogCapture;
import dev.switchboard.twilio.TwilioCredentials;
import dev.switchboard.twilio.TwilioTestData;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where the SMS channel's account comes from: {@code TWILIO_CREDENTIALS_FILE}, a {@link
 * CredentialsProvider}, and a secondary auth token while the token is rotated.
 */
class TwilioSmsChannelCredentialsTest {

    private static final String PUBLIC_URL = "https://bot.example.com/webhooks/twilio";
    private static final String FILE_SID = "ACfedcba9876543210fedcba9876543210";
    private static final String FILE_TOKEN = "file-token-0123456789abcdef";
    private static final String FILE_NUMBER = "+15550009999";
    private static final String OLD_TOKEN = "old-token-before-rotation";

    /** The channel's environment without an account or a number. */
    private static final Map<String, String> NO_ACCOUNT = Map.of("SMS_WEBHOOK_URL", PUBLIC_URL);

    @TempDir
    Path directory;

    private Path credentialsFile() throws IOException {
        Path file = directory.resolve("twilio.json");
        Files.writeString(
                file,
                "{\"accountSid\": \"" + FILE_SID + "\", \"authToken\": \"" + FILE_TOKEN + "\", \"phoneNumber\": \""
                        + FILE_NUMBER + "\"}");
        if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        }
        return file;
    }

    private static Map<String, String> env(String... pairs) {
        return TwilioTestData.env(NO_ACCOUNT, pairs);
    }

    private static WebhookResult post(TwilioSmsChannel channel, String token) {
        WebhookRoute route = channel.routes().get(0);
        return route.handler().handle(signed(token, PUBLIC_URL, route.path(), "", inboundSms("hello")));
    }

    private static String basicAuth(String sid, String token) {
        return "Basic " + Base64.getEncoder().encodeToString((sid + ":" + token).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void theCredentialsFileGivesTheAccountAndTheNumber() throws IOException {
        Path file = credentialsFile();
        try (FakeTwilioApi api = FakeTwilioApi.start();
                TwilioSmsChannel channel = TwilioSmsChannel.fromEnv(
                        env("TWILIO_CREDENTIALS_FILE", file.toString(), "TWILIO_API_BASE_URL", api.baseUrl()))) {
            channel.send(OutboundMessage.text(Address.of(PERSON), "hi"));

            assertThat(channel.selfAddresses()).containsExactly(Address.of(FILE_NUMBER));
            assertThat(api.only().path()).isEqualTo("/2010-04-01/Accounts/" + FILE_SID + "/Messages.json");
            assertThat(api.only().header("Authorization")).isEqualTo(basicAuth(FILE_SID, FILE_TOKEN));
            assertThat(api.only().field("From")).isEqualTo(FILE_NUMBER);
            assertThat(post(channel, FILE_TOKEN)).isInstanceOf(WebhookResult.Inbound.class);
            assertThat(post(channel, AUTH_TOKEN).response().status()).isEqualTo(403);
        }
    }

    @Test
    void variablesThatAgreeWithTheFileAreAccepted() throws IOException {
        Path file = credentialsFile();
        try (TwilioSmsChannel channel = TwilioSmsChannel.fromEnv(env(
                "TWILIO_CREDENTIALS_FILE",
                file.toString(),
                "TWILIO_ACCOUNT_SID",
                "AC" + FILE_SID.substring(2).toUpperCase(Locale.ROOT),
                "TWILIO_AUTH_TOKEN",
                FILE_TOKEN,
                "TWILIO_PHONE_NUMBER",
                "+1 555 000 9999"))) {
            assertThat(channel.selfAddresses()).containsExactly(Address.of(FILE_NUMBER));
            assertThat(post(channel, FILE_TOKEN)).isInstanceOf(WebhookResult.Inbound.class);
        }
    }

    @Test
    void aVariableThatDisagreesWithTheFileIsRefusedShowingNeitherValue() throws IOException {
        Path file = credentialsFile();
        String prefix = "TWILIO_CREDENTIALS_FILE=" + file;

        assertThatThrownBy(() -> TwilioSmsChannel.fromEnv(
                        env("TWILIO_CREDENTIALS_FILE", file.toString(), "TWILIO_AUTH_TOKEN", AUTH_TOKEN)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("TWILIO_AUTH_TOKEN differs from authToken in " + prefix + ": set it in one place only")
                .hasMessageNotContaining(AUTH_TOKEN)
                .hasMessageNotContaining(FILE_TOKEN);
        assertThatThrownBy(() -> TwilioSmsChannel.fromEnv(
                        env("TWILIO_CREDENTIALS_FILE", file.toString(), "TWILIO_ACCOUNT_SID", ACCOUNT_SID)))
                .hasMessage("TWILIO_ACCOUNT_SID differs from accountSid in " + prefix + ": set it in one place only");
        assertThatThrownBy(() -> TwilioSmsChannel.fromEnv(
                        env("TWILIO_CREDENTIALS_FILE", file.toString(), "TWILIO_PHONE_NUMBER", OUR_NUMBER)))
                .hasMessage("TWILIO_PHONE_NUMBER differs from phoneNumber in " + prefix + ": set it in one place only");
    }

    @Test
    void aFileThatCannotBeUsedStopsTheBuildInOneLine() {
        Path missing = directory.resolve("missing.json");

        assertThatThrownBy(() -> TwilioSmsChannel.fromEnv(env("TWILIO_CREDENTIALS_FILE", " " + missing + " ")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("TWILIO_CREDENTIALS_FILE=" + missing + ": no such file");
    }

    @Test
    void withoutAnAccountTheRefusalMentionsTheFile() {
        assertThatThrownBy(() -> TwilioSmsChannel.fromEnv(env("TWILIO_PHONE_NUMBER", OUR_NUMBER)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("TWILIO_ACCOUNT_SID is not set: set it to the SID of your Twilio account (AC…), or"
                        + " TWILIO_CREDENTIALS_FILE to a JSON file that holds it");
    }

    @Test
    void aProviderIsAskedOnceAtBuildAndReplacesTheEnvironmentsAccount() throws IOException {
        AtomicInteger asked = new AtomicInteger();
        CredentialsProvider vault = () -> {
            asked.incrementAndGet();
            return new TwilioCredentials(FILE_SID, FILE_TOKEN);
        };
        TwilioSmsChannel.Builder builder = TwilioSmsChannel.builderFromEnv(env(
                        "TWILIO_ACCOUNT_SID",
                        ACCOUNT_SID,
                        "TWILIO_AUTH_TOKEN",
                        AUTH_TOKEN,
                        "TWILIO_PHONE_NUMBER",
                        OUR_NUMBER))
                .credentials(vault);
        assertThat(asked).hasValue(0);

        try (FakeTwilioApi api = FakeTwilioApi.start();
                TwilioSmsChannel channel = builder.apiBaseUrl(api.baseUrl()).build()) {
            assertThat(asked).hasValue(1);
            channel.send(OutboundMessage.text(Address.of(PERSON), "hi"));
            assertThat(post(channel, FILE_TOKEN)).isInstanceOf(WebhookResult.Inbound.class);
            assertThat(post(channel, AUTH_TOKEN).response().status()).isEqualTo(403);

            assertThat(asked).as("never asked again after build").hasValue(1);
            assertThat(api.only().header("Authorization")).isEqualTo(basicAuth(FILE_SID, FILE_TOKEN));
        }
    }

    @Test
    void theLastCredentialsOptionWins() {
        CredentialsProvider vault = () -> new TwilioCredentials(FILE_SID, FILE_TOKEN);
        try (TwilioSmsChannel channel = TwilioSmsChannel.builder()
                .credentials(vault)
                .credentials(TwilioTestData.CREDENTIALS)
                .phoneNumber(OUR_NUMBER)
                .webhookUrl(PUBLIC_URL)
                .build()) {
            assertThat(post(channel, AUTH_TOKEN)).isInstanceOf(WebhookResult.Inbound.class);
        }
        // A token alone after a provider leaves no account SID.
        assertThatThrownBy(() -> TwilioSmsChannel.builder()
                        .credentials(vault)
                        .authToken(AUTH_TOKEN)
                        .phoneNumber(OUR_NUMBER)
                        .webhookUrl(PUBLIC_URL)
                        .build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("TWILIO_ACCOUNT_SID is not set");
    }

    @Test
    void aProviderThatReturnsNothingOrFailsStopsTheBuild() {
        TwilioSmsChannel.Builder returnsNull = TwilioSmsChannel.builder()
                .credentials(() -> null)
                .phoneNumber(OUR_NUMBER)
                .webhookUrl(PUBLIC_URL);
        IllegalStateException sealed = new IllegalStateException("twilio/token is sealed");
        TwilioSmsChannel.Builder fails = TwilioSmsChannel.builder()
                .credentials(() -> {
                    throw sealed;
                })
                .phoneNumber(OUR_NUMBER)
                .webhookUrl(PUBLIC_URL);

        assertThatThrownBy(returnsNull::build)
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("the CredentialsProvider returned no credentials (null)");
        assertThatThrownBy(fails::build).isSameAs(sealed);
        assertThatThrownBy(() -> TwilioSmsChannel.builder().credentials((CredentialsProvider) null))
                .isInstanceOf(NullPointerException.class);
    }

    @Test
    void whileTheTokenIsRotatedWebhooksSignedWithEitherTokenPassAndSendsUseThePrimary() throws IOException {
        String logs;
        try (LogCapture log = LogCapture.start();
                FakeTwilioApi api = FakeTwilioApi.start();
                TwilioSmsChannel channel = TwilioSmsChannel.fromEnv(env(
                        "TWILIO_ACCOUNT_SID",
                        ACCOUNT_SID,
                        "TWILIO_AUTH_TOKEN",
                        AUTH_TOKEN,
                        "TWILIO_AUTH_TOKEN_SECONDARY",
                        " " + OLD_TOKEN + " ",
                        "TWILIO_PHONE_NUMBER",
                        OUR_NUMBER,
                        "SMS_ALLOW_ALL_USERS",
                        "true",
                        "TWILIO_API_BASE_URL",
                        api.baseUrl()))) {
            channel.start(TwilioTestData.context(Clock.systemUTC()));
            WebhookRoute status = channel.routes().get(1);

            assertThat(post(channel, AUTH_TOKEN)).isInstanceOf(WebhookResult.Inbound.class);
            assertThat(post(channel, OLD_TOKEN)).isInstanceOf(WebhookResult.Inbound.class);
            assertThat(post(channel, "some-other-token").response().status()).isEqualTo(403);
            assertThat(status.handler()
                            .handle(signed(
                                    OLD_TOKEN,
                                    PUBLIC_URL + "/status",
                                    status.path(),
                                    "",
                                    "MessageSid",
                                    TwilioTestData.SMS_SID,
                                    "MessageStatus",
                                    "delivered",
                                    "To",
                                    PERSON)))
                    .isInstanceOf(WebhookResult.Receipt.class);

            channel.send(OutboundMessage.text(Address.of(PERSON), "hi"));
            assertThat(api.only().header("Authorization")).isEqualTo(basicAuth(ACCOUNT_SID, AUTH_TOKEN));
            logs = log.text();
        }
        assertThat(logs)
                .contains("[sms] webhooks signed with the secondary auth token are accepted too"
                        + " (TWILIO_AUTH_TOKEN_SECONDARY): remove it once the rotation is over")
                .contains("WARN") // the forged webhook
                .doesNotContain(OLD_TOKEN)
                .doesNotContain(AUTH_TOKEN);
    }

    @Test
    void theSecondaryTokenGoesWithTheCredentialsFileAndTheBuilder() throws IOException {
        Path file = credentialsFile();
        try (TwilioSmsChannel fromFile = TwilioSmsChannel.fromEnv(
                        env("TWILIO_CREDENTIALS_FILE", file.toString(), "TWILIO_AUTH_TOKEN_SECONDARY", OLD_TOKEN));
                TwilioSmsChannel inCode = TwilioSmsChannel.builder()
                        .credentials(() -> TwilioTestData.CREDENTIALS)
                        .secondaryAuthToken(OLD_TOKEN)
                        .phoneNumber(OUR_NUMBER)
                        .webhookUrl(PUBLIC_URL)
                        .build()) {
            assertThat(post(fromFile, FILE_TOKEN)).isInstanceOf(WebhookResult.Inbound.class);
            assertThat(post(fromFile, OLD_TOKEN)).isInstanceOf(WebhookResult.Inbound.class);
            assertThat(post(inCode, AUTH_TOKEN)).isInstanceOf(WebhookResult.Inbound.class);
            assertThat(post(inCode, OLD_TOKEN)).isInstanceOf(WebhookResult.Inbound.class);
            assertThat(post(inCode, FILE_TOKEN).response().status()).isEqualTo(403);
        }
        assertThatThrownBy(() -> TwilioSmsChannel.builder().secondaryAuthToken("  "))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("TWILIO_AUTH_TOKEN_SECONDARY cannot be blank");
    }

    @Test
    void withoutASecondaryTokenOnlyThePrimaryPassesAndNothingIsSaidOfRotation() {
        String logs;
        try (LogCapture log = LogCapture.start();
                TwilioSmsChannel channel = TwilioSmsChannel.fromEnv(env(
                        "TWILIO_ACCOUNT_SID", ACCOUNT_SID,
                        "TWILIO_AUTH_TOKEN", AUTH_TOKEN,
                        "TWILIO_AUTH_TOKEN_SECONDARY", " ",
                        "TWILIO_PHONE_NUMBER", OUR_NUMBER))) {
            channel.start(TwilioTestData.context(Clock.systemUTC()));
            assertThat(post(channel, OLD_TOKEN).response().status()).isEqualTo(403);
            logs = log.text();
        }
        assertThat(logs).doesNotContain("secondary");
    }
}
