package dev.switchboard.runtime.internal;

import dev.switchboard.channel.Address;
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
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What the runtime tells the console as it happens: each message in and out and each delivery
 * status ({@code conversation} events), each pairing change ({@code pairing}), each schedule's
 * outcome ({@code schedule}); and the recent outcomes of each schedule, which only this process
 * saw. Events are made only while a console listens.
 */
public final class AdminFeed {

    /** The outcomes kept per schedule, and the schedules kept. */
    static final int RECENT = 10;

    static final int MAX_SCHEDULES = 256;

    private final AdminEventHub hub;
    // Access-ordered, so that the schedules not heard of for longest go first.
    private final Map<String, Deque<PushOutcome>> recent = new LinkedHashMap<>(16, 0.75f, true);

    public AdminFeed(AdminEventHub hub) {
        this.hub = hub;
    }

    /** A message arrived. */
    void inbound(InboundMessage message) {
        if (hub.listened()) {
            conversation(
                    message.channelId(),
                    message.from(),
                    "inbound",
                    message.text(),
                    message.id(),
                    null,
                    message.receivedAt());
        }
    }

    /** The provider accepted a part of a text to the conversation. */
    void sent(ConversationKey conversation, String text, SendReceipt receipt, Instant at) {
        if (hub.listened()) {
            conversation(
                    conversation.channelId(),
                    conversation.counterpart(),
                    "outbound",
                    text,
                    receipt.messageId(),
                    receipt.status().name().toLowerCase(Locale.ROOT),
                    at);
        }
    }

    /** The provider reported on a part sent; the text is not known here. */
    void status(DeliveryReceipt receipt) {
        if (hub.listened()) {
            conversation(
                    receipt.channelId(),
                    receipt.to(),
                    "outbound",
                    null,
                    receipt.messageId(),
                    receipt.status().name().toLowerCase(Locale.ROOT),
                    receipt.receivedAt());
        }
    }

    private void conversation(
            String channelId,
            Address counterpart,
            String direction,
            String text,
            String messageId,
            String status,
            Instant at) {
        hub.publish(
                "conversation",
                new JsonWriter()
                        .beginObject()
                        .field("channel", channelId)
                        .field("counterpart", counterpart.value())
                        .field("direction", direction)
                        .field("text", text)
                        .field("messageId", messageId)
                        .field("status", status)
                        .field("at", at.toString())
                        .endObject()
                        .toString());
    }

    /** A pairing changed: {@code requested}, {@code approved}, {@code denied} or {@code revoked}. */
    void pairing(String change, String channelId, Address sender) {
        if (hub.listened()) {
            hub.publish(
                    "pairing",
                    new JsonWriter()
                            .beginObject()
                            .field("change", change)
                            .field("channel", channelId)
                            .field("sender", sender.value())
                            .endObject()
                            .toString());
        }
    }

    /** A push is settled; a schedule's is kept and told. */
    void outcome(PushOutcome outcome) {
        if (outcome.schedule().isEmpty()) {
            return;
        }
        String name = outcome.schedule().get();
        synchronized (recent) {
            Deque<PushOutcome> kept = recent.computeIfAbsent(name, ignored -> new ArrayDeque<>());
            kept.addFirst(outcome);
            while (kept.size() > RECENT) {
                kept.removeLast();
            }
            while (recent.size() > MAX_SCHEDULES) {
                recent.remove(recent.keySet().iterator().next());
            }
        }
        if (hub.listened()) {
            hub.publish(
                    "schedule",
                    new JsonWriter()
                            .beginObject()
                            .field("name", name)
                            .field("kind", outcome.kind().name())
                            .field("reason", outcome.reason())
                            .field("at", outcome.settledAt().toString())
                            .endObject()
                            .toString());
        }
    }

    /** The schedule's latest outcomes in this process, newest first. */
    List<PushOutcome> recent(String schedule) {
        synchronized (recent) {
            Deque<PushOutcome> kept = recent.get(schedule);
            return kept == null ? List.of() : new ArrayList<>(kept);
        }
    }

    /** The application's listener, with this feed hearing the push outcomes first. */
    RuntimeListener beside(RuntimeListener application) {
        return new RuntimeListener() {
            @Override
            public void onDropped(InboundMessage message, DropReason reason) {
                application.onDropped(message, reason);
            }

            @Override
            public void onReplySent(ConversationKey conversation, List<SendReceipt> receipts, int segments) {
                application.onReplySent(conversation, receipts, segments);
            }

            @Override
            public void onReplyOutcome(ReplyOutcome outcome) {
                application.onReplyOutcome(outcome);
            }

            @Override
            public void onPartStatus(PartStatus status) {
                application.onPartStatus(status);
            }

            @Override
            public void onAgentFailed(ConversationKey conversation, Throwable failure) {
                application.onAgentFailed(conversation, failure);
            }

            @Override
            public void onReceipt(DeliveryReceipt receipt) {
                application.onReceipt(receipt);
            }

            @Override
            public void onWebhookRejected(WebhookRequest request, WebhookResponse response) {
                application.onWebhookRejected(request, response);
            }

            @Override
            public void onPushOutcome(PushOutcome outcome) {
                try {
                    outcome(outcome);
                } finally {
                    application.onPushOutcome(outcome);
                }
            }

            @Override
            public String toString() {
                return application.toString();
            }
        };
    }
}
