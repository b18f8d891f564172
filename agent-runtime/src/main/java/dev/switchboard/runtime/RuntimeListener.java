package dev.switchboard.runtime;

import dev.switchboard.channel.ConversationKey;
import dev.switchboard.channel.DeliveryReceipt;
import dev.switchboard.channel.InboundMessage;
import dev.switchboard.channel.SendReceipt;
import dev.switchboard.channel.WebhookRequest;
import dev.switchboard.channel.WebhookResponse;
import dev.switchboard.runtime.delivery.PartStatus;
import dev.switchboard.runtime.delivery.ReplyOutcome;
import dev.switchboard.runtime.schedule.PushOutcome;
import java.util.List;

/**
 * Observes what the runtime does with each message, for metrics, audit or alerting. Every method
 * does nothing by default; override the ones you need.
 *
 * <p>This is the observer of outcomes, not the webhook server (see {@link
 * AgentRuntimeBuilder#webhookServer(String, int)}). Methods are called on the runtime's own threads
 * (or, for a turn's own events, the turn's thread), never on an I/O thread, possibly from several
 * threads at once; only while the runtime closes, on the closing thread, rather than not at all.
 * Keep them short: a slow listener delays other outcomes, never an agent. A listener that throws is
 * logged and otherwise ignored: it cannot break the runtime. The arguments are safe to log as they
 * are: their {@code toString()} redacts addresses and leaves out message text.
 */
public interface RuntimeListener {

    /** An authentic inbound message was acknowledged but not handed to the agent. */
    default void onDropped(InboundMessage message, DropReason reason) {}

    /**
     * Every part of a reply, or of an extra message sent through {@link Turn#send(String)}, was
     * accepted by the provider; delivery reports may follow, and {@link #onReplyOutcome} once they
     * settle it.
     *
     * @param receipts the provider's receipt for each part, in order
     * @param segments the SMS segments the parts cost together (GSM-7 160/153 characters a segment,
     *     UCS-2 70/67), for channels {@linkplain
     *     dev.switchboard.channel.ChannelCapabilities#billedPerSegment() billed per segment}; 0 for
     *     the others. Sum it to see, and cap, what the agent costs.
     */
    default void onReplySent(ConversationKey conversation, List<SendReceipt> receipts, int segments) {}

    /**
     * A reply (or an extra message of a turn) is settled: every part delivered, one failed (which,
     * why, and the provider's code), or sent but not confirmed in time. Called exactly once for every
     * reply that had at least one part: at once for a part the provider refused or the runtime gave
     * up on, later for one whose delivery reports settle it. A failed part stops the parts after it.
     */
    default void onReplyOutcome(ReplyOutcome outcome) {}

    /**
     * A part of a text the runtime sent (reply or push) moved on, as the provider's delivery reports
     * tell: sending, sent, delivered, undelivered, failed or read. Repeated and out-of-order reports
     * are absorbed: each state of a part is reported at most once, and never after a later one.
     */
    default void onPartStatus(PartStatus status) {}

    /** The agent threw, or returned {@code null}, instead of answering. */
    default void onAgentFailed(ConversationKey conversation, Throwable failure) {}

    /**
     * The provider reported on a message sent earlier (a delivery status callback), exactly as it
     * arrived: repeats included, and reports for messages the runtime does not follow (sent before a
     * restart, or forgotten). {@link #onPartStatus} is the deduplicated view.
     */
    default void onReceipt(DeliveryReceipt receipt) {}

    /**
     * A channel refused a webhook request: a bad signature (403) or a malformed request (400).
     *
     * @param request the request; its {@code toString()} shows neither headers nor body
     * @param response the answer it got
     */
    default void onWebhookRejected(WebhookRequest request, WebhookResponse response) {}

    /**
     * A push (a text sent with {@link AgentRuntime#send}, {@link AgentRuntime#sendHome(String)} or by a
     * schedule's run) is settled: delivered, sent but unconfirmed, failed, skipped, or its supplier
     * failed. Called exactly once per push and recipient, when the provider's delivery reports settle
     * it or the confirmation timeout passes.
     */
    default void onPushOutcome(PushOutcome outcome) {}
}
