package dev.switchboard.runtime.format;

import dev.switchboard.channel.ChannelCapabilities;
import java.util.List;

/**
 * Turns an agent's markdown into the parts a channel sends: rendered in the channel's {@linkplain
 * ChannelCapabilities#flavour() flavour} and split to its {@linkplain
 * ChannelCapabilities#maxMessageLength() limit}. Every outgoing text goes through one formatter.
 */
@FunctionalInterface
public interface ReplyFormatter {

    /**
     * Formats {@code markdown} for a channel with {@code capabilities}.
     *
     * @return the parts to send in order, each non-blank and within the channel's limit; empty if
     *     the text renders to nothing
     */
    List<String> format(String markdown, ChannelCapabilities capabilities);
}
