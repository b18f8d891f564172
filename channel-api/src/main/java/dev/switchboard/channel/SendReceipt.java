package dev.switchboard.channel;

import static java.util.Objects.requireNonNull;

/**
 * The provider's answer to a send it accepted.
 *
 * @param messageId the provider's id for the new message (Twilio's {@code SM…} sid)
 * @param status its state when accepted, usually {@link DeliveryStatus#QUEUED}
 */
public record SendReceipt(String messageId, DeliveryStatus status) {

    public SendReceipt {
        requireNonNull(messageId, "messageId");
        requireNonNull(status, "status");
    }
}
