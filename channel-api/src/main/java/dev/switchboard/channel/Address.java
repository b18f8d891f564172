package dev.switchboard.channel;

import static java.util.Objects.requireNonNull;

/**
 * A counterpart's address on a channel: an E.164 phone number ({@code +15551234567}) for the phone
 * channels, or whatever identifier another channel uses.
 *
 * <p>Phone addresses are stored in plain E.164 on every channel, so that allowlists, home channels
 * and history match across SMS and WhatsApp; channel-specific prefixes such as {@code whatsapp:}
 * are added and removed at the provider boundary only.
 *
 * <p>{@link #toString()} is redacted ({@code +1555***4567}), so logging an {@code Address} is always
 * safe. The raw value needs the explicit call {@link #value()}.
 */
public final class Address {

    private final String value;

    private Address(String value) {
        this.value = value;
    }

    /**
     * Returns the address with the given raw value.
     *
     * @throws IllegalArgumentException if {@code value} is blank
     */
    public static Address of(String value) {
        requireNonNull(value, "value");
        if (value.isBlank()) {
            throw new IllegalArgumentException("address cannot be blank");
        }
        return new Address(value);
    }

    /** The raw, unredacted value. Never log it. */
    public String value() {
        return value;
    }

    /**
     * The redacted form: the first five characters, {@code ***}, then the last four ({@code
     * +15551234567} becomes {@code +1555***4567}). Values of nine characters or fewer would show
     * nearly everything that way, so they are redacted to {@code ***} and their last two characters.
     */
    public String redacted() {
        return redact(value);
    }

    /**
     * Redacts any string the way {@link #redacted()} does, for identifiers that are not yet an
     * {@code Address} (a number read from configuration, say).
     */
    public static String redact(String raw) {
        requireNonNull(raw, "raw");
        if (raw.length() > 9) {
            return raw.substring(0, 5) + "***" + raw.substring(raw.length() - 4);
        }
        if (raw.length() > 2) {
            return "***" + raw.substring(raw.length() - 2);
        }
        return "***";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Address other && value.equals(other.value);
    }

    @Override
    public int hashCode() {
        return value.hashCode();
    }

    /** The {@linkplain #redacted() redacted} form; never the raw value. */
    @Override
    public String toString() {
        return redacted();
    }
}
