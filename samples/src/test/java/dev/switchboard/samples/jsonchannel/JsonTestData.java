package dev.switchboard.samples.jsonchannel;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.channel.WebhookRequest;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The provider's side of the JSON channel's wire format, written from its documentation rather than
 * from the channel's code: the shared secret, the addresses, signatures and signed webhooks.
 */
final class JsonTestData {

    static final String SECRET = "json-channel-test-secret-0123456789";
    static final String GUESSED_SECRET = "a-guessed-secret-0000000000";
    static final String PERSON = "+15557654321";
    static final String OURS = "+15551234567";
    static final String HEADER = "X-Signature-256";

    private static final ObjectMapper JSON = new ObjectMapper();

    private JsonTestData() {}

    /** {@code sha256=} and the hex HMAC-SHA256 of {@code body} under {@code secret}. */
    static String sign(String secret, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A JSON object of {@code pairs} (names and values, values written as JSON strings). */
    static byte[] json(String... pairs) {
        ObjectNode node = JSON.createObjectNode();
        for (int i = 0; i < pairs.length; i += 2) {
            node.put(pairs[i], pairs[i + 1]);
        }
        try {
            return JSON.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A POST of {@code body} to {@code path}, signed with {@code secret}. */
    static WebhookRequest signed(String secret, String path, byte[] body) {
        return request(path, sign(secret, body), body);
    }

    /** A POST of {@code body} to {@code path} with the given signature header, none if null. */
    static WebhookRequest request(String path, String signature, byte[] body) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "application/json; charset=utf-8");
        if (signature != null) {
            headers.put(HEADER, signature);
        }
        return new WebhookRequest("POST", path, "", headers, body);
    }

    /** An incoming message's body. */
    static byte[] inbound(String id, String from, String to, String text) {
        return json("id", id, "from", from, "to", to, "text", text);
    }

    /** The channel's builder with the test secret, addresses and provider URL. */
    static JsonWebhookChannel.Builder channel(String providerUrl) {
        return JsonWebhookChannel.builder()
                .sharedSecret(SECRET)
                .providerUrl(providerUrl)
                .selfAddress(OURS)
                .allowAllUsers(true);
    }
}
