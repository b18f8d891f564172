package dev.switchboard.channel;

import static java.util.Objects.requireNonNull;

/**
 * What a channel can carry, so that the runtime formats and splits text for it.
 *
 * <p>Everything the host must know of a provider's limits and formats comes from here, so that the
 * host itself knows none.
 *
 * @param maxMessageLength the longest text one message may carry, in UTF-16 code units (Twilio
 *     counts this way; 1600 for both SMS and WhatsApp); the host splits longer texts into parts
 * @param flavour how formatted text is shown
 * @param supportsMedia whether messages may carry media URLs
 * @param billedPerSegment whether cost grows with GSM-7 / UCS-2 segments (SMS), so that the runtime
 *     counts and reports them
 * @param messageIds the shape of the provider's message ids, {@link MessageIdShape#OPAQUE} if they
 *     have none in particular
 */
public record ChannelCapabilities(
        int maxMessageLength,
        TextFlavour flavour,
        boolean supportsMedia,
        boolean billedPerSegment,
        MessageIdShape messageIds) {

    public ChannelCapabilities {
        requireNonNull(flavour, "flavour");
        requireNonNull(messageIds, "messageIds");
        if (maxMessageLength < 1) {
            throw new IllegalArgumentException("maxMessageLength must be positive: " + maxMessageLength);
        }
    }

    /** Capabilities of a channel whose message ids have no particular {@linkplain MessageIdShape shape}. */
    public ChannelCapabilities(
            int maxMessageLength, TextFlavour flavour, boolean supportsMedia, boolean billedPerSegment) {
        this(maxMessageLength, flavour, supportsMedia, billedPerSegment, MessageIdShape.OPAQUE);
    }
}
