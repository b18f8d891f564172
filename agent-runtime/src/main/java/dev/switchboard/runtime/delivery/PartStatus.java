package dev.switchboard.runtime.delivery;

import static java.util.Objects.requireNonNull;

import dev.switchboard.channel.ConversationKey;
import dev.switchboard.channel.DeliveryStatus;
import java.time.Instant;
import java.util.Optional;

/**
 * A part of a text the runtime sent (a reply, an extra message of a turn, or a push) moved on: the
 * provider reported it sending, sent, delivered, undelivered, failed or read.
 *
 * <p>States only move forward ({@link DeliveryStatus#rank()}): a report that repeats the part's state
 * or arrives after a later one is absorbed, so each state of a part is reported at most once. A part's
 * state is kept in bounded memory for a while after its last report; later reports for it, and
 * reports for messages the runtime never sent or has forgotten, reach only {@link
 * dev.switchboard.runtime.RuntimeListener#onReceipt}.
 *
 * <p>{@code toString()} shows the person redacted, so a status is safe to log.
 *
 * @param conversation the channel and the person the text went to
 * @param part the part's 1-based number within its text
 * @param parts how many parts the text had
 * @param messageId the provider's id for the part (Twilio's {@code SM…} sid)
 * @param status the part's new state
 * @param errorCode the provider's error code, for a failure that carries one ({@code 30003})
 * @param reportedAt when the report arrived, by the runtime's clock
 */
public record PartStatus(
        ConversationKey conversation,
        int part,
        int parts,
        String messageId,
        DeliveryStatus status,
        Optional<String> errorCode,
        Instant reportedAt) {

    public PartStatus {
        requireNonNull(conversation, "conversation");
        requireNonNull(messageId, "messageId");
        requireNonNull(status, "status");
        requireNonNull(errorCode, "errorCode");
        requireNonNull(reportedAt, "reportedAt");
        if (part < 1 || part > parts) {
            throw new IllegalArgumentException("part must be between 1 and parts (" + parts + "): " + part);
        }
    }
}
