package dev.switchboard.runtime.format;

import static java.util.Objects.requireNonNull;

/**
 * What one SMS costs: its encoding, how many segments the carrier bills, and its size in units of
 * that encoding. Made by {@link SegmentCounter#count(String)}.
 *
 * @param encoding the alphabet the text travels in
 * @param count the number of segments billed; 0 only for the empty text
 * @param units septets for {@link SmsEncoding#GSM_7} (extension-table characters count two), UTF-16
 *     code units for {@link SmsEncoding#UCS_2} (an emoji outside the Basic Multilingual Plane counts
 *     two)
 */
public record Segments(SmsEncoding encoding, int count, int units) {

    /**
     * @throws IllegalArgumentException if {@code count} or {@code units} is negative
     */
    public Segments {
        requireNonNull(encoding, "encoding");
        if (count < 0) {
            throw new IllegalArgumentException("count must not be negative: " + count);
        }
        if (units < 0) {
            throw new IllegalArgumentException("units must not be negative: " + units);
        }
    }
}
