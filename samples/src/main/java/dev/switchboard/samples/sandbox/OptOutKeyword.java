package dev.switchboard.samples.sandbox;

import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The keywords Twilio answers by itself on a long code's SMS (its default opt-out handling, without
 * Advanced Opt-Out), with its default answers.
 */
enum OptOutKeyword {
    STOP(
            Set.of("STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"),
            "You have successfully been unsubscribed. You will not receive any more messages from this number."
                    + " Reply START to resubscribe."),
    START(
            Set.of("START", "YES", "UNSTOP"),
            "You have successfully been re-subscribed to messages from this number. Reply HELP for help."
                    + " Reply STOP to unsubscribe. Msg&Data Rates May Apply."),
    HELP(Set.of("HELP", "INFO"), "Reply STOP to unsubscribe. Msg&Data Rates May Apply.");

    private final Set<String> words;
    private final String answer;

    OptOutKeyword(Set<String> words, String answer) {
        this.words = words;
        this.answer = answer;
    }

    /** Twilio's default answer to this keyword. */
    String answer() {
        return answer;
    }

    /**
     * The keyword {@code body} is: Twilio matches the whole message, in any case, with the spaces
     * around it ignored; "stop please" is not one.
     */
    static Optional<OptOutKeyword> of(String body) {
        String word = body.strip().toUpperCase(Locale.ROOT);
        for (OptOutKeyword keyword : values()) {
            if (keyword.words.contains(word)) {
                return Optional.of(keyword);
            }
        }
        return Optional.empty();
    }
}
