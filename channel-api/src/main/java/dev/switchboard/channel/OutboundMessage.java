package dev.switchboard.channel;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.util.List;
import java.util.Optional;

/**
 * One message for a channel to send: text already formatted and within the channel's limit, media,
 * or a template.
 *
 * <p>{@code toString()} omits the text and shows the recipient and the sender redacted.
 *
 * @param to the recipient, in the channel's neutral form
 * @param text the text to send; may be empty when media or a template carries the message
 * @param mediaUrls public URLs of media to attach
 * @param template a template to send instead of free text, where the channel requires one
 * @param from which of the channel's own addresses to send from (one of its {@link
 *     Channel#selfAddresses()}); empty for the channel's default sender (its first number, or the
 *     provider's pool)
 */
public record OutboundMessage(
        Address to, String text, List<URI> mediaUrls, Optional<Template> template, Optional<Address> from) {

    public OutboundMessage {
        requireNonNull(to, "to");
        requireNonNull(text, "text");
        mediaUrls = List.copyOf(mediaUrls);
        requireNonNull(template, "template");
        requireNonNull(from, "from");
        if (text.isEmpty() && mediaUrls.isEmpty() && template.isEmpty()) {
            throw new IllegalArgumentException("an outbound message needs text, media or a template");
        }
    }

    /** A message from the channel's default sender. */
    public OutboundMessage(Address to, String text, List<URI> mediaUrls, Optional<Template> template) {
        this(to, text, mediaUrls, template, Optional.empty());
    }

    /** A text message. */
    public static OutboundMessage text(Address to, String text) {
        return new OutboundMessage(to, text, List.of(), Optional.empty());
    }

    /** This message with {@code template} to use where free text may not be sent. */
    public OutboundMessage withTemplate(Template template) {
        return new OutboundMessage(to, text, mediaUrls, Optional.of(template), from);
    }

    /** This message with media attached. */
    public OutboundMessage withMedia(List<URI> mediaUrls) {
        return new OutboundMessage(to, text, mediaUrls, template, from);
    }

    /** This message sent from {@code from}, one of the channel's own addresses. */
    public OutboundMessage withFrom(Address from) {
        return new OutboundMessage(to, text, mediaUrls, template, Optional.of(from));
    }

    @Override
    public String toString() {
        return "OutboundMessage[to=" + to + ", textLength=" + text.length() + ", media=" + mediaUrls.size()
                + ", template=" + template.map(Template::id).orElse("none") + ", from="
                + from.map(Address::toString).orElse("default") + "]";
    }
}
