package dev.switchboard.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.channel.ConversationKey;
import dev.switchboard.channel.DeliveryReceipt;
import dev.switchboard.channel.InboundMessage;
import dev.switchboard.channel.SendReceipt;
import dev.switchboard.channel.WebhookRequest;
import dev.switchboard.channel.WebhookResponse;
import dev.switchboard.runtime.delivery.PartStatus;
import dev.switchboard.runtime.delivery.ReplyOutcome;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** Records every event as a value, for tests to wait on. */
final class RecordingListener implements RuntimeListener {

    record Dropped(InboundMessage message, DropReason reason) {}

    record ReplySent(ConversationKey conversation, List<SendReceipt> receipts, int segments) {}

    record Outcome(ReplyOutcome outcome) {}

    record Part(PartStatus status) {}

    record AgentFailed(ConversationKey conversation, Throwable failure) {}

    record Receipt(DeliveryReceipt receipt) {}

    record Rejected(WebhookRequest request, WebhookResponse response) {}

    private final BlockingQueue<Object> events = new LinkedBlockingQueue<>();
    private final List<Object> seen = new ArrayList<>();
    private final Set<Integer> returned = new HashSet<>();

    @Override
    public void onDropped(InboundMessage message, DropReason reason) {
        events.add(new Dropped(message, reason));
    }

    @Override
    public void onReplySent(ConversationKey conversation, List<SendReceipt> receipts, int segments) {
        events.add(new ReplySent(conversation, receipts, segments));
    }

    @Override
    public void onReplyOutcome(ReplyOutcome outcome) {
        events.add(new Outcome(outcome));
    }

    @Override
    public void onPartStatus(PartStatus status) {
        events.add(new Part(status));
    }

    @Override
    public void onAgentFailed(ConversationKey conversation, Throwable failure) {
        events.add(new AgentFailed(conversation, failure));
    }

    @Override
    public void onReceipt(DeliveryReceipt receipt) {
        events.add(new Receipt(receipt));
    }

    @Override
    public void onWebhookRejected(WebhookRequest request, WebhookResponse response) {
        events.add(new Rejected(request, response));
    }

    /** Waits for the first event of {@code type} not returned before. */
    synchronized <T> T next(Class<T> type) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            for (int i = 0; i < seen.size(); i++) {
                if (!returned.contains(i) && type.isInstance(seen.get(i))) {
                    returned.add(i);
                    return type.cast(seen.get(i));
                }
            }
            Object event = events.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            assertThat(event)
                    .as("a %s event within 10 s; seen %s", type.getSimpleName(), seen)
                    .isNotNull();
            seen.add(event);
        }
    }

    /** Every event so far, in order. */
    synchronized List<Object> seen() {
        events.drainTo(seen);
        return List.copyOf(seen);
    }

    synchronized <T> List<T> seen(Class<T> type) {
        return seen().stream().filter(type::isInstance).map(type::cast).toList();
    }
}
