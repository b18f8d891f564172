package dev.switchboard.runtime.internal;

import dev.switchboard.channel.Channel;
import dev.switchboard.channel.ChannelException;
import dev.switchboard.channel.ConversationKey;
import dev.switchboard.channel.OutboundMessage;
import dev.switchboard.channel.PermanentChannelException;
import dev.switchboard.channel.SendReceipt;
import dev.switchboard.runtime.RuntimeListener;
import dev.switchboard.runtime.format.ReplyFormatter;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Formats a markdown text for a channel and sends its parts in order; the first part that fails
 * stops the rest. Every outcome reaches the listener.
 */
public final class ReplySender {

    private static final Logger log = LoggerFactory.getLogger(ReplySender.class);

    private final ReplyFormatter formatter;
    private final RuntimeListener listener;

    public ReplySender(ReplyFormatter formatter, RuntimeListener listener) {
        this.formatter = formatter;
        this.listener = listener;
    }

    /** Sends {@code markdown} to the conversation's counterpart; returns whether every part went out. */
    public boolean send(Channel channel, ConversationKey conversation, String markdown) {
        List<String> parts;
        try {
            parts = formatter.format(markdown, channel.capabilities());
        } catch (RuntimeException e) {
            log.warn(
                    "formatting a reply for {} failed: {}: {}",
                    conversation,
                    e.getClass().getName(),
                    e.getMessage());
            listener.onSendFailed(
                    conversation,
                    0,
                    0,
                    new PermanentChannelException(
                            "the reply could not be formatted: " + e.getClass().getName(), null, e));
            return false;
        }
        if (parts.isEmpty()) {
            log.debug("reply for {} renders to nothing; nothing sent", conversation);
            return true;
        }
        List<SendReceipt> receipts = new ArrayList<>(parts.size());
        for (int i = 0; i < parts.size(); i++) {
            int part = i + 1;
            try {
                receipts.add(channel.send(OutboundMessage.text(conversation.counterpart(), parts.get(i))));
            } catch (ChannelException e) {
                failed(conversation, part, parts.size(), e);
                return false;
            } catch (RuntimeException e) {
                // A channel must throw ChannelException; anything else is reported the same way.
                failed(
                        conversation,
                        part,
                        parts.size(),
                        new PermanentChannelException(
                                "channel " + channel.id() + " failed to send: "
                                        + e.getClass().getName(),
                                null,
                                e));
                return false;
            }
            log.debug("sent part {}/{} to {}", part, parts.size(), conversation);
        }
        listener.onReplySent(conversation, List.copyOf(receipts));
        return true;
    }

    private void failed(ConversationKey conversation, int part, int parts, ChannelException e) {
        log.warn(
                "sending part {}/{} to {} failed ({}, provider code {}): {}",
                part,
                parts,
                conversation,
                e.getClass().getSimpleName(),
                e.providerCode().orElse("none"),
                e.getMessage());
        listener.onSendFailed(conversation, part, parts, e);
    }
}
