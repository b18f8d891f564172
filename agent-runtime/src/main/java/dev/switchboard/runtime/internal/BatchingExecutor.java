package dev.switchboard.runtime.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The runtime's own executor: tasks handed over in quick succession run one after the other on one
 * thread, and another thread joins whenever every thread running them is stuck in one task.
 *
 * <p>Waking an idle thread for each task costs two context switches, more than everything else the
 * listener does for a message: on a busy machine the woken thread preempts the event loop at once,
 * runs a task of a few microseconds and sleeps again. Here a task goes into one queue; a runner
 * (a thread of {@code threads}) is started only when none is live, and it takes task after task
 * until the queue is empty. A burst of messages so wakes one thread.
 *
 * <p>A task may block (an agent waiting on a model for seconds), and the tasks behind it must not
 * wait for it. A watch thread looks while tasks wait, every millisecond at first and less often, up
 * to every 16 ms, while the runners keep taking them: if every runner has been
 * inside its current task for a millisecond, it starts as many new runners as there are stuck ones
 * (at least one, at most one per waiting task): a burst of 500 blocking turns gets its threads within
 * a few tens of milliseconds, and tasks that do not block share one. The watch sleeps once nothing has waited
 * for a tenth of a second; a task queued while a runner is live wakes it.
 *
 * <p>{@code threads} must start each task at once (a thread per task: virtual threads, or an
 * elastic pool); this executor owns it and shuts it down.
 */
public final class BatchingExecutor extends AbstractExecutorService {

    private static final Logger log = LoggerFactory.getLogger(BatchingExecutor.class);

    private static final long STALL_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    // The longest the watch waits between two looks while runners keep taking tasks.
    private static final long MAX_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(16);
    // How long the watch goes on looking once nothing waits, before it sleeps until woken.
    private static final long LINGER_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final ExecutorService threads;
    private final ConcurrentLinkedQueue<Runnable> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    // Runners handed to the threads and not finished; those that began are in `running` too.
    private final AtomicInteger live = new AtomicInteger();
    private final Set<Runner> running = ConcurrentHashMap.newKeySet();
    private final Thread watch;
    private final AtomicInteger watchStarted = new AtomicInteger();
    private final AtomicInteger watchState = new AtomicInteger(IDLE);
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition drained = lock.newCondition();
    private volatile boolean shutdown;
    // Set on a thread while it runs a group of actions whose tasks are to go to one runner.
    private final ThreadLocal<Boolean> gathering = new ThreadLocal<>();

    private static final int IDLE = 0;
    private static final int WATCHING = 1;
    private static final int STOPPED = 2;

    /**
     * @param threads where runners run; a thread per task
     * @param name the name of the watch thread
     */
    public BatchingExecutor(ExecutorService threads, String name) {
        this.threads = threads;
        this.watch = new Thread(this::watch, name);
        watch.setDaemon(true);
    }

    @Override
    public void execute(Runnable task) {
        if (shutdown) {
            throw new RejectedExecutionException("the executor is shut down");
        }
        queue.offer(task);
        queued.incrementAndGet();
        if (gathering.get() != null) {
            // The group's end hands its tasks over at once.
            return;
        }
        if (live.get() == 0 && live.compareAndSet(0, 1)) {
            startRunner();
        } else {
            // A runner is live, but may be stuck in a task: the watch makes sure this one does not wait.
            watchOver();
        }
    }

    /**
     * Runs {@code body} on this thread (say, the hand-ons of the webhooks an event loop answered in
     * one pass), holding back the tasks it gives this executor until it returns, then hands those
     * over together.
     *
     * <p>Why: a runner woken for the first of them would, on a busy machine, preempt this thread at
     * once, run that one task and sleep again, to be woken for the next: two context switches a
     * task, the dearest part of a webhook's path. Held back, the group wakes one runner.
     */
    public void gathered(Runnable body) {
        boolean outer = gathering.get() == null;
        gathering.set(Boolean.TRUE);
        try {
            body.run();
        } finally {
            if (outer) {
                gathering.remove();
                // Even after an Error, the tasks gathered so far are handed over.
                if (queued.get() > 0) {
                    if (live.get() == 0 && live.compareAndSet(0, 1)) {
                        startRunner();
                    } else {
                        watchOver();
                    }
                }
            }
        }
    }

    /** The number of tasks waiting for a runner. */
    public int queued() {
        return queued.get();
    }

    private void startRunner() {
        try {
            threads.execute(new Runner());
        } catch (RejectedExecutionException e) {
            // Shut down: what is queued is handed back by shutdownNow.
            live.decrementAndGet();
            signalIfDrained();
        }
    }

    /** Wakes the watch, if it sleeps, because tasks wait behind a runner's current one. */
    private void watchOver() {
        if (watchState.get() == IDLE && watchState.compareAndSet(IDLE, WATCHING)) {
            if (watchStarted.get() == 0 && watchStarted.compareAndSet(0, 1)) {
                // Started on first need, so that an executor never used costs no thread.
                watch.start();
            } else {
                LockSupport.unpark(watch);
            }
        }
    }

