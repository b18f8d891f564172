package dev.switchboard.runtime.internal;

import dev.switchboard.runtime.schedule.TaskScheduler;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The runtime's own {@link TaskScheduler}: one daemon thread. A {@link ScheduledThreadPoolExecutor}
 * measures delays on a monotonic clock, which stops while the machine sleeps and ignores changes of
 * the wall clock; so a task never sleeps longer than {@code maxSleep} before it reads the runtime's
 * clock again, and is late by at most that much.
 */
public final class ExecutorTaskScheduler implements TaskScheduler, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ExecutorTaskScheduler.class);

    private final Clock clock;
    private final long maxSleepNanos;
    private final ScheduledThreadPoolExecutor executor;

    public ExecutorTaskScheduler(Clock clock) {
        this(clock, Duration.ofMinutes(1));
    }

    ExecutorTaskScheduler(Clock clock, Duration maxSleep) {
        this.clock = clock;
        this.maxSleepNanos = maxSleep.toNanos();
        this.executor = new ScheduledThreadPoolExecutor(1, task -> {
            Thread thread = new Thread(task, "switchboard-timer");
            thread.setDaemon(true);
            return thread;
        });
        executor.setRemoveOnCancelPolicy(true);
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }

    @Override
    public Cancellable schedule(Runnable task, Instant at) {
        Entry entry = new Entry(task, at);
        entry.arm();
        return entry::cancel;
    }

    /** Drops every pending task and stops the thread. */
    @Override
    public void close() {
        executor.shutdownNow();
    }

    private final class Entry {

        private final Runnable task;
        private final Instant at;
        private boolean cancelled; // guarded by this
        private ScheduledFuture<?> future; // guarded by this

        Entry(Runnable task, Instant at) {
            this.task = task;
            this.at = at;
        }

        synchronized void arm() {
            if (cancelled) {
                return;
            }
            long delay =
                    Math.min(Math.max(0, Duration.between(clock.instant(), at).toNanos()), maxSleepNanos);
            try {
                future = executor.schedule(this::wake, delay, TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException e) {
                log.debug("timer closed; a task due at {} will not run", at);
            }
        }

        private void wake() {
            synchronized (this) {
                if (cancelled) {
                    return;
                }
                if (clock.instant().isBefore(at)) {
                    arm();
                    return;
                }
                cancelled = true;
            }
            try {
                task.run();
            } catch (RuntimeException e) {
                log.error("a timed task failed: {}", e.getClass().getName(), e);
            }
        }

        synchronized void cancel() {
            cancelled = true;
            if (future != null) {
                future.cancel(false);
            }
        }
    }
}
