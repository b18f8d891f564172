package dev.switchboard.runtime.internal;

import static java.util.Objects.requireNonNull;

import dev.switchboard.channel.ConversationKey;
import dev.switchboard.runtime.schedule.TaskScheduler;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Groups the messages of one conversation that arrive while its turn runs into its next turn, so
 * that three short texts sent in a row (or a long text a carrier split) are answered once.
 *
 * <p>Every inbound turn is {@linkplain #arrived noted} when it takes its place in its conversation's
 * lane, with whether a turn of the conversation was under way then. When one starts, it {@linkplain
 * #take takes} the turns noted after it that arrived during a turn and are ready to go with it
 * (acknowledged, no compliance keyword, nothing of their own to resume), up to {@code
 * maxMessages}; those then find themselves {@linkplain TurnTask#absorbed() absorbed} when their own
 * place in the lane comes, and end at once, so that the durable inbox still marks each message done
 * in order. A turn that starts when nothing waits behind it runs alone, at once: grouping never
 * delays a lone message, unless a quiet period ({@code debounce}) is set, in which case a turn
 * starts only once its conversation has been quiet that long.
 */
final class Bursts {

    /** Turns run one message each, at once. */
    static final Bursts OFF = new Bursts(false, Duration.ZERO, 1, null, Clock.systemUTC());

    private final boolean merge;
    private final Duration debounce;
    private final int maxMessages;
    private final TaskScheduler scheduler;
    private final Clock clock;
    private final ConcurrentHashMap<ConversationKey, Waiting> waiting = new ConcurrentHashMap<>();

    /**
     * The turns of one conversation noted and not started yet, when the last one arrived, and whether
     * a turn of it is under way (changed only inside the map's compute, for this key).
     */
    private static final class Waiting {
        final LinkedHashSet<TurnTask> turns = new LinkedHashSet<>();
        volatile Instant lastArrival;
        boolean running;
    }

    /**
     * @param merge whether waiting messages join the next turn
     * @param debounce how long a conversation must be quiet before its turn starts; zero for no wait
     * @param maxMessages the most messages one turn takes
     * @param scheduler where a turn waiting for quiet is woken (not used without a debounce)
     */
    Bursts(boolean merge, Duration debounce, int maxMessages, TaskScheduler scheduler, Clock clock) {
        this.merge = merge;
        this.debounce = requireNonNull(debounce, "debounce");
        this.maxMessages = maxMessages;
        this.scheduler = scheduler;
        this.clock = requireNonNull(clock, "clock");
        if (!debounce.isZero() && scheduler == null) {
            throw new IllegalArgumentException("a debounce needs a scheduler");
        }
    }

    /**
     * Notes a turn that took its place in its conversation's lane. Only a message that arrives while a
     * turn of its conversation is under way may join a later turn: two that arrive together at an idle
     * conversation are answered one by one, as they would be had the first started a moment sooner.
     */
    void arrived(TurnTask turn) {
        if (!merge && debounce.isZero()) {
            return;
        }
        Instant now = clock.instant();
        waiting.compute(turn.conversation(), (key, queue) -> {
            Waiting q = queue == null ? new Waiting() : queue;
            q.turns.add(turn);
            q.lastArrival = now;
            if (q.running) {
                turn.arrivedDuringATurn();
            }
            return q;
        });
    }

    /** Notes that a turn of the conversation is under way, from before its quiet period. */
    void started(ConversationKey conversation) {
        if (!merge && debounce.isZero()) {
            return;
        }
        waiting.compute(conversation, (key, queue) -> {
            Waiting q = queue == null ? new Waiting() : queue;
            q.running = true;
            return q;
        });
    }

    /** Notes that the conversation's turn under way has ended. */
    void finished(ConversationKey conversation) {
        waiting.computeIfPresent(conversation, (key, queue) -> {
            queue.running = false;
            return queue.turns.isEmpty() ? null : queue;
        });
    }

    /**
     * Completes once the conversation has had no new message for the debounce, at once without one.
     * The caller still in the lane, so messages arriving meanwhile queue behind it and join it.
     */
    CompletableFuture<Void> quiet(ConversationKey conversation) {
        if (debounce.isZero()) {
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<Void> quiet = new CompletableFuture<>();
        waitForQuiet(conversation, quiet);
        return quiet;
    }

    private void waitForQuiet(ConversationKey conversation, CompletableFuture<Void> quiet) {
        Waiting queue = waiting.get(conversation);
        Instant last = queue == null ? null : queue.lastArrival;
        Instant due = last == null ? null : last.plus(debounce);
        if (due == null || !clock.instant().isBefore(due)) {
            quiet.complete(null);
            return;
        }
        try {
            scheduler.schedule(() -> waitForQuiet(conversation, quiet), due);
        } catch (RuntimeException e) {
            // The scheduler stopped (closing): the turn goes on rather than waits forever.
            quiet.complete(null);
        }
    }

    /**
     * Starts {@code turn}: removes it from those waiting and, unless it was itself taken by an earlier
     * turn, returns it with the turns behind it that go with it, oldest first. An absorbed turn gets
     * an empty list.
     */
    List<TurnTask> take(TurnTask turn) {
        List<TurnTask> group = new ArrayList<>();
        waiting.computeIfPresent(turn.conversation(), (key, queue) -> {
            boolean found = false;
            // Two webhooks of one conversation handled at once on two threads may be noted here in one
            // order and queued in the lane in the other. A turn noted before this one and not started
            // yet is behind it in the lane: this turn then takes nothing, so that no message of a sender
            // is answered before an earlier one of theirs.
            boolean earlierWaits = false;
            for (Iterator<TurnTask> it = queue.turns.iterator(); it.hasNext(); ) {
                TurnTask next = it.next();
                if (!found) {
                    if (next == turn) {
                        found = true;
                        it.remove();
                    } else {
                        earlierWaits = true;
                    }
                    continue;
                }
                if (!merge || earlierWaits || turn.keyword() || group.size() + 1 >= maxMessages || !next.canJoin()) {
                    break;
                }
                next.absorbInto(turn);
                group.add(next);
                it.remove();
            }
            return queue.turns.isEmpty() && !queue.running ? null : queue;
        });
        if (turn.absorbed()) {
            return List.of();
        }
        group.add(0, turn);
        return group;
    }

    /** Forgets a turn that will never start (the runtime closing). */
    void forget(TurnTask turn) {
        waiting.computeIfPresent(turn.conversation(), (key, queue) -> {
            queue.turns.remove(turn);
            return queue.turns.isEmpty() && !queue.running ? null : queue;
        });
    }
}
