package dev.switchboard.samples;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sample gateway's {@code .env}, as a user runs it: its own JVM, started in a directory with the
 * file. Each case ends in a refusal to start, which says what the gateway read without a server.
 */
class GatewayDotEnvTest {

    private static final String TOKEN = "dotenv-secret-token";

    @TempDir
    Path tmp;

    /** Starts the gateway in {@link #tmp} with {@code env} over a cleaned environment; its error lines. */
    private List<String> refusal(String dotEnv, Map<String, String> env) throws Exception {
        Files.writeString(tmp.resolve(".env"), dotEnv);
        ProcessBuilder builder = new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                Gateway.class.getName());
        builder.environment()
                .keySet()
                .removeIf(k -> k.startsWith("TWILIO_") || k.startsWith("SMS_") || k.startsWith("SWITCHBOARD_"));
        builder.environment().put("SMS_WEBHOOK_PORT", "0");
        builder.environment().put("SWITCHBOARD_ADMIN_PORT", "0");
        builder.environment().putAll(env);
        builder.directory(tmp.toFile());
        Path stderr = tmp.resolve("stderr.log");
        builder.redirectError(stderr.toFile());
        Process process = builder.start();
        process.getOutputStream().close();

        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).isEqualTo(2);
        return Files.readAllLines(stderr).stream().filter(l -> !l.isBlank()).toList();
    }

    @Test
    void readsTheWorkingDirectorysDotEnvAndTheProcessEnvironmentWins() throws Exception {
        // Twilio mode comes from the file alone; were the file's agent taken, the gateway would refuse
        // it first, so the refusal of the file's webhook URL shows both the reading and the precedence.
        List<String> errorLines = refusal(
                String.join(
                        "\n",
                        "# the gateway's account",
                        "export TWILIO_ACCOUNT_SID=AC" + "0".repeat(32),
                        "TWILIO_AUTH_TOKEN='" + TOKEN + "'",
                        "TWILIO_PHONE_NUMBER=\"+15005550006\"",
                        "SWITCHBOARD_AGENT=no-such-agent",
                        "SMS_WEBHOOK_URL=dotenv-url # not a URL",
                        ""),
                Map.of("SWITCHBOARD_AGENT", "echo"));

        assertThat(errorLines)
                .containsExactly(
                        "switchboard: SMS_WEBHOOK_URL must be an absolute http(s) URL without a fragment: dotenv-url");
        assertThat(tmp.resolve("switchboard.db")).as("no database left behind").doesNotExist();
    }

    @Test
    void aMalformedLineStopsTheGatewayInOneLineWithoutTheValue() throws Exception {
        List<String> errorLines = refusal("TWILIO_ACCOUNT_SID=AC" + "0".repeat(32) + "\n" + TOKEN + "\n", Map.of());

        assertThat(errorLines).containsExactly("switchboard: .env line 2: expected KEY=VALUE");
    }
}
