package dev.switchboard.runtime.internal;

import dev.switchboard.channel.Address;
import dev.switchboard.channel.Channel;
import dev.switchboard.channel.ChannelException;
import dev.switchboard.channel.ConversationKey;
import dev.switchboard.channel.OutboundMessage;
import dev.switchboard.channel.PermanentChannelException;
import dev.switchboard.channel.SendReceipt;
import dev.switchboard.runtime.RuntimeListener;
import dev.switchboard.runtime.format.ReplyFormatter;
import dev.switchboard.runtime.format.SegmentCounter;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Formats a markdown text for a channel and sends its parts in order; the first part that fails
 * stops the rest. The one path of every outgoing text: replies report through {@link #send}, pushes
 * take the {@link Delivery} of {@link #deliver} and report it themselves.
 */
public final class ReplySender {

    private static final Logger log = LoggerFactory.getLogger(ReplySender.class);

    private final ReplyFormatter formatter;
    private final RuntimeListener listener;

    public ReplySender(ReplyFormatter formatter, RuntimeListener listener) {
        this.formatter = formatter;
        this.listener = listener;
    }

    /**
     * Sends {@code markdown} to the conversation's counterpart as a reply; returns whether every part
     * went out.
     */
    public boolean send(Channel channel, ConversationKey conversation, String markdown) {
        Delivery delivery = deliver(channel, conversation.counterpart(), markdown);
        if (delivery instanceof Delivery.Sent sent) {
            log.debug(
                    "reply to {} sent in {} part(s), {} segment(s)",
                    conversation,
                    sent.receipts().size(),
                    sent.segments());
            listener.onReplySent(conversation, sent.receipts(), sent.segments());
            return true;
        }
        if (delivery instanceof Delivery.Failed failed) {
            if (failed.part() == 0) {
                Throwable cause = failed.failure().getCause();
                log.warn(
                        "formatting a reply for {} failed: {}: {}",
                        conversation,
                        cause.getClass().getName(),
                        cause.getMessage());
            } else {
                logFailure(conversation, failed.part(), failed.parts(), failed.failure());
            }
            listener.onSendFailed(conversation, failed.part(), failed.parts(), failed.failure());
            return false;
        }
        log.debug("reply for {} renders to nothing; nothing sent", conversation);
        return true;
    }

    /**
     * Formats {@code markdown} for the channel and sends its parts to {@code to} in order, stopping at
     * the first that fails. Every text the runtime sends, reply or push, goes through here. Reports
     * nothing: the caller does, in its own terms.
     */
    public Delivery deliver(Channel channel, Address to, String markdown) {
        List<String> parts;
        try {
            parts = formatter.format(markdown, channel.capabilities());
        } catch (RuntimeException e) {
            return new Delivery.Failed(
                    0,
                    0,
                    List.of(),
                    new PermanentChannelException(
                            "the text could not be formatted: " + e.getClass().getName(), null, e));
        }
        if (parts.isEmpty()) {
            return new Delivery.Empty();
        }
        List<SendReceipt> receipts = new ArrayList<>(parts.size());
        for (int i = 0; i < parts.size(); i++) {
            int part = i + 1;
            try {
                receipts.add(channel.send(OutboundMessage.text(to, parts.get(i))));
            } catch (ChannelException e) {
                return new Delivery.Failed(part, parts.size(), receipts, e);
            } catch (RuntimeException e) {
                // A channel must throw ChannelException; anything else is reported the same way.
                return new Delivery.Failed(
                        part,
                        parts.size(),
                        receipts,
                        new PermanentChannelException(
                                "channel " + channel.id() + " failed to send: "
                                        + e.getClass().getName(),
                                null,
                                e));
            }
            log.debug("sent part {}/{} to {} on {}", part, parts.size(), to, channel.id());
        }
        int segments = channel.capabilities().billedPerSegment() ? SegmentCounter.totalSegments(parts) : 0;
        return new Delivery.Sent(receipts, segments);
    }

    private static void logFailure(ConversationKey conversation, int part, int parts, ChannelException e) {
        log.warn(
                "sending part {}/{} to {} failed ({}, provider code {}): {}",
                part,
                parts,
                conversation,
                e.getClass().getSimpleName(),
                e.providerCode().orElse("none"),
                e.getMessage());
    }
}
