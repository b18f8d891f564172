package dev.switchboard.runtime.store;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Optional;

/**
 * One part of a message a turn sent, as the durable outbox keeps it until the turn's inbox entry is
 * done: so that a turn cut short by a crash resumes its sending, and never sends an accepted part
 * again, instead of running the agent again.
 *
 * @param entrySequence the inbox entry whose turn sent it
 * @param message the message's number within the turn (0 for the first the turn sent)
 * @param part the part's number within the message (0 for the first)
 * @param text the part's text as sent
 * @param state how far it got
 * @param messageId the provider's id once accepted
 * @param attemptAt when the last attempt to send it began, once one did
 */
public record OutboxPart(
        long entrySequence,
        int message,
        int part,
        String text,
        State state,
        Optional<String> messageId,
        Optional<Instant> attemptAt) {

    /**
     * The message number of the agent's reply: after every extra message its turn sent first
     * ({@code Turn.send}), so that a resumed turn knows whether its agent had answered.
     */
    public static final int REPLY = 1 << 20;

    /** How far a part got. */
    public enum State {
        /** Recorded, not tried yet. */
        PENDING,
        /** A request may have left: the provider may have it. */
        SENDING,
        /** The provider accepted it: never sent again. */
        ACCEPTED
    }

    public OutboxPart {
        requireNonNull(text, "text");
        requireNonNull(state, "state");
        requireNonNull(messageId, "messageId");
        requireNonNull(attemptAt, "attemptAt");
    }

    @Override
    public String toString() {
        return "OutboxPart[entry=" + entrySequence + ", message=" + message + ", part=" + part + ", textLength="
                + text.length() + ", " + state + ", messageId=" + messageId.orElse("-") + "]";
    }
}
