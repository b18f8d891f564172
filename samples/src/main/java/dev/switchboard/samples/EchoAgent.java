package dev.switchboard.samples;

import static java.util.Objects.requireNonNull;

import dev.switchboard.runtime.Agent;
import dev.switchboard.runtime.Turn;
import java.time.Duration;
import java.util.Optional;

/**
 * Answers every message with {@code echo: } and the message's text; used by end-to-end checks and
 * benchmarks.
 *
 * <p>With a delay it first waits that long, blocking the turn's thread as a language model's call
 * would, so that a benchmark can show how the runtime copes with agents that take seconds. An
 * interrupted wait gives the turn up: {@link #respond} throws the {@link InterruptedException},
 * which the runtime reports as the agent's failure, and nothing is sent.
 */
public final class EchoAgent implements Agent {

    /** How the agent waits; {@link Thread#sleep} outside tests. */
    @FunctionalInterface
    interface Sleeper {
        void sleep(Duration duration) throws InterruptedException;
    }

    private final Duration delay;
    private final Sleeper sleeper;

    /** An echo agent that answers at once. */
    public EchoAgent() {
        this(Duration.ZERO);
    }

    /**
     * An echo agent that waits {@code delay} before each answer.
     *
     * @param delay how long each turn waits; {@link Duration#ZERO} answers at once
     * @throws IllegalArgumentException if {@code delay} is negative
     */
    public EchoAgent(Duration delay) {
        this(delay, duration -> Thread.sleep(duration.toMillis(), duration.toNanosPart() % 1_000_000));
    }

    EchoAgent(Duration delay, Sleeper sleeper) {
        requireNonNull(delay, "delay");
        if (delay.isNegative()) {
            throw new IllegalArgumentException("delay cannot be negative: " + delay);
        }
        this.delay = delay;
        this.sleeper = requireNonNull(sleeper, "sleeper");
    }

    /** How long each turn waits before it answers. */
    public Duration delay() {
        return delay;
    }

    /**
     * Waits the delay, then answers.
     *
     * @throws InterruptedException if the turn's thread was interrupted while it waited
     */
    @Override
    public Optional<String> respond(Turn turn) throws InterruptedException {
        if (!delay.isZero()) {
            sleeper.sleep(delay);
        }
        return Optional.of("echo: " + turn.text());
    }

    @Override
    public String toString() {
        return "EchoAgent[delay=" + delay.toMillis() + " ms]";
    }
}
