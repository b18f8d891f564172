package dev.switchboard.samples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.samples.sandbox.SandboxMessage;
import dev.switchboard.samples.sandbox.TextOutcome;
import dev.switchboard.samples.sandbox.TwilioSandbox;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway in its own JVM with its default durable store (SQLite), killed with SIGKILL right
 * after it acknowledged a message: the next start answers the message, once.
 */
class GatewayCrashTest {

    private static final String GATEWAY = "+15005550006";
    private static final String ALICE = "+15551230001";

    @TempDir
    Path tmp;

    private TwilioSandbox twilio;
    private final BlockingQueue<SandboxMessage> replies = new LinkedBlockingQueue<>();
    private final List<Process> processes = new ArrayList<>();
    private Map<String, String> env;

    @BeforeEach
    void startTwilio() {
        twilio = TwilioSandbox.builder().senders(Set.of(GATEWAY)).build().start();
        twilio.onMessage(message -> {
            if (message.direction() != SandboxMessage.Direction.INBOUND) {
                replies.add(message);
            }
        });
        int port = Gateway.freeLoopbackPort();
        String url = "http://127.0.0.1:" + port + "/webhooks/twilio";
        twilio.configureWebhook(GATEWAY, URI.create(url), url);
        env = new HashMap<>();
        env.put("TWILIO_ACCOUNT_SID", twilio.accountSid());
        env.put("TWILIO_AUTH_TOKEN", twilio.authToken());
        env.put("TWILIO_PHONE_NUMBER", GATEWAY);
        env.put("TWILIO_API_BASE_URL", twilio.baseUrl().toString());
        env.put("SMS_WEBHOOK_URL", url);
        env.put("SMS_WEBHOOK_HOST", "127.0.0.1");
        env.put("SMS_WEBHOOK_PORT", Integer.toString(port));
        env.put("SMS_ALLOWED_USERS", ALICE);
        env.put("SWITCHBOARD_AGENT", "echo");
    }

    @AfterEach
    void stop() throws InterruptedException {
        for (Process process : processes) {
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
        twilio.close();
    }

    /** Starts the gateway in {@link #tmp} (where its default {@code switchboard.db} goes); waits until it runs. */
    private Process gateway(String echoDelayMillis) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        Gateway.class.getName())
                .directory(tmp.toFile())
                .redirectErrorStream(true);
        builder.environment()
                .keySet()
                .removeIf(k -> k.startsWith("TWILIO_")
                        || k.startsWith("SMS_")
                        || k.startsWith("WHATSAPP_")
                        || k.startsWith("SWITCHBOARD_"));
        builder.environment().putAll(env);
        builder.environment().put("SWITCHBOARD_ECHO_DELAY_MS", echoDelayMillis);
        Process process = builder.start();
        processes.add(process);
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader in =
                    new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    lines.add(line);
                }
            } catch (IOException e) {
                lines.add("(read failed: " + e + ")");
            }
        });
        reader.setDaemon(true);
        reader.start();
        List<String> seen = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            String line = lines.poll(1, TimeUnit.SECONDS);
            if (line == null) {
                continue;
            }
            seen.add(line);
            if (line.contains("runtime started")) {
                assertThat(String.join("\n", seen)).contains("store sqlite:");
                return process;
            }
        }
        throw new AssertionError("the gateway did not start: " + seen);
    }

    @Test
    void aMessageAcknowledgedJustBeforeAKillIsAnsweredOnceAfterTheRestart() throws Exception {
        // The agent takes a minute: the process dies in the middle of the turn.
        Process first = gateway("60000");
        TextOutcome texted = twilio.text(ALICE, GATEWAY, "remember me");
        assertThat(texted.webhookStatus()).isEqualTo(200);
        first.destroyForcibly();
        assertThat(first.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(replies).isEmpty();

        gateway("0");
        SandboxMessage reply = replies.poll(30, TimeUnit.SECONDS);
        assertThat(reply).as("the reply after the restart").isNotNull();
        assertThat(reply.body()).isEqualTo("echo: remember me");
        assertThat(reply.to()).isEqualTo(ALICE);

        // A later message goes through as usual, and the first is not answered again.
        assertThat(twilio.text(ALICE, GATEWAY, "and now?").webhookStatus()).isEqualTo(200);
        SandboxMessage next = replies.poll(30, TimeUnit.SECONDS);
        assertThat(next).isNotNull();
        assertThat(next.body()).isEqualTo("echo: and now?");
        assertThat(twilio.messages().stream().filter(m -> m.body().equals("echo: remember me")))
                .hasSize(1);
    }
}
