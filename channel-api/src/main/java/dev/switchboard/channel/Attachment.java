package dev.switchboard.channel;

import static java.util.Objects.requireNonNull;

import java.net.URI;

/**
 * A media item on an inbound message (an MMS picture, a WhatsApp voice note).
 *
 * @param url where the provider serves it; it may need the provider's credentials to fetch
 * @param contentType its MIME type as the provider reported it
 */
public record Attachment(URI url, String contentType) {

    public Attachment {
        requireNonNull(url, "url");
        requireNonNull(contentType, "contentType");
    }
}
