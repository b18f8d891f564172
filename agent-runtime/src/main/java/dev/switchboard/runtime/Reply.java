package dev.switchboard.runtime;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A message for a person that carries more than text: numbered choices, media, or both. Send it
 * with {@link Turn#send(Reply)} (or {@link Turn#sendAsync(Reply)}) during a turn.
 *
 * <pre>{@code
 * turn.send(Reply.text("What would you like?").withChoices("Pizza", "Pasta", "Salad"));
 * return Optional.empty();
 * }</pre>
 *
 * <p><b>Choices</b> show on SMS and WhatsApp as a numbered list after the text, with a short
 * instruction. The person's next message, if it is one of the numbers, a number word ({@code two},
 * {@code second}) or a label, in any case, reaches the agent as that choice ({@link Turn#choice()}),
 * its text kept; any other message is ordinary text and ends the choice, and so does the
 * {@linkplain AgentRuntimeBuilder#choiceTtl expiry} (an hour by default). The choices are kept in the
 * runtime's store, so they survive a restart and any replica recognises the answer.
 *
 * <p><b>Media</b> goes with the message's first part: at most {@value #MAX_MEDIA} items, each a
 * public {@code https} URL or bytes the runtime serves (see {@link Media}).
 *
 * @param markdown the text, in markdown; may be empty when media carries the message
 * @param choices the labels of the choices, in order; numbered from 1
 * @param media the media items, in order
 */
public record Reply(String markdown, List<String> choices, List<Media> media) {

    /** The most choices a reply offers: beyond ten, a list on a phone is a chore to read. */
    public static final int MAX_CHOICES = 10;

    /** The most media items a message carries: Twilio's limit. */
    public static final int MAX_MEDIA = 10;

    /** The longest label of a choice, in characters. */
    public static final int MAX_LABEL_LENGTH = 100;

    /**
     * A reply with nothing in it may be built (as a start to add to) but not sent.
     *
     * @throws IllegalArgumentException if there are more than {@value #MAX_CHOICES}
     *     choices or {@value #MAX_MEDIA} media items, or a label is blank, too long, spans lines or
     *     repeats another (in any case)
     */
    public Reply {
        requireNonNull(markdown, "markdown");
        choices = List.copyOf(choices);
        media = List.copyOf(media);
        if (choices.size() > MAX_CHOICES) {
            throw new IllegalArgumentException(
                    "a reply offers at most " + MAX_CHOICES + " choices, not " + choices.size());
        }
        if (choices.size() == 1) {
            throw new IllegalArgumentException("a reply with choices offers at least two");
        }
        if (media.size() > MAX_MEDIA) {
            throw new IllegalArgumentException(
                    "a message carries at most " + MAX_MEDIA + " media items, not " + media.size());
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < choices.size(); i++) {
            String label = choices.get(i).strip();
            if (label.isEmpty()) {
                throw new IllegalArgumentException("choice " + (i + 1) + " has a blank label");
            }
            if (label.length() > MAX_LABEL_LENGTH) {
                throw new IllegalArgumentException(
                        "choice " + (i + 1) + " is longer than " + MAX_LABEL_LENGTH + " characters");
            }
            if (label.indexOf('\n') >= 0 || label.indexOf('\r') >= 0) {
                throw new IllegalArgumentException("choice " + (i + 1) + " spans more than one line");
            }
            if (!seen.add(label.toLowerCase(Locale.ROOT))) {
                throw new IllegalArgumentException("choice " + (i + 1) + " repeats an earlier label");
            }
        }
        choices = choices.stream().map(String::strip).toList();
    }

    /** Whether there is nothing to send: no text, no choices, no media. */
    public boolean isEmpty() {
        return markdown.isBlank() && choices.isEmpty() && media.isEmpty();
    }

    /** A reply of text alone, in markdown. */
    public static Reply text(String markdown) {
        return new Reply(markdown, List.of(), List.of());
    }

    /** This reply offering the choices {@code labels}, numbered from 1 in this order. */
    public Reply withChoices(String... labels) {
        return withChoices(List.of(labels));
    }

    /** This reply offering the choices {@code labels}, numbered from 1 in this order. */
    public Reply withChoices(List<String> labels) {
        return new Reply(markdown, labels, media);
    }

    /** This reply with {@code items} added to its media. */
    public Reply withMedia(Media... items) {
        List<Media> all = new ArrayList<>(media);
        all.addAll(List.of(items));
        return new Reply(markdown, choices, all);
    }

    /** The choices as the person sees them, numbered from 1. */
    public List<Choice> numberedChoices() {
        List<Choice> numbered = new ArrayList<>(choices.size());
        for (int i = 0; i < choices.size(); i++) {
            numbered.add(new Choice(i + 1, choices.get(i)));
        }
        return numbered;
    }

    @Override
    public String toString() {
        return "Reply[textLength=" + markdown.length() + ", choices=" + choices.size() + ", media=" + media + "]";
    }
}
