package dev.switchboard.channel.testkit;

import static java.util.Objects.requireNonNull;

import dev.switchboard.channel.WebhookRequest;

/**
 * An authentic webhook request a {@link ChannelFixture} made, with the message id the provider gave
 * the message it carries.
 *
 * @param messageId the provider's id for the message, as the channel must report it in {@link
 *     dev.switchboard.channel.InboundMessage#id()}
 * @param request the request exactly as the provider would send it: method, path, headers (with
 *     its authentication) and raw body
 */
public record InboundWebhook(String messageId, WebhookRequest request) {

    public InboundWebhook {
        requireNonNull(messageId, "messageId");
        requireNonNull(request, "request");
    }
}
