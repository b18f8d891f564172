package dev.switchboard.runtime.internal;

import static java.util.Objects.requireNonNull;

import dev.switchboard.channel.Channel;
import dev.switchboard.channel.ConversationKey;
import dev.switchboard.channel.InboundMessage;
import dev.switchboard.channel.PermanentChannelException;
import dev.switchboard.runtime.Agent;
import dev.switchboard.runtime.DropReason;
import dev.switchboard.runtime.RuntimeListener;
import dev.switchboard.runtime.Turn;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One inbound message on its way to the agent: the compliance keywords, the access check, the turn,
 * the reply. Its conversation moves on once the reply was handed over, retries included.
 */
public final class TurnTask implements ConversationDispatcher.Task {

    private static final Logger log = LoggerFactory.getLogger(TurnTask.class);

    private static final CompletionStage<Void> DONE = CompletableFuture.completedFuture(null);

    private final Agent agent;
    private final Channel channel;
    private final InboundMessage message;
    private final ConversationKey conversation;
    private final ReplySender sender;
    private final Outbox outbox;
    private final Optional<String> helpText;
    private final RuntimeListener listener;

    /** @param helpText the answer to HELP on this channel; empty leaves it to the provider */
    public TurnTask(
            Agent agent,
            Channel channel,
            InboundMessage message,
            ConversationKey conversation,
            ReplySender sender,
            Outbox outbox,
            Optional<String> helpText,
            RuntimeListener listener) {
        this.agent = agent;
        this.channel = channel;
        this.message = message;
        this.conversation = conversation;
        this.sender = sender;
        this.outbox = outbox;
        this.helpText = helpText;
        this.listener = listener;
    }

    @Override
    public CompletionStage<?> run() {
        Optional<Keyword> keyword = Keyword.of(message);
        if (keyword.isPresent() && keyword.get() == Keyword.STOP) {
            outbox.record(conversation, true, "texted a STOP word");
            return dropped(DropReason.STOP_KEYWORD);
        }
        boolean optedOut = optedOut();
        // A START word means something only to someone opted out (or when the provider says it did):
        // otherwise "yes" is an answer for the agent.
        if (keyword.isPresent() && keyword.get() == Keyword.START && (optedOut || Keyword.markedByProvider(message))) {
            outbox.record(conversation, false, "texted a START word");
            return dropped(DropReason.START_KEYWORD);
        }
        if (!channel.accessPolicy().permits(message.from())) {
            log.debug("dropping message {} from {}: not allowed", message.id(), message.from());
            return dropped(DropReason.NOT_ALLOWED);
        }
        if (keyword.isPresent() && keyword.get() == Keyword.HELP) {
            return help(optedOut);
        }
        if (optedOut) {
            log.debug("dropping message {} from {}: opted out of {}", message.id(), message.from(), channel.id());
            return dropped(DropReason.OPTED_OUT);
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
            return DONE;
        } catch (Exception e) {
            agentFailed(e);
            return DONE;
        } catch (Error e) {
            agentFailed(e);
            if (e instanceof VirtualMachineError) {
                throw e;
            }
            return DONE;
        }
        if (reply.isPresent()) {
            return sender.reply(channel, conversation, reply.get());
        }
        log.debug("no reply to message {} in {}", message.id(), conversation);
        return DONE;
    }

    @Override
    public void abandon(DropReason reason) {
        log.warn("message {} from {} was acknowledged but not answered: {}", message.id(), message.from(), reason);
        listener.onDropped(message, reason);
    }

    private boolean optedOut() {
        try {
            return outbox.isOptedOut(conversation);
        } catch (PermanentChannelException e) {
            log.warn("{}: treating {} as opted out", e.getMessage(), conversation);
            return true;
        }
    }

    private CompletionStage<?> help(boolean optedOut) {
        listener.onDropped(message, DropReason.HELP_KEYWORD);
        if (optedOut || helpText.isEmpty()) {
            log.debug(
                    "HELP from {} on {} left to the provider ({})",
                    message.from(),
                    channel.id(),
                    optedOut ? "opted out" : "no help text configured");
            return DONE;
        }
        log.debug("answering HELP from {} on {}", message.from(), channel.id());
        return sender.reply(channel, conversation, helpText.get());
    }

    private CompletionStage<?> dropped(DropReason reason) {
        listener.onDropped(message, reason);
        return DONE;
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
            sender.replyHere(channel, conversation, markdown);
        }
    }
}
