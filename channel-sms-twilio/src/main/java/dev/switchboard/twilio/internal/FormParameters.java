package dev.switchboard.twilio.internal;

import static java.util.Objects.requireNonNull;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The parameters of an {@code application/x-www-form-urlencoded} body, decoded strictly, in the
 * order they arrived; a name may repeat.
 *
 * <p>Decoding is strict because a signature is computed over the decoded values: a malformed
 * percent-escape or invalid UTF-8 is refused rather than replaced, so nothing is verified or
 * handed on that differs from what the sender meant.
 *
 * <p>Public only for {@link dev.switchboard.twilio.TwilioSignature#decodeForm}, the way in for
 * applications, and the Twilio modules' test fixtures.
 */
public final class FormParameters {

    private static final Pattern SAFE_NAME = Pattern.compile("[A-Za-z0-9_]{1,64}");

    private final Map<String, List<String>> values;

    private FormParameters(Map<String, List<String>> values) {
        this.values = values;
    }

    /**
     * Decodes a form body as UTF-8. Empty segments ({@code a=1&&b=2}) are skipped; a segment without
     * {@code =} is a name with an empty value.
     *
     * @throws IllegalArgumentException if a percent-escape is malformed or the decoded bytes are not
     *     valid UTF-8 (a {@link MalformedWebhookException}); the message says where without quoting
     *     the data
     */
    public static FormParameters parse(byte[] body) {
        requireNonNull(body, "body");
        Decoder decoder = new Decoder(body);
        // Room for the thirty-odd fields of a webhook without growing.
        Map<String, List<String>> values = new LinkedHashMap<>(64);
        boolean repeated = false;
        int start = 0;
        while (start <= body.length) {
            int end = indexOf(body, (byte) '&', start);
            if (end > start) {
                int equals = indexOf(body, (byte) '=', start, end);
                String name = decoder.decode(start, equals, null);
                String value = equals < end ? decoder.decode(equals + 1, end, name) : "";
                // Most names come once: one immutable list each, and a growable one only for a repeat.
                List<String> list = values.putIfAbsent(name, List.of(value));
                if (list != null) {
                    if (!(list instanceof ArrayList)) {
                        list = new ArrayList<>(list);
                        values.put(name, list);
                    }
                    list.add(value);
                    repeated = true;
                }
            }
            start = end + 1;
        }
        if (repeated) {
            values.replaceAll((name, list) -> List.copyOf(list));
        }
        return new FormParameters(Collections.unmodifiableMap(values));
    }

    /** Parameters built in code (tests, a sandbox that signs what it sends), in the map's order. */
    public static FormParameters of(Map<String, List<String>> values) {
        requireNonNull(values, "values");
        Map<String, List<String>> copy = new LinkedHashMap<>();
        values.forEach((name, list) -> copy.put(requireNonNull(name, "name"), new ArrayList<>(list)));
        return new FormParameters(freeze(copy));
    }

    /** Every parameter, by name, in arrival order; unmodifiable. */
    public Map<String, List<String>> asMap() {
        return values;
    }

    /** The first value of {@code name}, if the parameter is present. */
    public Optional<String> first(String name) {
        List<String> list = values.get(requireNonNull(name, "name"));
        return list == null ? Optional.empty() : Optional.of(list.get(0));
    }

    /** Every value of {@code name}, in arrival order; empty if absent. */
    public List<String> all(String name) {
        return values.getOrDefault(requireNonNull(name, "name"), List.of());
    }

    /** Whether no parameter is present. */
    public boolean isEmpty() {
        return values.isEmpty();
    }

    /** The parameter names only: values can carry message text and phone numbers. */
    @Override
    public String toString() {
        return "FormParameters" + values.keySet();
    }

    private static Map<String, List<String>> freeze(Map<String, List<String>> values) {
        Map<String, List<String>> frozen = new LinkedHashMap<>();
        values.forEach((name, list) -> frozen.put(name, List.copyOf(list)));
        return Collections.unmodifiableMap(frozen);
    }

    private static int indexOf(byte[] bytes, byte target, int from) {
        return indexOf(bytes, target, from, bytes.length);
    }

    private static int indexOf(byte[] bytes, byte target, int from, int to) {
        for (int i = from; i < to; i++) {
            if (bytes[i] == target) {
                return i;
            }
        }
        return to;
    }

    /**
     * Decodes the parts of one body, reusing one buffer and at most one strict UTF-8 decoder for
     * them all. Plain ASCII (the names, numbers and sids that make up most of a webhook) becomes a
     * string without either.
     */
    private static final class Decoder {

        private final byte[] body;
        private byte[] scratch;
        private CharsetDecoder utf8;

        Decoder(byte[] body) {
            this.body = body;
        }

        // name is null while decoding a name, else the (decoded) name of the value, for the message.
        String decode(int from, int to, String name) {
            boolean plain = true;
            for (int i = from; i < to && plain; i++) {
                byte b = body[i];
                plain = b >= 0 && b != '%' && b != '+';
            }
            if (plain) {
                return new String(body, from, to - from, StandardCharsets.ISO_8859_1);
            }
            if (scratch == null || scratch.length < to - from) {
                scratch = new byte[Math.max(64, to - from)];
            }
            int length = 0;
            boolean ascii = true;
            for (int i = from; i < to; i++) {
                byte b = body[i];
                if (b == '+') {
                    b = ' ';
                } else if (b == '%') {
                    int high = i + 2 < to ? Character.digit(body[i + 1], 16) : -1;
                    int low = i + 2 < to ? Character.digit(body[i + 2], 16) : -1;
                    if (high < 0 || low < 0) {
                        throw new MalformedWebhookException(
                                "malformed form body: bad percent-escape at byte " + i + " (" + where(name) + ")");
                    }
                    b = (byte) (high << 4 | low);
                    i += 2;
                }
                ascii &= b >= 0;
                scratch[length++] = b;
            }
            if (ascii) {
                return new String(scratch, 0, length, StandardCharsets.ISO_8859_1);
            }
            if (utf8 == null) {
                utf8 = StandardCharsets.UTF_8
                        .newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT);
            }
            try {
                return utf8.decode(ByteBuffer.wrap(scratch, 0, length)).toString();
            } catch (CharacterCodingException e) {
                throw new MalformedWebhookException("malformed form body: invalid UTF-8 (" + where(name) + ")", e);
            }
        }
    }

    private static String where(String name) {
        if (name == null) {
            return "in a parameter name";
        }
        return SAFE_NAME.matcher(name).matches() ? "in the value of " + name : "in a parameter value";
    }
}
