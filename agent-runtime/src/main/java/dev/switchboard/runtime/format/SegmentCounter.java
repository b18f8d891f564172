package dev.switchboard.runtime.format;

import static java.util.Objects.requireNonNull;

import java.util.Collection;

/**
 * Counts the SMS segments a text costs, as carriers bill them.
 *
 * <p>A text whose every character is in the GSM 03.38 default alphabet (or its extension table)
 * travels as {@link SmsEncoding#GSM_7}: up to 160 septets in one segment, else 153 per segment.
 * Extension-table characters ({@code ^ { } \ [ ~ ] | €} and form feed) cost two septets and are
 * never split across two segments. Any other character, one curly quote or one emoji, switches the
 * whole text to {@link SmsEncoding#UCS_2}: up to 70 UTF-16 code units in one segment, else 67 per
 * segment, never splitting a surrogate pair. {@link GsmNormaliser} keeps typographic text in GSM-7.
 *
 * <p>Stateless and thread-safe.
 */
public final class SegmentCounter {

    private static final String BASIC = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
            + "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
    private static final String EXTENSION = "\f^{}\\[~]|€";
    private static final int TABLE_SIZE = '€' + 1;
    // septets per character, 0 for a character outside GSM-7; written once here, never after
    private static final byte[] SEPTETS = septets();

    private SegmentCounter() {}

    private static byte[] septets() {
        byte[] table = new byte[TABLE_SIZE];
        BASIC.chars().forEach(c -> table[c] = 1);
        EXTENSION.chars().forEach(c -> table[c] = 2);
        return table;
    }

    /**
     * Counts the segments {@code text} costs when sent as one SMS.
     *
     * @return the encoding, segment count and size; the empty text costs 0 segments in GSM-7
     */
    public static Segments count(String text) {
        requireNonNull(text, "text");
        int septets = 0;
        for (int i = 0; i < text.length(); i++) {
            int cost = septetsOf(text.charAt(i));
            if (cost == 0) {
                return ucs2(text);
            }
            septets += cost;
        }
        if (septets <= SmsEncoding.GSM_7.singleSegmentUnits()) {
            return new Segments(SmsEncoding.GSM_7, septets == 0 ? 0 : 1, septets);
        }
        int segments = 1;
        int used = 0;
        for (int i = 0; i < text.length(); i++) {
            int cost = septetsOf(text.charAt(i));
            if (used + cost > SmsEncoding.GSM_7.multiSegmentUnits()) {
                segments++;
                used = 0;
            }
            used += cost;
        }
        return new Segments(SmsEncoding.GSM_7, segments, septets);
    }

    private static Segments ucs2(String text) {
        int units = text.length();
        if (units <= SmsEncoding.UCS_2.singleSegmentUnits()) {
            return new Segments(SmsEncoding.UCS_2, 1, units);
        }
        int segments = 1;
        int used = 0;
        for (int i = 0; i < text.length(); ) {
            int width = Character.charCount(text.codePointAt(i));
            if (used + width > SmsEncoding.UCS_2.multiSegmentUnits()) {
                segments++;
                used = 0;
            }
            used += width;
            i += width;
        }
        return new Segments(SmsEncoding.UCS_2, segments, units);
    }

    /** Whether every character of {@code text} is in the GSM-7 alphabet or its extension table. */
    public static boolean isGsm7(String text) {
        requireNonNull(text, "text");
        for (int i = 0; i < text.length(); i++) {
            if (septetsOf(text.charAt(i)) == 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether {@code c} is in the GSM-7 alphabet or its extension table.
     *
     * @param c a UTF-16 code unit; surrogates are never GSM-7
     */
    public static boolean isGsm7(char c) {
        return septetsOf(c) != 0;
    }

    /**
     * The segments the parts of one reply cost together, each part sent as its own SMS.
     *
     * @return the sum of {@link #count(String)} over {@code parts}
     */
    public static int totalSegments(Collection<String> parts) {
        requireNonNull(parts, "parts");
        int total = 0;
        for (String part : parts) {
            total += count(part).count();
        }
        return total;
    }

    private static int septetsOf(char c) {
        return c < TABLE_SIZE ? SEPTETS[c] : 0;
    }
}
