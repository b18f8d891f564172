package dev.switchboard.twilio;

import static java.util.Objects.requireNonNull;

import dev.switchboard.twilio.internal.FormParameters;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.BiConsumer;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Twilio's webhook signature, {@code X-Twilio-Signature}: Base64 of the HMAC-SHA1, keyed with the
 * account's auth token, of the full public URL followed by every parameter's name and value, sorted
 * by name and then by value. A value repeated under the same name is signed once, as Twilio's Python
 * library does; verification also accepts the reading that keeps every copy.
 *
 * <p>{@link #sign} computes one (a sandbox that plays Twilio, tests); an instance made by {@link
 * #verifier(String)} checks them, over the parameters {@link #decodeForm} reads from a body, and
 * one made by {@link #verifier(String, String)} accepts either of two tokens while an operator
 * rotates the account's token. Verification compares in constant time and accepts the URL with and
 * without the scheme's default port ({@code :443} for https, {@code :80} for http), both ways, as
 * Twilio's own libraries do. Instances are immutable and thread-safe.
 */
public final class TwilioSignature {

    /** The header Twilio sends the signature in. */
    public static final String HEADER = "X-Twilio-Signature";

    private static final String HMAC_SHA1 = "HmacSHA1";

    // The primary token's key first: the one Twilio signs with outside a rotation.
    private final SecretKeySpec[] keys;
    // A Mac is costly to look up and initialise, and not thread-safe: one per key per thread, kept,
    // with a buffer for the data they sign.
    private final ThreadLocal<Signer> signers = ThreadLocal.withInitial(() -> new Signer(newMacs()));
    // A handler checks against one public URL: its forms are worked out once, not per request.
    private volatile UrlForms lastUrl = new UrlForms("", new byte[][] {});

    private record UrlForms(String url, byte[][] forms) {}

    private TwilioSignature(List<String> authTokens) {
        this.keys = authTokens.stream()
                .map(token -> new SecretKeySpec(token.getBytes(StandardCharsets.UTF_8), HMAC_SHA1))
                .toArray(SecretKeySpec[]::new);
    }

    /**
     * A verifier for webhooks signed with {@code authToken}.
     *
     * @throws IllegalArgumentException if {@code authToken} is empty
     */
    public static TwilioSignature verifier(String authToken) {
        return new TwilioSignature(List.of(checked("authToken", authToken)));
    }

    /**
     * A verifier for webhooks signed with either token, for the time an operator rotates the
     * account's auth token: Twilio signs with whichever token is its primary, which changes when the
     * secondary one is promoted. A signature that matches neither is refused as by {@link
     * #verifier(String)}; one that matches nothing costs the checks of both tokens.
     *
     * @param authToken the token the application holds as its primary (it also authenticates REST
     *     calls)
     * @param secondaryAuthToken the other token, accepted until the rotation is over; the same as
     *     {@code authToken} makes a verifier of one token
     * @throws IllegalArgumentException if either token is empty
     */
    public static TwilioSignature verifier(String authToken, String secondaryAuthToken) {
        String primary = checked("authToken", authToken);
        String secondary = checked("secondaryAuthToken", secondaryAuthToken);
        return new TwilioSignature(primary.equals(secondary) ? List.of(primary) : List.of(primary, secondary));
    }

    private static String checked(String name, String token) {
        requireNonNull(token, name);
        if (token.isEmpty()) {
            throw new IllegalArgumentException(name + " cannot be empty");
        }
        return token;
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
        requireNonNull(url, "url");
        requireNonNull(params, "params");
        Signer signer = new Signer(verifier(authToken).newMacs());
        signer.load(params, true);
        return Base64.getEncoder().encodeToString(signer.digest(0, url.getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * Decodes a webhook's {@code application/x-www-form-urlencoded} body into the parameters its
     * signature covers, for {@link #verify}: UTF-8, each name with its values in arrival order (a name
     * may repeat). Decoding is strict, because the signature is computed over the decoded values: a
     * malformed percent-escape or invalid UTF-8 is refused rather than replaced, so nothing is
     * verified that differs from what the sender meant. Empty segments ({@code a=1&&b=2}) are
     * skipped; a segment without {@code =} is a name with an empty value.
     *
     * @param body the raw request body
     * @return the parameters by name, in arrival order; unmodifiable
     * @throws IllegalArgumentException if a percent-escape is malformed or the bytes are not valid
     *     UTF-8; the message says where without quoting the data
     */
    public static Map<String, List<String>> decodeForm(byte[] body) {
        return FormParameters.parse(requireNonNull(body, "body")).asMap();
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
        byte[][] forms = urlForms(url);
        Signer signer = signers.get();
        // twilio-python signs a repeated identical value once, and the other libraries do not say;
        // when duplicates arrive both readings are tried, neither being forgeable without the token.
        boolean[] readings = hasDuplicateValues(params) ? new boolean[] {true, false} : new boolean[] {true};
        for (boolean distinct : readings) {
            signer.load(params, distinct);
            // Stopping at the first match tells someone timing it only which form of the public URL
            // and which token were signed, which is no secret; a signature that matches nothing costs
            // every computation.
            for (byte[] urlBytes : forms) {
                for (int key = 0; key < keys.length; key++) {
                    if (MessageDigest.isEqual(base64(signer.digest(key, urlBytes)), given)) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /** The tokens are never shown. */
    @Override
    public String toString() {
        return keys.length == 1
                ? "TwilioSignature[HmacSHA1, key=***]"
                : "TwilioSignature[HmacSHA1, key=***, secondary key=***]";
    }

    private static boolean hasDuplicateValues(Map<String, List<String>> params) {
        for (List<String> values : params.values()) {
            if (values.size() > 1 && new HashSet<>(values).size() < values.size()) {
                return true;
            }
        }
        return false;
    }

    /**
     * A thread's Macs, one per key, and the data they sign: every parameter's name and value,
     * sorted, in UTF-8.
     */
    private static final class Signer {

        private static final Comparator<Map.Entry<String, List<String>>> BY_NAME = Map.Entry.comparingByKey();

        private final Mac[] macs;

        @SuppressWarnings({"unchecked", "rawtypes"}) // a generic array is created raw
        private Map.Entry<String, List<String>>[] entries = new Map.Entry[64];

        private byte[] data = new byte[1024];
        private int length;
        private boolean splitSurrogate;

        Signer(Mac[] macs) {
            this.macs = macs;
        }

        /** Lays out the parameters sorted by name and then by value. */
        void load(Map<String, List<String>> params, boolean distinct) {
            // The entries, not the names, are sorted: a look-up per name afterwards cost more than
            // the sort. The array is kept for the thread's next request and cleared after use.
            int count = 0;
            for (Map.Entry<String, List<String>> entry : params.entrySet()) {
                if (count == entries.length) {
                    entries = Arrays.copyOf(entries, 2 * count);
                }
                entries[count++] = entry;
            }
            Arrays.sort(entries, 0, count, BY_NAME);
            length = 0;
            splitSurrogate = false;
            try {
                forEachSorted(count, distinct, (name, value) -> {
                    append(name);
                    append(value);
                });
                if (splitSurrogate) {
                    // A surrogate pair split between two strings is one character once they are
                    // joined, and Twilio encodes the joined text: encode it whole, the slow way, for
                    // this rarity.
                    StringBuilder whole = new StringBuilder(length);
                    forEachSorted(
                            count, distinct, (name, value) -> whole.append(name).append(value));
                    byte[] utf8 = whole.toString().getBytes(StandardCharsets.UTF_8);
                    length = 0;
                    ensure(utf8.length);
                    System.arraycopy(utf8, 0, data, 0, utf8.length);
                    length = utf8.length;
                }
            } finally {
                Arrays.fill(entries, 0, count, null);
            }
        }

        private void forEachSorted(int count, boolean distinct, BiConsumer<String, String> action) {
            for (int i = 0; i < count; i++) {
                String name = entries[i].getKey();
                List<String> values = entries[i].getValue();
                Collection<String> sorted = values.size() == 1
                        ? values
                        : distinct
                                ? new TreeSet<>(values)
                                : values.stream().sorted().toList();
                for (String value : sorted) {
                    action.accept(name, value);
                }
            }
        }

        byte[] digest(int key, byte[] url) {
            Mac mac = macs[key];
            mac.update(url);
            mac.update(data, 0, length);
            return mac.doFinal();
        }

        private void append(String text) {
            int n = text.length();
            ensure(n);
            boolean ascii = true;
            for (int i = 0; i < n && ascii; i++) {
                ascii = text.charAt(i) < 0x80;
            }
            if (ascii) {
                for (int i = 0; i < n; i++) {
                    data[length++] = (byte) text.charAt(i);
                }
                return;
            }
            splitSurrogate |= Character.isLowSurrogate(text.charAt(0)) || Character.isHighSurrogate(text.charAt(n - 1));
            byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
            ensure(utf8.length);
            System.arraycopy(utf8, 0, data, length, utf8.length);
            length += utf8.length;
        }

        private void ensure(int more) {
            if (length + more > data.length) {
                data = Arrays.copyOf(data, Math.max(2 * data.length, length + more));
            }
        }
    }

    private byte[][] urlForms(String url) {
        UrlForms last = lastUrl;
        if (!last.url().equals(url)) {
            byte[][] forms = urlVariants(url).stream()
                    .map(u -> u.getBytes(StandardCharsets.UTF_8))
                    .toArray(byte[][]::new);
            last = new UrlForms(url, forms);
            lastUrl = last;
        }
        return last.forms();
    }

    private static byte[] base64(byte[] digest) {
        return Base64.getEncoder().encode(digest);
    }

    private Mac[] newMacs() {
        try {
            Mac[] macs = new Mac[keys.length];
            for (int i = 0; i < keys.length; i++) {
                macs[i] = Mac.getInstance(HMAC_SHA1);
                macs[i].init(keys[i]);
            }
            return macs;
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
