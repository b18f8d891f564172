package dev.switchboard.samples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.channel.InboundMessage;
import dev.switchboard.runtime.AgentRuntime;
import dev.switchboard.runtime.DropReason;
import dev.switchboard.runtime.NettyLeakCheck;
import dev.switchboard.runtime.RuntimeListener;
import dev.switchboard.samples.sandbox.TwilioSandbox;
import dev.switchboard.sms.twilio.TwilioSmsChannel;
import dev.switchboard.twilio.TwilioSignature;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Hostile webhooks against the real Twilio SMS channel behind the listener: forms that do not
 * decode, signatures that are missing, empty, huge or made for other data, repeated names, sids of
 * the wrong shape. Each gets a clear status and never reaches the agent; no buffer leaks (Netty's
 * detector at PARANOID); a normal signed webhook right after is served.
 */
class TwilioHostileInputTest {

    @RegisterExtension
    static final NettyLeakCheck leaks = new NettyLeakCheck();

    private static final String ACCOUNT_SID = "AC" + "0123456789abcdef".repeat(2);
    private static final String TOKEN = "hostile-test-token";
    private static final String GATEWAY = "+15005550006";
    private static final String ALICE = "+15551230001";
    private static final String PUBLIC_URL = "https://agent.example.com/webhooks/twilio";
    private static final String FORM = "application/x-www-form-urlencoded";

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final BlockingQueue<String> turns = new LinkedBlockingQueue<>();
    private final BlockingQueue<String> dropped = new LinkedBlockingQueue<>();
    private final RuntimeListener listener = new RuntimeListener() {
        @Override
        public void onDropped(InboundMessage message, DropReason reason) {
            dropped.add(message.id() + " " + reason);
        }
    };
    private AgentRuntime runtime;
    private URI local;
    private int healthy;

    @BeforeEach
    void start() {
        TwilioSmsChannel sms = TwilioSmsChannel.builder()
                .accountSid(ACCOUNT_SID)
                .authToken(TOKEN)
                .phoneNumber(GATEWAY)
                .webhookUrl(PUBLIC_URL)
                .allowedUsers(List.of(ALICE))
                // The agent never answers, so nothing is sent; were it to, it would fail here, fast.
                .apiBaseUrl("http://127.0.0.1:9")
                .build();
        runtime = AgentRuntime.builder()
                .webhookServer("127.0.0.1", 0)
                .channel(sms)
                .agent(turn -> {
                    turns.add(turn.message().id() + " " + turn.text());
                    return Optional.empty();
                })
                .listener(listener)
                .build()
                .start();
        local = URI.create("http://127.0.0.1:" + runtime.port() + "/webhooks/twilio");
    }

    @AfterEach
    void stop() {
        runtime.close();
    }

    private static Map<String, List<String>> sms(String sid, String body) {
        Map<String, List<String>> params = new LinkedHashMap<>();
        params.put("MessageSid", List.of(sid));
        params.put("SmsSid", List.of(sid));
        params.put("AccountSid", List.of(ACCOUNT_SID));
        params.put("From", List.of(ALICE));
        params.put("To", List.of(GATEWAY));
        params.put("Body", List.of(body));
        params.put("NumMedia", List.of("0"));
        return params;
    }

    private static String sign(Map<String, List<String>> params) {
        return TwilioSignature.sign(TOKEN, PUBLIC_URL, params);
    }

    private HttpResponse<String> post(byte[] body, String contentType, String... signatures)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(local)
                .timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        for (String signature : signatures) {
            request.header(TwilioSignature.HEADER, signature);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String body, String... signatures) throws IOException, InterruptedException {
        return post(body.getBytes(StandardCharsets.UTF_8), FORM, signatures);
    }

    private HttpResponse<String> postSigned(Map<String, List<String>> params) throws IOException, InterruptedException {
        return post(TwilioSandbox.encodeForm(params), sign(params));
    }

