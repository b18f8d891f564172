package dev.switchboard.samples;

import static dev.switchboard.samples.ProcessLines.awaitLine;
import static dev.switchboard.samples.ProcessLines.lines;
import static dev.switchboard.samples.ProcessLines.stop;
import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.samples.assistant.FakeOpenAi;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sample gateway as a user runs it: its own JVM, sandbox mode, the dev phone on standard input,
 * logs on standard error.
 */
class GatewayProcessTest {

    private static final String SECRET_BODY = "my pin is 4321 and my number is +15550001234";

    @TempDir
    Path tmp;

    /** How the gateway is launched; {@code ExecutableJarTest} launches the shaded jar instead. */
    List<String> command() {
        return List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                Gateway.class.getName());
    }

    /** The gateway's process, with none of this machine's Twilio or model settings in its environment. */
    private ProcessBuilder gatewayProcess() {
        ProcessBuilder builder = new ProcessBuilder(command());
        builder.environment()
                .keySet()
                .removeIf(k -> k.startsWith("TWILIO_")
                        || k.startsWith("SMS_")
                        || k.startsWith("OPENAI_")
                        || k.startsWith("OLLAMA_"));
        return builder;
    }

    private Process launch(Path stderr) throws IOException {
        return launch(stderr, Map.of());
    }

    private Process launch(Path stderr, Map<String, String> extra) throws IOException {
        ProcessBuilder builder = gatewayProcess();
        builder.environment().put("SWITCHBOARD_AGENT", "echo");
        builder.environment().put("SMS_WEBHOOK_PORT", "0");
        // Side by side with other gateways: the console on a free port rather than 8081.
        builder.environment().put("SWITCHBOARD_ADMIN_PORT", "0");
        builder.environment().putAll(extra);
        builder.redirectError(stderr.toFile());
        return builder.start();
    }

    @Test
    void devPhoneTalksToTheEchoAgentAndTheLogsKeepNoSecrets() throws Exception {
        Path stderr = tmp.resolve("stderr.log");
        Process process = launch(stderr);
        List<String> seen = new ArrayList<>();
        try {
            BlockingQueue<String> lines = lines(process);
            assertThat(awaitLine(lines, "SANDBOX MODE", seen)).isEqualTo(seen.get(0));
            // The console's address, on the free port asked for, answers over HTTP.
            String console = awaitLine(lines, "Console: ", seen);
            assertThat(console).matches("Console: http://127\\.0\\.0\\.1:\\d+/");
            HttpResponse<String> health = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create(console.substring("Console: ".length()) + "healthz"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertThat(health.body()).isEqualTo("{\"status\":\"UP\"}");
            awaitLine(lines, "Type a message", seen);

            Writer stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
            stdin.write(SECRET_BODY + "\n");
            stdin.flush();

            assertThat(awaitLine(lines, "agent> ", seen)).isEqualTo("agent> echo: " + SECRET_BODY);

            stdin.write("wa: over **WhatsApp**\n");
            stdin.flush();
            assertThat(awaitLine(lines, "agent (WhatsApp)> ", seen))
                    .isEqualTo("agent (WhatsApp)> echo: over *WhatsApp*");
        } finally {
            stop(process);
        }
        String logs = Files.readString(stderr);
        assertThat(logs).contains("[sms] Twilio webhook server listening on 127.0.0.1:");
        assertThat(logs).contains("+1500***0006");
        assertThat(logs)
                .doesNotContain(Gateway.SANDBOX_PHONE)
                .doesNotContain(Gateway.SANDBOX_GATEWAY_NUMBER)
                .doesNotContain(Gateway.SANDBOX_WHATSAPP_NUMBER)
                .doesNotContain("WhatsApp*")
                .doesNotContain("+15550001234")
                .doesNotContain("my pin")
                .doesNotContain("echo: ");
        // No auth token: 32 hex digits that are not part of an AC/SM/MG sid.
        assertThat(Pattern.compile("(?<![A-Z]{2})\\b[0-9a-f]{32}\\b")
                        .matcher(logs)
                        .find())
                .as("a token-like value in the logs:%n%s", logs)
                .isFalse();
    }

    @Test
    void theHeartbeatReachesTheDevPhoneAndItsOutcomeIsLogged() throws Exception {
        Path stderr = tmp.resolve("stderr.log");
        Process process = launch(
                stderr,
                Map.of("SWITCHBOARD_HEARTBEAT_CRON", "* * * * * *", "SWITCHBOARD_HEARTBEAT_TEXT", "**still** here"));
        List<String> seen = new ArrayList<>();
        try {
            BlockingQueue<String> lines = lines(process);
            assertThat(awaitLine(lines, "agent> still", seen)).isEqualTo("agent> still here");
            // Outside WhatsApp's window (the dev phone has not written), the sandbox's template is used.
            assertThat(awaitLine(lines, "agent (WhatsApp)> ", seen))
                    .startsWith("agent (WhatsApp)> (template HX")
                    .endsWith("{\"1\":\"*still* here\"})");
        } finally {
            stop(process);
        }
        String logs = Files.readString(stderr);
        assertThat(logs).contains("heartbeat").contains("+1555***4321").doesNotContain("still here");
    }

    @Test
    void runsWithStandardInputClosed() throws Exception {
        Path stderr = tmp.resolve("stderr.log");
        Process process = launch(stderr);
        List<String> seen = new ArrayList<>();
        try {
            process.getOutputStream().close();
            BlockingQueue<String> lines = lines(process);
            awaitLine(lines, "SANDBOX MODE", seen);
            awaitLine(lines, "no more input", seen);

            assertThat(process.isAlive())
                    .as("the gateway keeps running without a terminal")
                    .isTrue();
        } finally {
            stop(process);
        }
        assertThat(Files.readString(stderr)).doesNotContain("Exception");
    }

    @Test
    void theAssistantAnswersTheDevPhoneThroughAnOpenAiCompatibleApiAndNeverLogsTheKey() throws Exception {
        String key = "sk-test-" + "5".repeat(24);
        try (FakeOpenAi api = new FakeOpenAi()) {
            api.thenAnswers("Hello from the fake model.");
            Path stderr = tmp.resolve("stderr.log");
            Process process = launch(
                    stderr,
                    Map.of("SWITCHBOARD_AGENT", "assistant", "OPENAI_API_KEY", key, "OPENAI_BASE_URL", api.apiUrl()));
            List<String> seen = new ArrayList<>();
            try {
                BlockingQueue<String> lines = lines(process);
                awaitLine(lines, "Type a message", seen);
                Writer stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
                stdin.write(SECRET_BODY + "\n");
                stdin.flush();

                assertThat(awaitLine(lines, "agent> ", seen)).isEqualTo("agent> Hello from the fake model.");
            } finally {
                stop(process);
            }
            assertThat(api.requests()).singleElement().satisfies(request -> {
                assertThat(request.authorization()).isEqualTo("Bearer " + key);
                assertThat(request.body()).contains(SECRET_BODY);
            });
            String logs = Files.readString(stderr);
            assertThat(logs).contains("assistant: gpt-4o-mini at " + api.apiUrl());
            assertThat(logs).doesNotContain(key).doesNotContain("my pin").doesNotContain("Hello from the fake");
        }
    }

    @Test
    void theAssistantWithoutAModelRefusesToStartWithOneLineNamingTheVariables() throws Exception {
        List<String> errorLines = refusal(Map.of(
                "SWITCHBOARD_AGENT", "assistant", "SMS_WEBHOOK_URL", "https://agent.example.com/webhooks/twilio"));

        assertThat(errorLines).hasSize(1);
        assertThat(errorLines.get(0))
                .startsWith("switchboard: SWITCHBOARD_AGENT=assistant needs a language model")
                .contains("OPENAI_API_KEY")
                .contains("OLLAMA_BASE_URL");
        assertThat(tmp.resolve("switchboard.db")).as("no database left behind").doesNotExist();
    }

    /**
     * Starts the gateway in Twilio mode with {@code extra} on top of an account and a number, in
     * {@link #tmp}, expects it to refuse to start, and returns what it wrote on standard error.
     */
    private List<String> refusal(Map<String, String> extra) throws Exception {
        ProcessBuilder builder = gatewayProcess();
        builder.environment().put("TWILIO_ACCOUNT_SID", "AC" + "0".repeat(32));
        builder.environment().put("TWILIO_AUTH_TOKEN", "test-token");
        builder.environment().put("TWILIO_PHONE_NUMBER", "+15005550006");
        builder.environment().put("SMS_WEBHOOK_PORT", "0");
        builder.environment().putAll(extra);
        builder.directory(tmp.toFile());
        Path stderr = tmp.resolve("refusal.log");
        builder.redirectError(stderr.toFile());
        Process process = builder.start();
        process.getOutputStream().close();

        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).isNotZero();
        return Files.readAllLines(stderr).stream().filter(l -> !l.isBlank()).toList();
    }

    @Test
    void refusesToStartWithoutAPublicWebhookUrlNamingTheVariable() throws Exception {
        List<String> errorLines = refusal(Map.of());

        assertThat(errorLines).hasSize(1);
        assertThat(errorLines.get(0)).contains("SMS_WEBHOOK_URL").doesNotContain("test-token");
        assertThat(tmp.resolve("switchboard.db")).as("no database left behind").doesNotExist();
    }

    @Test
    void aDatabaseThatDoesNotConnectStopsTheGatewayWithOneLineNamingTheVariable() throws Exception {
        List<String> errorLines = refusal(Map.of(
                "SMS_WEBHOOK_URL", "https://agent.example.com/webhooks/twilio",
                "SWITCHBOARD_DATABASE_URL", "jdbc:postgresql://127.0.0.1:9/switchboard",
                "SWITCHBOARD_DATABASE_USER", "agent",
                "SWITCHBOARD_DATABASE_PASSWORD", "s3cret-pw"));

        assertThat(errorLines).hasSize(1);
        assertThat(errorLines.get(0))
                .contains("SWITCHBOARD_DATABASE_URL=jdbc:postgresql://127.0.0.1:9/switchboard")
                .doesNotContain("s3cret-pw");
    }
}
