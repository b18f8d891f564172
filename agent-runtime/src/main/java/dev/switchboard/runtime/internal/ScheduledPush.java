package dev.switchboard.runtime.internal;

import dev.switchboard.runtime.schedule.CatchUp;
import dev.switchboard.runtime.schedule.CronSchedule;
import dev.switchboard.runtime.schedule.PushOutcome.Kind;
import dev.switchboard.runtime.schedule.ScheduleHandle;
import dev.switchboard.runtime.schedule.ScheduleOptions;
import dev.switchboard.runtime.schedule.TaskScheduler;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * One registered schedule: keeps one timer armed for its next fire time and, when it fires, decides
 * between a run, a skip (the previous run is still going) and a catch-up after a late wake-up.
 * Decisions are made on the timer's thread, under the lock; runs go to the executor.
 */
final class ScheduledPush implements ScheduleHandle {

    /** More fire times than this in one late wake-up are counted as "at least" this many. */
    private static final int MAX_COUNTED = 1_000;

    private final String name;
    private final CronSchedule cron;
    private final ScheduleOptions options;
    private final Supplier<Optional<String>> supplier;
    private final PushService service;

    private final Object lock = new Object();
    private boolean armed; // guarded by lock
    private boolean cancelled; // guarded by lock
    private boolean running; // guarded by lock
    private Instant due; // guarded by lock; null when nothing is armed
    private TaskScheduler.Cancellable timer; // guarded by lock

    ScheduledPush(
            String name,
            CronSchedule cron,
            ScheduleOptions options,
            Supplier<Optional<String>> supplier,
            PushService service) {
        this.name = name;
        this.cron = cron;
        this.options = options;
        this.supplier = supplier;
        this.service = service;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public CronSchedule cron() {
        return cron;
    }

    @Override
    public ScheduleOptions options() {
        return options;
    }

    Supplier<Optional<String>> supplier() {
        return supplier;
    }

    @Override
    public Optional<ZonedDateTime> nextFireTime() {
        synchronized (lock) {
            if (cancelled) {
                return Optional.empty();
            }
            if (!armed) {
                return cron.next(service.clock().instant());
            }
            return Optional.ofNullable(due).map(t -> t.atZone(cron.zone()));
        }
    }

    @Override
    public boolean cancel() {
        if (!stop()) {
            return false;
        }
        service.removed(this);
        return true;
    }

    @Override
    public boolean isCancelled() {
        synchronized (lock) {
            return cancelled;
        }
    }

    /** Cancels the timer; returns whether this call did. */
    boolean stop() {
        synchronized (lock) {
            if (cancelled) {
                return false;
            }
            cancelled = true;
            due = null;
            if (timer != null) {
                timer.cancel();
                timer = null;
            }
            return true;
        }
    }

    void arm() {
        synchronized (lock) {
            if (cancelled || armed) {
                return;
            }
            armed = true;
            armAfter(service.clock().instant());
        }
    }

    /** The previous run handed over its last part, or ended without sending. */
    void finished() {
        synchronized (lock) {
            running = false;
        }
    }

    private void armAfter(Instant after) {
        due = cron.next(after).map(ZonedDateTime::toInstant).orElse(null);
        timer = due == null ? null : service.scheduler().schedule(this::fire, due);
    }

    private void fire() {
        Instant now = service.clock().instant();
        Instant runFor = null;
        Instant overlapped = null;
        boolean late;
        Instant firstMissed;
        Instant latest;
        boolean runs;
        long missed;
        synchronized (lock) {
            if (cancelled || due == null) {
                return;
            }
            if (now.isBefore(due)) {
                // Woken early by the clock's measure (it was set back): wait for the fire time again.
                timer = service.scheduler().schedule(this::fire, due);
                return;
            }
            firstMissed = due;
            latest = latestAtOrBefore(due, now);
            late = latest.isBefore(now.minus(options.misfireThreshold()));
            runs = !late || options.catchUp() == CatchUp.ONCE;
            missed = runs ? count(due, latest) : count(due, latest) + 1;
            if (runs) {
                if (running) {
                    overlapped = latest;
                } else {
                    running = true;
                    runFor = latest;
                }
            }
            armAfter(now);
        }
        if (missed > 0) {
            String count = (missed >= MAX_COUNTED ? "at least " + MAX_COUNTED : Long.toString(missed))
                    + (missed == 1 ? " fire time" : " fire times");
            String what = runs
                    ? "missed " + count + " since " + firstMissed.atZone(cron.zone()) + " before running for "
                            + latest.atZone(cron.zone())
                    : "missed " + count + " from " + firstMissed.atZone(cron.zone()) + " to "
                            + latest.atZone(cron.zone()) + " (catch-up is off)";
            service.reportEach(
                    this,
                    firstMissed,
                    Kind.SKIPPED,
                    what + ": the process was paused or the clock jumped",
                    Optional.empty());
        }
        if (overlapped != null) {
            service.reportEach(this, overlapped, Kind.SKIPPED, "previous run still in progress", Optional.empty());
        }
        if (runFor != null) {
            service.run(this, runFor, late);
        }
    }

    /** The last fire time at or before {@code now}; {@code due} is one. */
    private Instant latestAtOrBefore(Instant due, Instant now) {
        // Widening windows back from now find the latest fire time without walking every one since due.
        Duration window = Duration.ofSeconds(1);
        while (true) {
            Instant from = now.minus(window);
            Instant first;
            if (!from.isAfter(due)) {
                first = due;
            } else {
                first = cron.next(from).map(ZonedDateTime::toInstant).orElse(null);
                if (first == null || first.isAfter(now)) {
                    window = window.multipliedBy(2);
                    continue;
                }
            }
            Instant latest = first;
            for (int i = 0; i < 100_000; i++) {
                Instant next = cron.next(latest).map(ZonedDateTime::toInstant).orElse(null);
                if (next == null || next.isAfter(now)) {
                    break;
                }
                latest = next;
            }
            return latest;
        }
    }

    /** The fire times from {@code from} (a fire time) up to, not including, {@code until}; capped. */
    private long count(Instant from, Instant until) {
        long count = 0;
        Instant t = from;
        while (t != null && t.isBefore(until) && count < MAX_COUNTED) {
            count++;
            t = cron.next(t).map(ZonedDateTime::toInstant).orElse(null);
        }
        return count;
    }

    @Override
    public String toString() {
        return "Schedule['" + name + "', " + cron + ", to " + options.target() + "]";
    }
}
