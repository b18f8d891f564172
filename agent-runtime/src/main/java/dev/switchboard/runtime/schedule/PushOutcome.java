package dev.switchboard.runtime.schedule;

import static java.util.Objects.requireNonNull;

import dev.switchboard.channel.Address;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What became of one push: a text the application sent with {@code AgentRuntime.send}, {@code
 * sendHome}, or a schedule's run, to one recipient.
 *
 * <p>Every push has exactly one outcome, reported once it is settled: to the {@link
 * dev.switchboard.runtime.RuntimeListener#onPushOutcome(PushOutcome) listener}, to the log (INFO, or
 * WARN for a {@linkplain Kind#isFailure() failure}) and through the future the send returned. A
 * schedule's run that sends nothing has an outcome too ({@link Kind#SKIPPED}, {@link
 * Kind#SUPPLIER_ERROR}), one per recipient of its target.
 *
 * <p>{@code toString()} shows the recipient redacted and never the text, so an outcome is safe to
 * log.
 *
 * @param kind what happened
 * @param schedule the name of the schedule whose run this was; empty for a direct send
 * @param fireTime the schedule's fire time this run was for; empty for a direct send
 * @param channelId the channel it went (or was to go) through; empty only when no recipient could
 *     be found at all (no home address configured anywhere)
 * @param to the recipient; empty when {@code channelId} is
 * @param messageIds the provider's ids of the parts that it accepted, in order; for a failure
 *     after some parts were accepted, those parts' ids
 * @param providerCode the provider's error code for a failure ({@code "21610"}: the recipient opted
 *     out; {@code "63016"}: outside WhatsApp's 24-hour window with no template), if it gave one
 * @param reason a short human explanation; never the text or a raw phone number
 * @param failure the exception behind a failure or supplier error, if there was one
 * @param settledAt when the outcome was settled, by the runtime's clock
 */
public record PushOutcome(
        Kind kind,
        Optional<String> schedule,
        Optional<Instant> fireTime,
        Optional<String> channelId,
        Optional<Address> to,
        List<String> messageIds,
        Optional<String> providerCode,
        String reason,
        Optional<Throwable> failure,
        Instant settledAt) {

    /** The kinds of outcome. */
    public enum Kind {
        /**
         * The provider reported every part delivered (or read) within the confirmation timeout.
         */
        DELIVERED,
        /**
         * The provider accepted every part, but did not report all of them delivered within the
         * confirmation timeout (no status callbacks configured, or a slow carrier). Not a failure: most
         * such messages arrive.
         */
        SENT_UNCONFIRMED,
        /**
         * The push did not reach the recipient: the provider refused a part (an opted-out or invalid
         * number, a closed WhatsApp window with no template, a credential problem), reported one
         * undelivered or failed, the text could not be formatted, no recipient was configured, or the
         * runtime closed first. {@link #providerCode()} carries the provider's code when it gave one.
         */
        FAILED,
        /**
         * Nothing was sent, on purpose: the supplier had nothing to say, the text renders to nothing,
         * the schedule's previous run was still in progress, or fire times were missed while the
         * process was paused.
         */
        SKIPPED,
        /** The schedule's supplier threw or returned {@code null}; nothing was sent. */
        SUPPLIER_ERROR;

        /** Whether this kind is a failure: {@link #FAILED} or {@link #SUPPLIER_ERROR}. */
        public boolean isFailure() {
            return this == FAILED || this == SUPPLIER_ERROR;
        }
    }

    public PushOutcome {
        requireNonNull(kind, "kind");
        requireNonNull(schedule, "schedule");
        requireNonNull(fireTime, "fireTime");
        requireNonNull(channelId, "channelId");
        requireNonNull(to, "to");
        messageIds = List.copyOf(messageIds);
        requireNonNull(providerCode, "providerCode");
        requireNonNull(reason, "reason");
        requireNonNull(failure, "failure");
        requireNonNull(settledAt, "settledAt");
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("PushOutcome[").append(kind);
        schedule.ifPresent(name -> s.append(", schedule=").append(name));
        fireTime.ifPresent(time -> s.append(", fireTime=").append(time));
        channelId.ifPresent(id -> s.append(", channel=").append(id));
        to.ifPresent(address -> s.append(", to=").append(address));
        if (!messageIds.isEmpty()) {
            s.append(", messageIds=").append(messageIds);
        }
        providerCode.ifPresent(code -> s.append(", providerCode=").append(code));
        s.append(", reason=").append(reason);
        failure.ifPresent(e -> s.append(", failure=").append(e.getClass().getName()));
        return s.append(", settledAt=").append(settledAt).append(']').toString();
    }
}
