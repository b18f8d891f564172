package dev.switchboard.twilio;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Twilio's webhook signature, {@code X-Twilio-Signature}: Base64 of the HMAC-SHA1, keyed with the
 * account's auth token, of the full public URL followed by every parameter's name and value, sorted
 * by name and then by value. A value repeated under the same name is signed once, as Twilio's Python
 * library does; verification also accepts the reading that keeps every copy.
 *
 * <p>{@link #sign} computes one (a sandbox that plays Twilio, tests); an instance made by {@link
 * #verifier(String)} checks them. Verification compares in constant time and accepts the URL with
 * and without the scheme's default port ({@code :443} for https, {@code :80} for http), both ways,
 * as Twilio's own libraries do. Instances are immutable and thread-safe.
 */
public final class TwilioSignature {

    /** The header Twilio sends the signature in. */
    public static final String HEADER = "X-Twilio-Signature";

    private static final String HMAC_SHA1 = "HmacSHA1";

    private final SecretKeySpec key;

    private TwilioSignature(String authToken) {
        this.key = new SecretKeySpec(authToken.getBytes(StandardCharsets.UTF_8), HMAC_SHA1);
    }

    /**
     * A verifier for webhooks signed with {@code authToken}.
     *
     * @throws IllegalArgumentException if {@code authToken} is empty
     */
    public static TwilioSignature verifier(String authToken) {
        requireNonNull(authToken, "authToken");
        if (authToken.isEmpty()) {
            throw new IllegalArgumentException("authToken cannot be empty");
        }
        return new TwilioSignature(authToken);
    }

    /**
     * Computes the signature Twilio would send for a request to {@code url} with {@code params}.
     * The URL is signed exactly as given.
     *
     * @param authToken the account's auth token
     * @param url the full URL Twilio was configured with: scheme, host, port if any, path, query
     * @param params the decoded form parameters; a name may carry several values
     * @return the Base64 signature
     * @throws IllegalArgumentException if {@code authToken} is empty
     */
    public static String sign(String authToken, String url, Map<String, List<String>> params) {
        return verifier(authToken).compute(requireNonNull(url, "url"), requireNonNull(params, "params"), true);
    }

    /**
     * Whether {@code signature} is Twilio's signature of a request to {@code url} with {@code
     * params}. A null or empty signature is never valid.
     *
     * @param url the public URL Twilio called (never the local one behind a proxy or tunnel)
     * @param params the decoded form parameters
     * @param signature the {@code X-Twilio-Signature} header value, or {@code null} if absent
     */
    public boolean verify(String url, Map<String, List<String>> params, String signature) {
        requireNonNull(url, "url");
        requireNonNull(params, "params");
        if (signature == null || signature.isEmpty()) {
            return false;
        }
        byte[] given = signature.getBytes(StandardCharsets.UTF_8);
        // twilio-python signs a repeated identical value once, and the other libraries do not say;
        // when duplicates arrive both readings are tried, neither being forgeable without the token.
        List<Boolean> readings = hasDuplicateValues(params) ? List.of(true, false) : List.of(true);
        boolean valid = false;
        // Check every variant, not the first match only, so the time taken does not depend on which.
        for (String candidate : urlVariants(url)) {
            for (boolean distinct : readings) {
                byte[] expected = compute(candidate, params, distinct).getBytes(StandardCharsets.UTF_8);
                valid |= MessageDigest.isEqual(expected, given);
            }
        }
        return valid;
    }

    /** The token is never shown. */
    @Override
    public String toString() {
        return "TwilioSignature[HmacSHA1, key=***]";
    }

    private static boolean hasDuplicateValues(Map<String, List<String>> params) {
        return params.values().stream().anyMatch(values -> new HashSet<>(values).size() < values.size());
    }

    private String compute(String url, Map<String, List<String>> params, boolean distinct) {
        List<String> names = new ArrayList<>(params.keySet());
        names.sort(null);
        StringBuilder data = new StringBuilder(url);
        for (String name : names) {
            Collection<String> values = distinct
                    ? new TreeSet<>(params.get(name))
                    : params.get(name).stream().sorted().toList();
            for (String value : values) {
                data.append(name).append(value);
            }
        }
        try {
            Mac mac = Mac.getInstance(HMAC_SHA1);
            mac.init(key);
            byte[] digest = mac.doFinal(data.toString().getBytes(StandardCharsets.UTF_8));
            return Base64.getEncoder().encodeToString(digest);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA1 is not available in this JVM", e);
        }
    }

    /** The URL as given, plus its form with the default port added or removed, if it has one. */
    static List<String> urlVariants(String url) {
        int schemeEnd = url.indexOf("://");
        if (schemeEnd < 0) {
            return List.of(url);
        }
        String scheme = url.substring(0, schemeEnd).toLowerCase(Locale.ROOT);
        String defaultPort;
        if (scheme.equals("https")) {
            defaultPort = "443";
        } else if (scheme.equals("http")) {
            defaultPort = "80";
        } else {
            return List.of(url);
        }
        int authorityStart = schemeEnd + 3;
        int authorityEnd = authorityStart;
        while (authorityEnd < url.length() && "/?#".indexOf(url.charAt(authorityEnd)) < 0) {
            authorityEnd++;
        }
        String authority = url.substring(authorityStart, authorityEnd);
        // The port follows the last ':' after the host; an IPv6 literal's colons sit inside brackets.
        int hostStart = authority.lastIndexOf('@') + 1;
        int colon = authority.lastIndexOf(':');
        int bracket = authority.lastIndexOf(']');
        String variant;
        if (colon >= hostStart && colon > bracket) {
            String port = authority.substring(colon + 1);
            if (!port.equals(defaultPort)) {
                return List.of(url);
            }
            variant = authority.substring(0, colon);
        } else {
            variant = authority + ":" + defaultPort;
        }
        return List.of(url, url.substring(0, authorityStart) + variant + url.substring(authorityEnd));
    }
}
