package dev.switchboard.runtime.internal;

import dev.switchboard.channel.PermanentChannelException;
import dev.switchboard.runtime.DropReason;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The compliance keywords of one message, handled in the conversation's own lane of bookkeeping, so
 * that a STOP counts at once and a HELP is answered at once, never behind the person's own agent
 * turn still in progress. STOP-family words opt the sender out (whoever they are), START-family words
 * opt them back in if they had opted out (otherwise "yes" goes on to the agent), HELP is answered
 * with the channel's help text for a sender who may talk to the agent, or left to the provider.
 *
 * <p>{@link #toAgent()} says, once done, whether the message goes on to its turn.
 */
final class ComplianceTask implements ConversationDispatcher.Task {

    private static final Logger log = LoggerFactory.getLogger(ComplianceTask.class);

    private static final CompletionStage<Void> DONE = CompletableFuture.completedFuture(null);

    private final Arrival arrival;
    private final Keyword keyword;
    private final ReplySender sender;
    private final Outbox outbox;
    private final Optional<String> helpText;
    private final CompletableFuture<Boolean> toAgent = new CompletableFuture<>();

    /** @param helpText the answer to HELP on this channel; empty leaves it to the provider */
    ComplianceTask(Arrival arrival, Keyword keyword, ReplySender sender, Outbox outbox, Optional<String> helpText) {
        this.arrival = arrival;
        this.keyword = keyword;
        this.sender = sender;
        this.outbox = outbox;
        this.helpText = helpText;
    }

    /** Whether the message goes on to the agent; completes when this task is done or abandoned. */
    CompletableFuture<Boolean> toAgent() {
        return toAgent;
    }

    @Override
    public CompletionStage<?> run() {
        try {
            return handle();
        } finally {
            toAgent.complete(false);
        }
    }

    private CompletionStage<?> handle() {
        arrival.announce();
        switch (keyword) {
            case STOP:
                outbox.record(arrival.conversation, true, "texted a STOP word");
                arrival.drop(DropReason.STOP_KEYWORD);
                return DONE;
            case START:
                // A START word means something only to someone opted out (or when the provider says it
                // did): otherwise "yes" is an answer for the agent.
                if (optedOut(outbox, arrival) || Keyword.markedByProvider(arrival.message)) {
                    outbox.record(arrival.conversation, false, "texted a START word");
                    arrival.drop(DropReason.START_KEYWORD);
                } else {
                    toAgent.complete(true);
                }
                return DONE;
            default:
                return help();
        }
    }

    private CompletionStage<?> help() {
        if (!arrival.channel.accessPolicy().permits(arrival.message.from())) {
            log.debug("dropping message {} from {}: not allowed", arrival.message.id(), arrival.message.from());
            arrival.drop(DropReason.NOT_ALLOWED);
            return DONE;
        }
        boolean optedOut = optedOut(outbox, arrival);
        arrival.drop(DropReason.HELP_KEYWORD);
        if (optedOut || helpText.isEmpty()) {
            log.debug(
                    "HELP from {} on {} left to the provider ({})",
                    arrival.message.from(),
                    arrival.channel.id(),
                    optedOut ? "opted out" : "no help text configured");
            return DONE;
        }
        log.debug("answering HELP from {} on {}", arrival.message.from(), arrival.channel.id());
        return sender.reply(arrival.channel, arrival.conversation, helpText.get());
    }

    @Override
    public void abandon(DropReason reason) {
        arrival.abandon(reason);
        toAgent.complete(false);
    }

    /** Whether the sender opted out; a store that fails counts as opted out. */
    static boolean optedOut(Outbox outbox, Arrival arrival) {
        try {
            return outbox.isOptedOut(arrival.conversation);
        } catch (PermanentChannelException e) {
            log.warn("{}: treating {} as opted out", e.getMessage(), arrival.conversation);
            return true;
        }
    }
}
