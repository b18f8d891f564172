package dev.switchboard.channel;

import static java.util.Objects.requireNonNull;

/**
 * What a channel can carry, so that the runtime formats and splits text for it.
 *
 * @param maxMessageLength the longest text one message may carry, in UTF-16 code units (Twilio
 *     counts this way; 1600 for both SMS and WhatsApp)
 * @param flavour how formatted text is shown
 * @param supportsMedia whether messages may carry media URLs
 * @param billedPerSegment whether cost grows with GSM-7 / UCS-2 segments (SMS), so that the runtime
 *     counts and reports them
 */
public record ChannelCapabilities(
        int maxMessageLength, TextFlavour flavour, boolean supportsMedia, boolean billedPerSegment) {

    public ChannelCapabilities {
        requireNonNull(flavour, "flavour");
        if (maxMessageLength < 1) {
            throw new IllegalArgumentException("maxMessageLength must be positive: " + maxMessageLength);
        }
    }
}
