package dev.switchboard.runtime.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.switchboard.channel.Address;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How many messages each sender may send a channel: a sustained rate per minute with a burst on
 * top, per channel and authenticated sender. Memory is bounded: a sender quiet long enough to have
 * its whole burst back is forgotten, and at most {@code maximumSenders} are remembered (one pushed
 * out early gets a fresh burst, which errs towards letting people through).
 *
 * <p>A sender's refusals are logged once per episode: a WARN when it first goes over, and a line
 * with the count refused when it is let through again, forgotten, or the limiter closes. When many
 * senders go over at once (a distributed flood), the WARNs themselves are rationed, and the ones
 * held back are counted in the next.
 */
public final class InboundLimiter {

    private static final Logger log = LoggerFactory.getLogger(InboundLimiter.class);

    /** A limiter that lets everything through. */
    public static final InboundLimiter UNLIMITED = new InboundLimiter();

    private static final long EPISODE_LOGS_PER_MINUTE = 10;

    private record Sender(String channelId, Address address) {}

    private final int perMinute;
    private final int burst;
    private final long intervalNanos;
    private final long toleranceNanos;
    private final Ticker ticker;
    private final Cache<Sender, Bucket> buckets;
    private final Episodes episodes;

    private InboundLimiter() {
        this.perMinute = 0;
        this.burst = 0;
        this.intervalNanos = 0;
        this.toleranceNanos = 0;
        this.ticker = Ticker.disabledTicker();
        this.buckets = null;
        this.episodes = null;
    }

    /**
     * @param perMinute the sustained rate per sender, positive
     * @param burst how many messages a sender may send at once after a quiet spell, positive
     * @param maximumSenders how many senders to remember at most
     */
    public InboundLimiter(int perMinute, int burst, long maximumSenders, Ticker ticker) {
        this.perMinute = perMinute;
        this.burst = burst;
        this.intervalNanos = TimeUnit.MINUTES.toNanos(1) / perMinute;
        this.toleranceNanos = (burst - 1) * intervalNanos;
        this.ticker = ticker;
        this.buckets = Caffeine.newBuilder()
                .maximumSize(maximumSenders)
                // By then the sender has its whole burst back: forgetting it changes nothing.
                .expireAfterAccess(Duration.ofNanos(burst * intervalNanos))
                .ticker(ticker)
                .executor(Runnable::run)
                .<Sender, Bucket>removalListener((sender, bucket, cause) -> {
                    if (sender != null && bucket != null && cause != RemovalCause.REPLACED) {
                        bucket.forgotten(sender);
                    }
                })
                .build();
        this.episodes = new Episodes();
    }

    /** Whether the limiter lets everything through. */
    public boolean unlimited() {
        return buckets == null;
    }

    /** Counts a message from {@code from} on {@code channelId}; returns whether it may go on. */
    public boolean admit(String channelId, Address from) {
        if (buckets == null) {
            return true;
        }
        Sender sender = new Sender(channelId, from);
        Bucket bucket = buckets.get(sender, s -> new Bucket());
        return bucket.admit(sender, ticker.read());
    }

    /** Logs the episodes still going on: the runtime is closing. */
    public void close() {
        if (buckets != null) {
            // The removal listener logs each sender's episode.
            buckets.invalidateAll();
            episodes.flush();
        }
    }

    /** How many senders are remembered now. */
    long senders() {
        if (buckets == null) {
            return 0;
        }
        buckets.cleanUp();
        return buckets.estimatedSize();
    }

    @Override
    public String toString() {
        return buckets == null
                ? "InboundLimiter[unlimited]"
                : "InboundLimiter[" + perMinute + " a minute, burst " + burst + "]";
    }

    /**
     * One sender's allowance, by the generic cell rate algorithm: {@code allowedAt} is when the
     * sender would have its next message's worth of allowance with none spare; a message may pass
     * while that is less than the burst's worth ahead of now.
     */
    private final class Bucket {

        private long allowedAt = Long.MIN_VALUE; // guarded by this
        private long refused; // guarded by this
        private long episodeStart; // guarded by this
        private boolean logged; // guarded by this

        synchronized boolean admit(Sender sender, long now) {
            if (!take(now, intervalNanos, toleranceNanos)) {
                if (refused++ == 0) {
                    episodeStart = now;
                    logged = episodes.started(sender);
                }
                return false;
            }
            if (refused > 0) {
                ended(sender, "is under the limit again", now);
            }
            return true;
        }

        synchronized void forgotten(Sender sender) {
            if (refused > 0) {
                ended(sender, "has gone quiet", ticker.read());
            }
        }

        /** Takes one message's worth of allowance if there is one. */
        boolean take(long now, long interval, long tolerance) {
            long at = allowedAt == Long.MIN_VALUE ? now : Math.max(allowedAt, now);
            if (at - now > tolerance) {
                return false;
            }
            allowedAt = at + interval;
            return true;
        }

        private void ended(Sender sender, String how, long now) {
            episodes.ended(sender, how, refused, Duration.ofNanos(now - episodeStart), logged);
            refused = 0;
        }
    }

    /**
     * The episode lines of every sender together, rationed to a few a minute; those held back are
     * counted in the next line that is written.
     */
    private final class Episodes {

        private final long interval = TimeUnit.MINUTES.toNanos(1) / EPISODE_LOGS_PER_MINUTE;
        private final Bucket ration = new Bucket();
        private long startsHeld; // guarded by ration
        private long refusedHeld; // guarded by ration

        /** Logs that {@code sender} went over, if the ration allows; returns whether it did. */
        boolean started(Sender sender) {
            long held;
            synchronized (ration) {
                if (!ration.take(ticker.read(), interval, (EPISODE_LOGS_PER_MINUTE - 1) * interval)) {
                    startsHeld++;
                    return false;
                }
                held = startsHeld;
                startsHeld = 0;
            }
            log.warn(
                    "[{}] inbound limit: {} sent more than {} messages a minute (burst {}); its messages are"
                            + " answered 429 until it slows down{}",
                    sender.channelId(),
                    sender.address(),
                    perMinute,
                    burst,
                    held == 0 ? "" : " (and " + held + " other sender(s) went over, not logged one by one)");
            return true;
        }

        /** Logs the end of an episode whose start was logged; counts the others for the next line. */
        void ended(Sender sender, String how, long refused, Duration lasted, boolean startLogged) {
            long held;
            synchronized (ration) {
                if (!startLogged) {
                    refusedHeld += refused;
                    return;
                }
                held = refusedHeld;
                refusedHeld = 0;
            }
            log.info(
                    "[{}] inbound limit: {} {}; {} message(s) refused over {}{}",
                    sender.channelId(),
                    sender.address(),
                    how,
                    refused,
                    lasted.withNanos(0),
                    held == 0 ? "" : " (and " + held + " from senders not logged one by one)");
        }

        /** Logs what is held back. */
        void flush() {
            long starts;
            long refused;
            synchronized (ration) {
                starts = startsHeld;
                refused = refusedHeld;
                startsHeld = 0;
                refusedHeld = 0;
            }
            if (starts > 0 || refused > 0) {
                log.info(
                        "inbound limit: {} more sender(s) went over and {} more message(s) were refused, not logged"
                                + " one by one",
                        starts,
                        refused);
            }
        }
    }
}
