package dev.switchboard.channel.testkit;

import static java.util.Objects.requireNonNull;

import dev.switchboard.channel.Address;
import java.net.URI;
import java.util.List;

/**
 * One send request as the fake provider received it, read back into the channel's neutral terms
 * (a plain E.164 number, say, without a provider's prefix such as {@code whatsapp:}).
 *
 * <p>{@code toString()} shows the recipient redacted and only the length of the text.
 *
 * @param to the recipient
 * @param text the text, empty if the request carried none
 * @param media the URLs of the media the request carried, in order
 */
public record ProviderSend(Address to, String text, List<URI> media) {

    public ProviderSend {
        requireNonNull(to, "to");
        requireNonNull(text, "text");
        media = List.copyOf(media);
    }

    /** A send of text alone. */
    public ProviderSend(Address to, String text) {
        this(to, text, List.of());
    }

    @Override
    public String toString() {
        return "ProviderSend[to=" + to + ", textLength=" + text.length() + ", media=" + media.size() + "]";
    }
}
