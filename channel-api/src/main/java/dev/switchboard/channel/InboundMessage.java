package dev.switchboard.channel;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A message a person sent to one of the channel's addresses.
 *
 * <p>{@code toString()} omits the text and shows addresses redacted, so the record is safe to log.
 *
 * @param id the provider's message id (Twilio's {@code MessageSid}); the key for duplicate detection
 * @param channelId the {@linkplain Channel#id() id} of the channel it arrived on
 * @param from the sender, in the channel's neutral form (plain E.164 for phones)
 * @param to the channel address it was sent to
 * @param text the text, possibly empty (a media-only message)
 * @param attachments media items, in the order the provider listed them
 * @param receivedAt when the webhook was received, by the channel's clock
 * @param extras channel-specific fields (a WhatsApp profile name, a button payload), by name
 */
public record InboundMessage(
        String id,
        String channelId,
        Address from,
        Address to,
        String text,
        List<Attachment> attachments,
        Instant receivedAt,
        Map<String, String> extras) {

    public InboundMessage {
        requireNonNull(id, "id");
        requireNonNull(channelId, "channelId");
        requireNonNull(from, "from");
        requireNonNull(to, "to");
        requireNonNull(text, "text");
        attachments = List.copyOf(attachments);
        requireNonNull(receivedAt, "receivedAt");
        extras = Map.copyOf(extras);
    }

    /** The conversation this message belongs to: its channel and its sender. */
    public ConversationKey conversation() {
        return new ConversationKey(channelId, from);
    }

    @Override
    public String toString() {
        return "InboundMessage[id=" + id + ", channel=" + channelId + ", from=" + from + ", to=" + to + ", textLength="
                + text.length() + ", attachments=" + attachments.size() + "]";
    }
}
