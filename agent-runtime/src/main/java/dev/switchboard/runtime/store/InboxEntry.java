package dev.switchboard.runtime.store;

import static java.util.Objects.requireNonNull;

import dev.switchboard.channel.InboundMessage;
import java.time.Instant;

/**
 * An accepted inbound message waiting for (or in) its turn.
 *
 * @param sequence the store's order of acceptance: a later message has a larger sequence
 * @param message the message as the channel parsed it
 * @param acceptedAt when the store accepted it
 */
public record InboxEntry(long sequence, InboundMessage message, Instant acceptedAt) {

    public InboxEntry {
        requireNonNull(message, "message");
        requireNonNull(acceptedAt, "acceptedAt");
    }
}
