package dev.switchboard.runtime.internal;

import static java.util.Objects.requireNonNull;

import dev.switchboard.channel.Address;
import dev.switchboard.channel.ConversationKey;
import dev.switchboard.channel.OutboundMessage;
import java.net.URI;
import java.util.List;
import java.util.Optional;

/**
 * Where a message's parts go and what goes with them: the recipient, the own address to send from,
 * and the media that ride on the first part.
 *
 * @param to the recipient
 * @param from the own address to send from, or empty for the channel's default
 * @param media the media URLs of the first part
 */
record Envelope(Address to, Optional<Address> from, List<URI> media) {

    Envelope {
        requireNonNull(to, "to");
        requireNonNull(from, "from");
        media = List.copyOf(media);
    }

    /** The conversation's counterpart, from the channel's default sender, without media. */
    static Envelope to(ConversationKey conversation) {
        return new Envelope(conversation.counterpart(), Optional.empty(), List.of());
    }

    /** Part {@code index} (from 0) of the message, with text {@code text}. */
    OutboundMessage part(int index, String text) {
        OutboundMessage message = new OutboundMessage(to, text, index == 0 ? media : List.of(), Optional.empty(), from);
        return message;
    }
}
