package dev.switchboard.runtime.internal;

import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Duration;
import java.util.LinkedHashMap;

/**
 * Remembers the most recently seen message ids per channel, bounded in size and in time.
 *
 * <p>Retention is first in, first out: once full, the oldest id is forgotten first. A provider
 * retries soon after the first delivery, so the recent ids are the ones worth keeping; a cache
 * that admits by frequency (Caffeine's W-TinyLFU) would keep a few old ids and drop most recent
 * ones once every id is seen once, which is exactly the traffic here. The ids live in striped
 * insertion-ordered maps, each with its share of the bound, so that I/O threads seldom wait on one
 * another; a Twilio sid is held as two longs rather than a string.
 */
public final class MessageDedupe {

    private static final int STRIPES = 16;

    private final Stripe[] stripes = new Stripe[STRIPES];
    private final int stripeMask;
    private final long ttlNanos;
    private final Ticker ticker;

    public MessageDedupe(long maximumSize, Duration ttl, Ticker ticker) {
        this.ttlNanos = ttl.toNanos();
        this.ticker = ticker;
        // Small bounds go to one stripe, so that a bound of 10 means 10 and not 16.
        int used = maximumSize < STRIPES * 64L ? 1 : STRIPES;
        long share = (maximumSize + used - 1) / used;
        for (int i = 0; i < STRIPES; i++) {
            stripes[i] = new Stripe(share);
        }
        this.stripeMask = used - 1;
    }

    /** Records the id and returns whether it was not seen within the time to live. */
    public boolean firstSighting(String channelId, String messageId) {
        Key key = Key.of(channelId, messageId);
        return stripe(key).firstSighting(key, ticker.read(), ttlNanos);
    }

    /**
     * Forgets the id, so that its next delivery counts as a first sighting: for a message that was
     * turned away after it was recorded.
     */
    public void forget(String channelId, String messageId) {
        Key key = Key.of(channelId, messageId);
        stripe(key).forget(key);
    }

    long size() {
        long size = 0;
        long now = ticker.read();
        for (Stripe stripe : stripes) {
            size += stripe.size(now, ttlNanos);
        }
        return size;
    }

    private Stripe stripe(Key key) {
        // The top bits of a multiplicative hash: a stripe's map indexes by the low bits, and keys
        // that shared those would crowd into a sixteenth of its buckets.
        return stripes[(key.hashCode() * 0x9E3779B9 >>> 28) & stripeMask];
    }

    private static final class Stripe {

        private final long bound;
        // Insertion order is age order: an id seen again after its time to live is re-inserted.
        private final LinkedHashMap<Key, Key> ids = new LinkedHashMap<>(64);

        Stripe(long bound) {
            this.bound = bound;
        }

        synchronized boolean firstSighting(Key key, long now, long ttl) {
            Key seen = ids.get(key);
            if (seen != null && now - seen.seenAt < ttl) {
                return false;
            }
            if (seen != null) {
                ids.remove(seen);
            }
            expire(now, ttl);
            while (ids.size() >= bound) {
                removeEldest();
            }
            key.seenAt = now;
            ids.put(key, key);
            return true;
        }

        synchronized void forget(Key key) {
            ids.remove(key);
        }

        synchronized long size(long now, long ttl) {
            expire(now, ttl);
            return ids.size();
        }

        private void expire(long now, long ttl) {
            for (var eldest = ids.values().iterator(); eldest.hasNext(); ) {
                if (now - eldest.next().seenAt < ttl) {
                    return;
                }
                eldest.remove();
            }
        }

        private void removeEldest() {
            var eldest = ids.values().iterator();
            eldest.next();
            eldest.remove();
        }
    }

    /**
     * A channel's message id. Twilio's sids ({@code SM} or {@code MM} and 32 hex digits) are held as
     * two letters and two longs; any other id as its string.
     */
    private static final class Key {

        final String channelId;
        final int prefix;
        final long high;
        final long low;
        final String other;
        long seenAt;

        private Key(String channelId, int prefix, long high, long low, String other) {
            this.channelId = channelId;
            this.prefix = prefix;
            this.high = high;
            this.low = low;
            this.other = other;
        }

        static Key of(String channelId, String id) {
            if (id.length() == 34 && id.charAt(0) < 128 && id.charAt(1) < 128 && lowerHex(id)) {
                return new Key(channelId, id.charAt(0) << 8 | id.charAt(1), hex(id, 2), hex(id, 18), null);
            }
            return new Key(channelId, 0, 0, 0, id);
        }

        // Lower-case digits only, so that each id has one key: an id in upper case stays a string.
        private static boolean lowerHex(String id) {
            for (int i = 2; i < 34; i++) {
                char c = id.charAt(i);
                if ((c < '0' || c > '9') && (c < 'a' || c > 'f')) {
                    return false;
                }
            }
            return true;
        }

        private static long hex(String id, int from) {
            long value = 0;
            for (int i = from; i < from + 16; i++) {
                char c = id.charAt(i);
                value = value << 4 | (c <= '9' ? c - '0' : c - 'a' + 10);
            }
            return value;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k
                    && prefix == k.prefix
                    && high == k.high
                    && low == k.low
                    && channelId.equals(k.channelId)
                    && (other == null ? k.other == null : other.equals(k.other));
        }

        @Override
        public int hashCode() {
            if (other != null) {
                return 31 * channelId.hashCode() + other.hashCode();
            }
            long mixed = (high * 0x9E3779B97F4A7C15L) ^ low ^ ((long) prefix << 32);
            return 31 * channelId.hashCode() + (int) (mixed ^ (mixed >>> 32));
        }
    }

    /** For tests: whether the id is remembered now, without recording it. */
    boolean remembers(String channelId, String messageId) {
        Key key = Key.of(channelId, messageId);
        Stripe stripe = stripe(key);
        synchronized (stripe) {
            Key seen = stripe.ids.get(key);
            return seen != null && ticker.read() - seen.seenAt < ttlNanos;
        }
    }

    @Override
    public String toString() {
        return "MessageDedupe[ttl=" + Duration.ofNanos(ttlNanos) + "]";
    }
}
