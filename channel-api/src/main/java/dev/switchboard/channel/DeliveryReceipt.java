package dev.switchboard.channel;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Optional;

/**
 * A report from the provider on a message sent earlier (a Twilio status callback).
 *
 * @param messageId the provider's id for the message, as returned in the {@link SendReceipt}
 * @param channelId the channel that sent it
 * @param to the recipient
 * @param status the state reported
 * @param errorCode the provider's error code when the status is a failure ({@code 30003}, {@code 63016})
 * @param receivedAt when the report arrived, by the channel's clock
 */
public record DeliveryReceipt(
        String messageId,
        String channelId,
        Address to,
        DeliveryStatus status,
        Optional<String> errorCode,
        Instant receivedAt) {

    public DeliveryReceipt {
        requireNonNull(messageId, "messageId");
        requireNonNull(channelId, "channelId");
        requireNonNull(to, "to");
        requireNonNull(status, "status");
        requireNonNull(errorCode, "errorCode");
        requireNonNull(receivedAt, "receivedAt");
    }
}
