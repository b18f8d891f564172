package dev.switchboard.runtime.internal;

import static java.util.Objects.requireNonNull;

import dev.switchboard.channel.Address;
import dev.switchboard.channel.Attachment;
import dev.switchboard.channel.Channel;
import dev.switchboard.channel.ConversationKey;
import dev.switchboard.channel.InboundMessage;
import dev.switchboard.channel.MediaContent;
import dev.switchboard.runtime.AsyncAgent;
import dev.switchboard.runtime.Choice;
import dev.switchboard.runtime.DropReason;
import dev.switchboard.runtime.Media;
import dev.switchboard.runtime.Reply;
import dev.switchboard.runtime.RuntimeListener;
import dev.switchboard.runtime.Turn;
import dev.switchboard.runtime.store.HistoryEntry;
import dev.switchboard.runtime.store.OutboxPart;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
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
    private final Bursts bursts;
    private final Choices choices;
    private final ServedMedia media;
    private final boolean keyword;
    private final CompletionStage<?> release;
    // The turn that took this one's message into its own; set once, under the bursts' lock.
    private volatile TurnTask absorbedBy;
    // Whether a turn of the conversation was under way when this one's message arrived.
    private volatile boolean arrivedDuringATurn;
    private final PairingGate pairing;
    private final RuntimeMetrics metrics;
    // With metrics: when the message was acknowledged, and when the turn started (System.nanoTime),
    // 0 until then.
    private volatile long acknowledgedAt;
    private volatile long startedAt;
    // 1 once the message left the inbox's depth: its task ran or was abandoned.
    private volatile int left;
    private static final AtomicIntegerFieldUpdater<TurnTask> LEFT =
            AtomicIntegerFieldUpdater.newUpdater(TurnTask.class, "left");

    /**
     * @param toAgent whether the message goes on to the agent; complete before this task runs
     * @param resume where the turn goes on when the agent answers on another thread
     * @param keyword whether the message was a compliance keyword, which never joins another turn
     * @param release what starts this task in its lane (the webhook answered, or the keyword decided)
     * @param metrics where the turn's wait, duration and failure are counted, and the message's place
     *     in the inbox's depth
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
            Bursts bursts,
            Choices choices,
            ServedMedia media,
            boolean keyword,
            CompletionStage<?> release,
            PairingGate pairing,
            RuntimeMetrics metrics) {
        this.metrics = metrics;
        this.pairing = pairing;
        this.bursts = bursts;
        this.choices = choices;
        this.media = media;
        this.keyword = keyword;
        this.release = release;
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

    ConversationKey conversation() {
        return arrival.conversation;
    }

    /** Whether the message was a compliance keyword, which neither joins nor leads a burst. */
    boolean keyword() {
        return keyword;
    }

    /** Whether an earlier turn of the conversation took this one's message into its own. */
    boolean absorbed() {
        return absorbedBy != null;
    }

    /** Notes that the message arrived while a turn of its conversation was under way. */
    void arrivedDuringATurn() {
        arrivedDuringATurn = true;
    }

    /**
     * Whether the message could join an earlier turn but for its webhook's answer, which is being
     * written.
     */
    boolean awaitingAcknowledgement() {
        return !keyword && arrivedDuringATurn && !release.toCompletableFuture().isDone();
    }

    /** What starts this task in its lane. */
    CompletableFuture<?> release() {
        return release.toCompletableFuture();
    }

    /** Takes this turn's message into {@code turn}'s; called by {@link Bursts} under its lock. */
    void absorbInto(TurnTask turn) {
        absorbedBy = turn;
    }

    /**
     * Whether this turn's message may join an earlier turn: answered to the provider, no keyword, and
     * nothing a stopped process had begun to send for it.
     */
    boolean canJoin() {
        CompletableFuture<?> released = release.toCompletableFuture();
        return !keyword
                && arrivedDuringATurn
                && released.isDone()
                && !released.isCompletedExceptionally()
                && toAgent.getNow(false)
                && !pairing.isCommand(arrival)
                && (turnOutbox.fresh() || turnOutbox.recorded().isEmpty());
    }

    /** Notes that the message was acknowledged: its wait for its turn starts now. */
    void acknowledged() {
        if (metrics.enabled()) {
            acknowledgedAt = System.nanoTime();
        }
    }

    /** Takes the message out of the inbox's depth, once. */
    private void leave() {
        if (metrics.enabled() && LEFT.compareAndSet(this, 0, 1)) {
            metrics.inboxLeft();
        }
    }

    @Override
    public CompletionStage<?> run() {
        CompletionStage<?> done;
        try {
            done = proceed();
        } catch (RuntimeException | Error e) {
            leave();
            throw e;
        }
        if (done == DONE) {
            leave();
        }
        // Otherwise the turn's own completion takes it out.
        return done;
    }

    private CompletionStage<?> proceed() {
        if (absorbed()) {
            // An earlier turn announced, recorded and answered this message with its own.
            return DONE;
        }
        long acknowledged = acknowledgedAt;
        if (acknowledged != 0) {
            metrics.turnWaited(arrival.channel.id(), System.nanoTime() - acknowledged);
        }
        arrival.announce();
        history.inbound(arrival.message);
        if (!toAgent.getNow(false)) {
            bursts.forget(this);
            return DONE;
        }
        InboundMessage message = arrival.message;
        if (pairing.handles(arrival)) {
            bursts.forget(this);
            arrival.drop(DropReason.PAIRING);
            return DONE;
        }
        if (!arrival.channel.accessPolicy().permits(message.from()) && !pairing.admits(arrival)) {
            log.debug("dropping message {} from {}: not allowed", message.id(), message.from());
            bursts.forget(this);
            arrival.drop(DropReason.NOT_ALLOWED);
            return DONE;
        }
        if (turnOutbox.optedOutAtCommit().orElseGet(() -> ComplianceTask.optedOut(outbox, arrival))) {
            log.debug(
                    "dropping message {} from {}: opted out of {}", message.id(), message.from(), arrival.channel.id());
            bursts.forget(this);
            arrival.drop(DropReason.OPTED_OUT);
            return DONE;
        }
        ConversationKey conversation = arrival.conversation;
        bursts.started(conversation);
        CompletionStage<?> turn;
        try {
            // Waiting for the conversation to go quiet holds its lane, so what arrives meanwhile joins.
            CompletableFuture<Void> ready = bursts.quiet(conversation).thenCompose(quiet -> bursts.acknowledged(this));
            turn = ready.isDone() ? start() : ready.thenComposeAsync(ignored -> start(), this::resumeOrRun);
        } catch (RuntimeException | Error e) {
            bursts.finished(conversation);
            throw e;
        }
        return turn.whenComplete((result, failure) -> {
            bursts.finished(conversation);
            long started = startedAt;
            if (started != 0) {
                metrics.turnTook(arrival.channel.id(), System.nanoTime() - started);
            }
            leave();
        });
    }

    private CompletionStage<?> start() {
        if (metrics.enabled()) {
            startedAt = System.nanoTime();
        }
        List<TurnTask> group = bursts.take(this);
        List<InboundMessage> messages = new ArrayList<>(group.size());
        for (TurnTask joined : group) {
            if (joined != this) {
                joined.arrival.announce();
                history.inbound(joined.arrival.message);
            }
            messages.add(joined.arrival.message);
        }
        if (messages.isEmpty()) {
            messages.add(arrival.message);
        }
        if (messages.size() > 1) {
            log.debug(
                    "turn for message {} in {} takes the {} message(s) that arrived while the previous one ran",
                    arrival.message.id(),
                    arrival.conversation,
                    messages.size() - 1);
        }
        return answer(List.copyOf(messages));
    }

    private CompletionStage<?> answer(List<InboundMessage> messages) {
        InboundMessage message = arrival.message;
        ConversationTurn turn = new ConversationTurn(
                messages, turnOutbox.fresh() ? choices.answer(arrival.conversation, message.text()) : Optional.empty());
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
                turn.then(
                        () -> sender.resume(
                                arrival.channel, arrival.conversation, replyEnvelope(List.of()), parts, turnOutbox),
                        false);
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
                () -> sender.reply(
                        arrival.channel, arrival.conversation, replyEnvelope(List.of()), reply.get(), turnOutbox, true),
                false);
    }

    /**
     * Where the turn's messages go: the channel's reply address for the conversation (its sender, or
     * the fixed number of an outbound route), from the own address the person wrote to when the
     * channel has several.
     */
    private Envelope replyEnvelope(List<URI> media) {
        Channel channel = arrival.channel;
        Address to = channel.replyAddress(arrival.conversation);
        Set<Address> own = channel.selfAddresses();
        Optional<Address> from = own.size() > 1 && own.contains(arrival.message.to())
                ? Optional.of(arrival.message.to())
                : Optional.empty();
        return new Envelope(to, from, media);
    }

    /**
     * The URLs of a reply's media, agent-made bytes published on the listener.
     *
     * @throws IllegalArgumentException if the reply is empty, or the channel sends no media, or not of
     *     one of these types
     */
    private List<URI> media(Reply reply) {
        if (reply.isEmpty()) {
            throw new IllegalArgumentException("a reply needs text, choices or media");
        }
        if (reply.media().isEmpty()) {
            return List.of();
        }
        Channel channel = arrival.channel;
        if (!channel.capabilities().supportsMedia()) {
            throw new IllegalArgumentException("channel " + channel.id() + " does not send media");
        }
        for (Media item : reply.media()) {
            item.contentType().ifPresent(type -> {
                if (!channel.acceptsMediaType(type)) {
                    throw new IllegalArgumentException(
                            "channel " + channel.id() + " does not send media of type " + type);
                }
            });
        }
        List<URI> urls = new ArrayList<>(reply.media().size());
        for (Media item : reply.media()) {
            urls.add(item instanceof Media.Url url ? url.url() : media.publish((Media.Bytes) item));
        }
        return urls;
    }

    @Override
    public void abandon(DropReason reason) {
        leave();
        if (absorbed()) {
            // Its message is in an earlier turn, which answers it.
            return;
        }
        bursts.forget(this);
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
        metrics.turnFailed(arrival.channel.id());
        listener.onAgentFailed(arrival.conversation, e);
    }

    private final class ConversationTurn implements Turn {

        private final List<InboundMessage> messages;
        private final Optional<Choice> choice;
        // The turn's extra messages so far, one after the other; the reply goes after them.
        private CompletableFuture<Void> sends = DONE; // guarded by this

        ConversationTurn(List<InboundMessage> messages, Optional<Choice> choice) {
            this.messages = messages;
            this.choice = choice;
        }

        @Override
        public ConversationKey conversation() {
            return arrival.conversation;
        }

        @Override
        public InboundMessage message() {
            return arrival.message;
        }

        @Override
        public List<InboundMessage> messages() {
            return messages;
        }

        @Override
        public List<HistoryEntry> history(int limit) {
            return history.before(arrival.message, limit);
        }

        @Override
        public void send(String markdown) {
            requireNonNull(markdown, "markdown");
            await(then(() -> extra(replyEnvelope(List.of()), markdown), false));
        }

        @Override
        public void send(Reply reply) {
            requireNonNull(reply, "reply");
            Envelope envelope = replyEnvelope(media(reply));
            offer(reply);
            await(then(() -> extra(envelope, Choices.render(reply)), false));
        }

        @Override
        public CompletionStage<Void> sendAsync(Reply reply) {
            requireNonNull(reply, "reply");
            Envelope envelope = replyEnvelope(media(reply));
            offer(reply);
            return then(() -> extra(envelope, Choices.render(reply)), true).minimalCompletionStage();
        }

        @Override
        public Optional<Choice> choice() {
            return choice;
        }

        @Override
        public MediaContent read(Attachment attachment) {
            requireNonNull(attachment, "attachment");
            for (InboundMessage message : messages) {
                if (message.attachments().contains(attachment)) {
                    return arrival.channel.readAttachment(message, attachment);
                }
            }
            throw new IllegalArgumentException("the attachment is not one of this turn's messages");
        }

        private void offer(Reply reply) {
            if (!reply.choices().isEmpty()) {
                choices.offered(arrival.conversation, reply.choices());
            }
        }

        private CompletableFuture<Void> extra(Envelope envelope, String markdown) {
            return sender.reply(arrival.channel, arrival.conversation, envelope, markdown, turnOutbox, false);
        }

        private void await(CompletableFuture<Void> sent) {
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
            return then(() -> extra(replyEnvelope(List.of()), markdown), true).minimalCompletionStage();
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
