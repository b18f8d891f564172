package dev.switchboard.runtime.internal;

import static java.util.Objects.requireNonNull;

import dev.switchboard.channel.Channel;
import dev.switchboard.channel.ConversationKey;
import dev.switchboard.channel.InboundMessage;
import dev.switchboard.runtime.Agent;
import dev.switchboard.runtime.DropReason;
import dev.switchboard.runtime.RuntimeListener;
import dev.switchboard.runtime.Turn;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One inbound message on its way to the agent: the access check, the turn, the reply. */
public final class TurnTask implements ConversationDispatcher.Task {

    private static final Logger log = LoggerFactory.getLogger(TurnTask.class);

    private final Agent agent;
    private final Channel channel;
    private final InboundMessage message;
    private final ConversationKey conversation;
    private final ReplySender sender;
    private final RuntimeListener listener;

    public TurnTask(
            Agent agent,
            Channel channel,
            InboundMessage message,
            ConversationKey conversation,
            ReplySender sender,
            RuntimeListener listener) {
        this.agent = agent;
        this.channel = channel;
        this.message = message;
        this.conversation = conversation;
        this.sender = sender;
        this.listener = listener;
    }

    @Override
    public void run() {
        if (!channel.accessPolicy().permits(message.from())) {
            log.debug("dropping message {} from {}: not allowed", message.id(), message.from());
            listener.onDropped(message, DropReason.NOT_ALLOWED);
            return;
        }
        log.debug("turn for message {} in {}", message.id(), conversation);
        Optional<String> reply;
        try {
            reply = agent.respond(new ConversationTurn());
            if (reply == null) {
                throw new NullPointerException("the agent returned null; return Optional.empty() for no reply");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            agentFailed(e);
            return;
        } catch (Exception e) {
            agentFailed(e);
            return;
        } catch (Error e) {
            agentFailed(e);
            if (e instanceof VirtualMachineError) {
                throw e;
            }
            return;
        }
        if (reply.isPresent()) {
            sender.send(channel, conversation, reply.get());
        } else {
            log.debug("no reply to message {} in {}", message.id(), conversation);
        }
    }

    @Override
    public void abandon(DropReason reason) {
        log.warn("message {} from {} was acknowledged but not answered: {}", message.id(), message.from(), reason);
        listener.onDropped(message, reason);
    }

    private void agentFailed(Throwable e) {
        log.warn(
                "agent failed on message {} in {}: {}: {}",
                message.id(),
                conversation,
                e.getClass().getName(),
                e.getMessage());
        log.debug("agent failure in {}", conversation, e);
        listener.onAgentFailed(conversation, e);
    }

    private final class ConversationTurn implements Turn {

        @Override
        public ConversationKey conversation() {
            return conversation;
        }

        @Override
        public InboundMessage message() {
            return message;
        }

        @Override
        public void send(String markdown) {
            requireNonNull(markdown, "markdown");
            sender.send(channel, conversation, markdown);
        }
    }
}
