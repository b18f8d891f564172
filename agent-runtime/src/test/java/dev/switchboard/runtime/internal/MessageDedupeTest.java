package dev.switchboard.runtime.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.channel.MessageIdShape;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class MessageDedupeTest {

    private final AtomicLong nanos = new AtomicLong();
    // Twilio's shape on both channels, so that sids take the packed path and other ids the hashed one.
    private static final Map<String, MessageIdShape> SHAPES =
            Map.of("sms", MessageIdShape.lettersThenHex(2, 32), "whatsapp", MessageIdShape.lettersThenHex(2, 32));
    private final MessageDedupe dedupe = new MessageDedupe(1000, Duration.ofMinutes(10), nanos::get, SHAPES);

    @Test
    void holdsIdsOfEveryDeclaredShapeApartFromEachOtherAndFromOtherIds() {
        MessageDedupe shaped = new MessageDedupe(
                1000,
                Duration.ofMinutes(10),
                nanos::get,
                Map.of(
                        "uuid", MessageIdShape.lettersThenHex(0, 32),
                        "short", MessageIdShape.lettersThenHex(1, 4),
                        "long", MessageIdShape.lettersThenHex(3, 40)));
        List<String[]> ids = List.of(
                new String[] {"uuid", "0123456789abcdef0123456789abcdef"},
                new String[] {"uuid", "0123456789abcdef0123456789abcdee"},
                new String[] {"uuid", "not-a-uuid"},
                new String[] {"short", "Aff01"},
                new String[] {"short", "Bff01"},
                new String[] {"short", "aff01"},
                new String[] {"long", "ABC" + "0".repeat(40)},
                new String[] {"opaque", "ABC" + "0".repeat(40)});

        for (String[] id : ids) {
            assertThat(shaped.firstSighting(id[0], id[1]))
                    .as("%s on %s", id[1], id[0])
                    .isTrue();
        }
        for (String[] id : ids) {
            assertThat(shaped.firstSighting(id[0], id[1]))
                    .as("again %s on %s", id[1], id[0])
                    .isFalse();
        }
        assertThat(shaped.size()).isEqualTo(ids.size());
    }

    @Test
    void recognisesARepeatWithinTheTimeToLive() {
        assertThat(dedupe.firstSighting("sms", "SM1")).isTrue();

        nanos.addAndGet(Duration.ofMinutes(10).toNanos() - 1);

        assertThat(dedupe.firstSighting("sms", "SM1")).isFalse();
    }

    @Test
    void forgetsAnIdOnceTheTimeToLivePassed() {
        dedupe.firstSighting("sms", "SM1");

        nanos.addAndGet(Duration.ofMinutes(10).toNanos());

        assertThat(dedupe.firstSighting("sms", "SM1")).isTrue();
        assertThat(dedupe.firstSighting("sms", "SM1")).isFalse();
    }

    @Test
    void keepsChannelsApart() {
        assertThat(dedupe.firstSighting("sms", "SM1")).isTrue();
        assertThat(dedupe.firstSighting("whatsapp", "SM1")).isTrue();
    }

    @Test
    void remembersTheMostRecentIdsOnceFull() {
        MessageDedupe small = new MessageDedupe(1000, Duration.ofHours(1), nanos::get, SHAPES);

        for (int i = 0; i < 20_000; i++) {
            assertThat(small.firstSighting("sms", sid(i))).isTrue();
        }

        // A retry comes soon after the first delivery: the newest ids are the ones to keep.
        assertThat(IntStream.range(19_000, 20_000).filter(i -> !small.remembers("sms", sid(i))))
                .isEmpty();
        assertThat(IntStream.range(0, 19_000).filter(i -> small.remembers("sms", sid(i))))
                .isEmpty();
        assertThat(small.firstSighting("sms", sid(19_999))).isFalse();
    }

    @Test
    void remembersTheMostRecentIdsOfALargeBoundAcrossItsStripes() {
        MessageDedupe large = new MessageDedupe(100_000, Duration.ofHours(1), nanos::get, SHAPES);

        for (int i = 0; i < 300_000; i++) {
            large.firstSighting("sms", sid(i));
        }

        assertThat(large.size()).isLessThanOrEqualTo(100_000).isGreaterThan(95_000);
        assertThat(IntStream.range(250_000, 300_000).filter(i -> !large.remembers("sms", sid(i))))
                .isEmpty();
        assertThat(IntStream.range(0, 150_000).filter(i -> large.remembers("sms", sid(i))))
                .isEmpty();
    }

    @Test
    void forgetsAnIdWhenTold() {
        dedupe.firstSighting("sms", sid(1));
        dedupe.firstSighting("sms", "not-a-twilio-id");

        dedupe.forget("sms", sid(1));
        dedupe.forget("sms", "not-a-twilio-id");

        assertThat(dedupe.firstSighting("sms", sid(1))).isTrue();
        assertThat(dedupe.firstSighting("sms", "not-a-twilio-id")).isTrue();
    }

    @Test
    void tellsApartIdsThatDifferOnlyInCaseOrPrefix() {
        String lower = "SM" + "0123456789abcdef".repeat(2);

        assertThat(dedupe.firstSighting("sms", lower)).isTrue();
        assertThat(dedupe.firstSighting("sms", lower.toUpperCase(Locale.ROOT))).isTrue();
        assertThat(dedupe.firstSighting("sms", "MM" + lower.substring(2))).isTrue();
        assertThat(dedupe.firstSighting("sms", lower)).isFalse();
        assertThat(dedupe.firstSighting("sms", lower.toUpperCase(Locale.ROOT))).isFalse();
    }

    @Test
    void letsExpiredIdsGoWithoutWaitingForTheBound() {
        for (int i = 0; i < 100; i++) {
            dedupe.firstSighting("sms", sid(i));
        }
        nanos.addAndGet(Duration.ofMinutes(10).toNanos());
        dedupe.firstSighting("sms", sid(100));

        assertThat(dedupe.size()).isEqualTo(1);
    }

    @Test
    void behavesAsARingOfArrivalsWithATableOfTheNewest() {
        // A model as plain as can be, against random traffic: sightings, forgetting, time passing.
        Random random = new Random(20261122);
        for (int round = 0; round < 20; round++) {
            int bound = 1 + random.nextInt(200);
            long ttl = 1 + random.nextInt(50);
            AtomicLong now = new AtomicLong();
            MessageDedupe dedupe = new MessageDedupe(bound, Duration.ofNanos(ttl), now::get, SHAPES);
            Model model = new Model(bound, ttl);
            List<String> pool = new ArrayList<>();
            for (int i = 0; i < 3 * bound; i++) {
                pool.add(random.nextBoolean() ? sid(random.nextInt(1 << 20)) : "id-" + i);
            }
            for (int step = 0; step < 5_000; step++) {
                String id = pool.get(random.nextInt(pool.size()));
                String channel = random.nextInt(10) == 0 ? "whatsapp" : "sms";
                int action = random.nextInt(20);
                if (action == 0) {
                    dedupe.forget(channel, id);
                    model.forget(channel + "/" + id);
                } else if (action == 1) {
                    now.addAndGet(random.nextInt((int) ttl + 1));
                } else {
                    assertThat(dedupe.firstSighting(channel, id))
                            .as("round %d step %d: %s", round, step, id)
                            .isEqualTo(model.firstSighting(channel + "/" + id, now.get()));
                }
                if (step % 250 == 0) {
                    for (String each : pool) {
                        assertThat(dedupe.remembers("sms", each)).isEqualTo(model.remembers("sms/" + each, now.get()));
                    }
                    assertThat(dedupe.size()).isEqualTo(model.size(now.get()));
                }
            }
        }
    }

    /** The dedupe's rules on plain collections: a ring of arrivals, and a map to the newest of each id. */
    private static final class Model {

        private record Arrival(String id, long at) {}

        private final int bound;
        private final long ttl;
        private final ArrayDeque<Arrival> ring = new ArrayDeque<>();
        private final Map<String, Arrival> newest = new HashMap<>();

        Model(int bound, long ttl) {
            this.bound = bound;
            this.ttl = ttl;
        }

        boolean firstSighting(String id, long now) {
            Arrival seen = newest.get(id);
            if (seen != null && now - seen.at() < ttl) {
                return false;
            }
            newest.remove(id);
            expire(now);
            if (ring.size() == bound) {
                evict();
            }
            Arrival arrival = new Arrival(id, now);
            ring.add(arrival);
            newest.put(id, arrival);
            return true;
        }

        void forget(String id) {
            newest.remove(id);
        }

        boolean remembers(String id, long now) {
            Arrival seen = newest.get(id);
            return seen != null && now - seen.at() < ttl;
        }

        long size(long now) {
            expire(now);
            return newest.size();
        }

        private void expire(long now) {
            while (!ring.isEmpty() && now - ring.peek().at() >= ttl) {
                evict();
            }
        }

        private void evict() {
            Arrival oldest = ring.poll();
            if (newest.get(oldest.id()) == oldest) {
                newest.remove(oldest.id());
            }
        }
    }

    private static String sid(int i) {
        return String.format("SM%032x", i);
    }

    @Test
    void staysWithinItsMaximumSize() {
        MessageDedupe small = new MessageDedupe(10, Duration.ofHours(1), nanos::get, SHAPES);

        for (int i = 0; i < 1000; i++) {
            small.firstSighting("sms", "SM" + i);
        }

        assertThat(small.size()).isLessThanOrEqualTo(10);
    }
}
