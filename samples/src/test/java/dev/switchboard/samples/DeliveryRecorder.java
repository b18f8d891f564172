package dev.switchboard.samples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.channel.ConversationKey;
import dev.switchboard.channel.DeliveryReceipt;
import dev.switchboard.channel.InboundMessage;
import dev.switchboard.channel.SendReceipt;
import dev.switchboard.runtime.DropReason;
import dev.switchboard.runtime.RuntimeListener;
import dev.switchboard.runtime.delivery.PartStatus;
import dev.switchboard.runtime.delivery.ReplyOutcome;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** Records what the runtime tells of its deliveries, for end-to-end tests to wait on. */
final class DeliveryRecorder implements RuntimeListener {

    final BlockingQueue<List<SendReceipt>> replies = new LinkedBlockingQueue<>();
    final BlockingQueue<ReplyOutcome> outcomes = new LinkedBlockingQueue<>();
    final BlockingQueue<DeliveryReceipt> receipts = new LinkedBlockingQueue<>();
    final BlockingQueue<DropReason> drops = new LinkedBlockingQueue<>();
    final List<PartStatus> parts = Collections.synchronizedList(new ArrayList<>());

    @Override
    public void onReplySent(ConversationKey conversation, List<SendReceipt> sent, int segments) {
        replies.add(sent);
    }

    @Override
    public void onReplyOutcome(ReplyOutcome outcome) {
        outcomes.add(outcome);
    }

    @Override
    public void onPartStatus(PartStatus status) {
        parts.add(status);
    }

    @Override
    public void onReceipt(DeliveryReceipt receipt) {
        receipts.add(receipt);
    }

    @Override
    public void onDropped(InboundMessage message, DropReason reason) {
        drops.add(reason);
    }

    /** Waits up to 10 seconds for the next item of {@code queue}. */
    static <T> T next(BlockingQueue<T> queue) throws InterruptedException {
        T item = queue.poll(10, TimeUnit.SECONDS);
        assertThat(item).as("an event within 10 s").isNotNull();
        return item;
    }

    List<PartStatus> parts(String messageId) {
        synchronized (parts) {
            return parts.stream().filter(p -> p.messageId().equals(messageId)).toList();
        }
    }
}
