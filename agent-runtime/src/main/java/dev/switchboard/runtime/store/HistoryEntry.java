package dev.switchboard.runtime.store;

import static java.util.Objects.requireNonNull;

import dev.switchboard.channel.ConversationKey;
import java.time.Instant;
import java.util.Optional;

/**
 * One message of a conversation's history.
 *
 * @param conversation the channel and the person
 * @param direction whether the person sent it or the agent
 * @param text the text (an outbound line holds the text as sent, after formatting)
 * @param at when it was received or handed to the provider
 * @param messageId the provider's id of the message, if known
 * @param status the latest delivery status of an outbound message ({@code queued}, {@code delivered},
 *     ...), if known
 */
public record HistoryEntry(
        ConversationKey conversation,
        Direction direction,
        String text,
        Instant at,
        Optional<String> messageId,
        Optional<String> status) {

    /** Who sent a message. */
    public enum Direction {
        INBOUND,
        OUTBOUND
    }

    public HistoryEntry {
        requireNonNull(conversation, "conversation");
        requireNonNull(direction, "direction");
        requireNonNull(text, "text");
        requireNonNull(at, "at");
        requireNonNull(messageId, "messageId");
        requireNonNull(status, "status");
    }

    @Override
    public String toString() {
        return "HistoryEntry[" + conversation + ", " + direction + ", textLength=" + text.length() + ", at=" + at
                + ", messageId=" + messageId.orElse("-") + ", status=" + status.orElse("-") + "]";
    }
}
