package dev.switchboard.runtime.schedule;

/**
 * What a schedule does when the runtime wakes up late, past its fire times: after the process was
 * paused (a suspended laptop, a stopped container, a long garbage collection) or the clock jumped
 * forward. Missed runs are never replayed in a burst; the missed fire times are reported as one
 * {@link PushOutcome.Kind#SKIPPED} outcome per recipient, and the schedule goes on from the first
 * fire time after the current time.
 *
 * <p>"Late" means later than the schedule's {@linkplain ScheduleOptions#misfireThreshold() misfire
 * threshold} after the most recent fire time that passed. A run that is merely slow to start, within
 * the threshold, is an ordinary run.
 */
public enum CatchUp {
    /** Runs nothing for the missed fire times. */
    NONE,
    /** Runs once, at once, for the most recent missed fire time; the default. */
    ONCE
}
