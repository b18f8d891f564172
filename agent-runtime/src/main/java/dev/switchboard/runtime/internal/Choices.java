package dev.switchboard.runtime.internal;

import static java.util.Objects.requireNonNull;

import dev.switchboard.channel.ConversationKey;
import dev.switchboard.runtime.Choice;
import dev.switchboard.runtime.Reply;
import dev.switchboard.runtime.store.Store;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Numbered choices: how a reply shows them, where they are kept while they can be answered, and
 * which choice, if any, a person's next message picks.
 *
 * <p>They are kept in the store (kind {@value #KIND}, keyed by conversation), so a restart or
 * another replica still recognises the answer. The next turn of the conversation takes them out,
 * whether its message picks one or not: any other message is ordinary text and ends the choice.
 */
final class Choices {

    private static final Logger log = LoggerFactory.getLogger(Choices.class);

    /** The kind of the store records that hold a conversation's open choices. */
    static final String KIND = "choices";

    private static final Map<String, Integer> WORDS = words();

    private final Store store;
    private final Clock clock;
    private final Duration ttl;

    Choices(Store store, Clock clock, Duration ttl) {
        this.store = requireNonNull(store, "store");
        this.clock = requireNonNull(clock, "clock");
        this.ttl = requireNonNull(ttl, "ttl");
    }

    /**
     * The markdown a reply with choices is sent as: its text, then the choices as a numbered list, then
     * a short instruction.
     */
    static String render(Reply reply) {
        if (reply.choices().isEmpty()) {
            return reply.markdown();
        }
        StringBuilder text = new StringBuilder();
        if (!reply.markdown().isBlank()) {
            text.append(reply.markdown().strip()).append("\n\n");
        }
        for (Choice choice : reply.numberedChoices()) {
            text.append(choice.number())
                    .append(". ")
                    .append(escape(choice.label()))
                    .append('\n');
        }
        text.append("\nReply with a number from 1 to ")
                .append(reply.choices().size())
                .append('.');
        return text.toString();
    }

    /** A label as literal markdown: its punctuation escaped so that the formatter shows it as typed. */
    private static String escape(String label) {
        StringBuilder escaped = new StringBuilder(label.length());
        for (int i = 0; i < label.length(); i++) {
            char c = label.charAt(i);
            if ("\\`*_[]<>~#|!".indexOf(c) >= 0) {
                escaped.append('\\');
            }
            escaped.append(c);
        }
        return escaped.toString();
    }

    /** Keeps {@code labels} as the conversation's open choices, replacing any earlier ones. */
    void offered(ConversationKey conversation, List<String> labels) {
        Instant expires = clock.instant().plus(ttl);
        try {
            store.putRecord(KIND, conversation.toString(), String.join("\n", labels), Optional.of(expires));
        } catch (RuntimeException e) {
            // The choices still go out; their answer will reach the agent as plain text.
            log.warn("could not keep the choices offered in {}: {}", conversation, e.getMessage());
        }
    }

    /**
     * Ends the conversation's open choices, if any, and says which of them {@code text} picks. Expired
     * choices are gone: a number answered late is plain text.
     */
    Optional<Choice> answer(ConversationKey conversation, String text) {
        String key = conversation.toString();
        Optional<String> labels;
        try {
            // Read first: most turns have no open choices, and a read costs the store less than a delete.
            if (store.record(KIND, key, clock.instant()).isEmpty()) {
                return Optional.empty();
            }
            labels = store.takeRecord(KIND, key, clock.instant());
        } catch (RuntimeException e) {
            log.warn("could not read the choices open in {}: {}", conversation, e.getMessage());
            return Optional.empty();
        }
        return labels.flatMap(value -> pick(List.of(value.split("\n", -1)), text));
    }

    /** Which of {@code labels} {@code text} picks: a number, a number word or a label, in any case. */
    static Optional<Choice> pick(List<String> labels, String text) {
        String answer = text.strip().toLowerCase(Locale.ROOT);
        while (!answer.isEmpty() && ".!)".indexOf(answer.charAt(answer.length() - 1)) >= 0) {
            answer = answer.substring(0, answer.length() - 1).strip();
        }
        if (answer.startsWith("#")) {
            answer = answer.substring(1).strip();
        }
        int number = -1;
        if (answer.matches("[0-9]{1,2}")) {
            number = Integer.parseInt(answer);
        } else if (WORDS.containsKey(answer)) {
            number = WORDS.get(answer);
        }
        if (number >= 1 && number <= labels.size()) {
            return Optional.of(new Choice(number, labels.get(number - 1)));
        }
        String label = text.strip();
        for (int i = 0; i < labels.size(); i++) {
            if (labels.get(i).equalsIgnoreCase(label)
                    || labels.get(i).toLowerCase(Locale.ROOT).equals(answer)) {
                return Optional.of(new Choice(i + 1, labels.get(i)));
            }
        }
        return Optional.empty();
    }

    private static Map<String, Integer> words() {
        List<String> cardinals = List.of("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten");
        List<String> ordinals =
                List.of("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth");
        Map<String, Integer> words = new HashMap<>();
        for (int i = 0; i < cardinals.size(); i++) {
            words.put(cardinals.get(i), i + 1);
            words.put(ordinals.get(i), i + 1);
        }
        return Map.copyOf(words);
    }
}
