package dev.switchboard.runtime.internal;

import java.security.SecureRandom;
import java.util.Locale;
import java.util.Optional;
import java.util.random.RandomGenerator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Pairing codes: eight characters from an alphabet without look-alikes (no 0 and O, no 1, I and L),
 * read back without regard to case; and the home address's {@code APPROVE <code>} and {@code DENY
 * <code>}.
 */
final class PairingCodes {

    static final String ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";
    static final int LENGTH = 8;

    /** A command: the word, then one word of eight letters or digits, spaces around. */
    private static final Pattern COMMAND =
            Pattern.compile("\\s*(approve|deny)\\s+([a-z0-9]{8})\\s*", Pattern.CASE_INSENSITIVE);

    private final RandomGenerator random;

    PairingCodes(RandomGenerator random) {
        this.random = random;
    }

    static PairingCodes secure() {
        return new PairingCodes(new SecureRandom());
    }

    String next() {
        char[] code = new char[LENGTH];
        for (int i = 0; i < LENGTH; i++) {
            code[i] = ALPHABET.charAt(random.nextInt(ALPHABET.length()));
        }
        return new String(code);
    }

    /** A code as the owner typed it, in the form it was issued. */
    static String normalise(String code) {
        return code.strip().toUpperCase(Locale.ROOT);
    }

    /** What the home address asked. */
    record Command(boolean approve, String code) {
        @Override
        public String toString() {
            return "Command[" + (approve ? "APPROVE" : "DENY") + "]";
        }
    }

    /** The command in a text, if the whole text is one. */
    static Optional<Command> command(String text) {
        Matcher matcher = COMMAND.matcher(text);
        if (!matcher.matches()) {
            return Optional.empty();
        }
        return Optional.of(new Command(matcher.group(1).equalsIgnoreCase("approve"), normalise(matcher.group(2))));
    }
}
