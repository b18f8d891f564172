package dev.switchboard.runtime.internal;

import dev.switchboard.channel.Channel;
import dev.switchboard.channel.ChannelException;
import dev.switchboard.channel.ConversationKey;
import dev.switchboard.channel.PermanentChannelException;
import dev.switchboard.channel.SendReceipt;
import dev.switchboard.runtime.RuntimeListener;
import dev.switchboard.runtime.delivery.ReplyOutcome;
import dev.switchboard.runtime.format.ReplyFormatter;
import dev.switchboard.runtime.format.SegmentCounter;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Formats a markdown text for a channel and hands its parts to the {@link Outbox}: the one path of
 * every outgoing text. Replies are reported here (accepted, then settled through the {@link
 * DeliveryTracker}); pushes take the {@link Delivery} of {@link #deliver} and report it themselves.
 */
public final class ReplySender {

    private static final Logger log = LoggerFactory.getLogger(ReplySender.class);

    private final ReplyFormatter formatter;
    private final Outbox outbox;
    private final DeliveryTracker tracker;
    private final RuntimeListener listener;
    private final Notifier notifier;
    private final Clock clock;
    private final Executor executor;

    /** @param executor where waits resume when no caller drives them, and where outcomes are told */
    public ReplySender(
            ReplyFormatter formatter,
            Outbox outbox,
            DeliveryTracker tracker,
            RuntimeListener listener,
            Notifier notifier,
            Clock clock,
            Executor executor) {
        this.formatter = formatter;
        this.outbox = outbox;
        this.tracker = tracker;
        this.listener = listener;
        this.notifier = notifier;
        this.clock = clock;
        this.executor = executor;
    }

    /**
     * Sends {@code markdown} to the conversation's counterpart as a reply, and reports it: {@link
     * RuntimeListener#onReplySent} once every part is accepted, {@link RuntimeListener#onReplyOutcome}
     * once it is settled. The first part is tried on this thread, whatever follows a wait on the
     * executor.
     *
     * @return done when every part was handed over or one failed, not when they are delivered
     */
    public CompletableFuture<Void> reply(Channel channel, ConversationKey conversation, String markdown) {
        return deliver(channel, conversation, markdown, executor)
                .thenAccept(delivery -> report(channel, conversation, delivery));
    }

    /**
     * Sends and reports a reply as {@link #reply} does, on this thread: it waits out backoffs here
     * and makes each attempt itself, so that the wait takes no other thread of the executor. If
     * interrupted, it stops waiting, leaves the rest to the executor, and keeps the interrupt.
     */
    public void replyHere(Channel channel, ConversationKey conversation, String markdown) {
        DrivingExecutor here = new DrivingExecutor(executor);
        CompletableFuture<Void> done = deliver(channel, conversation, markdown, here)
                .thenAccept(delivery -> report(channel, conversation, delivery));
        here.driveUntil(done);
    }

    /**
     * Formats {@code markdown} for the channel and sends its parts to the conversation's counterpart
     * in order, stopping at the first that is not accepted. Reports nothing: the caller does, in its
     * own terms.
     *
     * @param continuation where the sending resumes after a wait
     * @return the delivery; never completes exceptionally
     */
    public CompletableFuture<Delivery> deliver(
            Channel channel, ConversationKey conversation, String markdown, Executor continuation) {
        List<String> parts;
        try {
            parts = formatter.format(markdown, channel.capabilities());
        } catch (RuntimeException e) {
            PermanentChannelException failure = new PermanentChannelException(
                    "the text could not be formatted: " + e.getClass().getName(), null, e);
            return CompletableFuture.completedFuture(
                    new Delivery.Failed(0, 0, List.of(), failure, failure.getMessage()));
        }
        if (parts.isEmpty()) {
            return CompletableFuture.completedFuture(new Delivery.Empty());
        }
        int segments = channel.capabilities().billedPerSegment() ? SegmentCounter.totalSegments(parts) : 0;
        return outbox.send(channel, conversation, parts, segments, continuation);
    }

    /**
     * A human account of a failed delivery: the part, what became of it, and the provider's code
     * ({@code "part 2/3 refused: … (provider code 21211)"}).
     */
    static String reason(Delivery.Failed failed) {
        if (failed.part() == 0) {
            return failed.reason();
        }
        String code = failed.failure()
                .providerCode()
                .map(c -> " (provider code " + c + ")")
                .orElse("");
        return (failed.parts() == 1 ? "" : "part " + failed.part() + "/" + failed.parts() + " ")
                + failed.reason()
                + (failed.reason().contains("provider code") ? "" : code);
    }

    private void report(Channel channel, ConversationKey conversation, Delivery delivery) {
        if (delivery instanceof Delivery.Sent sent) {
            log.debug(
                    "reply to {} sent in {} part(s), {} segment(s)",
                    conversation,
                    sent.receipts().size(),
                    sent.segments());
            listener.onReplySent(conversation, sent.receipts(), sent.segments());
            List<String> ids =
                    sent.receipts().stream().map(SendReceipt::messageId).toList();
            int parts = sent.receipts().size();
            tracker.track(
                    conversation,
                    sent.receipts(),
                    settlement -> settled(channel, conversation, ids, parts, settlement));
        } else if (delivery instanceof Delivery.Failed failed) {
            tracker.follow(conversation, failed.accepted(), failed.parts());
            String reason = reason(failed);
            if (failed.part() == 0) {
                Throwable cause = failed.failure().getCause();
                log.warn(
                        "formatting a reply for {} failed: {}: {}",
                        conversation,
                        cause == null ? "" : cause.getClass().getName(),
                        cause == null ? failed.reason() : cause.getMessage());
            } else if (!failed.byGuard()) {
                // The guard logs each episode once: a line per reply it refuses would be the flood it stops.
                log.warn(
                        "reply to {} failed ({}, provider code {}): {}",
                        conversation,
                        failed.failure().getClass().getSimpleName(),
                        failed.failure().providerCode().orElse("none"),
                        reason);
            }
            outcome(
                    ReplyOutcome.Kind.FAILED,
                    conversation,
                    failed.accepted().stream().map(SendReceipt::messageId).toList(),
                    failed.parts(),
                    failed.part(),
                    reason,
                    Optional.of(failed.failure()));
        } else {
            log.debug("reply for {} renders to nothing; nothing sent", conversation);
        }
    }

    private void settled(
            Channel channel,
            ConversationKey conversation,
            List<String> ids,
            int parts,
            DeliveryTracker.Settlement settlement) {
        switch (settlement.state()) {
            case DELIVERED -> {
                log.debug("reply to {} {}", conversation, settlement.reason());
                outcome(
                        ReplyOutcome.Kind.DELIVERED,
                        conversation,
                        ids,
                        parts,
                        0,
                        settlement.reason(),
                        Optional.empty());
            }
            case UNCONFIRMED -> {
                log.debug("reply to {} {}", conversation, settlement.reason());
                outcome(
                        ReplyOutcome.Kind.SENT_UNCONFIRMED,
                        conversation,
                        ids,
                        parts,
                        0,
                        settlement.reason(),
                        Optional.empty());
            }
            case FAILED -> {
                Failure failure = Failure.of(outbox, channel, conversation, settlement);
                log.warn(
                        "reply to {} was not delivered (provider code {}): {}",
                        conversation,
                        failure.exception().providerCode().orElse("none"),
                        failure.reason());
                outcome(
                        ReplyOutcome.Kind.FAILED,
                        conversation,
                        ids,
                        parts,
                        settlement.failedPart(),
                        failure.reason(),
                        Optional.of(failure.exception()));
            }
        }
    }

    private void outcome(
            ReplyOutcome.Kind kind,
            ConversationKey conversation,
            List<String> ids,
            int parts,
            int failedPart,
            String reason,
            Optional<ChannelException> failure) {
        ReplyOutcome outcome = new ReplyOutcome(
                kind,
                conversation,
                ids,
                parts,
                failedPart,
                failure.flatMap(ChannelException::providerCode),
                reason,
                failure,
                clock.instant());
        notifier.notify(() -> listener.onReplyOutcome(outcome));
    }

    /**
     * A failure a delivery report told, in the channel's words where it has some, and the reason that
     * says which part.
     */
    record Failure(PermanentChannelException exception, String reason) {

        static Failure of(
                Outbox outbox, Channel channel, ConversationKey conversation, DeliveryTracker.Settlement settlement) {
            PermanentChannelException exception = settlement
                    .failedReport()
                    .map(report -> outbox.reportedFailure(channel, conversation, report, settlement.reason()))
                    .orElseGet(() -> new PermanentChannelException(
                            settlement.reason(), settlement.errorCode().orElse(null), null));
            boolean worded = !exception.getMessage().equals(settlement.reason());
            String reason = worded
                    ? settlement.reason().replaceFirst(" \\((provider|no provider) code[^)]*\\)$", "") + ": "
                            + exception.getMessage()
                    : settlement.reason();
            return new Failure(exception, reason);
        }
    }
}
