package dev.switchboard.runtime.internal;

import dev.switchboard.channel.InboundMessage;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The compliance words of messaging: an inbound message that is one of them, whole (case and
 * surrounding whitespace ignored), or that the provider marked as one ({@code OptOutType}, which
 * Twilio's Advanced Opt-Out sets), is about the subscription, not for the agent.
 */
enum Keyword {
    STOP,
    START,
    HELP;

    /** Where a provider that classifies keywords itself says which one it saw. */
    static final String PROVIDER_MARKER = "OptOutType";

    private static final Set<String> STOP_WORDS = Set.of("STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT");
    private static final Set<String> START_WORDS = Set.of("START", "YES", "UNSTOP");
    private static final Set<String> HELP_WORDS = Set.of("HELP", "INFO");
    private static final int LONGEST = "UNSUBSCRIBE".length();

    /** The keyword {@code message} is, if any: the provider's marker first, else its text. */
    static Optional<Keyword> of(InboundMessage message) {
        String marker = message.extras().get(PROVIDER_MARKER);
        if (marker != null) {
            Optional<Keyword> marked = word(marker);
            if (marked.isPresent()) {
                return marked;
            }
        }
        return word(message.text());
    }

    /** Whether the provider itself marked {@code message} as a keyword. */
    static boolean markedByProvider(InboundMessage message) {
        String marker = message.extras().get(PROVIDER_MARKER);
        return marker != null && word(marker).isPresent();
    }

    private static Optional<Keyword> word(String text) {
        String stripped = text.strip();
        if (stripped.length() > LONGEST) {
            // Most messages: no keyword, and no upper-case copy made to find that out.
            return Optional.empty();
        }
        String word = stripped.toUpperCase(Locale.ROOT);
        if (STOP_WORDS.contains(word)) {
            return Optional.of(STOP);
        }
        if (START_WORDS.contains(word)) {
            return Optional.of(START);
        }
        if (HELP_WORDS.contains(word)) {
            return Optional.of(HELP);
        }
        return Optional.empty();
    }
}
