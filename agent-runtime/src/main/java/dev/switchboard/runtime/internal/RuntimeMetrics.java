package dev.switchboard.runtime.internal;

import dev.switchboard.runtime.delivery.ReplyOutcome;
import dev.switchboard.runtime.schedule.PushOutcome;
import dev.switchboard.runtime.store.Store;
import java.util.List;
import java.util.Locale;

/**
 * What the runtime counts and times, in plain JDK types: {@link #NONE} when the application passed
 * no meter registry (every call does nothing, and no metrics library is loaded), {@code
 * MicrometerMetrics} when it did. Only {@link #of} names that class, and only when given a registry.
 *
 * <p>Calls are made on hot paths (an I/O thread answering a webhook, a send): implementations
 * resolve their meters once and allocate nothing per call.
 */
public interface RuntimeMetrics {

    /** Counts nothing. */
    RuntimeMetrics NONE = new RuntimeMetrics() {};

    /** The channel tag of what happened before a request reached a channel's route. */
    String NO_CHANNEL = "none";

    /**
     * Metrics into {@code registry} (a Micrometer {@code MeterRegistry}), or {@link #NONE} if null.
     *
     * @param channels the ids of the runtime's channels, whose meters are made at once
     */
    static RuntimeMetrics of(Object registry, List<String> channels) {
        return registry == null ? NONE : MicrometerMetrics.create(registry, channels);
    }

    /** What became of a webhook request, as the tag {@code outcome}. */
    enum WebhookOutcome {
        /** A new inbound message, acknowledged. */
        ACCEPTED,
        /** A message already accepted, acknowledged again and dropped. */
        DUPLICATE,
        /** A message from one of the channel's own addresses, acknowledged and dropped. */
        ECHO,
        /** A message to an address none of the channel's routes answers, acknowledged and dropped. */
        NOT_ROUTED,
        /** A delivery report, acknowledged. */
        RECEIPT,
        /** An authentic request with nothing to do, acknowledged. */
        IGNORED,
        /** Refused as not authentic (403). */
        FORBIDDEN,
        /** The sender was over its inbound limit (429). */
        LIMITED,
        /** Any other 4xx: unreadable, too large (413), unknown path, wrong method or media type. */
        MALFORMED,
        /** Answered 503: the store could not commit the message, or the runtime is not running. */
        UNAVAILABLE,
        /** Answered 500: a channel's handler threw, or the listener failed. */
        ERROR;

        private final String tag = name().toLowerCase(Locale.ROOT);

        public String tag() {
            return tag;
        }

        /** The outcome of a request answered {@code status} without reaching the runtime's checks. */
        public static WebhookOutcome ofStatus(int status) {
            return switch (status) {
                case 403 -> FORBIDDEN;
                case 429 -> LIMITED;
                case 503 -> UNAVAILABLE;
                default -> status >= 500 ? ERROR : status >= 400 ? MALFORMED : IGNORED;
            };
        }
    }

    /** What one call of a channel's {@code send} came to, as the tag {@code outcome}. */
    enum SendOutcome {
        ACCEPTED,
        RETRIABLE_FAILURE,
        PERMANENT_FAILURE;

        private final String tag = name().toLowerCase(Locale.ROOT);

        public String tag() {
            return tag;
        }
    }

    /** What one look-up of a part that may have been sent found, as the tag {@code result}. */
    enum Reconcile {
        FOUND,
        NOT_FOUND,
        FAILED;

        private final String tag = name().toLowerCase(Locale.ROOT);

        public String tag() {
            return tag;
        }
    }

    /** Records one duration, in nanoseconds. */
    @FunctionalInterface
    interface Timing {

        Timing NONE = nanos -> {};

        void record(long nanos);
    }

    /**
     * Whether anything is counted: callers skip the work of measuring (reading the time, counting a
     * part's segments) when not.
     */
    default boolean enabled() {
        return false;
    }

    /** A webhook request was answered. */
    default void webhook(String channel, WebhookOutcome outcome) {}

    /** A message's turn started {@code nanos} after the message was acknowledged. */
    default void turnWaited(String channel, long nanos) {}

    /** A turn that asked the agent ended, {@code nanos} after it started, its messages handed over. */
    default void turnTook(String channel, long nanos) {}

    /** An agent threw, or returned nothing usable. */
    default void turnFailed(String channel) {}

    /** A call of a channel's {@code send} returned or threw. */
    default void send(String channel, SendOutcome outcome) {}

    /** A part is about to be sent again after a failed attempt. */
    default void sendRetried(String channel) {}

    /** A look-up for a part that may have been sent returned or failed. */
    default void reconciled(String channel, Reconcile result) {}

    /** A part was accepted that costs {@code segments} (SMS segments, or 1 a message where not billed so). */
    default void segmentsSent(String channel, int segments) {}

    /** A reply was settled; {@code null} for one that rendered to nothing. */
    default void reply(ReplyOutcome.Kind kind) {}

    /** A push was settled. */
    default void push(PushOutcome.Kind kind) {}

    /** A person opted out of (or back in to) a channel, and the opt-out store recorded it. */
    default void optOut(String channel, boolean optedOut) {}

    /** A message took its place in its conversation's lane of turns. */
    default void inboxEntered() {}

    /** A message's turn ran, or was abandoned. */
    default void inboxLeft() {}

    /** {@code store}, its operations timed, or {@code store} itself when nothing is timed. */
    default Store timed(Store store) {
        return store;
    }

    /** Removes what the runtime registered and must not outlive it (its gauges); idempotent. */
    default void close() {}
}
