package dev.switchboard.samples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.samples.sandbox.TwilioSandbox;
import dev.switchboard.twilio.TwilioSignature;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The sample gateway's {@code SWITCHBOARD_INBOUND_LIMIT}. */
class GatewayInboundLimitTest {

    private static final String ACCOUNT_SID = "AC" + "0123456789abcdef".repeat(2);
    private static final String TOKEN = "gateway-limit-token";
    private static final String PUBLIC_URL = "https://agent.example.com/webhooks/twilio";
    private static final String ALICE = "+15551230001";

    private final PrintStream console = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);

    private static Map<String, String> env(String limit) {
        Map<String, String> env = new HashMap<>();
        env.put("TWILIO_ACCOUNT_SID", ACCOUNT_SID);
        env.put("TWILIO_AUTH_TOKEN", TOKEN);
        env.put("TWILIO_PHONE_NUMBER", "+15005550006");
        env.put("TWILIO_API_BASE_URL", "http://127.0.0.1:9");
        env.put("SMS_WEBHOOK_URL", PUBLIC_URL);
        env.put("SMS_WEBHOOK_HOST", "127.0.0.1");
        env.put("SMS_WEBHOOK_PORT", "0");
        env.put("SMS_ALLOWED_USERS", ALICE);
        env.put("SWITCHBOARD_AGENT", "silent");
        env.put("SWITCHBOARD_INBOUND_LIMIT", limit);
        return env;
    }

    private static int post(HttpClient http, int port, int n) throws Exception {
        String sid = String.format("SM%032x", n);
        Map<String, List<String>> params = Map.of(
                "MessageSid", List.of(sid),
                "AccountSid", List.of(ACCOUNT_SID),
                "From", List.of(ALICE),
                "To", List.of("+15005550006"),
                "Body", List.of("hi"));
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/webhooks/twilio"))
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header(TwilioSignature.HEADER, TwilioSignature.sign(TOKEN, PUBLIC_URL, params))
                .POST(HttpRequest.BodyPublishers.ofString(TwilioSandbox.encodeForm(params)))
                .build();
        return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    @Test
    void limitsEachSenderToTheGivenMessagesAMinute() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        try (Gateway gateway = Gateway.start(env("2"), console)) {
            int port = gateway.runtime().port();

            assertThat(List.of(post(http, port, 1), post(http, port, 2), post(http, port, 3)))
                    .containsExactly(200, 200, 429);
        }
    }

    @Test
    void zeroTurnsTheLimitOff() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        try (Gateway gateway = Gateway.start(env("0"), console)) {
            int port = gateway.runtime().port();

            for (int i = 0; i < 150; i++) {
                assertThat(post(http, port, i)).isEqualTo(200);
            }
        }
    }

    @Test
    void refusesAValueThatIsNotALimit() {
        for (String bad : List.of("abc", "-1", "100001")) {
            assertThatThrownBy(() -> Gateway.start(env(bad), console))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("SWITCHBOARD_INBOUND_LIMIT must be a number of messages a minute per sender, 0 to"
                            + " 100000 (0 turns the limit off): " + bad);
        }
    }
}