    private void watch() {
        long quietSince = 0;
        long interval = STALL_NANOS;
        while (watchState.get() != STOPPED) {
            if (watchState.get() == IDLE) {
                LockSupport.park(this);
                quietSince = 0;
                interval = STALL_NANOS;
                continue;
            }
            LockSupport.parkNanos(this, interval);
            int waiting = queued.get();
            if (waiting > 0) {
                quietSince = 0;
                // While the runners keep taking tasks, look less often (a busy listener's tasks never
                // stall, and a look costs it a context switch); once one had to be relieved, every
                // millisecond again, so that a burst of blocking turns gets its threads at once.
                interval = relieve(waiting) ? STALL_NANOS : Math.min(2 * interval, MAX_INTERVAL_NANOS);
                continue;
            }
            // Nothing waits. Under load the queue empties and fills many times a millisecond: the watch
            // goes on looking for a while rather than be woken by the next task each time.
            interval = Math.min(2 * interval, MAX_INTERVAL_NANOS);
            long now = System.nanoTime();
            if (quietSince == 0) {
                quietSince = now;
            } else if (now - quietSince >= LINGER_NANOS) {
                quietSince = 0;
                watchState.compareAndSet(WATCHING, IDLE);
                // A task queued while the watch decided to sleep found it watching, and woke nobody.
                if (queued.get() > 0) {
                    watchState.compareAndSet(IDLE, WATCHING);
                }
            }
        }
    }

    /**
     * Starts runners if every running one has been stuck in its task for a millisecond; whether it
     * did.
     */
    private boolean relieve(int waiting) {
        long now = System.nanoTime();
        int inTasks = 0;
        int stuck = 0;
        for (Runner runner : running) {
            long since = runner.taskStart;
            if (since != 0) {
                inTasks++;
                if (now - since >= STALL_NANOS) {
                    stuck++;
                }
            }
        }
        // Runners handed over but not begun yet will take the waiting tasks; so will one between tasks.
        boolean allStuck = stuck > 0 && stuck == inTasks && inTasks == live.get();
        if (live.get() == 0 || allStuck) {
            int more = Math.max(1, Math.min(stuck, waiting));
            for (int i = 0; i < more && !shutdown; i++) {
                live.incrementAndGet();
                startRunner();
            }
            return true;
        }
        return false;
    }

    private final class Runner implements Runnable {

        // When the current task began (System.nanoTime, never 0), or 0 between tasks.
        volatile long taskStart;

        @Override
        public void run() {
            running.add(this);
            boolean done = false;
            try {
                runTasks();
                done = true;
            } finally {
                running.remove(this);
                if (!done) {
                    // An Error escaped a task: this runner is gone, and the queue must not wait for it.
                    live.decrementAndGet();
                    if (!queue.isEmpty() && live.compareAndSet(0, 1)) {
                        startRunner();
                    }
                }
                signalIfDrained();
            }
        }

        private void runTasks() {
            while (true) {
                Runnable task = queue.poll();
                if (task == null) {
                    live.decrementAndGet();
                    // A task offered after the poll by a submitter that saw this runner live is seen
                    // here; a submitter that comes later sees no runner and starts one.
                    if (queue.isEmpty()) {
                        return;
                    }
                    live.incrementAndGet();
                    continue;
                }
                queued.decrementAndGet();
                long start = System.nanoTime();
                taskStart = start == 0 ? 1 : start;
                try {
                    task.run();
                } catch (RuntimeException e) {
                    log.error("a task failed: {}", e.getClass().getName(), e);
                } finally {
                    taskStart = 0;
                }
            }
        }
    }

    private void signalIfDrained() {
        if (shutdown && live.get() == 0) {
            lock.lock();
            try {
                drained.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    /** Refuses new tasks; the queued ones still run. */
    @Override
    public void shutdown() {
        shutdown = true;
        signalIfDrained();
    }

    /**
     * Refuses new tasks, interrupts the running ones, and returns those that had not started, which
     * now never will.
     */
    @Override
    public List<Runnable> shutdownNow() {
        shutdown = true;
        List<Runnable> unrun = new ArrayList<>();
        for (Runnable task = queue.poll(); task != null; task = queue.poll()) {
            queued.decrementAndGet();
            unrun.add(task);
        }
        threads.shutdownNow();
        stopWatch();
        return unrun;
    }

    @Override
    public boolean isShutdown() {
        return shutdown;
    }

    @Override
    public boolean isTerminated() {
        return shutdown && live.get() == 0 && queue.isEmpty() && threads.isTerminated();
    }

    /** Waits until every queued task has run, once shut down; then stops the threads. */
    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        lock.lock();
        try {
            while (!shutdown || live.get() > 0 || !queue.isEmpty()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                drained.awaitNanos(Math.min(left, STALL_NANOS * 10));
            }
        } finally {
            lock.unlock();
        }
        stopWatch();
        threads.shutdown();
        return threads.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    }

    private void stopWatch() {
        watchState.set(STOPPED);
        if (watchStarted.getAndSet(1) == 1) {
            LockSupport.unpark(watch);
        }
    }

    @Override
    public String toString() {
        return "BatchingExecutor[queued=" + queued.get() + ", runners=" + live.get() + ", timeout="
                + Duration.ofNanos(STALL_NANOS) + "]";
    }
}
