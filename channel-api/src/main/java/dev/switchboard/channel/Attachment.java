package dev.switchboard.channel;

import static java.util.Objects.requireNonNull;

import java.net.URI;

/**
 * A media item on an inbound message (an MMS picture, a WhatsApp voice note). Its bytes are read
 * through {@link Channel#readAttachment(InboundMessage, Attachment)}, never by fetching {@link #url()}
 * directly: the channel knows which URLs are the provider's and how to authenticate to them.
 *
 * @param url where the provider serves it; it may need the provider's credentials to fetch
 * @param contentType its MIME type as the provider reported it
 * @param available whether the channel will fetch it: {@code false} when the URL is not where the
 *     provider serves this message's media (another host, another account, another message), so
 *     that a forged or mistaken URL is never requested
 */
public record Attachment(URI url, String contentType, boolean available) {

    public Attachment {
        requireNonNull(url, "url");
        requireNonNull(contentType, "contentType");
    }

    /** An attachment the channel will fetch. */
    public Attachment(URI url, String contentType) {
        this(url, contentType, true);
    }
}
