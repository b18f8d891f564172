package dev.switchboard.twilio.internal;

import static java.util.Objects.requireNonNull;

import com.google.i18n.phonenumbers.NumberParseException;
import com.google.i18n.phonenumbers.PhoneNumberUtil;
import com.google.i18n.phonenumbers.PhoneNumberUtil.PhoneNumberFormat;
import com.google.i18n.phonenumbers.Phonenumber.PhoneNumber;
import dev.switchboard.channel.Address;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;

/**
 * How a Twilio channel writes phone addresses: plain E.164 inside Switchboard, with a
 * channel-specific prefix at the Twilio boundary ({@link #SMS}: none; {@link #WHATSAPP}: {@code
 * whatsapp:}).
 *
 * @param prefix what Twilio puts before the E.164 number on this channel, lower case; may be empty
 */
public record TwilioAddressFormat(String prefix) {

    /** SMS and MMS: Twilio addresses are plain E.164. */
    public static final TwilioAddressFormat SMS = new TwilioAddressFormat("");

    /** WhatsApp: Twilio addresses are {@code whatsapp:+E164}. */
    public static final TwilioAddressFormat WHATSAPP = new TwilioAddressFormat("whatsapp:");

    public TwilioAddressFormat {
        requireNonNull(prefix, "prefix");
        prefix = prefix.toLowerCase(Locale.ROOT);
    }

    /** The address as Twilio expects it on this channel: the prefix, then the raw value. */
    public String toTwilio(Address address) {
        requireNonNull(address, "address");
        return prefix + address.value();
    }

    /**
     * The address in Switchboard's form, from a {@code From} or {@code To} value Twilio sent.
     *
     * <p>Numbers are taken as Twilio wrote them (Twilio sends E.164; short codes have no {@code +}).
     *
     * @throws IllegalArgumentException if the value is blank, lacks this channel's prefix, or carries
     *     another channel's prefix ({@code whatsapp:} on the SMS webhook); the message names {@code
     *     field} and shows the value redacted
     */
    public Address fromTwilio(String field, String raw) {
        requireNonNull(field, "field");
        requireNonNull(raw, "raw");
        String value = raw.strip();
        if (!prefix.isEmpty()) {
            if (!value.regionMatches(true, 0, prefix, 0, prefix.length())) {
                throw new IllegalArgumentException(
                        field + " must start with " + prefix + " on this channel: " + Address.redact(value));
            }
            value = value.substring(prefix.length()).strip();
        }
        int colon = value.indexOf(':');
        if (colon >= 0) {
            String other = value.substring(0, colon);
            String shown = other.chars().allMatch(Character::isLetter) ? other + ":" : "a channel prefix";
            throw new IllegalArgumentException(
                    field + " carries " + shown + ": is another channel's sender pointed at this webhook?");
        }
        if (value.isEmpty()) {
            throw new IllegalArgumentException(field + " is empty");
        }
        return Address.of(value);
    }

    /**
     * Normalises a configured phone number to E.164 ({@code +1 (555) 123-4567} becomes {@code
     * +15551234567}). The entry may carry this channel's prefix ({@code whatsapp:+1555…}), which is
     * removed. Numbers must be written in international form, starting with {@code +}.
     *
     * @param option the configuration option the value came from, for the error message
     * @throws IllegalArgumentException if the entry is not a possible phone number in international
     *     form; the message names {@code option} and shows the value redacted
     */
    public Address normalize(String option, String configured) {
        requireNonNull(option, "option");
        requireNonNull(configured, "configured");
        String value = configured.strip();
        if (!prefix.isEmpty() && value.regionMatches(true, 0, prefix, 0, prefix.length())) {
            value = value.substring(prefix.length()).strip();
        }
        PhoneNumberUtil util = PhoneNumberUtil.getInstance();
        if (!value.startsWith("+") || value.chars().anyMatch(Character::isLetter)) {
            throw notAPhoneNumber(option, configured);
        }
        PhoneNumber number;
        try {
            // No default region: a number without its country code is ambiguous, so it is refused.
            number = util.parse(value, "ZZ");
        } catch (NumberParseException e) {
            throw notAPhoneNumber(option, configured);
        }
        // isPossibleNumber, not isValidNumber: fictional ranges such as +1 555 are used for testing.
        if (!util.isPossibleNumber(number)) {
            throw notAPhoneNumber(option, configured);
        }
        return Address.of(util.format(number, PhoneNumberFormat.E164));
    }

    /**
     * Normalises a comma-separated list of phone numbers ({@code SMS_ALLOWED_USERS}), in the order
     * written; blank entries and repeats are skipped.
     *
     * @throws IllegalArgumentException if an entry is not a phone number, naming {@code option} and
     *     the entry redacted
     */
    public Set<Address> normalizeList(String option, String commaSeparated) {
        requireNonNull(option, "option");
        requireNonNull(commaSeparated, "commaSeparated");
        return normalizeAll(
                option,
                Arrays.stream(commaSeparated.split(",", -1))
                        .filter(entry -> !entry.isBlank())
                        .toList());
    }

    /**
     * Normalises each of {@code numbers} as {@link #normalize} does; unlike {@link #normalizeList},
     * a blank entry is an error.
     *
     * @throws IllegalArgumentException if an entry is not a phone number, naming {@code option} and
     *     the entry redacted
     */
    public Set<Address> normalizeAll(String option, Collection<String> numbers) {
        requireNonNull(option, "option");
        requireNonNull(numbers, "numbers");
        Set<Address> addresses = new LinkedHashSet<>();
        for (String number : numbers) {
            addresses.add(normalize(option, number));
        }
        // In the order given: of a channel's own numbers, the first is its default sender.
        return Collections.unmodifiableSet(addresses);
    }

    private static IllegalArgumentException notAPhoneNumber(String option, String value) {
        return new IllegalArgumentException(option
                + " must be a phone number in international form (+ and the country code): "
                + Address.redact(value.strip()));
    }
}