    private static String sid(int n) {
        return String.format("SM%032x", n);
    }

    /** Nothing reached the agent so far; a normal signed webhook is served and does. */
    private void assertNothingReachedTheAgentAndStillServes() throws Exception {
        assertThat(turns).as("turns before the normal webhook").isEmpty();
        String sid = sid(1_000_000 + ++healthy);
        assertThat(postSigned(sms(sid, "hello")).statusCode()).isEqualTo(200);
        assertThat(turns.poll(10, TimeUnit.SECONDS)).isEqualTo(sid + " hello");
    }

    @Test
    void refusesMalformedPercentEncodingWith400() throws Exception {
        String body = TwilioSandbox.encodeForm(sms(sid(1), "hi")) + "&Body2=100%+sure%2";
        for (String broken : List.of(body, "MessageSid=%ZZ", "From=%2", "%=x", "Body=%e9%")) {
            HttpResponse<String> response = post(broken, "c2lnbmF0dXJl");
            assertThat(response.statusCode()).as(broken).isEqualTo(400);
            assertThat(response.body()).startsWith("malformed form body: bad percent-escape");
        }
        assertNothingReachedTheAgentAndStillServes();
    }

    @Test
    void refusesInvalidUtf8With400() throws Exception {
        String prefix = TwilioSandbox.encodeForm(sms(sid(1), "hi")) + "&Extra=";
        byte[] raw = (prefix + "x").getBytes(StandardCharsets.US_ASCII);
        raw[raw.length - 1] = (byte) 0xC3;
        for (byte[] body : List.of(
                raw,
                (prefix + "%C3%28").getBytes(StandardCharsets.US_ASCII),
                (prefix + "%ED%A0%80").getBytes(StandardCharsets.US_ASCII),
                (prefix + "%C0%AF").getBytes(StandardCharsets.US_ASCII))) {
            HttpResponse<String> response = post(body, FORM, "c2lnbmF0dXJl");
            assertThat(response.statusCode()).isEqualTo(400);
            assertThat(response.body()).isEqualTo("malformed form body: invalid UTF-8 (in the value of Extra)");
        }
        assertNothingReachedTheAgentAndStillServes();
    }

    @Test
    void refusesAMissingEmptyHugeOrMisdirectedSignatureWith403() throws Exception {
        Map<String, List<String>> params = sms(sid(1), "hi");
        String body = TwilioSandbox.encodeForm(params);
        String good = sign(params);

        assertThat(post(body).statusCode()).isEqualTo(403);
        assertThat(post(body, "").statusCode()).isEqualTo(403);
        assertThat(post(body, "A".repeat(6000)).statusCode()).isEqualTo(403);
        assertThat(post(body, good.substring(1)).statusCode()).isEqualTo(403);
        assertThat(post(body, TwilioSignature.sign(TOKEN, "https://other.example.com/webhooks/twilio", params))
                        .statusCode())
                .isEqualTo(403);
        assertThat(post(body, TwilioSignature.sign("another-token", PUBLIC_URL, params))
                        .statusCode())
                .isEqualTo(403);
        // Only the first of repeated signature headers counts.
        assertThat(post(body, "forged", good).statusCode()).isEqualTo(403);
        assertNothingReachedTheAgentAndStillServes();
    }

    @Test
    void refusesAMissingOrWrongContentTypeWith415() throws Exception {
        Map<String, List<String>> params = sms(sid(1), "hi");
        byte[] body = TwilioSandbox.encodeForm(params).getBytes(StandardCharsets.UTF_8);

        assertThat(post(body, null, sign(params)).statusCode()).isEqualTo(415);
        assertThat(post(body, "text/plain", sign(params)).statusCode()).isEqualTo(415);
        assertThat(post(body, "application/json", sign(params)).statusCode()).isEqualTo(415);
        assertNothingReachedTheAgentAndStillServes();
    }

