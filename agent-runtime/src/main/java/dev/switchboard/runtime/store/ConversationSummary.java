package dev.switchboard.runtime.store;

import static java.util.Objects.requireNonNull;

import dev.switchboard.channel.ConversationKey;
import java.time.Instant;

/**
 * A conversation with history, for a list of conversations.
 *
 * @param conversation the channel and the person
 * @param lastActivity the time of its latest line
 * @param messages how many lines of history it has
 */
public record ConversationSummary(ConversationKey conversation, Instant lastActivity, long messages) {

    public ConversationSummary {
        requireNonNull(conversation, "conversation");
        requireNonNull(lastActivity, "lastActivity");
    }
}
