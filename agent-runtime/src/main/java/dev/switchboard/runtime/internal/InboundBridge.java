package dev.switchboard.runtime.internal;

import dev.switchboard.channel.Channel;
import dev.switchboard.channel.DeliveryReceipt;
import dev.switchboard.channel.InboundMessage;
import dev.switchboard.channel.WebhookRequest;
import dev.switchboard.channel.WebhookResponse;
import dev.switchboard.runtime.AsyncAgent;
import dev.switchboard.runtime.DropReason;
import dev.switchboard.runtime.RuntimeListener;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * Where the webhooks the ingress accepted go once answered. An inbound message takes its place in
 * its conversation's lane of turns at once (before the answer is written), and starts after the
 * answer; a compliance keyword is handled first in the conversation's lane of bookkeeping, which
 * never waits for an agent, and its turn waits for that. Delivery reports, drops and rejections
 * reach the tracker and the application's listener through {@link Outcomes}, on the runtime's own
 * executor, never behind a turn.
 */
public final class InboundBridge implements WebhookIngress.Sink {

    private static final CompletableFuture<Boolean> TO_AGENT = CompletableFuture.completedFuture(true);

    private final ConversationDispatcher turns;
    private final ConversationDispatcher compliance;
    private final AsyncAgent agent;
    private final ReplySender sender;
    private final Outbox outbox;
    private final Outcomes outcomes;
    private final DeliveryTracker tracker;
    private final RuntimeListener listener;
    private final Map<String, String> helpTexts;
    private final Executor resume;
    private final History history;
    private final Consumer<DeliveryReceipt> shareReceipt;
    private final Bursts bursts;
    private final Choices choices;
    private final ServedMedia media;
    private final PairingGate pairing;

    /**
     * @param turns the lanes of agent turns
     * @param compliance the lanes of compliance keywords, on the runtime's own executor
     * @param helpTexts the answer to HELP by channel id; a channel without one leaves HELP to the
     *     provider
     * @param resume where a turn goes on when its agent answers on another thread
     * @param bursts how messages that arrive while a turn runs join the next one
     * @param choices the numbered choices offered and answered in conversations
     * @param media the media agents made, served for the provider to fetch
     * @param pairing lets in the senders approved, and asks for the others' approval
     */
    public InboundBridge(
            ConversationDispatcher turns,
            ConversationDispatcher compliance,
            AsyncAgent agent,
            ReplySender sender,
            Outbox outbox,
            Outcomes outcomes,
            DeliveryTracker tracker,
            RuntimeListener listener,
            Map<String, String> helpTexts,
            Executor resume,
            History history,
            Consumer<DeliveryReceipt> shareReceipt,
            Bursts bursts,
            Choices choices,
            ServedMedia media,
            PairingGate pairing) {
        this.bursts = bursts;
        this.choices = choices;
        this.media = media;
        this.pairing = pairing;
        this.history = history;
        this.shareReceipt = shareReceipt;
        this.turns = turns;
        this.compliance = compliance;
        this.agent = agent;
        this.sender = sender;
        this.outbox = outbox;
        this.outcomes = outcomes;
        this.tracker = tracker;
        this.listener = listener;
        this.helpTexts = Map.copyOf(helpTexts);
        this.resume = resume;
    }

    @Override
    public Runnable inbound(Channel channel, InboundMessage message) {
        return enqueue(channel, message, TurnOutbox.NONE, null);
    }

    /**
     * Takes an inbound message's place in its conversation, as {@link #inbound} does; {@code finished}
     * (if not null) runs once its turn ran, but not if the turn is abandoned (the runtime closing), so
     * that a durable inbox keeps it for later.
     *
     * @param turnOutbox where the turn's messages are kept, in a durable store, until it is done
     */
    Runnable enqueue(Channel channel, InboundMessage message, TurnOutbox turnOutbox, Runnable finished) {
        history.arrived(message);
        Arrival arrival = new Arrival(channel, message, listener);
        CompletableFuture<Void> acknowledged = new CompletableFuture<>();
        Optional<Keyword> keyword = Keyword.of(message);
        CompletableFuture<Boolean> toAgent;
        if (keyword.isPresent()) {
            ComplianceTask task = new ComplianceTask(
                    arrival, keyword.get(), sender, outbox, Optional.ofNullable(helpTexts.get(channel.id())));
            compliance.submit(arrival.conversation, task, acknowledged);
            toAgent = task.toAgent();
        } else {
            toAgent = TO_AGENT;
        }
        // In the lane now, so that the order is the order of arrival; started once answered and, for a
        // keyword, once its compliance step has decided.
        CompletableFuture<?> release = keyword.isPresent() ? toAgent : acknowledged;
        TurnTask turn = new TurnTask(
                arrival,
                toAgent,
                agent,
                sender,
                outbox,
                listener,
                resume,
                history,
                turnOutbox,
                bursts,
                choices,
                media,
                keyword.isPresent(),
                release,
                pairing);
        ConversationDispatcher.Task task = finished == null
                ? turn
                : new ConversationDispatcher.Task() {
                    @Override
                    public CompletionStage<?> run() {
                        return turn.run().whenComplete((result, failure) -> finished.run());
                    }

                    @Override
                    public void abandon(DropReason reason) {
                        turn.abandon(reason);
                    }
                };
        bursts.arrived(turn);
        turns.submit(arrival.conversation, task, release);
        return () -> acknowledged.complete(null);
    }

    @Override
    public void dropped(InboundMessage message, DropReason reason) {
        outcomes.tell(() -> listener.onDropped(message, reason));
    }

    @Override
    public void receipt(DeliveryReceipt receipt) {
        outcomes.tell(() -> {
            // The text first, so that a listener that sees the receipt sees its text moved on too.
            tracker.onReceipt(receipt);
            history.status(receipt);
            shareReceipt.accept(receipt);
            listener.onReceipt(receipt);
        });
    }

    @Override
    public void rejected(WebhookRequest request, WebhookResponse response) {
        outcomes.tell(() -> listener.onWebhookRejected(request, response));
    }
}
