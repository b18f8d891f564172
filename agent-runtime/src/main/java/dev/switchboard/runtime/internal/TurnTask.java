package dev.switchboard.runtime.internal;

import static java.util.Objects.requireNonNull;

import dev.switchboard.channel.ConversationKey;
import dev.switchboard.channel.InboundMessage;
import dev.switchboard.runtime.AsyncAgent;
import dev.switchboard.runtime.DropReason;
import dev.switchboard.runtime.RuntimeListener;
import dev.switchboard.runtime.Turn;
import dev.switchboard.runtime.store.HistoryEntry;
import dev.switchboard.runtime.store.OutboxPart;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One inbound message's turn: the access check, the agent, the reply. Its conversation moves on
 * once the agent has answered and the reply was handed over, retries included. A message that was a
 * compliance keyword had its {@link ComplianceTask} first, which says whether it comes this far.
 */
final class TurnTask implements ConversationDispatcher.Task {

    private static final Logger log = LoggerFactory.getLogger(TurnTask.class);

    private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

    private final Arrival arrival;
    private final CompletableFuture<Boolean> toAgent;
    private final AsyncAgent agent;
    private final ReplySender sender;
    private final Outbox outbox;
    private final RuntimeListener listener;
    private final Executor resume;
    private final History history;
    private final TurnOutbox turnOutbox;
    private final PairingGate pairing;

    /**
     * @param toAgent whether the message goes on to the agent; complete before this task runs
     * @param resume where the turn goes on when the agent answers on another thread
     */
    TurnTask(
            Arrival arrival,
            CompletableFuture<Boolean> toAgent,
            AsyncAgent agent,
            ReplySender sender,
            Outbox outbox,
            RuntimeListener listener,
            Executor resume,
            History history,
            TurnOutbox turnOutbox,
            PairingGate pairing) {
        this.pairing = pairing;
        this.history = history;
        this.turnOutbox = turnOutbox;
        this.arrival = arrival;
        this.toAgent = toAgent;
        this.agent = agent;
        this.sender = sender;
        this.outbox = outbox;
        this.listener = listener;
        this.resume = resume;
    }

