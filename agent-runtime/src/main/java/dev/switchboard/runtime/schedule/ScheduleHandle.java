package dev.switchboard.runtime.schedule;

import java.time.ZonedDateTime;
import java.util.Optional;

/** A registered schedule: its identity, its next fire time, and a way to stop it. Thread-safe. */
public interface ScheduleHandle {

    /** The schedule's name, unique within its runtime. */
    String name();

    /** When it fires. */
    CronSchedule cron();

    /** Where it pushes, and what it does after missed fire times. */
    ScheduleOptions options();

    /**
     * The next time it will fire, in its zone; empty once it is cancelled, its runtime closed, or it
     * has no fire time left. Before the runtime starts, the first fire time after the current time.
     */
    Optional<ZonedDateTime> nextFireTime();

    /**
     * Stops the schedule: it fires no more, and its name is free again. A run already under way
     * finishes and is reported. Idempotent.
     *
     * @return whether this call cancelled it (false if it was already cancelled)
     */
    boolean cancel();

    /** Whether it was cancelled, directly or by closing its runtime. */
    boolean isCancelled();
}
