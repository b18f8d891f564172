package dev.switchboard.runtime.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The executor that turns are handed to from the listener: it gives the executor the turns one
 * pass of an event loop accepted as one task rather than one task each.
 *
 * <p>Each task handed to a thread pool whose threads are idle wakes one, and on a busy machine the
 * woken thread preempts the event loop at once, runs a turn of a few microseconds and sleeps again:
 * two context switches a message, which cost more than everything else the listener does for it.
 * Gathered, a pass's turns wake one thread, which runs them one after the other.
 *
 * <p>A turn may block (an agent waiting on a model), and the turns behind it must not wait for it:
 * the event loop watches each batch, and whenever a millisecond passes with no turn of it started
 * while some are still waiting, hands the same batch to the executor once more, so that another
 * thread takes the next waiting turn. Turns of different conversations so start within about a
 * millisecond of each other when the ones before them block, and at once when they do not. While
 * every thread of the executor is busy and a copy of the batch is still queued, no further copy is
 * handed over and the watch backs off to 64 ms. A watch lives on its event loop; when the listener
 * closes, {@link #releaseAll()} hands each turn still waiting in a batch a copy of its own.
 *
 * <p>Only the runtime's own executor is used this way: it rejects a task only once shut down, so
 * the turns of a batch it refuses are handed to {@code refused}, to be dropped as at shutdown. An
 * application's executor may refuse for its own reasons, and gets each turn as its own task.
 */
public final class HandOff implements Executor {

    private static final Logger log = LoggerFactory.getLogger(HandOff.class);

    private static final long STALL_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    // How long a watch waits at most while the executor has not yet begun a copy of the batch.
    private static final long MAX_WATCH_NANOS = TimeUnit.MILLISECONDS.toNanos(64);

    private final Executor executor;
    private final Consumer<List<Runnable>> refused;
    // The tasks handed over while this thread runs a pass's actions; null outside one.
    private final ThreadLocal<List<Runnable>> gathering = new ThreadLocal<>();
    // The batches with turns not yet started, for releaseAll.
    private final Set<Batch> watched = ConcurrentHashMap.newKeySet();

    /**
     * @param executor the executor that runs the turns
     * @param refused takes the turns of a batch the executor refused, none of which ran
     */
    public HandOff(Executor executor, Consumer<List<Runnable>> refused) {
        this.executor = executor;
        this.refused = refused;
    }

    @Override
    public void execute(Runnable task) {
        List<Runnable> batch = gathering.get();
        if (batch != null) {
            batch.add(task);
        } else {
            executor.execute(task);
        }
    }

    /**
     * Runs {@code actions} on this thread (an event loop's, at the end of a pass), gathering the tasks
     * they hand to this executor, then gives those to the executor as one batch that {@code loop}
     * watches.
     */
    public void runGathered(List<Runnable> actions, ScheduledExecutorService loop) {
        List<Runnable> tasks = new ArrayList<>();
        gathering.set(tasks);
        try {
            for (Runnable action : actions) {
                try {
                    action.run();
                } catch (RuntimeException e) {
                    log.warn(
                            "handing on an accepted webhook failed: {}",
                            e.getClass().getName(),
                            e);
                }
            }
        } finally {
            gathering.remove();
            // Even when an action threw an Error, the turns gathered before it are handed on: a turn
            // never handed on would hold its conversation forever.
            submit(tasks, loop);
        }
    }

    private void submit(List<Runnable> tasks, ScheduledExecutorService loop) {
        if (tasks.size() == 1) {
            submitAlone(tasks.get(0));
        } else if (!tasks.isEmpty()) {
            Batch batch = new Batch(tasks.toArray(new Runnable[0]));
            try {
                executor.execute(batch);
            } catch (RejectedExecutionException e) {
                refused.accept(batch.unstarted());
                return;
            }
            watched.add(batch);
            batch.watch(loop);
        }
    }

    /**
     * Hands every watched batch that still holds unstarted turns to the executor once for each of
     * them, so that none waits behind a turn that blocks. For when the event loops that watched the
     * batches are gone (their timers die with them), before the runtime waits for its turns.
     */
    public void releaseAll() {
        for (Batch batch : watched) {
            batch.release();
        }
    }

    private void submitAlone(Runnable task) {
        try {
            executor.execute(task);
        } catch (RejectedExecutionException e) {
            refused.accept(List.of(task));
        }
    }

    /**
     * The tasks among {@code unrun} (what an executor handed back when shut down), with each batch
     * replaced by its turns that had not started, which will now never start.
     */
    public static List<Runnable> unbatch(List<Runnable> unrun) {
        List<Runnable> tasks = new ArrayList<>(unrun.size());
        for (Runnable runnable : unrun) {
            if (runnable instanceof Batch batch) {
                tasks.addAll(batch.unstarted());
            } else {
                tasks.add(runnable);
            }
        }
        return tasks;
    }

    /** Turns taken one at a time, in order, by every thread that runs the batch. */
    private final class Batch implements Runnable {

        private final Runnable[] tasks;
        private final AtomicInteger next = new AtomicInteger();
        private final AtomicInteger takers = new AtomicInteger(1);
        private final AtomicInteger begun = new AtomicInteger();
        private volatile long lastStart = System.nanoTime();
        private ScheduledExecutorService loop;
        private long watchNanos = STALL_NANOS;

        Batch(Runnable[] tasks) {
            this.tasks = tasks;
        }

        @Override
        public void run() {
            begun.incrementAndGet();
            for (int i = next.getAndIncrement(); i < tasks.length; i = next.getAndIncrement()) {
                lastStart = System.nanoTime();
                try {
                    tasks[i].run();
                } catch (RuntimeException e) {
                    log.error("a handed-on task failed: {}", e.getClass().getName(), e);
                }
            }
            watched.remove(this);
        }

        /** Takes the turns not started yet, so that no thread starts them. */
        List<Runnable> unstarted() {
            watched.remove(this);
            int from = next.getAndSet(tasks.length);
            return from >= tasks.length ? List.of() : Arrays.asList(tasks).subList(from, tasks.length);
        }

        void watch(ScheduledExecutorService loop) {
            this.loop = loop;
            try {
                loop.schedule(this::check, watchNanos, TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException e) {
                // The listener is closing and nothing will watch: no turn waits behind a blocked one.
                release();
            }
        }

        private void check() {
            int started = next.get();
            if (started >= tasks.length) {
                watched.remove(this);
                return;
            }
            if (begun.get() < takers.get()) {
                // A copy still waits in the executor's queue: every thread is busy, and another copy
                // would only wait behind it. Look less often until the executor gets to it, so that a
                // backlog of batches does not keep the event loop busy with their watches.
                watchNanos = Math.min(watchNanos * 2, MAX_WATCH_NANOS);
                watch(loop);
                return;
            }
            watchNanos = STALL_NANOS;
            // Every copy handed over has begun and none started a turn for a while: each is inside a
            // turn that blocks, so the next waiting turn gets a copy of its own. A copy takes at least
            // one turn, so there are never more copies than turns.
            if (System.nanoTime() - lastStart >= STALL_NANOS && takers.get() < tasks.length) {
                handOver();
            }
            watch(loop);
        }

        /** Hands the batch to the executor once more; false if it refused (shut down). */
        private boolean handOver() {
            takers.incrementAndGet();
            try {
                executor.execute(this);
                return true;
            } catch (RejectedExecutionException e) {
                // Shut down: the turns not started are abandoned at close.
                takers.decrementAndGet();
                return false;
            }
        }

        /** Hands over a copy for each turn not yet started. */
        void release() {
            int waiting = tasks.length - next.get();
            for (int i = 0; i < waiting; i++) {
                if (!handOver()) {
                    return;
                }
            }
            watched.remove(this);
        }
    }
}
