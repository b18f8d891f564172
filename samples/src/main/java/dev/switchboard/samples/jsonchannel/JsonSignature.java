package dev.switchboard.samples.jsonchannel;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The signature both directions carry: {@code X-Signature-256: sha256=} and the hex HMAC-SHA256 of
 * the raw body under the shared secret. Thread-safe.
 */
final class JsonSignature {

    static final String HEADER = "X-Signature-256";

    private static final String PREFIX = "sha256=";
    private static final int HEX_DIGITS = 64;
    private static final String ALGORITHM = "HmacSHA256";

    private final SecretKeySpec key;

    JsonSignature(String secret) {
        this.key = new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), ALGORITHM);
    }

    /** The header's value for {@code body}. */
    String sign(byte[] body) {
        return PREFIX + HexFormat.of().formatHex(mac(body));
    }

    /**
     * Checks the header a request carried against its body.
     *
     * @param header the header's value, empty if the request had none
     * @return empty if the signature is right; otherwise why not, fit for the answer to the caller
     */
    Optional<String> check(Optional<String> header, byte[] body) {
        String value = header.map(String::strip).orElse("");
        if (value.isEmpty()) {
            return Optional.of("missing " + HEADER);
        }
        if (value.length() != PREFIX.length() + HEX_DIGITS
                || !value.regionMatches(true, 0, PREFIX, 0, PREFIX.length())) {
            return Optional.of("malformed " + HEADER + ": expected sha256= and " + HEX_DIGITS + " hex digits");
        }
        byte[] given;
        try {
            given = HexFormat.of().parseHex(value, PREFIX.length(), value.length());
        } catch (IllegalArgumentException e) {
            return Optional.of("malformed " + HEADER + ": expected sha256= and " + HEX_DIGITS + " hex digits");
        }
        // Constant time: how much of a guess was right must not show in how long the answer takes.
        return MessageDigest.isEqual(mac(body), given) ? Optional.empty() : Optional.of("invalid " + HEADER);
    }

    private byte[] mac(byte[] body) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            return mac.doFinal(body);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is not available in this JVM", e);
        }
    }

    @Override
    public String toString() {
        return "JsonSignature[" + HEADER + ", HMAC-SHA256]";
    }
}
