package dev.switchboard.runtime.internal;

import dev.switchboard.channel.Channel;
import dev.switchboard.channel.ChannelException;
import dev.switchboard.channel.ConversationKey;
import dev.switchboard.channel.PermanentChannelException;
import dev.switchboard.runtime.RuntimeListener;
import dev.switchboard.runtime.delivery.ReplyOutcome;
import dev.switchboard.runtime.format.ReplyFormatter;
import dev.switchboard.runtime.format.SegmentCounter;
import dev.switchboard.runtime.store.OutboxPart;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Formats a markdown text for a channel and hands its parts to the {@link Outbox}: the one path of
 * every outgoing text. Replies are reported here ({@link RuntimeListener#onReplySent} once accepted,
 * then one {@link ReplyOutcome} through {@link Outcomes}); pushes take the {@link Delivery} of {@link
 * #deliver} and report it themselves, through the same {@link Outcomes}.
 */
public final class ReplySender {

    private static final Logger log = LoggerFactory.getLogger(ReplySender.class);

    private final ReplyFormatter formatter;
    private final Outbox outbox;
    private final Outcomes outcomes;
    private final RuntimeListener listener;
    private final Clock clock;
    private final Executor executor;
    private final RuntimeMetrics metrics;

    /**
     * @param executor where the sending resumes after a wait, and where a reply is sent from elsewhere
     * @param metrics where each reply's outcome is counted
     */
    public ReplySender(
            ReplyFormatter formatter,
            Outbox outbox,
            Outcomes outcomes,
            RuntimeListener listener,
            Clock clock,
            Executor executor,
            RuntimeMetrics metrics) {
        this.metrics = metrics;
        this.formatter = formatter;
        this.outbox = outbox;
        this.outcomes = outcomes;
        this.listener = listener;
        this.clock = clock;
        this.executor = executor;
    }

    /** The executor replies resume on. */
    public Executor executor() {
        return executor;
    }

    /**
     * Sends {@code markdown} to the conversation's counterpart as a reply, and reports it: {@link
     * RuntimeListener#onReplySent} once every part is accepted, {@link RuntimeListener#onReplyOutcome}
     * once it is settled. The first part is tried on this thread, whatever follows a wait on the
     * executor.
     *
     * @return done when every part was handed over or one failed, not when they are delivered; never
     *     completes exceptionally
     */
    public CompletableFuture<Void> reply(Channel channel, ConversationKey conversation, String markdown) {
        return reply(channel, conversation, markdown, TurnOutbox.NONE, true);
    }

    /** As {@link #reply(Channel, ConversationKey, String)}, its parts kept in the turn's outbox. */
    CompletableFuture<Void> reply(
            Channel channel, ConversationKey conversation, String markdown, TurnOutbox turn, boolean finalReply) {
        return reply(channel, conversation, Envelope.to(conversation), markdown, turn, finalReply);
    }

    /** As {@link #reply(Channel, ConversationKey, String)}, in {@code envelope}, kept in the turn's outbox. */
    CompletableFuture<Void> reply(
            Channel channel,
            ConversationKey conversation,
            Envelope envelope,
            String markdown,
            TurnOutbox turn,
            boolean finalReply) {
        return deliver(channel, conversation, envelope, markdown, executor, turn, finalReply)
                .thenAccept(delivery -> report(channel, conversation, delivery));
    }

    /**
     * Goes on sending a message of a turn whose process stopped, from its recorded parts ({@link
     * Outbox#resume}), and reports it as a reply.
     */
    CompletableFuture<Void> resume(
            Channel channel,
            ConversationKey conversation,
            Envelope envelope,
            List<OutboxPart> recorded,
            TurnOutbox turn) {
        List<String> texts = recorded.stream().map(OutboxPart::text).toList();
        int segments = channel.capabilities().billedPerSegment() ? SegmentCounter.totalSegments(texts) : 0;
        return outbox.resume(
                        channel,
                        conversation,
                        envelope,
                        recorded,
                        segments,
                        executor,
                        turn.journal(recorded.get(0).message()))
                .thenAccept(delivery -> report(channel, conversation, delivery));
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
        return deliver(channel, conversation, Envelope.to(conversation), markdown, continuation, TurnOutbox.NONE, true);
    }

    /** As {@link #deliver(Channel, ConversationKey, String, Executor)}, in {@code envelope}. */
    CompletableFuture<Delivery> deliver(
            Channel channel, ConversationKey conversation, Envelope envelope, String markdown, Executor continuation) {
        return deliver(channel, conversation, envelope, markdown, continuation, TurnOutbox.NONE, true);
    }

    private CompletableFuture<Delivery> deliver(
            Channel channel,
            ConversationKey conversation,
            Envelope envelope,
            String markdown,
            Executor continuation,
            TurnOutbox turn,
            boolean finalReply) {
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
            if (envelope.media().isEmpty()) {
                return CompletableFuture.completedFuture(new Delivery.Empty());
            }
            // Media alone: one message without text.
            parts = List.of("");
        }
        int segments = channel.capabilities().billedPerSegment() ? SegmentCounter.totalSegments(parts) : 0;
        return outbox.send(
                channel, conversation, envelope, parts, segments, continuation, turn.message(parts, finalReply));
    }

    private void report(Channel channel, ConversationKey conversation, Delivery delivery) {
        if (delivery instanceof Delivery.Sent sent) {
            log.debug(
                    "reply to {} sent in {} part(s), {} segment(s)",
                    conversation,
                    sent.receipts().size(),
                    sent.segments());
            listener.onReplySent(conversation, sent.receipts(), sent.segments());
        } else if (delivery instanceof Delivery.Failed failed && failed.part() == 0) {
            Throwable cause = failed.failure().getCause();
            log.warn(
                    "formatting a reply for {} failed: {}: {}",
                    conversation,
                    cause == null ? "" : cause.getClass().getName(),
                    cause == null ? failed.reason() : cause.getMessage());
        }
        outcomes.follow(channel, conversation, delivery, settled -> settled(conversation, settled, delivery));
    }

    private void settled(ConversationKey conversation, Outcomes.Settled settled, Delivery delivery) {
        ReplyOutcome.Kind kind;
        switch (settled.kind()) {
            case DELIVERED -> kind = ReplyOutcome.Kind.DELIVERED;
            case SENT_UNCONFIRMED -> kind = ReplyOutcome.Kind.SENT_UNCONFIRMED;
            case FAILED -> kind = ReplyOutcome.Kind.FAILED;
            default -> {
                log.debug("reply for {} renders to nothing; nothing sent", conversation);
                metrics.reply(null);
                return;
            }
        }
        if (kind != ReplyOutcome.Kind.FAILED) {
            log.debug("reply to {} {}", conversation, settled.reason());
        } else if (delivery instanceof Delivery.Failed failed) {
            // Refused before every part was accepted; formatting failures were logged above, and the
            // guard logs each episode once: a line per reply it refuses would be the flood it stops.
            if (failed.part() > 0 && !settled.loggedElsewhere()) {
                log.warn(
                        "reply to {} failed ({}, provider code {}): {}",
                        conversation,
                        failed.failure().getClass().getSimpleName(),
                        settled.providerCode().orElse("none"),
                        settled.reason());
            }
        } else {
            log.warn(
                    "reply to {} was not delivered (provider code {}): {}",
                    conversation,
                    settled.providerCode().orElse("none"),
                    settled.reason());
        }
        metrics.reply(kind);
        ReplyOutcome outcome = new ReplyOutcome(
                kind,
                conversation,
                settled.messageIds(),
                settled.parts(),
                settled.failedPart(),
                settled.providerCode(),
                settled.reason(),
                settled.failure().map(ChannelException.class::cast),
                clock.instant());
        outcomes.tell(outcome, listener::onReplyOutcome);
    }
}
