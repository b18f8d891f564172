package dev.switchboard.runtime.internal;

import dev.switchboard.channel.ConversationKey;
import dev.switchboard.channel.DeliveryReceipt;
import dev.switchboard.channel.InboundMessage;
import dev.switchboard.channel.SendReceipt;
import dev.switchboard.channel.WebhookRequest;
import dev.switchboard.channel.WebhookResponse;
import dev.switchboard.runtime.DropReason;
import dev.switchboard.runtime.RuntimeListener;
import dev.switchboard.runtime.delivery.PartStatus;
import dev.switchboard.runtime.delivery.ReplyOutcome;
import dev.switchboard.runtime.schedule.PushOutcome;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Shields the runtime from an application listener that throws. */
public final class SafeListener implements RuntimeListener {

    private static final Logger log = LoggerFactory.getLogger(SafeListener.class);

    private final RuntimeListener delegate;

    public SafeListener(RuntimeListener delegate) {
        this.delegate = delegate;
    }

    @Override
    public void onDropped(InboundMessage message, DropReason reason) {
        guard("onDropped", () -> delegate.onDropped(message, reason));
    }

    @Override
    public void onReplySent(ConversationKey conversation, List<SendReceipt> receipts, int segments) {
        guard("onReplySent", () -> delegate.onReplySent(conversation, receipts, segments));
    }

    @Override
    public void onReplyOutcome(ReplyOutcome outcome) {
        guard("onReplyOutcome", () -> delegate.onReplyOutcome(outcome));
    }

    @Override
    public void onPartStatus(PartStatus status) {
        guard("onPartStatus", () -> delegate.onPartStatus(status));
    }

    @Override
    public void onAgentFailed(ConversationKey conversation, Throwable failure) {
        guard("onAgentFailed", () -> delegate.onAgentFailed(conversation, failure));
    }

    @Override
    public void onReceipt(DeliveryReceipt receipt) {
        guard("onReceipt", () -> delegate.onReceipt(receipt));
    }

    @Override
    public void onWebhookRejected(WebhookRequest request, WebhookResponse response) {
        guard("onWebhookRejected", () -> delegate.onWebhookRejected(request, response));
    }

    @Override
    public void onPushOutcome(PushOutcome outcome) {
        guard("onPushOutcome", () -> delegate.onPushOutcome(outcome));
    }

    private void guard(String method, Runnable call) {
        try {
            call.run();
        } catch (RuntimeException e) {
            log.warn(
                    "listener {}.{} threw {}: {}",
                    delegate.getClass().getName(),
                    method,
                    e.getClass().getName(),
                    e.getMessage(),
                    e);
        }
    }
}
