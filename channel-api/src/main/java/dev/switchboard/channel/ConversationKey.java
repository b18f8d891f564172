package dev.switchboard.channel;

import static java.util.Objects.requireNonNull;

/**
 * One conversation: a channel and the counterpart on it. The unit of ordering (one turn at a time
 * per key) and of history. Its {@code toString()} is redacted, like {@link Address}'s.
 *
 * @param channelId the {@linkplain Channel#id() channel's id}
 * @param counterpart the person (or system) the channel talks to
 */
public record ConversationKey(String channelId, Address counterpart) {

    public ConversationKey {
        requireNonNull(channelId, "channelId");
        requireNonNull(counterpart, "counterpart");
    }

    @Override
    public String toString() {
        return channelId + ":" + counterpart;
    }
}
