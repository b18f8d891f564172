package dev.switchboard.runtime.schedule;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * How a schedule pushes: to whom, and what it does after missing fire times. Immutable; start from
 * {@link #defaults()} and change what you need.
 *
 * <pre>{@code
 * ScheduleOptions.defaults()
 *         .withTarget(PushTarget.home("whatsapp"))
 *         .withCatchUp(CatchUp.NONE)
 * }</pre>
 *
 * @param target the recipients; default {@link PushTarget#allHomes()}
 * @param catchUp what to do after waking up late past fire times; default {@link CatchUp#ONCE}
 * @param misfireThreshold how late after a fire time the runtime may wake up and still run it as an
 *     ordinary run; later than that, the run counts as missed and {@code catchUp} decides. Default 1
 *     minute
 */
public record ScheduleOptions(PushTarget target, CatchUp catchUp, Duration misfireThreshold) {

    private static final ScheduleOptions DEFAULTS =
            new ScheduleOptions(PushTarget.allHomes(), CatchUp.ONCE, Duration.ofMinutes(1));

    /**
     * @throws IllegalArgumentException if {@code misfireThreshold} is negative
     */
    public ScheduleOptions {
        requireNonNull(target, "target");
        requireNonNull(catchUp, "catchUp");
        requireNonNull(misfireThreshold, "misfireThreshold");
        if (misfireThreshold.isNegative()) {
            throw new IllegalArgumentException("misfireThreshold cannot be negative: " + misfireThreshold);
        }
    }

    /** Every home, one catch-up run, a misfire threshold of 1 minute. */
    public static ScheduleOptions defaults() {
        return DEFAULTS;
    }

    /** These options pushing to {@code target}. */
    public ScheduleOptions withTarget(PushTarget target) {
        return new ScheduleOptions(target, catchUp, misfireThreshold);
    }

    /** These options with {@code catchUp} after missed fire times. */
    public ScheduleOptions withCatchUp(CatchUp catchUp) {
        return new ScheduleOptions(target, catchUp, misfireThreshold);
    }

    /**
     * These options with {@code misfireThreshold}.
     *
     * @throws IllegalArgumentException if it is negative
     */
    public ScheduleOptions withMisfireThreshold(Duration misfireThreshold) {
        return new ScheduleOptions(target, catchUp, misfireThreshold);
    }
}
