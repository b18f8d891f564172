package dev.switchboard.channel;

import java.time.Instant;
import java.util.Optional;

/**
 * What a channel may keep in its host's store instead of its own memory, so that it outlives a
 * restart and is shared by every replica using the same store: for now, when each person last wrote
 * (the messaging window of channels such as WhatsApp). Implementations are thread-safe and may block
 * on I/O; a channel calls them off the I/O threads.
 */
public interface ChannelState {

    /** When the person of {@code conversation} last wrote, as far as the store remembers. */
    Optional<Instant> lastInbound(ConversationKey conversation);

    /** Remembers that the person wrote at {@code at}; an earlier time than the one kept changes nothing. */
    void recordInbound(ConversationKey conversation, Instant at);
}
