package dev.switchboard.samples.spring;

import static dev.switchboard.samples.ProcessLines.awaitLine;
import static dev.switchboard.samples.ProcessLines.lines;
import static dev.switchboard.samples.ProcessLines.stop;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The executable jar as a user runs it, {@code java -jar target/switchboard-spring-boot-sample.jar},
 * with the sample gateway's variables only: the dev phone on standard input, the echo agent's reply
 * through the sandbox, {@code /actuator/health} with the {@code switchboard} component, and the
 * refusal without {@code SMS_WEBHOOK_URL} when an account is set. Runs in the {@code
 * integration-test} phase, once {@code package} has built the jar.
 */
class ExecutableJarIT {

    private static final Path JAR =
            Path.of("target", "switchboard-spring-boot-sample.jar").toAbsolutePath();

    @TempDir
    Path tmp;

    @BeforeAll
    static void jarWasBuilt() {
        if (!Files.isRegularFile(JAR)) {
            throw new IllegalStateException(JAR + " is missing: run this test after `package`");
        }
    }

    private Process launch(Map<String, String> env, Path stderr) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", JAR.toString());
        builder.environment().clear();
        builder.environment().putAll(env);
        builder.directory(tmp.toFile());
        builder.redirectError(stderr.toFile());
        return builder.start();
    }

    @Test
    void inSandboxModeTheDevPhoneTalksToTheEchoAgentAndHealthShowsTheRuntime() throws Exception {
        String logs = talkToTheEchoAgent(Map.of("SWITCHBOARD_AGENT", "echo", "SERVER_PORT", "0"));

        assertThat(logs).contains("Started SwitchboardApplication").contains("+1555***4321");
        assertThat(logs).doesNotContain("hello from the jar").doesNotContain("+15557654321");
    }

    @Test
    void theWorkingDirectorysDotEnvIsReadAsTheGatewayReadsIt() throws Exception {
        Files.writeString(
                tmp.resolve(".env"), "# the sample's settings\nexport SWITCHBOARD_AGENT=\"echo\"\nSERVER_PORT=0\n");

        talkToTheEchoAgent(Map.of());
    }

    /**
     * Starts the jar in {@link #tmp} with {@code env}, checks {@code /actuator/health} and an echo
     * through the dev phone, stops it and returns its logs.
     */
    private String talkToTheEchoAgent(Map<String, String> env) throws Exception {
        Path stderr = tmp.resolve("stderr.log");
        Process process = launch(env, stderr);
        List<String> seen = new ArrayList<>();
        try {
            BlockingQueue<String> lines = lines(process);
            assertThat(awaitLine(lines, "SANDBOX MODE", seen)).isEqualTo(seen.get(0));
            String started = awaitLine(lines, "gateway: http://127.0.0.1:", seen);
            Matcher port = Pattern.compile("gateway: http://127\\.0\\.0\\.1:(\\d+)   agent: echo")
                    .matcher(started);
            assertThat(port.find()).as(started).isTrue();
            awaitLine(lines, "Type a message", seen);

            HttpResponse<String> health =
                    Webhooks.get(URI.create("http://127.0.0.1:" + port.group(1) + "/actuator/health"));
            assertThat(health.statusCode()).isEqualTo(200);
            JsonNode json = Webhooks.json(health);
            assertThat(json.path("status").asText()).isEqualTo("UP");
            assertThat(json.path("components")
                            .path("switchboard")
                            .path("status")
                            .asText())
                    .isEqualTo("UP");

            Writer stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
            stdin.write("hello from the jar\n");
            stdin.flush();
            assertThat(awaitLine(lines, "agent> ", seen)).isEqualTo("agent> echo: hello from the jar");
        } finally {
            stop(process);
        }
        return Files.readString(stderr);
    }

    @Test
    void withAnAccountButNoSmsWebhookUrlItExitsNamingTheVariable() throws Exception {
        Path stderr = tmp.resolve("refusal.log");
        Process process = launch(
                Map.of(
                        "TWILIO_ACCOUNT_SID", "AC" + "0".repeat(32),
                        "TWILIO_AUTH_TOKEN", "test-token",
                        "TWILIO_PHONE_NUMBER", "+15005550006",
                        "SERVER_PORT", "0"),
                stderr);
        process.getOutputStream().close();
        String stdout = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

        assertThat(process.waitFor(90, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).isNotZero();
        String output = stdout + Files.readString(stderr);
        assertThat(output)
                .contains("APPLICATION FAILED TO START")
                .contains("SMS_WEBHOOK_URL is not set")
                .contains("switchboard.sms.webhook-url")
                .doesNotContain("test-token");
        assertThat(tmp.resolve("switchboard.db")).as("no database left behind").doesNotExist();
    }
}