    @Test
    void refusesAMessageSidOfTheWrongShapeWith400EvenWhenSigned() throws Exception {
        for (String sid : List.of(
                "SM123",
                "XX" + "0".repeat(32),
                "SM" + "g".repeat(32),
                "SM" + "0".repeat(33),
                " SM" + "0".repeat(32),
                "")) {
            HttpResponse<String> response = postSigned(sms(sid, "hi"));
            assertThat(response.statusCode()).as(sid).isEqualTo(400);
            assertThat(response.body())
                    .isIn("MessageSid must be SM or MM followed by 32 hex digits", "MessageSid is required");
        }
        assertNothingReachedTheAgentAndStillServes();
    }

    @Test
    void signsEveryValueOfARepeatedNameSoNoneCanBeAddedOrChanged() throws Exception {
        Map<String, List<String>> params = sms(sid(7), "first");
        params.put("Body", List.of("first", "second"));
        String signature = sign(params);
        String body = TwilioSandbox.encodeForm(params);

        assertThat(post(body + "&From=%2B15559999999", signature).statusCode()).isEqualTo(403);
        assertThat(post(body.replace("second", "other"), signature).statusCode())
                .isEqualTo(403);
        assertThat(post(body.replace("&Body=second", ""), signature).statusCode())
                .isEqualTo(403);
        assertNothingReachedTheAgentAndStillServes();

        // Signed as sent, the message goes through once, read by its first value.
        assertThat(post(body, signature).statusCode()).isEqualTo(200);
        assertThat(turns.poll(10, TimeUnit.SECONDS)).isEqualTo(sid(7) + " first");
        assertThat(post(body, signature).statusCode()).isEqualTo(200);
        assertThat(dropped.poll(10, TimeUnit.SECONDS)).isEqualTo(sid(7) + " DUPLICATE");
        assertThat(turns).isEmpty();
    }

    @Test
    void answersTheLimitWith429ForTheSignedSenderAndServesOthers() throws Exception {
        runtime.close();
        runtime = AgentRuntime.builder()
                .webhookServer("127.0.0.1", 0)
                .channel(TwilioSmsChannel.builder()
                        .accountSid(ACCOUNT_SID)
                        .authToken(TOKEN)
                        .phoneNumber(GATEWAY)
                        .webhookUrl(PUBLIC_URL)
                        .allowAllUsers(true)
                        .apiBaseUrl("http://127.0.0.1:9")
                        .build())
                .agent(turn -> {
                    turns.add(turn.message().id() + " " + turn.text());
                    return Optional.empty();
                })
                .listener(listener)
                .inboundLimit(3)
                .build()
                .start();
        local = URI.create("http://127.0.0.1:" + runtime.port() + "/webhooks/twilio");

        for (int i = 0; i < 3; i++) {
            assertThat(postSigned(sms(sid(i), "hi")).statusCode()).isEqualTo(200);
        }
        assertThat(postSigned(sms(sid(3), "hi")).statusCode()).isEqualTo(429);
        assertThat(dropped.poll(10, TimeUnit.SECONDS)).isEqualTo(sid(3) + " RATE_LIMITED");
        // A forged From is refused before the limit is even counted; another signed sender is served.
        Map<String, List<String>> bob = sms(sid(4), "hi");
        bob.put("From", List.of("+15551230002"));
        assertThat(post(TwilioSandbox.encodeForm(bob), sign(sms(sid(4), "hi"))).statusCode())
                .isEqualTo(403);
        assertThat(postSigned(bob).statusCode()).isEqualTo(200);

        for (int i = 0; i < 3; i++) {
            assertThat(turns.poll(10, TimeUnit.SECONDS)).endsWith(" hi");
        }
        assertThat(turns.poll(10, TimeUnit.SECONDS)).isEqualTo(sid(4) + " hi");
        assertThat(turns).isEmpty();
        assertThat(dropped).isEmpty();
    }
}