    @Override
    public CompletionStage<?> run() {
        arrival.announce();
        history.inbound(arrival.message);
        if (!toAgent.getNow(false)) {
            return DONE;
        }
        InboundMessage message = arrival.message;
        if (pairing.handles(arrival)) {
            arrival.drop(DropReason.PAIRING);
            return DONE;
        }
        if (!arrival.channel.accessPolicy().permits(message.from()) && !pairing.admits(arrival)) {
            log.debug("dropping message {} from {}: not allowed", message.id(), message.from());
            arrival.drop(DropReason.NOT_ALLOWED);
            return DONE;
        }
        if (turnOutbox.optedOutAtCommit().orElseGet(() -> ComplianceTask.optedOut(outbox, arrival))) {
            log.debug(
                    "dropping message {} from {}: opted out of {}", message.id(), message.from(), arrival.channel.id());
            arrival.drop(DropReason.OPTED_OUT);
            return DONE;
        }
        ConversationTurn turn = new ConversationTurn();
        List<List<OutboxPart>> recorded = turnOutbox.recorded();
        if (!recorded.isEmpty()) {
            // What the agent said before the process stopped goes on; once it had answered, it is not asked
            // again.
            log.info(
                    "resuming the {} message(s) the turn for message {} in {} had begun to send before a restart",
                    recorded.size(),
                    message.id(),
                    arrival.conversation);
            for (List<OutboxPart> parts : recorded) {
                turn.then(() -> sender.resume(arrival.channel, arrival.conversation, parts, turnOutbox), false);
            }
            if (TurnOutbox.answered(recorded)) {
                return turn.pending();
            }
            // Only extra messages went out: the agent is asked again, its messages after those.
        }
        log.debug("turn for message {} in {}", message.id(), arrival.conversation);
        CompletableFuture<Optional<String>> answer;
        try {
            CompletionStage<Optional<String>> stage = agent.respond(turn);
            answer = stage == null
                    ? CompletableFuture.failedFuture(new NullPointerException("the agent returned no stage"))
                    : stage.toCompletableFuture();
        } catch (RuntimeException | Error e) {
            agentFailed(e);
            if (e instanceof VirtualMachineError error) {
                throw error;
            }
            return DONE;
        }
        if (answer.isDone()) {
            // A blocking agent answered on this thread: reply from it too.
            return answered(answer, turn);
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        answer.whenComplete((reply, failure) -> {
            Runnable next = () -> answered(answer, turn).whenComplete((r, f) -> done.complete(null));
            try {
                resume.execute(next);
            } catch (RejectedExecutionException e) {
                // Closing: better on this thread than a reply lost.
                next.run();
            }
        });
        return done;
    }

    private CompletableFuture<Void> answered(CompletableFuture<Optional<String>> answer, ConversationTurn turn) {
        Optional<String> reply;
        try {
            reply = answer.join();
            if (reply == null) {
                throw new NullPointerException("the agent returned null; return Optional.empty() for no reply");
            }
        } catch (CompletionException e) {
            agentFailed(e.getCause() == null ? e : e.getCause());
            return turn.pending();
        } catch (RuntimeException e) {
            agentFailed(e);
            return turn.pending();
        }
        if (reply.isEmpty()) {
            log.debug("no reply to message {} in {}", arrival.message.id(), arrival.conversation);
            return turn.pending();
        }
        return turn.then(
                () -> sender.reply(arrival.channel, arrival.conversation, reply.get(), turnOutbox, true), false);
    }

    @Override
    public void abandon(DropReason reason) {
        arrival.abandon(reason);
    }

    private void agentFailed(Throwable e) {
        log.warn(
                "agent failed on message {} in {}: {}: {}",
                arrival.message.id(),
                arrival.conversation,
                e.getClass().getName(),
                e.getMessage());
        log.debug("agent failure in {}", arrival.conversation, e);
        listener.onAgentFailed(arrival.conversation, e);
    }

    private final class ConversationTurn implements Turn {

        // The turn's extra messages so far, one after the other; the reply goes after them.
        private CompletableFuture<Void> sends = DONE; // guarded by this

        @Override
        public ConversationKey conversation() {
            return arrival.conversation;
        }

        @Override
        public InboundMessage message() {
            return arrival.message;
        }

        @Override
        public List<HistoryEntry> history(int limit) {
            return history.before(arrival.message, limit);
        }

        @Override
        public void send(String markdown) {
            requireNonNull(markdown, "markdown");
            CompletableFuture<Void> sent =
                    then(() -> sender.reply(arrival.channel, arrival.conversation, markdown, turnOutbox, false), false);
            try {
                sent.get();
            } catch (InterruptedException e) {
                // The message still goes out; the caller stops waiting for it.
                Thread.currentThread().interrupt();
            } catch (ExecutionException e) {
                // A send reports its own failures and never completes exceptionally.
                throw new IllegalStateException("sending an extra message failed", e.getCause());
            }
        }

        @Override
        public CompletionStage<Void> sendAsync(String markdown) {
            requireNonNull(markdown, "markdown");
            // The caller's thread may be a model client's I/O thread: the sending is done elsewhere.
            return then(() -> sender.reply(arrival.channel, arrival.conversation, markdown, turnOutbox, false), true)
                    .minimalCompletionStage();
        }

        /**
         * Starts {@code next} once the messages handed over before it are: on this thread if they
         * are and {@code elsewhere} is false, on a runtime thread otherwise.
         */
        synchronized CompletableFuture<Void> then(Supplier<CompletableFuture<Void>> next, boolean elsewhere) {
            CompletableFuture<Void> after = sends.isDone() && !elsewhere
                    ? next.get()
                    : sends.thenComposeAsync(ignored -> next.get(), TurnTask.this::resumeOrRun);
            sends = after;
            return after;
        }

        synchronized CompletableFuture<Void> pending() {
            return sends;
        }
    }

    private void resumeOrRun(Runnable task) {
        try {
            resume.execute(task);
        } catch (RejectedExecutionException e) {
            task.run();
        }
    }
}
