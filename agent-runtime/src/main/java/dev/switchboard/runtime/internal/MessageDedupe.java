package dev.switchboard.runtime.internal;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.switchboard.channel.MessageIdShape;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Remembers the most recently seen message ids per channel, bounded in size and in time.
 *
 * <p>Retention is first in, first out: once full, the oldest id is forgotten first. A provider
 * retries soon after the first delivery, so the recent ids are the ones worth keeping; a cache that
 * admits by frequency (Caffeine's W-TinyLFU) would keep a few old ids and drop most recent ones once
 * every id is seen once, which is exactly the traffic here.
 *
 * <p>The ids live in primitive arrays, not objects: a full cache is a few flat arrays that the
 * garbage collector neither copies nor traces, where a hundred thousand entry objects, each new one
 * referenced from an old map, made every young collection at a steady rate ten times slower. An id
 * of the {@linkplain MessageIdShape shape} its channel declares, if that shape has at most two
 * letters and 32 hex digits (Twilio's sids: {@code SM}, {@code MM}… and 32 hex digits), is held
 * exactly, as two longs; any other id as a 128-bit hash of it, which two distinct ids share with
 * negligible probability. Each of
 * sixteen stripes, locked on its own so that I/O threads seldom wait on one another, holds its share
 * of the bound in a ring (the order of arrival) and an open-addressing table (the look-up), both
 * grown on demand up to the share.
 */
public final class MessageDedupe {

    private static final int STRIPES = 16;
    private static final int INITIAL_CAPACITY = 64;

    private final Stripe[] stripes = new Stripe[STRIPES];
    private final int stripeMask;
    private final long ttlNanos;
    private final Ticker ticker;
    // Channel ids as small numbers, for the packed keys; a handful, registered on first sight.
    private final ConcurrentHashMap<String, Integer> channels = new ConcurrentHashMap<>();
    private final Map<String, MessageIdShape> shapes;
    private final AtomicInteger nextChannel = new AtomicInteger(1);

    /** A dedupe that holds every id by its hash. */
    public MessageDedupe(long maximumSize, Duration ttl, Ticker ticker) {
        this(maximumSize, ttl, ticker, Map.of());
    }

    /** @param shapes the shape of each channel's ids, by channel id; others are held by their hash */
    public MessageDedupe(long maximumSize, Duration ttl, Ticker ticker, Map<String, MessageIdShape> shapes) {
        this.shapes = Map.copyOf(shapes);
        this.ttlNanos = ttl.toNanos();
        this.ticker = ticker;
        // Small bounds go to one stripe, so that a bound of 10 means 10 and not 16.
        int used = maximumSize < STRIPES * 64L ? 1 : STRIPES;
        int share = (int) Math.min(Integer.MAX_VALUE / 2, (maximumSize + used - 1) / used);
        for (int i = 0; i < STRIPES; i++) {
            stripes[i] = new Stripe(share);
        }
        this.stripeMask = used - 1;
    }

    /** Records the id and returns whether it was not seen within the time to live. */
    public boolean firstSighting(String channelId, String messageId) {
        Id id = id(channelId, messageId);
        Stripe stripe = stripes[(int) id.hash & stripeMask];
        long now = ticker.read();
        synchronized (stripe) {
            return stripe.firstSighting(id, now, ttlNanos);
        }
    }

    /**
     * Forgets the id, so that its next delivery counts as a first sighting: for a message that was
     * turned away after it was recorded.
     */
    public void forget(String channelId, String messageId) {
        Id id = id(channelId, messageId);
        Stripe stripe = stripes[(int) id.hash & stripeMask];
        synchronized (stripe) {
            int slot = stripe.find(id);
            if (slot >= 0) {
                stripe.delete(slot);
            }
        }
    }

    /** How many ids are remembered now. */
    long size() {
        long now = ticker.read();
        long size = 0;
        for (Stripe stripe : stripes) {
            synchronized (stripe) {
                stripe.expire(now, ttlNanos);
                size += stripe.live;
            }
        }
        return size;
    }

    /** Whether the id is remembered now, without recording it. */
    boolean remembers(String channelId, String messageId) {
        Id id = id(channelId, messageId);
        Stripe stripe = stripes[(int) id.hash & stripeMask];
        long now = ticker.read();
        synchronized (stripe) {
            int slot = stripe.find(id);
            return slot >= 0 && now - stripe.arrival(slot) < ttlNanos;
        }
    }

    @Override
    public String toString() {
        return "MessageDedupe[ttl=" + Duration.ofNanos(ttlNanos) + "]";
    }

    private Id id(String channelId, String messageId) {
        int channel = channels.computeIfAbsent(channelId, c -> nextChannel.getAndIncrement());
        MessageIdShape shape = shapes.get(channelId);
        if (shape != null && packable(shape) && shape.matches(messageId)) {
            int letters = shape.letters();
            int prefix = 0;
            for (int i = 0; i < letters; i++) {
                prefix = prefix << 8 | messageId.charAt(i);
            }
            int digits = shape.hexDigits();
            int high = Math.min(16, digits);
            return new Id(
                    hex(messageId, letters, high),
                    hex(messageId, letters + high, digits - high),
                    channel << 17 | 1 << 16 | prefix);
        }
        // Any other id: a 128-bit hash of it, in the key space a packed id never takes (bit 16 clear).
        long first = 0xcbf29ce484222325L;
        long second = 0x84222325cbf29ce4L;
        for (int i = 0; i < messageId.length(); i++) {
            char c = messageId.charAt(i);
            first = (first ^ c) * 0x100000001b3L;
            second = Long.rotateLeft(second ^ (c * 0x9E3779B97F4A7C15L), 29) * 0xbf58476d1ce4e5b9L;
        }
        return new Id(mix(first ^ messageId.length()), mix(second), channel << 17);
    }

    /** Whether ids of this shape fit two longs and two letters: each such id then has exactly one key. */
    private static boolean packable(MessageIdShape shape) {
        return !shape.isOpaque() && shape.letters() <= 2 && shape.hexDigits() <= 32;
    }

    private static long hex(String id, int from, int count) {
        long value = 0;
        for (int i = from; i < from + count; i++) {
            char c = id.charAt(i);
            value = value << 4 | (c <= '9' ? c - '0' : c - 'a' + 10);
        }
        return value;
    }

    private static long mix(long h) {
        h ^= h >>> 30;
        h *= 0xbf58476d1ce4e5b9L;
        h ^= h >>> 27;
        h *= 0x94d049bb133111ebL;
        return h ^ (h >>> 31);
    }

    private static long hash(long high, long low, int meta) {
        return mix(high * 0x9E3779B97F4A7C15L ^ low ^ (meta * 0xC2B2AE3D27D4EB4FL));
    }

    /**
     * A packed id: {@code meta} is the channel's number, whether the id is packed, and its letters;
     * never 0.
     */
    private static final class Id {

        final long high;
        final long low;
        final int meta;
        // The low bits pick the stripe and the high bits the table slot, so that they stay independent.
        final long hash;

        Id(long high, long low, int meta) {
            this.high = high;
            this.low = low;
            this.meta = meta;
            this.hash = hash(high, low, meta);
        }
    }

    /**
     * One stripe: a ring of the ids in arrival order (with the time each arrived), and a table from
     * id to its place in the ring, by linear probing. An id seen again after its time to live, or
     * forgotten, leaves its old ring place behind; the table points at the newest place only, and a
     * place is cleared from the table on its way out only if the table still points at it.
     *
     * <p>Each ring place and each table slot keeps its fields side by side in one array, so that a
     * look-up costs one cache miss rather than one per field.
     */
    private static final class Stripe {

        // A ring place: the id's two halves, its meta, the time it arrived.
        private static final int PLACE = 4;
        // A table slot: the id's two halves, then its meta (high half; 0 for an empty slot) and its
        // ring place (low half).
        private static final int SLOT = 3;

        private final int bound;
        private long[] ring;
        private int capacity;
        private int head;
        private int size;
        private long[] table;
        private int slots;
        int live;

        Stripe(int bound) {
            this.bound = bound;
            allocate(Math.min(bound, INITIAL_CAPACITY));
        }

        boolean firstSighting(Id id, long now, long ttl) {
            int slot = find(id.high, id.low, id.meta, id.hash);
            if (slot >= 0) {
                if (now - arrival(slot) < ttl) {
                    return false;
                }
                delete(slot);
            }
            expire(now, ttl);
            if (size == capacity) {
                if (capacity < bound) {
                    grow();
                } else {
                    evictHead();
                }
            }
            int place = (head + size) % capacity;
            int at = place * PLACE;
            ring[at] = id.high;
            ring[at + 1] = id.low;
            ring[at + 2] = id.meta;
            ring[at + 3] = now;
            size++;
            insert(id.high, id.low, id.meta, id.hash, place);
            return true;
        }

        /** When the id in a table slot arrived. */
        long arrival(int slot) {
            return ring[(int) table[slot * SLOT + 2] * PLACE + 3];
        }

        void expire(long now, long ttl) {
            while (size > 0 && now - ring[head * PLACE + 3] >= ttl) {
                evictHead();
            }
        }

        private void evictHead() {
            int at = head * PLACE;
            long high = ring[at];
            long low = ring[at + 1];
            int meta = (int) ring[at + 2];
            int slot = find(high, low, meta, hash(high, low, meta));
            if (slot >= 0 && (int) table[slot * SLOT + 2] == head) {
                delete(slot);
            }
            head = head + 1 == capacity ? 0 : head + 1;
            size--;
        }

        int find(Id id) {
            return find(id.high, id.low, id.meta, id.hash);
        }

        private int find(long high, long low, int meta, long hash) {
            for (int slot = home(hash); ; slot = next(slot)) {
                int at = slot * SLOT;
                int m = (int) (table[at + 2] >>> 32);
                if (m == 0) {
                    return -1;
                }
                if (m == meta && table[at] == high && table[at + 1] == low) {
                    return slot;
                }
            }
        }

        private void insert(long high, long low, int meta, long hash, int place) {
            int slot = home(hash);
            while ((table[slot * SLOT + 2] >>> 32) != 0) {
                slot = next(slot);
            }
            int at = slot * SLOT;
            table[at] = high;
            table[at + 1] = low;
            table[at + 2] = (long) meta << 32 | place;
            live++;
        }

        /** Empties a slot, moving later entries of its probe run back so that none is cut off. */
        void delete(int slot) {
            int gap = slot;
            for (int j = next(gap); (table[j * SLOT + 2] >>> 32) != 0; j = next(j)) {
                int at = j * SLOT;
                int home = home(hash(table[at], table[at + 1], (int) (table[at + 2] >>> 32)));
                // The entry at j may fill the gap unless its home lies cyclically in (gap, j].
                boolean stays = gap <= j ? gap < home && home <= j : gap < home || home <= j;
                if (!stays) {
                    System.arraycopy(table, at, table, gap * SLOT, SLOT);
                    gap = j;
                }
            }
            table[gap * SLOT + 2] = 0;
            live--;
        }

        private int home(long hash) {
            return (int) (((hash >>> 32) * slots) >>> 32);
        }

        private int next(int slot) {
            return slot + 1 == slots ? 0 : slot + 1;
        }

        /** Doubles the ring (up to the bound), in arrival order from place 0, and rebuilds the table. */
        private void grow() {
            int old = capacity;
            long[] oldRing = ring;
            long[] oldTable = table;
            allocate((int) Math.min(bound, 2L * old));
            for (int i = 0; i < size; i++) {
                System.arraycopy(oldRing, (head + i) % old * PLACE, ring, i * PLACE, PLACE);
            }
            live = 0;
            for (int at = 0; at < oldTable.length; at += SLOT) {
                int meta = (int) (oldTable[at + 2] >>> 32);
                if (meta != 0) {
                    long high = oldTable[at];
                    long low = oldTable[at + 1];
                    int place = ((int) oldTable[at + 2] - head + old) % old;
                    insert(high, low, meta, hash(high, low, meta), place);
                }
            }
            head = 0;
        }

        private void allocate(int capacity) {
            this.capacity = capacity;
            ring = new long[capacity * PLACE];
            // Three quarters full at most, so that probe runs stay short.
            slots = capacity + capacity / 3 + 1;
            table = new long[slots * SLOT];
        }
    }
}
