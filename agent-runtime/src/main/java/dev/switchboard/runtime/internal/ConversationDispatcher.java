package dev.switchboard.runtime.internal;

import dev.switchboard.channel.ConversationKey;
import dev.switchboard.runtime.DropReason;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs tasks one at a time per conversation, in submission order, and different conversations in
 * parallel on an executor.
 *
 * <p>Each conversation with work has a lane: the task running (or about to) and those waiting. The
 * map of lanes only changes inside {@link ConcurrentHashMap#compute}, which serialises the changes
 * to one key without a lock held while a task runs; a drained lane leaves the map. At most one
 * executor task exists per lane, so threads are bounded by the executor alone; a task whose work
 * goes on without a thread holds its lane, not a thread, until it is done.
 *
 * <p>At most {@code maxRunning} lanes run a task at once (from its start until the stage it returned
 * completes); a lane whose next task is ready while that many run waits, in the order lanes became
 * ready, for one to finish. A lane that finishes goes behind the lanes already waiting, so that one
 * busy conversation cannot keep the others out. Nothing blocks and nothing is refused for it.
 */
public final class ConversationDispatcher {

    private static final Logger log = LoggerFactory.getLogger(ConversationDispatcher.class);

    /** One unit of work for a conversation. */
    public interface Task {

        /**
         * Does the work, or starts it: the conversation's next task waits until the returned stage
         * completes (normally or not), so that work that waits without a thread (a reply retrying
         * after a backoff) still keeps the conversation's order.
         */
        CompletionStage<?> run();

        /** Called instead of {@link #run()} when the task will never run. */
        void abandon(DropReason reason);
    }

    private record Entry(Task task, CompletionStage<?> release) {}

    private final Executor executor;
    private final InFlight inFlight;
    private final int maxRunning;
    private final ConcurrentHashMap<ConversationKey, Lane> lanes = new ConcurrentHashMap<>();
    private final Object slots = new Object();
    private final ArrayDeque<Lane> waitingForSlot = new ArrayDeque<>(); // guarded by slots
    private int running; // guarded by slots
    private volatile boolean closed;
    private volatile boolean abandoning;

    /** A dispatcher that runs as many conversations at once as have work. */
    public ConversationDispatcher(Executor executor, InFlight inFlight) {
        this(executor, inFlight, Integer.MAX_VALUE);
    }

    /** @param maxRunning how many lanes may run a task at once */
    public ConversationDispatcher(Executor executor, InFlight inFlight, int maxRunning) {
        this.executor = executor;
        this.inFlight = inFlight;
        this.maxRunning = maxRunning;
    }

    /**
     * Queues {@code task} behind the conversation's earlier tasks. It starts no earlier than {@code
     * release} completes (normally or not), so its place in the order is taken now while its start
     * can wait for the webhook's answer to be written.
     */
    public void submit(ConversationKey key, Task task, CompletionStage<?> release) {
        if (closed) {
            abandonQuietly(task, DropReason.SHUTDOWN);
            return;
        }
        inFlight.begin();
        Entry entry = new Entry(task, release);
        Lane[] created = {null};
        lanes.compute(key, (k, lane) -> {
            if (lane == null) {
                lane = new Lane(k, entry);
                created[0] = lane;
            } else {
                lane.pending.add(entry);
            }
            return lane;
        });
        if (created[0] != null) {
            start(created[0]);
        }
    }

    /** Refuses new tasks from now on; tasks already queued still run. */
    public void close() {
        closed = true;
    }

    /**
     * Drops every queued task that has not started yet, now: the tasks behind a running one (which
     * may never end), and the lanes waiting for a slot. Tasks running go on.
     */
    public void abandonQueued() {
        closed = true;
        abandoning = true;
        List<Lane> waiting;
        synchronized (slots) {
            waiting = new ArrayList<>(waitingForSlot);
            waitingForSlot.clear();
        }
        for (Lane lane : waiting) {
            abandonLane(lane, DropReason.SHUTDOWN);
        }
        for (ConversationKey key : List.copyOf(lanes.keySet())) {
            List<Entry> dropped = new ArrayList<>();
            lanes.computeIfPresent(key, (k, lane) -> {
                dropped.addAll(lane.pending);
                lane.pending.clear();
                return lane;
            });
            for (Entry entry : dropped) {
                try {
                    abandonQuietly(entry.task(), DropReason.SHUTDOWN);
                } finally {
                    inFlight.end();
                }
            }
        }
    }

    /** The number of lanes running a task now. */
    public int running() {
        synchronized (slots) {
            return running;
        }
    }

    /** The number of lanes with a task ready to run, waiting for a slot. */
    public int waitingForSlot() {
        synchronized (slots) {
            return waitingForSlot.size();
        }
    }

    /**
     * Abandons the lanes among {@code runnables}: the tasks an executor handed back unrun when it was
     * shut down.
     */
    public void abandonUnrun(List<Runnable> runnables) {
        for (Runnable runnable : runnables) {
            if (runnable instanceof Lane lane && lane.owner() == this) {
                releaseSlot();
                abandonLane(lane, DropReason.SHUTDOWN);
            }
        }
    }

    /** The number of conversations with queued or running tasks. */
    public int activeConversations() {
        return lanes.size();
    }

    private void start(Lane lane) {
        lane.current.release().whenComplete((ignored, failure) -> acquire(lane));
    }

    /** Runs the lane's current task when a slot is free. */
    private void acquire(Lane lane) {
        if (maxRunning != Integer.MAX_VALUE) {
            synchronized (slots) {
                if (running >= maxRunning) {
                    waitingForSlot.add(lane);
                    return;
                }
                running++;
            }
        }
        execute(lane);
    }

    /** Hands the slot of a lane whose task finished to the first lane waiting, or frees it. */
    private void releaseSlot() {
        if (maxRunning == Integer.MAX_VALUE) {
            return;
        }
        Lane next;
        synchronized (slots) {
            next = waitingForSlot.poll();
            if (next == null) {
                running--;
                return;
            }
        }
        execute(next);
    }

    private void execute(Lane lane) {
        try {
            executor.execute(lane);
        } catch (RejectedExecutionException e) {
            DropReason reason = closed ? DropReason.SHUTDOWN : DropReason.REJECTED;
            log.warn("the executor refused a turn for {}; dropping its queued messages ({})", lane.key, reason);
            releaseSlot();
            abandonLane(lane, reason);
        }
    }

    private void abandonLane(Lane lane, DropReason reason) {
        List<Entry> dropped = new ArrayList<>();
        lanes.compute(lane.key, (k, current) -> {
            if (current != lane) {
                return current;
            }
            dropped.add(lane.current);
            dropped.addAll(lane.pending);
            lane.pending.clear();
            return null;
        });
        for (Entry entry : dropped) {
            try {
                abandonQuietly(entry.task(), reason);
            } finally {
                inFlight.end();
            }
        }
    }

    private static void abandonQuietly(Task task, DropReason reason) {
        try {
            task.abandon(reason);
        } catch (RuntimeException e) {
            log.warn("abandoning a task failed: {}", e.getClass().getName(), e);
        }
    }

    private void advance(Lane lane) {
        Lane next = lanes.compute(lane.key, (k, current) -> {
            if (current != lane) {
                return current;
            }
            Entry entry = lane.pending.poll();
            if (entry == null) {
                return null;
            }
            lane.current = entry;
            return lane;
        });
        if (next == lane) {
            start(lane);
        }
    }

    private final class Lane implements Runnable {

        final ConversationKey key;
        // Both fields change only inside lanes.compute(key, ...); the executor hand-off publishes them.
        Entry current;
        final ArrayDeque<Entry> pending = new ArrayDeque<>();

        Lane(ConversationKey key, Entry first) {
            this.key = key;
            this.current = first;
        }

        ConversationDispatcher owner() {
            return ConversationDispatcher.this;
        }

        @Override
        public void run() {
            Entry entry = current;
            CompletionStage<?> done = null;
            try {
                if (abandoning) {
                    entry.task().abandon(DropReason.SHUTDOWN);
                } else {
                    done = entry.task().run();
                }
            } catch (RuntimeException e) {
                // The task reports its own failures; whatever escapes is a bug, and the lane goes on.
                log.error("a task for {} failed: {}", key, e.getClass().getName(), e);
            } catch (Error e) {
                log.error("a task for {} failed: {}", key, e.getClass().getName(), e);
                if (e instanceof VirtualMachineError) {
                    finished();
                    throw e;
                }
            }
            if (done == null) {
                finished();
            } else {
                done.whenComplete((result, failure) -> finished());
            }
        }

        private void finished() {
            try {
                releaseSlot();
                advance(this);
            } finally {
                // After advancing, so that idle means no lane is left either.
                inFlight.end();
            }
        }
    }
}
