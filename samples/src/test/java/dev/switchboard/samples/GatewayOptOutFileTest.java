package dev.switchboard.samples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.channel.Address;
import dev.switchboard.runtime.schedule.PushOutcome;
import dev.switchboard.samples.sandbox.TwilioSandbox;
import dev.switchboard.twilio.TwilioSignature;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sample gateway's {@code SWITCHBOARD_OPT_OUT_FILE}: a STOP outlives a restart. */
class GatewayOptOutFileTest {

    private static final String ACCOUNT_SID = "AC" + "0123456789abcdef".repeat(2);
    private static final String TOKEN = "gateway-opt-out-token";
    private static final String PUBLIC_URL = "https://agent.example.com/webhooks/twilio";
    private static final String ALICE = "+15551230001";

    private final PrintStream console = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);

    @TempDir
    Path directory;

    private static Map<String, String> env(Path optOutFile) {
        Map<String, String> env = new HashMap<>();
        env.put("TWILIO_ACCOUNT_SID", ACCOUNT_SID);
        env.put("TWILIO_AUTH_TOKEN", TOKEN);
        env.put("TWILIO_PHONE_NUMBER", "+15005550006");
        // Nothing listens there: a send that got as far as Twilio would fail to connect, not be refused.
        env.put("TWILIO_API_BASE_URL", "http://127.0.0.1:9");
        env.put("SMS_WEBHOOK_URL", PUBLIC_URL);
        env.put("SMS_WEBHOOK_HOST", "127.0.0.1");
        env.put("SMS_WEBHOOK_PORT", "0");
        env.put("SMS_ALLOWED_USERS", ALICE);
        env.put("SWITCHBOARD_AGENT", "silent");
        env.put("SWITCHBOARD_OPT_OUT_FILE", optOutFile.toString());
        return env;
    }

    private static int text(int port, String body) throws Exception {
        Map<String, List<String>> params = Map.of(
                "MessageSid", List.of("SM" + "0".repeat(31) + "1"),
                "AccountSid", List.of(ACCOUNT_SID),
                "From", List.of(ALICE),
                "To", List.of("+15005550006"),
                "Body", List.of(body));
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/webhooks/twilio"))
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header(TwilioSignature.HEADER, TwilioSignature.sign(TOKEN, PUBLIC_URL, params))
                .POST(HttpRequest.BodyPublishers.ofString(TwilioSandbox.encodeForm(params)))
                .build();
        return HttpClient.newHttpClient()
                .send(request, HttpResponse.BodyHandlers.discarding())
                .statusCode();
    }

    @Test
    void aStopOutlivesARestartAndRefusesThePushAfterIt() throws Exception {
        Path file = directory.resolve("opt-outs.txt");
        try (Gateway gateway = Gateway.start(env(file), console)) {
            assertThat(text(gateway.runtime().port(), "STOP")).isEqualTo(200);
            // The STOP is handled after the answer, on the runtime's executor.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!Files.readString(file).contains("out sms ") && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(Files.readString(file)).as("the STOP, on disk").contains("out sms %2B15551230001");
        }

        try (Gateway restarted = Gateway.start(env(file), console)) {
            PushOutcome push = restarted
                    .runtime()
                    .send("sms", Address.of(ALICE), "weekly digest")
                    .get(10, TimeUnit.SECONDS);

            assertThat(push.kind()).isEqualTo(PushOutcome.Kind.FAILED);
            assertThat(push.reason()).contains("opted out");
        }
    }

    @Test
    void aFileInADirectoryThatDoesNotExistIsRefusedNamingTheVariable() {
        Path file = directory.resolve("missing").resolve("opt-outs.txt");

        assertThatThrownBy(() -> Gateway.start(env(file), console))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("SWITCHBOARD_OPT_OUT_FILE=" + file + ": ")
                .hasMessageContaining("does not exist");
    }
}
