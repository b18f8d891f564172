package dev.switchboard.samples;

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

/**
 * The sample gateway started as for a real Twilio account (no sandbox), with one allowed sender and a
 * REST API address where nothing listens, and webhooks signed as Twilio signs them: for tests of the
 * gateway's own environment variables.
 */
final class TwilioModeGateway {

    static final String ACCOUNT_SID = "AC" + "0123456789abcdef".repeat(2);
    static final String TOKEN = "gateway-test-token";
    static final String PUBLIC_URL = "https://agent.example.com/webhooks/twilio";
    static final String GATEWAY = "+15005550006";
    static final String ALICE = "+15551230001";

    /** Where the gateway's console goes: nowhere. */
    static final PrintStream CONSOLE = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private TwilioModeGateway() {}

    /**
     * The environment: a silent agent, {@link #ALICE} allowed, the listener on a free loopback port,
     * and a REST API where nothing listens (a send that got as far as Twilio fails to connect).
     */
    static Map<String, String> env() {
        Map<String, String> env = new HashMap<>();
        env.put("TWILIO_ACCOUNT_SID", ACCOUNT_SID);
        env.put("TWILIO_AUTH_TOKEN", TOKEN);
        env.put("TWILIO_PHONE_NUMBER", GATEWAY);
        env.put("TWILIO_API_BASE_URL", "http://127.0.0.1:9");
        env.put("SMS_WEBHOOK_URL", PUBLIC_URL);
        env.put("SMS_WEBHOOK_HOST", "127.0.0.1");
        env.put("SMS_WEBHOOK_PORT", "0");
        env.put("SMS_ALLOWED_USERS", ALICE);
        env.put("SWITCHBOARD_AGENT", "silent");
        env.put("SWITCHBOARD_DATABASE_URL", "memory");
        return env;
    }

    /** {@link #env()} with {@code key} set to {@code value}. */
    static Map<String, String> env(String key, String value) {
        Map<String, String> env = env();
        env.put(key, value);
        return env;
    }

    /** Texts {@code body} from {@link #ALICE} as message number {@code n}; the webhook's status. */
    static int text(int port, int n, String body) throws Exception {
        return text(port, n, body, TOKEN);
    }

    /** {@link #text(int, int, String)} signed with {@code token}. */
    static int text(int port, int n, String body, String token) throws Exception {
        Map<String, List<String>> params = Map.of(
                "MessageSid", List.of(String.format("SM%032x", n)),
                "AccountSid", List.of(ACCOUNT_SID),
                "From", List.of(ALICE),
                "To", List.of(GATEWAY),
                "Body", List.of(body));
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/webhooks/twilio"))
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header(TwilioSignature.HEADER, TwilioSignature.sign(token, PUBLIC_URL, params))
                .POST(HttpRequest.BodyPublishers.ofString(TwilioSandbox.encodeForm(params)))
                .build();
        return HTTP.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}
