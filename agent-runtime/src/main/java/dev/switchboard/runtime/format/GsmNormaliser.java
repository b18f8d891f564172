package dev.switchboard.runtime.format;

import static java.util.Objects.requireNonNull;

import java.util.Arrays;

/**
 * Keeps a text in GSM-7 when only typographic characters push it out of it.
 *
 * <p>One curly quote turns a whole SMS into UCS-2, which more than doubles the price of a long
 * message (153 characters per segment become 67). This normaliser replaces curly and angle quotes
 * and primes with {@code '} and {@code "}, dashes and the minus sign with {@code -}, the ellipsis
 * with {@code ...}, the bullet with {@code -}, non-breaking and other typographic spaces with a
 * space, and removes invisible characters (zero-width space, word joiner, byte order mark, soft
 * hyphen). It does so only when the result is entirely GSM-7 and costs no more segments than the
 * original: a text that stays UCS-2 anyway (an emoji, a non-Latin script) is returned as it is,
 * since replacing its quotes would save nothing, and so is a short text made longer by expanded
 * ellipses.
 *
 * <p>Stateless and thread-safe.
 */
public final class GsmNormaliser {

    private GsmNormaliser() {}

    /**
     * Normalises {@code text} if that makes it GSM-7.
     *
     * @return the text with its typographic characters replaced, if the result is entirely GSM-7
     *     and costs no more segments; otherwise {@code text} itself
     */
    public static String normalise(String text) {
        requireNonNull(text, "text");
        if (SegmentCounter.isGsm7(text)) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length() + 8);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            String replacement = c < '\u00A0' ? null : replacement(c);
            if (replacement != null) {
                out.append(replacement);
            } else if (SegmentCounter.isGsm7(c)) {
                out.append(c);
            } else {
                return text;
            }
        }
        return cheaper(out.toString(), text);
    }

    // three dots for one ellipsis can cost more septets than UCS-2 saves on a short text
    static String cheaper(String normalised, String original) {
        return SegmentCounter.count(normalised).count()
                        <= SegmentCounter.count(original).count()
                ? normalised
                : original;
    }

    /**
     * Replaces every typographic character of {@code text}, whatever the rest holds, and remembers
     * where each character of the result came from, so that a caller can go back to the original
     * for a stretch that stays UCS-2.
     */
    static Mapped map(String text) {
        StringBuilder out = new StringBuilder(text.length() + 8);
        int[] origin = new int[text.length() + 16];
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            String replacement = c < '\u00A0' ? null : replacement(c);
            int needed = out.length() + (replacement == null ? 1 : replacement.length());
            if (needed > origin.length) {
                origin = Arrays.copyOf(origin, Math.max(needed, origin.length * 2));
            }
            if (replacement == null) {
                origin[out.length()] = i;
                out.append(c);
            } else {
                for (int k = 0; k < replacement.length(); k++) {
                    origin[out.length()] = i;
                    out.append(replacement.charAt(k));
                }
            }
        }
        return new Mapped(out.toString(), origin);
    }

    /** A normalised text, and for each of its characters the index of the original one. */
    record Mapped(String text, int[] origin) {}

    // null when the character has no replacement; "" when it is dropped
    static String replacement(char c) {
        return switch (c) {
            case '\u2018', '\u2019', '\u201A', '\u201B', '\u2032', '\u2035', '\u2039', '\u203A', '\u00B4' -> "'";
            case '\u201C', '\u201D', '\u201E', '\u201F', '\u2033', '\u2036', '\u00AB', '\u00BB' -> "\"";
            case '\u2010', '\u2011', '\u2012', '\u2013', '\u2014', '\u2015', '\u2212', '\u2022', '\u2043' -> "-";
            case '\u2026' -> "...";
            case '\u00A0',
                    '\u2000',
                    '\u2001',
                    '\u2002',
                    '\u2003',
                    '\u2004',
                    '\u2005',
                    '\u2006',
                    '\u2007',
                    '\u2008',
                    '\u2009',
                    '\u200A',
                    '\u202F',
                    '\u205F',
                    '\u3000' -> " ";
            case '\u200B', '\u2060', '\uFEFF', '\u00AD' -> "";
            default -> null;
        };
    }
}
