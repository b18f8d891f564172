package dev.switchboard.runtime.internal;

import static java.util.Objects.requireNonNull;

import dev.switchboard.channel.Channel;
import dev.switchboard.channel.ChannelException;
import dev.switchboard.channel.ConversationKey;
import dev.switchboard.channel.DeliveryReceipt;
import dev.switchboard.channel.DeliveryStatus;
import dev.switchboard.channel.OutboundMessage;
import dev.switchboard.channel.PermanentChannelException;
import dev.switchboard.channel.PermanentChannelException.Reason;
import dev.switchboard.channel.RetriableChannelException;
import dev.switchboard.channel.SendReceipt;
import dev.switchboard.runtime.delivery.AmbiguousSendPolicy;
import dev.switchboard.runtime.delivery.OptOutStore;
import dev.switchboard.runtime.schedule.TaskScheduler;
import dev.switchboard.runtime.store.OutboxPart;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BiPredicate;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends the parts of a text through its channel in order, each until the provider accepts it,
 * refuses it for good, or its retry budget runs out; a part the provider accepted is never sent
 * again, and the parts after a part that was not accepted are not sent at all.
 *
 * <ul>
 *   <li>Not processed (a refused connection, HTTP 429): sent again after a backoff with full jitter,
 *       no shorter than the provider's {@code Retry-After}.
 *   <li>Maybe processed (a timeout after the request left, a 5xx): by the {@link AmbiguousSendPolicy},
 *       looked up through {@link Channel#findSent} over the reconcile window, and sent again only if
 *       every look-up of the window found nothing.
 *   <li>Refused: never again; an opted-out recipient is recorded, a configuration error logged at
 *       ERROR once per channel and code.
 * </ul>
 *
 * <p>Before a part is first handed to its channel, the {@link OutboundGuard} charges it to its
 * recipient's hour, or refuses it: the part then fails like one the provider refused, and is never
 * charged again when it is retried. A part that certainly did not reach the provider is refunded.
 *
 * <p>Nothing here blocks a thread to wait: a backoff or a rate slot is a {@link TaskScheduler} task,
 * and a send waiting for one of its channel's permits is queued; either resumes on the text's
 * continuation executor. {@link #close()} fails every text still waiting.
 */
public final class Outbox {

    private static final Logger log = LoggerFactory.getLogger(Outbox.class);

    /**
     * The retry and pacing options of {@code AgentRuntimeBuilder}.
     *
     * @param reconcileWindow how long after a send that may have reached the provider its look-ups go
     *     on finding nothing before it is sent again: look-ups at {@code baseBackoff}, then twice,
     *     four times… as long after the failure, and a last one at the window's end
     * @param ratePerSecond the most sends a second per channel id; channels not named are not paced
     */
    public record Settings(
            int maxAttempts,
            Duration maxElapsed,
            Duration baseBackoff,
            Duration maxBackoff,
            AmbiguousSendPolicy ambiguousSends,
            Duration reconcileWindow,
            int concurrency,
            Map<String, Double> ratePerSecond) {

        /**
         * Five look-ups with the default base backoff, at 1, 2, 4, 8 and 16 seconds: most of a lagging
         * list is caught by the early ones, and each later one allows twice the lag for one request.
         */
        public static final Duration DEFAULT_RECONCILE_WINDOW = Duration.ofSeconds(16);

        public Settings {
            requireNonNull(reconcileWindow, "reconcileWindow");
            if (reconcileWindow.isNegative() || reconcileWindow.isZero()) {
                throw new IllegalArgumentException("reconcileWindow must be positive: " + reconcileWindow);
            }
            ratePerSecond = Map.copyOf(ratePerSecond);
        }

        /** Settings with the {@linkplain #DEFAULT_RECONCILE_WINDOW default reconcile window}. */
        public Settings(
                int maxAttempts,
                Duration maxElapsed,
                Duration baseBackoff,
                Duration maxBackoff,
                AmbiguousSendPolicy ambiguousSends,
                int concurrency,
                Map<String, Double> ratePerSecond) {
            this(
                    maxAttempts,
                    maxElapsed,
                    baseBackoff,
                    maxBackoff,
                    ambiguousSends,
                    DEFAULT_RECONCILE_WINDOW,
                    concurrency,
                    ratePerSecond);
        }
    }

    private final Settings settings;
    private final TaskScheduler scheduler;
    private final Clock clock;
    private final RandomGenerator random;
    private final OptOutStore optOuts;
    private final BiPredicate<String, String> known;
    private final OutboundGuard guard;
    private final Map<String, Gate> gates = new ConcurrentHashMap<>();
    private final Set<Job> waiting = ConcurrentHashMap.newKeySet();
    private final Set<String> loggedOnce = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;
    private final History history;
    private final RuntimeMetrics metrics;

    /** An outbox that lets every part through to its recipient, however many it was sent this hour. */
    public Outbox(
            Settings settings,
            TaskScheduler scheduler,
            Clock clock,
            RandomGenerator random,
            OptOutStore optOuts,
            BiPredicate<String, String> known) {
        this(settings, scheduler, clock, random, optOuts, known, OutboundGuard.OFF);
    }

    /**
     * @param random the source of jitter, or null for {@link ThreadLocalRandom}
     * @param known whether a message id of a channel ({@code (channelId, messageId)}) belongs to a part
     *     the runtime already has, so that a look-up does not take it for the part it looks for
     * @param guard what each recipient may still be sent this hour
     */
    public Outbox(
            Settings settings,
            TaskScheduler scheduler,
            Clock clock,
            RandomGenerator random,
            OptOutStore optOuts,
            BiPredicate<String, String> known,
            OutboundGuard guard) {
        this(settings, scheduler, clock, random, optOuts, known, guard, History.NONE);
    }

    /** @param history where the parts the provider accepted are written */
    public Outbox(
            Settings settings,
            TaskScheduler scheduler,
            Clock clock,
            RandomGenerator random,
            OptOutStore optOuts,
            BiPredicate<String, String> known,
            OutboundGuard guard,
            History history) {
        this(settings, scheduler, clock, random, optOuts, known, guard, history, RuntimeMetrics.NONE);
    }

    /** @param metrics where sends, retries, look-ups, segments and opt-outs are counted */
    public Outbox(
            Settings settings,
            TaskScheduler scheduler,
            Clock clock,
            RandomGenerator random,
            OptOutStore optOuts,
            BiPredicate<String, String> known,
            OutboundGuard guard,
            History history,
            RuntimeMetrics metrics) {
        this.metrics = metrics;
        this.history = history;
        this.settings = settings;
        this.scheduler = scheduler;
        this.clock = clock;
        this.random = random;
        this.optOuts = optOuts;
        this.known = known;
        this.guard = guard;
    }

    /**
     * Sends {@code parts} to the person of {@code conversation}, in order. The first part is tried on
     * the calling thread; whatever follows a wait runs on {@code continuation}.
     *
     * @param segments the segments the parts cost, for {@link Delivery.Sent}
     * @return the delivery, once every part was accepted or one was not; never completes exceptionally
     */
    public CompletableFuture<Delivery> send(
            Channel channel, ConversationKey conversation, List<String> parts, int segments, Executor continuation) {
        return send(channel, conversation, Envelope.to(conversation), parts, segments, continuation, PartJournal.NONE);
    }

    /**
     * As {@link #send(Channel, ConversationKey, List, int, Executor)}, to the envelope's recipient, from
     * its sender, its media on the first part, noting each part's progress.
     */
    CompletableFuture<Delivery> send(
            Channel channel,
            ConversationKey conversation,
            Envelope envelope,
            List<String> parts,
            int segments,
            Executor continuation,
            PartJournal journal) {
        Job job = new Job(channel, conversation, envelope, parts, segments, continuation, journal);
        job.drive(Step.SEND);
        return job.result;
    }

    /**
     * Goes on with a message a process that stopped had begun to send, from what its journal kept:
     * the parts accepted are not sent again; a part whose request may have left is looked up first,
     * as after a send that timed out ({@link AmbiguousSendPolicy}), from the time its attempt began;
     * the parts after it are sent.
     */
    CompletableFuture<Delivery> resume(
            Channel channel,
            ConversationKey conversation,
            Envelope envelope,
            List<OutboxPart> recorded,
            int segments,
            Executor continuation,
            PartJournal journal) {
        List<String> texts = recorded.stream().map(OutboxPart::text).toList();
        Job job = new Job(channel, conversation, envelope, texts, segments, continuation, journal);
        int next = 0;
        while (next < recorded.size() && recorded.get(next).state() == OutboxPart.State.ACCEPTED) {
            String messageId = recorded.get(next).messageId().orElseThrow();
            job.accepted.add(new SendReceipt(messageId, DeliveryStatus.QUEUED));
            job.claimed.add(messageId);
            next++;
        }
        if (next == recorded.size()) {
            job.finish(new Delivery.Sent(job.accepted, segments));
            return job.result;
        }
        job.startPart(next);
        OutboxPart part = recorded.get(next);
        if (part.state() == OutboxPart.State.SENDING) {
            job.resumeMaybeSent(part.attemptAt().orElseGet(clock::instant));
        } else {
            job.drive(Step.SEND);
        }
        return job.result;
    }

    /**
     * Fails every text waiting for a backoff, a rate slot or a permit, and every one that would wait
     * for a backoff or a rate slot from now on; sends under way finish, and a text that then needs a
     * permit still gets one as they do.
     */
    public void close() {
        closed = true;
        for (Job job : List.copyOf(waiting)) {
            if (job.claim()) {
                job.abandonWait();
            }
        }
    }

    /** The number of texts waiting to be sent again, or for a rate slot or a permit. */
    public int waitingCount() {
        return waiting.size();
    }

    /**
     * Whether the person of {@code conversation} opted out.
     *
     * @throws PermanentChannelException if the store failed, saying so: callers treat that as opted
     *     out rather than risk a message to someone who did
     */
    public boolean isOptedOut(ConversationKey conversation) {
        try {
            return optOuts.isOptedOut(conversation);
        } catch (RuntimeException e) {
            throw new PermanentChannelException(
                    "the opt-out store failed (" + e.getClass().getName() + "), so nothing was sent to "
                            + conversation.counterpart() + ": a message must not reach someone who opted out",
                    null,
                    e);
        }
    }

    /** Records an opt-out or opt-in in the store; a store that fails is logged. */
    public void record(ConversationKey conversation, boolean optedOut, String why) {
        try {
            if (optedOut) {
                optOuts.optOut(conversation);
            } else {
                optOuts.optIn(conversation);
            }
            log.info("{} opted {} ({})", conversation, optedOut ? "out" : "back in", why);
            metrics.optOut(conversation.channelId(), optedOut);
        } catch (RuntimeException e) {
            log.error(
                    "could not record that {} opted {} ({}) in {}: {}",
                    conversation,
                    optedOut ? "out" : "in",
                    why,
                    optOuts,
                    e.toString(),
                    e);
        }
    }

    /**
     * The failure a delivery report tells, as the channel words it (or as plain as the report has
     * it), after acting on it as on a refusal: an opt-out is recorded, a configuration error logged.
     */
    public PermanentChannelException reportedFailure(
            Channel channel, ConversationKey conversation, DeliveryReceipt report, String fallback) {
        PermanentChannelException failure;
        try {
            failure = channel.deliveryFailure(report).orElse(null);
        } catch (RuntimeException e) {
            log.warn("channel {} could not read a failed delivery report: {}", channel.id(), e.toString());
            failure = null;
        }
        if (failure == null) {
            failure = new PermanentChannelException(fallback, report.errorCode().orElse(null), null);
        }
        actOn(channel, conversation, failure);
        return failure;
    }

    private void actOn(Channel channel, ConversationKey conversation, PermanentChannelException failure) {
        if (failure.reason() == Reason.RECIPIENT_OPTED_OUT) {
            record(
                    conversation,
                    true,
                    "the provider refused it as opted out"
                            + failure.providerCode().map(c -> ", code " + c).orElse(""));
        } else if (failure.reason() == Reason.CONFIGURATION
                && loggedOnce.add(channel.id() + ":" + failure.providerCode().orElse(""))) {
            log.error(
                    "channel {} is misconfigured, so every send through it will fail until it is fixed: {}",
                    channel.id(),
                    failure.getMessage());
        }
    }

    private Gate gate(Channel channel) {
        return gates.computeIfAbsent(channel.id(), id -> {
            Double rate = settings.ratePerSecond().get(id);
            Duration interval =
                    rate == null ? Duration.ZERO : Duration.ofNanos((long) Math.ceil(1_000_000_000d / rate));
            return new Gate(settings.concurrency(), interval);
        });
    }

    private Duration backoff(int wait, Optional<Duration> retryAfter, boolean atLeastBase) {
        Duration base = settings.baseBackoff();
        Duration cap = settings.maxBackoff();
        int doublings = Math.min(wait - 1, 30);
        long capNanos = base.toNanos() > (cap.toNanos() >> doublings)
                ? cap.toNanos()
                : Math.min(cap.toNanos(), base.toNanos() << doublings);
        double fraction;
        if (random == null) {
            fraction = ThreadLocalRandom.current().nextDouble();
        } else {
            synchronized (random) {
                fraction = random.nextDouble();
            }
        }
        Duration delay = Duration.ofNanos((long) (fraction * capNanos));
        if (atLeastBase && delay.compareTo(base) < 0) {
            delay = base;
        }
        if (retryAfter.isPresent() && retryAfter.get().compareTo(delay) > 0) {
            delay = retryAfter.get();
        }
        return delay;
    }

    private static String human(Duration duration) {
        if (duration.toMillis() < 1000) {
            return duration.toMillis() + "ms";
        }
        return DeliveryTracker.human(Duration.ofSeconds(duration.toSeconds()));
    }

    private enum Step {
        SEND,
        LOOKUP
    }

    private enum State {
        RUNNING,
        WAITING,
        DONE
    }

    /** One text on its way: the part being sent and what its attempts so far have shown. */
    private final class Job {

        final Channel channel;
        final ConversationKey conversation;
        final Envelope envelope;
        final List<String> texts;
        final int segments;
        final Executor continuation;
        final PartJournal journal;
        final CompletableFuture<Delivery> result = new CompletableFuture<>();
        final List<SendReceipt> accepted = new ArrayList<>();
        final Set<String> claimed = new HashSet<>();

        // The part being sent; the job is driven by one thread at a time, handed on by the executor or
        // the timer, so these need no lock of their own.
        int index;
        OutboundMessage message;
        Instant firstAttempt;
        // What a look-up asks for messages created since: the first attempt, or, for a part resumed
        // after a process stopped, the attempt that process began.
        Instant notBefore;
        int sends;
        int waits;
        int failedLookups;
        // The reconcile window of the last send that may have reached the provider: when it failed, the
        // offset of the next look-up from then, when the window ends, and whether the time limit cut
        // it short.
        Instant windowStart;
        Duration nextOffset;
        Instant windowEnd;
        boolean windowCut;
        int windowLookups;
        boolean slotReserved;
        boolean holdsPermit;
        OutboundGuard.Ticket ticket;
        ChannelException maybeSent;
        ChannelException last;

        private State state = State.RUNNING; // guarded by this
        private Step resumeAt; // guarded by this
        private TaskScheduler.Cancellable timer; // guarded by this
        private Gate queuedAt; // guarded by this

        Job(
                Channel channel,
                ConversationKey conversation,
                Envelope envelope,
                List<String> texts,
                int segments,
                Executor continuation,
                PartJournal journal) {
            this.journal = journal;
            this.channel = channel;
            this.conversation = conversation;
            this.envelope = envelope;
            this.texts = texts;
            this.segments = segments;
            this.continuation = continuation;
            startPart(0);
        }

        private void startPart(int i) {
            index = i;
            message = envelope.part(i, texts.get(i));
            firstAttempt = null;
            notBefore = null;
            sends = 0;
            waits = 0;
            failedLookups = 0;
            windowStart = null;
            nextOffset = null;
            windowEnd = null;
            windowCut = false;
            windowLookups = 0;
            maybeSent = null;
            last = null;
            ticket = null;
        }

        private String part() {
            return (index + 1) + "/" + texts.size();
        }

        /** Starts with the part a stopped process may have sent at {@code attemptAt}. */
        void resumeMaybeSent(Instant attemptAt) {
            firstAttempt = clock.instant();
            notBefore = attemptAt;
            sends = 1;
            maybeSent = new RetriableChannelException(
                    "the process sending it stopped before the provider answered", null, null, true, null);
            log.debug("part {} to {} may have been sent before a restart; looking it up", part(), conversation);
            Step first;
            switch (settings.ambiguousSends()) {
                case NEVER_RESEND -> {
                    fail(
                            maybeSent,
                            "may have been sent, and is not sent again (ambiguous sends are never resent): "
                                    + maybeSent.getMessage());
                    return;
                }
                case ALWAYS_RESEND -> first = Step.SEND;
                default -> first = openWindow(Optional.empty());
            }
            drive(first);
        }

        /** Runs steps until the text is done or must wait. */
        void drive(Step first) {
            Step step = first;
            while (step != null) {
                try {
                    step = step == Step.SEND ? send() : lookup();
                } catch (RuntimeException | Error e) {
                    // A bug of ours must still end the text, or its conversation would wait for ever.
                    releasePermit();
                    fail(
                            new PermanentChannelException(
                                    "sending failed: " + e.getClass().getName(), null, e),
                            "failed: " + e.getClass().getName());
                    if (e instanceof Error error) {
                        throw error;
                    }
                    return;
                }
            }
        }

        private Step send() {
            if (firstAttempt == null) {
                firstAttempt = clock.instant();
            }
            boolean optedOut;
            try {
                optedOut = isOptedOut(conversation);
            } catch (PermanentChannelException e) {
                return fail(e, "not sent: " + e.getMessage());
            }
            if (optedOut) {
                PermanentChannelException e = new PermanentChannelException(
                        conversation.counterpart() + " opted out of " + channel.id()
                                + " (replied STOP, or the provider said so); nothing was sent. They opt back in by"
                                + " replying START",
                        null,
                        null,
                        Reason.RECIPIENT_OPTED_OUT);
                return fail(e, "not sent: " + e.getMessage());
            }
            Gate gate = gate(channel);
            if (!slotReserved) {
                slotReserved = true;
                Instant slot = gate.reserveSlot(clock.instant());
                if (slot.isAfter(clock.instant())) {
                    return waitUntil(slot, Step.SEND);
                }
            }
            if (!holdsPermit && !gate.acquire(this, Step.SEND)) {
                return null;
            }
            slotReserved = false;
            if (ticket == null) {
                ticket = guard.admit(
                        conversation,
                        OutboundGuard.cost(channel.capabilities(), message.text()),
                        channel.capabilities().billedPerSegment(),
                        part());
                if (!ticket.admitted()) {
                    releasePermit();
                    PermanentChannelException refusal = ticket.refusal();
                    return fail(refusal, "not sent: " + refusal.getMessage(), true);
                }
            }
            sends++;
            if (sends > 1) {
                metrics.sendRetried(channel.id());
            }
            journal.sending(index, clock.instant());
            SendReceipt receipt;
            try {
                receipt = channel.send(message);
            } catch (PermanentChannelException e) {
                releasePermit();
                metrics.send(channel.id(), RuntimeMetrics.SendOutcome.PERMANENT_FAILURE);
                actOn(channel, conversation, e);
                return fail(e, "refused: " + e.getMessage());
            } catch (RetriableChannelException e) {
                releasePermit();
                metrics.send(channel.id(), RuntimeMetrics.SendOutcome.RETRIABLE_FAILURE);
                return retriable(e);
            } catch (RuntimeException e) {
                releasePermit();
                metrics.send(channel.id(), RuntimeMetrics.SendOutcome.PERMANENT_FAILURE);
                // A channel must throw ChannelException; anything else is reported the same way.
                PermanentChannelException wrapped = new PermanentChannelException(
                        "channel " + channel.id() + " failed to send: "
                                + e.getClass().getName(),
                        null,
                        e);
                return fail(wrapped, "refused: " + wrapped.getMessage());
            }
            releasePermit();
            metrics.send(channel.id(), RuntimeMetrics.SendOutcome.ACCEPTED);
            return accept(receipt, "sent");
        }

        private Step retriable(RetriableChannelException e) {
            last = e;
            boolean ambiguous = e.mayHaveBeenProcessed();
            log.debug(
                    "part {} to {} failed on attempt {} ({}, provider code {}, {})",
                    part(),
                    conversation,
                    sends,
                    ambiguous ? "may have been sent" : "not sent",
                    e.providerCode().orElse("none"),
                    e.getMessage());
            if (ambiguous) {
                maybeSent = e;
                AmbiguousSendPolicy policy = settings.ambiguousSends();
                if (policy == AmbiguousSendPolicy.NEVER_RESEND) {
                    return fail(
                            e,
                            "may have been sent, and is not sent again (ambiguous sends are never resent): "
                                    + e.getMessage());
                }
                if (policy == AmbiguousSendPolicy.RECONCILE) {
                    return openWindow(e.retryAfter());
                }
            }
            if (sends >= settings.maxAttempts()) {
                return giveUp("after " + sends + " attempts");
            }
            return backOff(Step.SEND, e.retryAfter(), false);
        }

        /**
         * Starts looking for the part that may have been sent just now: at the base backoff after the
         * failure, then twice, four times… as long after it, and last at the window's end, so that a
         * provider whose list lags behind its sends has the whole window to list it. The time limit
         * cuts the window short rather than the window stretching the limit. The times are not
         * jittered: a look-up is one read, and the channel's permits bound those under way.
         */
        private Step openWindow(Optional<Duration> retryAfter) {
            Instant now = clock.instant();
            Duration base = settings.baseBackoff();
            Duration window = settings.reconcileWindow();
            // No window outlasts the time limit, which also keeps the instants below in range.
            if (window.compareTo(settings.maxElapsed()) > 0) {
                window = settings.maxElapsed();
            }
            if (window.compareTo(base) < 0) {
                window = base;
            }
            Instant deadline = firstAttempt.plus(settings.maxElapsed());
            if (now.plus(base).isAfter(deadline)) {
                // A look-up sooner than the base backoff would ask before the provider could list it.
                return giveUp("as the first look-up, in " + human(base) + ", would pass the limit of "
                        + human(settings.maxElapsed()));
            }
            windowStart = now;
            nextOffset = base;
            windowEnd = now.plus(window);
            // A window that reaches the limit leaves no time to send again, nor to retry that send.
            windowCut = !windowEnd.isBefore(deadline);
            if (windowCut) {
                windowEnd = deadline;
            }
            windowLookups = 0;
            return nextLookup(retryAfter);
        }

        /**
         * Waits for the window's next look-up, no sooner than the provider asked; once the window's end
         * has passed, a look-up that failed is tried again after a backoff.
         */
        private Step nextLookup(Optional<Duration> retryAfter) {
            Instant now = clock.instant();
            Instant at;
            if (now.isBefore(windowEnd)) {
                // A look-up that ran late skips the times it missed.
                while (!windowStart.plus(nextOffset).isAfter(now)) {
                    nextOffset = nextOffset.multipliedBy(2);
                }
                at = windowStart.plus(nextOffset);
                if (at.isAfter(windowEnd)) {
                    at = windowEnd;
                }
            } else {
                waits++;
                at = now.plus(backoff(waits, Optional.empty(), true));
            }
            if (retryAfter.isPresent() && now.plus(retryAfter.get()).isAfter(at)) {
                at = now.plus(retryAfter.get());
            }
            if (at.isAfter(firstAttempt.plus(settings.maxElapsed()))) {
                return giveUp("as the next look-up, in " + human(Duration.between(now, at))
                        + ", would pass the limit of " + human(settings.maxElapsed()));
            }
            return waitUntil(at, Step.LOOKUP);
        }

        private Step lookup() {
            if (!holdsPermit && !gate(channel).acquire(this, Step.LOOKUP)) {
                return null;
            }
            windowLookups++;
            Instant now = clock.instant();
            String after = human(Duration.between(windowStart, now));
            List<SendReceipt> found;
            try {
                found = channel.findSent(message, notBefore != null ? notBefore : firstAttempt);
            } catch (UnsupportedOperationException e) {
                releasePermit();
                if (loggedOnce.add(channel.id() + ":lookup")) {
                    log.warn(
                            "channel {} cannot look up the messages it sent ({}): a send that may have gone out is"
                                    + " never sent again",
                            channel.id(),
                            e.getMessage());
                }
                return fail(
                        maybeSent,
                        "may have been sent, and is not sent again (the channel cannot check): "
                                + maybeSent.getMessage());
            } catch (RetriableChannelException e) {
                releasePermit();
                metrics.reconciled(channel.id(), RuntimeMetrics.Reconcile.FAILED);
                last = e;
                failedLookups++;
                log.debug(
                        "part {} to {}: look-up {}, {} after the failed send, failed (provider code {}, {})",
                        part(),
                        conversation,
                        windowLookups,
                        after,
                        e.providerCode().orElse("none"),
                        e.getMessage());
                if (failedLookups >= settings.maxAttempts()) {
                    return giveUp("after " + failedLookups + " failed look-ups");
                }
                // It proves nothing either way, so the window goes on as if it had not been made.
                return nextLookup(e.retryAfter());
            } catch (RuntimeException e) {
                releasePermit();
                metrics.reconciled(channel.id(), RuntimeMetrics.Reconcile.FAILED);
                String why = e instanceof ChannelException
                        ? e.getMessage()
                        : e.getClass().getName();
                return fail(
                        maybeSent,
                        "may have been sent, and is not sent again (checking failed: " + why + "): "
                                + maybeSent.getMessage());
            }
            releasePermit();
            for (SendReceipt receipt : found) {
                if (!claimed.contains(receipt.messageId()) && !known.test(channel.id(), receipt.messageId())) {
                    log.debug(
                            "part {} to {}: look-up {}, {} after the failed send, found it as {}; not sending it"
                                    + " again",
                            part(),
                            conversation,
                            windowLookups,
                            after,
                            receipt.messageId());
                    metrics.reconciled(channel.id(), RuntimeMetrics.Reconcile.FOUND);
                    return accept(receipt, "reconciled");
                }
            }
            metrics.reconciled(channel.id(), RuntimeMetrics.Reconcile.NOT_FOUND);
            if (now.isBefore(windowEnd)) {
                log.debug(
                        "part {} to {}: look-up {}, {} after the failed send, found nothing; looking again until {}"
                                + " after it",
                        part(),
                        conversation,
                        windowLookups,
                        after,
                        human(Duration.between(windowStart, windowEnd)));
                return nextLookup(Optional.empty());
            }
            if (windowCut) {
                log.debug(
                        "part {} to {}: look-up {}, {} after the failed send, found nothing, but the time limit"
                                + " ended the window early; not sending it again",
                        part(),
                        conversation,
                        windowLookups,
                        after);
                return fail(
                        maybeSent,
                        "may have been sent, and is not sent again: not listed by the provider " + after
                                + " after the failed send, when the limit of " + human(settings.maxElapsed())
                                + " ended the look-ups (reconcile window " + human(settings.reconcileWindow())
                                + "): " + maybeSent.getMessage());
            }
            log.debug(
                    "part {} to {}: look-up {}, {} after the failed send, found nothing, nor did any before it;"
                            + " it was not sent",
                    part(),
                    conversation,
                    windowLookups,
                    after);
            maybeSent = null;
            if (sends >= settings.maxAttempts()) {
                return giveUp("after " + sends + " attempts");
            }
            log.debug("part {} to {} was not sent; sending it again", part(), conversation);
            return Step.SEND;
        }

        private Step accept(SendReceipt receipt, String how) {
            // Accepted, so charged for good.
            ticket = null;
            accepted.add(receipt);
            claimed.add(receipt.messageId());
            journal.accepted(index, receipt.messageId());
            history.sent(conversation, texts.get(index), receipt);
            if (metrics.enabled()) {
                metrics.segmentsSent(channel.id(), OutboundGuard.cost(channel.capabilities(), texts.get(index)));
            }
            log.debug(
                    "part {} to {} on {} {} as {} after {} attempt(s)",
                    part(),
                    conversation.counterpart(),
                    channel.id(),
                    how,
                    receipt.messageId(),
                    sends);
            if (index + 1 < texts.size()) {
                startPart(index + 1);
                return Step.SEND;
            }
            finish(new Delivery.Sent(accepted, segments));
            return null;
        }

        private Step backOff(Step next, Optional<Duration> retryAfter, boolean atLeastBase) {
            waits++;
            Duration delay = backoff(waits, retryAfter, atLeastBase);
            Instant now = clock.instant();
            Instant deadline = firstAttempt.plus(settings.maxElapsed());
            Instant at = now.plus(delay);
            if (at.isAfter(deadline)) {
                return giveUp("as the next try, in " + human(delay) + ", would pass the limit of "
                        + human(settings.maxElapsed()));
            }
            return waitUntil(at, next);
        }

        private Step giveUp(String when) {
            String elapsed = human(Duration.between(firstAttempt, clock.instant()));
            if (maybeSent != null) {
                return fail(
                        maybeSent, "may have been sent; gave up " + when + " in " + elapsed + ": " + last.getMessage());
            }
            return fail(last, "gave up " + when + " in " + elapsed + ": " + last.getMessage());
        }

        // ---- waiting

        private Step waitUntil(Instant at, Step next) {
            synchronized (this) {
                state = State.WAITING;
                resumeAt = next;
            }
            waiting.add(this);
            if (closed && claim()) {
                abandonWait();
                return null;
            }
            TaskScheduler.Cancellable scheduled = scheduler.schedule(this::wake, at);
            synchronized (this) {
                if (state == State.WAITING) {
                    timer = scheduled;
                    return null;
                }
            }
            scheduled.cancel();
            return null;
        }

        /** Called by a gate that has queued this job; false if it was closed meanwhile. */
        boolean queue(Gate gate, Step next) {
            synchronized (this) {
                state = State.WAITING;
                resumeAt = next;
                queuedAt = gate;
            }
            waiting.add(this);
            return true;
        }

        /** Takes the job out of its wait, once: true for the one caller that may go on with it. */
        synchronized boolean claim() {
            if (state != State.WAITING) {
                return false;
            }
            state = State.RUNNING;
            return true;
        }

        private void wake() {
            if (claim()) {
                resume();
            }
        }

        /** The gate handed this queued job a permit. */
        void granted() {
            holdsPermit = true;
            resume();
        }

        private void resume() {
            Step next;
            synchronized (this) {
                next = resumeAt;
                timer = null;
                queuedAt = null;
            }
            waiting.remove(this);
            try {
                continuation.execute(() -> drive(next));
            } catch (RejectedExecutionException e) {
                releasePermit();
                fail(
                        last != null ? last : closedFailure(),
                        "the runtime closed while it waited to be sent"
                                + (last != null ? " again: " + last.getMessage() : ""));
            }
        }

        void abandonWait() {
            TaskScheduler.Cancellable cancel;
            Gate gate;
            synchronized (this) {
                cancel = timer;
                gate = queuedAt;
                timer = null;
                queuedAt = null;
            }
            waiting.remove(this);
            if (cancel != null) {
                cancel.cancel();
            }
            if (gate != null) {
                gate.remove(this);
            }
            releasePermit();
            fail(
                    last != null ? last : closedFailure(),
                    "the runtime closed while it waited to be sent"
                            + (last != null ? " again: " + last.getMessage() : ""));
        }

        private PermanentChannelException closedFailure() {
            return new PermanentChannelException("the runtime closed before it was sent", null, null);
        }

        private void releasePermit() {
            if (holdsPermit) {
                holdsPermit = false;
                gate(channel).release();
            }
        }

        private Step fail(ChannelException failure, String reason) {
            return fail(failure, reason, false);
        }

        private Step fail(ChannelException failure, String reason, boolean byGuard) {
            if (ticket != null && maybeSent == null) {
                // The provider certainly has not got it, so it costs nothing.
                guard.refund(ticket);
            }
            finish(new Delivery.Failed(index + 1, texts.size(), accepted, failure, reason, byGuard));
            return null;
        }

        private void finish(Delivery delivery) {
            releasePermit();
            synchronized (this) {
                state = State.DONE;
            }
            result.complete(delivery);
        }
    }

    /**
     * A channel's bound on sends in flight, and its pace: a send takes the next free slot (one per
     * interval) and a permit, and queues for the permit when all are taken.
     */
    private static final class Gate {

        private final Duration interval;
        private final ArrayDeque<Job> queue = new ArrayDeque<>(); // guarded by this
        private int permits; // guarded by this
        private Instant nextSlot = Instant.MIN; // guarded by this

        Gate(int permits, Duration interval) {
            this.permits = permits;
            this.interval = interval;
        }

        synchronized Instant reserveSlot(Instant now) {
            if (interval.isZero()) {
                return now;
            }
            Instant slot = nextSlot.isAfter(now) ? nextSlot : now;
            nextSlot = slot.plus(interval);
            return slot;
        }

        /** Takes a permit for {@code job}, or queues it to be {@link Job#granted() granted} one later. */
        boolean acquire(Job job, Step next) {
            synchronized (this) {
                if (permits > 0) {
                    permits--;
                    job.holdsPermit = true;
                    return true;
                }
                job.queue(this, next);
                queue.add(job);
                return false;
            }
        }

        void release() {
            Job next = null;
            synchronized (this) {
                while (!queue.isEmpty()) {
                    Job candidate = queue.poll();
                    if (candidate.claim()) {
                        next = candidate;
                        break;
                    }
                }
                if (next == null) {
                    permits++;
                }
            }
            if (next != null) {
                next.granted();
            }
        }

        synchronized void remove(Job job) {
            queue.remove(job);
        }
    }
}
