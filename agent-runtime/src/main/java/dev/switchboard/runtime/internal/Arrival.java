package dev.switchboard.runtime.internal;

import dev.switchboard.channel.Channel;
import dev.switchboard.channel.ConversationKey;
import dev.switchboard.channel.InboundMessage;
import dev.switchboard.runtime.DropReason;
import dev.switchboard.runtime.RuntimeListener;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One accepted inbound message on its way to the agent: what its compliance step and its turn share,
 * so that the channel hears of the message once and the application hears of its drop once, whichever
 * of them gets there first.
 */
final class Arrival {

    private static final Logger log = LoggerFactory.getLogger(Arrival.class);

    final Channel channel;
    final InboundMessage message;
    final ConversationKey conversation;
    private final RuntimeListener listener;
    private final AtomicBoolean announced = new AtomicBoolean();
    private final AtomicBoolean dropped = new AtomicBoolean();

    Arrival(Channel channel, InboundMessage message, RuntimeListener listener) {
        this.channel = channel;
        this.message = message;
        this.conversation = new ConversationKey(channel.id(), message.from());
        this.listener = listener;
    }

    /** Tells the channel the message was accepted ({@link Channel#accepted}), once. */
    void announce() {
        if (!announced.compareAndSet(false, true)) {
            return;
        }
        try {
            channel.accepted(message);
        } catch (RuntimeException e) {
            log.warn(
                    "channel {} failed on accepted message {}: {}: {}",
                    channel.id(),
                    message.id(),
                    e.getClass().getName(),
                    e.getMessage());
        }
    }

    /** Reports that the message goes no further, once. */
    void drop(DropReason reason) {
        if (dropped.compareAndSet(false, true)) {
            listener.onDropped(message, reason);
        }
    }

    /** Reports that the message was acknowledged but will never be answered, once. */
    void abandon(DropReason reason) {
        if (dropped.compareAndSet(false, true)) {
            log.warn("message {} from {} was acknowledged but not answered: {}", message.id(), message.from(), reason);
            listener.onDropped(message, reason);
        }
    }
}
