package dev.switchboard.samples;

import static dev.switchboard.samples.TwilioModeGateway.ACCOUNT_SID;
import static dev.switchboard.samples.TwilioModeGateway.CONSOLE;
import static dev.switchboard.samples.TwilioModeGateway.GATEWAY;
import static dev.switchboard.samples.TwilioModeGateway.TOKEN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sample gateway's account from {@code TWILIO_CREDENTIALS_FILE}, as a secret is mounted, and a
 * second auth token while the token is rotated.
 */
class GatewayCredentialsTest {

    @TempDir
    Path directory;

    /** {@link TwilioModeGateway#env()} with the account and number in a file instead of variables. */
    private Map<String, String> envWithFile(String... pairs) throws Exception {
        Path file = directory.resolve("twilio.json");
        Files.writeString(
                file,
                "{\"accountSid\": \"" + ACCOUNT_SID + "\", \"authToken\": \"" + TOKEN + "\", \"phoneNumber\": \""
                        + GATEWAY + "\"}");
        if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        }
        Map<String, String> env = TwilioModeGateway.env();
        env.remove("TWILIO_ACCOUNT_SID");
        env.remove("TWILIO_AUTH_TOKEN");
        env.remove("TWILIO_PHONE_NUMBER");
        env.put("TWILIO_CREDENTIALS_FILE", file.toString());
        for (int i = 0; i < pairs.length; i += 2) {
            env.put(pairs[i], pairs[i + 1]);
        }
        return env;
    }

    @Test
    void runsOnTheAccountInTheCredentialsFileNotInSandboxMode() throws Exception {
        try (Gateway gateway = Gateway.start(envWithFile(), CONSOLE)) {
            assertThat(gateway.sandbox()).isEmpty();
            assertThat(TwilioModeGateway.text(gateway.runtime().port(), 1, "hi"))
                    .isEqualTo(200);
            assertThat(TwilioModeGateway.text(gateway.runtime().port(), 2, "hi", "another-token"))
                    .isEqualTo(403);
        }
    }

    @Test
    void acceptsWebhooksSignedWithTheSecondaryTokenWhileItIsRotated() throws Exception {
        try (Gateway gateway = Gateway.start(envWithFile("TWILIO_AUTH_TOKEN_SECONDARY", "old-token"), CONSOLE)) {
            int port = gateway.runtime().port();

            assertThat(TwilioModeGateway.text(port, 1, "signed with the primary"))
                    .isEqualTo(200);
            assertThat(TwilioModeGateway.text(port, 2, "signed with the secondary", "old-token"))
                    .isEqualTo(200);
            assertThat(TwilioModeGateway.text(port, 3, "signed with neither", "another-token"))
                    .isEqualTo(403);
        }
    }

    @Test
    void refusesAFileThatDisagreesWithTheVariables() throws Exception {
        Map<String, String> env = envWithFile("TWILIO_AUTH_TOKEN", "stale-token");

        assertThatThrownBy(() -> Gateway.start(env, CONSOLE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("TWILIO_AUTH_TOKEN differs from authToken in TWILIO_CREDENTIALS_FILE=")
                .hasMessageNotContaining("stale-token")
                .hasMessageNotContaining(TOKEN);
    }
}
