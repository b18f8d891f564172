package dev.switchboard.runtime.schedule;

import java.time.Instant;

/**
 * Runs tasks at given instants: the runtime's one source of timed work (schedules' fire times,
 * delivery confirmation timeouts).
 *
 * <p>Instants are read on the runtime's {@linkplain dev.switchboard.runtime.AgentRuntimeBuilder#clock
 * clock}, so an implementation must use the same clock. The default, which the runtime owns, runs
 * tasks on one thread of its own and re-reads the clock at least every minute, so that a clock that
 * jumps or a process that was suspended delays a task by a minute at most. Tests pass one they
 * advance by hand with a clock of their own.
 *
 * <p>Tasks must be short: the runtime's tasks only hand work to its executor. Implementations must be
 * thread-safe.
 */
@FunctionalInterface
public interface TaskScheduler {

    /**
     * Runs {@code task} once, at {@code at} or as soon as possible after it (at once if it has
     * passed), unless it is cancelled first.
     *
     * @return a way to cancel it
     */
    Cancellable schedule(Runnable task, Instant at);

    /** A task that was scheduled. */
    @FunctionalInterface
    interface Cancellable {

        /** Keeps the task from running if it has not started. Idempotent. */
        void cancel();
    }
}
