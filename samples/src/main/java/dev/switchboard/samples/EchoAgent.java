package dev.switchboard.samples;

import static java.util.Objects.requireNonNull;

import dev.switchboard.channel.Attachment;
import dev.switchboard.channel.ChannelException;
import dev.switchboard.channel.InboundMessage;
import dev.switchboard.runtime.Agent;
import dev.switchboard.runtime.Turn;
import java.time.Duration;
import java.util.Optional;
import java.util.StringJoiner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers every message with {@code echo: } and the message's text; used by end-to-end checks and
 * benchmarks. A turn of several messages (a burst) is answered with their texts joined by {@code " /
 * "}; a message with attachments gets {@code " [media: N, B bytes]"} appended when the agent could
 * read all N (B bytes in all), {@code " [media: N]"} when it could not.
 *
 * <p>With a delay it first waits that long, blocking the turn's thread as a language model's call
 * would, so that a benchmark can show how the runtime copes with agents that take seconds. An
 * interrupted wait gives the turn up: {@link #respond} throws the {@link InterruptedException},
 * which the runtime reports as the agent's failure, and nothing is sent.
 */
public final class EchoAgent implements Agent {

    private static final Logger log = LoggerFactory.getLogger(EchoAgent.class);

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
        return Optional.of("echo: " + texts(turn) + media(turn));
    }

    /** The texts of the turn's messages joined by {@code " / "}: a burst answered at once. */
    private static String texts(Turn turn) {
        StringJoiner joined = new StringJoiner(" / ");
        for (InboundMessage message : turn.messages()) {
            if (!message.text().isBlank() || turn.messages().size() == 1) {
                joined.add(message.text());
            }
        }
        return joined.toString();
    }

    /**
     * {@code " [media: N, B bytes]"} when the turn's messages had N attachments and every one could be
     * read (B bytes in all), {@code " [media: N]"} when one could not, nothing without attachments.
     */
    private static String media(Turn turn) {
        int count = 0;
        long bytes = 0;
        boolean readAll = true;
        for (InboundMessage message : turn.messages()) {
            for (Attachment attachment : message.attachments()) {
                count++;
                if (!readAll) {
                    continue;
                }
                try {
                    bytes += turn.read(attachment).size();
                } catch (ChannelException e) {
                    log.info("could not read an attachment of message {}: {}", message.id(), e.getMessage());
                    readAll = false;
                }
            }
        }
        if (count == 0) {
            return "";
        }
        return readAll ? " [media: " + count + ", " + bytes + " bytes]" : " [media: " + count + "]";
    }

    @Override
    public String toString() {
        return "EchoAgent[delay=" + delay.toMillis() + " ms]";
    }
}
