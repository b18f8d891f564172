package dev.switchboard.runtime.internal;

import dev.switchboard.channel.Channel;
import dev.switchboard.channel.ChannelException;
import dev.switchboard.channel.ConversationKey;
import dev.switchboard.channel.PermanentChannelException;
import dev.switchboard.channel.SendReceipt;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;

/**
 * How outcomes reach the application, for replies, pushes and the inbound bridge alike: {@link
 * #tell} calls the listener on the runtime's executor, counted in flight so that closing waits for
 * it, and on the calling thread when the executor refuses (or hands the call back unrun at
 * shutdown, see {@link #runUnrun}), since every outcome must be heard; {@link #follow} maps what
 * became of a text, once settled, to one {@link Settled} that a reply's and a push's outcome are
 * both made from.
 */
public final class Outcomes {

    /**
     * What became of one text (a reply, a push, an extra message), in the runtime's own terms.
     *
     * @param messageIds the provider's ids of the parts it accepted, in order
     * @param failedPart the 1-based number of the part that failed, 0 if none did
     * @param loggedElsewhere whether the failure was logged already (the outbound guard logs each
     *     episode once), so that the outcome is logged at DEBUG only
     */
    public record Settled(
            Kind kind,
            List<String> messageIds,
            int parts,
            int failedPart,
            Optional<String> providerCode,
            String reason,
            Optional<ChannelException> failure,
            boolean loggedElsewhere) {

        /** The ends a text can come to. */
        public enum Kind {
            DELIVERED,
            SENT_UNCONFIRMED,
            FAILED,
            /** The text rendered to nothing, so nothing was sent. */
            NOTHING_SENT
        }

        public Settled {
            messageIds = List.copyOf(messageIds);
        }
    }

    private final Executor executor;
    private final InFlight inFlight;
    private final DeliveryTracker tracker;
    private final Outbox outbox;

    public Outcomes(Executor executor, InFlight inFlight, DeliveryTracker tracker, Outbox outbox) {
        this.executor = executor;
        this.inFlight = inFlight;
        this.tracker = tracker;
        this.outbox = outbox;
    }

    /** Calls the application's listener with {@code call}, on the executor. */
    public void tell(Runnable call) {
        hand(new Notification(call, null));
    }

    /**
     * Calls the listener with {@code outcome}, on the executor, and then completes the returned
     * future with it, whatever the listener did.
     */
    public <T> CompletableFuture<T> tell(T outcome, Consumer<T> listener) {
        CompletableFuture<T> told = new CompletableFuture<>();
        hand(new Notification(() -> listener.accept(outcome), () -> told.complete(outcome)));
        return told;
    }

    private void hand(Notification notification) {
        inFlight.begin();
        try {
            executor.execute(notification);
        } catch (RejectedExecutionException e) {
            notification.run();
        }
    }

    /**
     * Runs, on this thread, the notifications among {@code runnables}: the tasks an executor handed
     * back unrun when it was shut down.
     */
    public static void runUnrun(List<Runnable> runnables) {
        for (Runnable runnable : runnables) {
            if (runnable instanceof Notification notification) {
                notification.run();
            }
        }
    }

    /**
     * Follows {@code delivery} to its end and hands it to {@code then} once: at once for a text that
     * was refused or rendered to nothing, when the delivery reports (or the confirmation timeout)
     * settle it for one whose parts were all accepted.
     */
    public void follow(Channel channel, ConversationKey conversation, Delivery delivery, Consumer<Settled> then) {
        if (delivery instanceof Delivery.Sent sent) {
            List<String> ids =
                    sent.receipts().stream().map(SendReceipt::messageId).toList();
            int parts = sent.receipts().size();
            tracker.track(
                    conversation,
                    sent.receipts(),
                    settlement -> then.accept(settled(channel, conversation, ids, parts, settlement)));
        } else if (delivery instanceof Delivery.Failed failed) {
            tracker.follow(conversation, failed.accepted(), failed.parts());
            then.accept(new Settled(
                    Settled.Kind.FAILED,
                    failed.accepted().stream().map(SendReceipt::messageId).toList(),
                    failed.parts(),
                    failed.part(),
                    failed.failure().providerCode(),
                    reason(failed),
                    Optional.of(failed.failure()),
                    failed.byGuard()));
        } else {
            then.accept(new Settled(
                    Settled.Kind.NOTHING_SENT,
                    List.of(),
                    0,
                    0,
                    Optional.empty(),
                    "the text renders to nothing",
                    Optional.empty(),
                    false));
        }
    }

    private Settled settled(
            Channel channel,
            ConversationKey conversation,
            List<String> ids,
            int parts,
            DeliveryTracker.Settlement settlement) {
        switch (settlement.state()) {
            case DELIVERED:
            case UNCONFIRMED:
                Settled.Kind kind = settlement.state() == DeliveryTracker.State.DELIVERED
                        ? Settled.Kind.DELIVERED
                        : Settled.Kind.SENT_UNCONFIRMED;
                return new Settled(kind, ids, parts, 0, Optional.empty(), settlement.reason(), Optional.empty(), false);
            default:
                PermanentChannelException exception = settlement
                        .failedReport()
                        .map(report -> outbox.reportedFailure(channel, conversation, report, settlement.reason()))
                        .orElseGet(() -> new PermanentChannelException(
                                settlement.reason(), settlement.errorCode().orElse(null), null));
                // The settlement says which part and how; the channel's words say what it means.
                boolean worded = !exception.getMessage().equals(settlement.reason());
                String reason = worded
                        ? settlement.reason().replaceFirst(" \\((provider|no provider) code[^)]*\\)$", "") + ": "
                                + exception.getMessage()
                        : settlement.reason();
                return new Settled(
                        Settled.Kind.FAILED,
                        ids,
                        parts,
                        settlement.failedPart(),
                        exception.providerCode().or(settlement::errorCode),
                        reason,
                        Optional.of(exception),
                        false);
        }
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

    private final class Notification implements Runnable {

        private final Runnable call;
        private final Runnable then;

        Notification(Runnable call, Runnable then) {
            this.call = call;
            this.then = then;
        }

        @Override
        public void run() {
            try {
                call.run();
            } finally {
                try {
                    if (then != null) {
                        then.run();
                    }
                } finally {
                    inFlight.end();
                }
            }
        }
    }
}
