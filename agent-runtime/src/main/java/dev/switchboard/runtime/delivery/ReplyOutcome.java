package dev.switchboard.runtime.delivery;

import static java.util.Objects.requireNonNull;

import dev.switchboard.channel.ChannelException;
import dev.switchboard.channel.ConversationKey;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What became of one reply: the text an agent returned, or one it sent with {@code Turn.send}, to
 * the person of a conversation. Reported once per reply that had at least one part, to {@link
 * dev.switchboard.runtime.RuntimeListener#onReplyOutcome}, when it is settled: every part delivered,
 * one part failed (refused at once, given up after retries, or reported undelivered later), or no
 * final report within the runtime's confirmation timeout.
 *
 * <p>{@code toString()} shows the person redacted and never the text, so an outcome is safe to log.
 *
 * @param kind what happened
 * @param conversation the channel and the person
 * @param messageIds the provider's ids of the parts it accepted, in order; for a failure, those of
 *     the parts accepted before it (and, for one reported undelivered later, of every part)
 * @param parts how many parts the text had; 0 if it failed before it was split (the formatter threw)
 * @param failedPart the 1-based number of the part that failed; 0 when none did, or the text failed
 *     before it was split
 * @param providerCode the provider's error code for a failure ({@code "21610"}: opted out; {@code
 *     "30003"}: unreachable handset), if it gave one
 * @param reason a short human explanation, never the text or a raw phone number: {@code "part 2/3
 *     refused: Twilio error 21211: …"}, {@code "all 3 parts delivered"}
 * @param failure the failure of a {@link Kind#FAILED} reply: what the channel threw (a {@link
 *     dev.switchboard.channel.RetriableChannelException} when the runtime gave up retrying), or what
 *     it made of the provider's failed report
 * @param settledAt when the outcome was settled, by the runtime's clock
 */
public record ReplyOutcome(
        Kind kind,
        ConversationKey conversation,
        List<String> messageIds,
        int parts,
        int failedPart,
        Optional<String> providerCode,
        String reason,
        Optional<ChannelException> failure,
        Instant settledAt) {

    /** The kinds of outcome. */
    public enum Kind {
        /** The provider reported every part delivered (or read). */
        DELIVERED,
        /**
         * The provider accepted every part but did not report all of them delivered within the
         * confirmation timeout. Not a failure: most such messages arrive.
         */
        SENT_UNCONFIRMED,
        /**
         * A part did not reach the person: the provider refused it, the runtime gave up retrying it
         * (or the runtime closed first), the person opted out, or the provider reported it
         * undelivered or failed. The parts after a part that was not accepted were not sent.
         */
        FAILED
    }

    public ReplyOutcome {
        requireNonNull(kind, "kind");
        requireNonNull(conversation, "conversation");
        messageIds = List.copyOf(messageIds);
        requireNonNull(providerCode, "providerCode");
        requireNonNull(reason, "reason");
        requireNonNull(failure, "failure");
        requireNonNull(settledAt, "settledAt");
        if (parts < 0 || failedPart < 0 || failedPart > parts) {
            throw new IllegalArgumentException("failedPart must be between 0 and parts (" + parts + "): " + failedPart);
        }
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("ReplyOutcome[")
                .append(kind)
                .append(", conversation=")
                .append(conversation)
                .append(", parts=")
                .append(parts);
        if (failedPart > 0) {
            s.append(", failedPart=").append(failedPart);
        }
        if (!messageIds.isEmpty()) {
            s.append(", messageIds=").append(messageIds);
        }
        providerCode.ifPresent(code -> s.append(", providerCode=").append(code));
        s.append(", reason=").append(reason);
        failure.ifPresent(e -> s.append(", failure=").append(e.getClass().getSimpleName()));
        return s.append(", settledAt=").append(settledAt).append(']').toString();
    }
}
