package dev.switchboard.runtime.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.switchboard.channel.Address;
import dev.switchboard.channel.ConversationKey;
import dev.switchboard.channel.DeliveryReceipt;
import dev.switchboard.channel.DeliveryStatus;
import dev.switchboard.channel.SendReceipt;
import dev.switchboard.runtime.delivery.PartStatus;
import dev.switchboard.runtime.internal.DeliveryTracker.Settlement;
import dev.switchboard.runtime.internal.DeliveryTracker.State;
import dev.switchboard.runtime.schedule.ManualScheduler;
import dev.switchboard.runtime.schedule.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class DeliveryTrackerTest {

    private static final Address TO = Address.of("+15550001111");

    private final MutableClock clock = new MutableClock(Instant.parse("2024-05-01T10:00:00Z"));
    private final ManualScheduler timer = new ManualScheduler(clock);
    private final AtomicLong nanos = new AtomicLong();
    private final List<Settlement> settled = new ArrayList<>();
    private final List<PartStatus> moves = new ArrayList<>();

    private DeliveryTracker tracker(Duration timeout, int capacity) {
        return new DeliveryTracker(
                timer, clock, timeout, capacity, Duration.ofHours(1), Duration.ofMinutes(5), nanos::get, moves::add);
    }

    private DeliveryTracker tracker() {
        return tracker(Duration.ofMinutes(2), 100);
    }

    private void track(DeliveryTracker tracker, String channelId, String... ids) {
        List<SendReceipt> parts = Arrays.stream(ids)
                .map(id -> new SendReceipt(id, DeliveryStatus.QUEUED))
                .toList();
        tracker.track(new ConversationKey(channelId, TO), parts, settled::add);
    }

    private static DeliveryReceipt receipt(String channelId, String id, DeliveryStatus status, String code) {
        return new DeliveryReceipt(id, channelId, TO, status, Optional.ofNullable(code), Instant.EPOCH);
    }

    @Test
    void settlesDeliveredOnceEveryPartIsDelivered() {
        DeliveryTracker tracker = tracker();
        track(tracker, "sms", "SM1", "SM2");

        tracker.onReceipt(receipt("sms", "SM1", DeliveryStatus.DELIVERED, null));
        assertThat(settled).isEmpty();
        tracker.onReceipt(receipt("sms", "SM2", DeliveryStatus.SENT, null));
        assertThat(settled).isEmpty();
        tracker.onReceipt(receipt("sms", "SM2", DeliveryStatus.DELIVERED, null));

        assertThat(settled).containsExactly(Settlement.of(State.DELIVERED, "all 2 parts delivered"));
        assertThat(tracker.pendingCount()).isZero();
        assertThat(timer.pending()).as("the timeout is cancelled").isEmpty();
    }

    @Test
    void countsReadAsDelivered() {
        DeliveryTracker tracker = tracker();
        track(tracker, "whatsapp", "SM1");

        tracker.onReceipt(receipt("whatsapp", "SM1", DeliveryStatus.READ, null));

        assertThat(settled).containsExactly(Settlement.of(State.DELIVERED, "read"));
    }

    @Test
    void settlesFailedWithTheCodeWhenOnePartFails() {
        DeliveryTracker tracker = tracker();
        track(tracker, "sms", "SM1", "SM2", "SM3");

        tracker.onReceipt(receipt("sms", "SM1", DeliveryStatus.DELIVERED, null));
        DeliveryReceipt failed = receipt("sms", "SM2", DeliveryStatus.UNDELIVERED, "30003");
        tracker.onReceipt(failed);
        tracker.onReceipt(receipt("sms", "SM3", DeliveryStatus.DELIVERED, null));

        assertThat(settled)
                .containsExactly(new Settlement(
                        State.FAILED,
                        Optional.of("30003"),
                        "part 2/3 undelivered (provider code 30003)",
                        2,
                        Optional.of(failed)));
    }

    @Test
    void ignoresReportsThatArriveOutOfOrderOrTwice() {
        DeliveryTracker tracker = tracker();
        track(tracker, "sms", "SM1", "SM2");

        tracker.onReceipt(receipt("sms", "SM1", DeliveryStatus.DELIVERED, null));
        // A stale "failed" of the same rank, then an earlier state: neither moves SM1 back.
        tracker.onReceipt(receipt("sms", "SM1", DeliveryStatus.FAILED, "30005"));
        tracker.onReceipt(receipt("sms", "SM1", DeliveryStatus.SENT, null));
        tracker.onReceipt(receipt("sms", "SM2", DeliveryStatus.DELIVERED, null));
        tracker.onReceipt(receipt("sms", "SM2", DeliveryStatus.DELIVERED, null));

        assertThat(settled).extracting(Settlement::state).containsExactly(State.DELIVERED);
    }

    @Test
    void usesAReportThatArrivedBeforeTheTextWasTracked() {
        DeliveryTracker tracker = tracker();

        tracker.onReceipt(receipt("sms", "SM1", DeliveryStatus.SENT, null));
        tracker.onReceipt(receipt("sms", "SM1", DeliveryStatus.DELIVERED, null));
        track(tracker, "sms", "SM1");

        assertThat(settled).extracting(Settlement::state).containsExactly(State.DELIVERED);
    }

    @Test
    void forgetsEarlyReportsAfterTheirTimeToLive() {
        DeliveryTracker tracker = tracker();

        tracker.onReceipt(receipt("sms", "SM1", DeliveryStatus.DELIVERED, null));
        nanos.addAndGet(Duration.ofMinutes(6).toNanos());
        track(tracker, "sms", "SM1");

        assertThat(settled).isEmpty();
    }

    @Test
    void matchesReportsByChannelAndMessageId() {
        DeliveryTracker tracker = tracker();
        track(tracker, "sms", "X1");

        tracker.onReceipt(receipt("whatsapp", "X1", DeliveryStatus.DELIVERED, null));

        assertThat(settled).isEmpty();
    }

    @Test
    void settlesUnconfirmedWithTheLastStatusAfterTheTimeout() {
        DeliveryTracker tracker = tracker();
        track(tracker, "sms", "SM1", "SM2");
        tracker.onReceipt(receipt("sms", "SM1", DeliveryStatus.DELIVERED, null));
        tracker.onReceipt(receipt("sms", "SM2", DeliveryStatus.SENT, null));

        timer.advance(Duration.ofMinutes(2).minusSeconds(1));
        assertThat(settled).isEmpty();
        timer.advance(Duration.ofSeconds(1));

        assertThat(settled)
                .containsExactly(Settlement.of(
                        State.UNCONFIRMED,
                        "accepted; no final delivery report within 2m (last status: delivered, sent)"));
        // A report after the timeout changes nothing: the push had its one outcome.
        tracker.onReceipt(receipt("sms", "SM2", DeliveryStatus.DELIVERED, null));
        assertThat(settled).hasSize(1);
    }

    @Test
    void settlesAtOnceWithAZeroTimeout() {
        DeliveryTracker tracker = tracker(Duration.ZERO, 100);

        track(tracker, "sms", "SM1");

        assertThat(settled).extracting(Settlement::state).containsExactly(State.UNCONFIRMED);
        assertThat(timer.pending()).isEmpty();
    }

    @Test
    void settlesAtOnceBeyondItsCapacity() {
        DeliveryTracker tracker = tracker(Duration.ofMinutes(2), 2);
        track(tracker, "sms", "SM1");
        track(tracker, "sms", "SM2");

        track(tracker, "sms", "SM3");

        assertThat(settled).singleElement().satisfies(s -> {
            assertThat(s.state()).isEqualTo(State.UNCONFIRMED);
            assertThat(s.reason()).contains("2 texts already await delivery reports");
        });
        assertThat(tracker.pendingCount()).isEqualTo(2);
    }

    @Test
    void settlesEveryPendingTextWhenClosed() {
        DeliveryTracker tracker = tracker();
        track(tracker, "sms", "SM1");
        track(tracker, "sms", "SM2");

        tracker.close();
        track(tracker, "sms", "SM3");

        assertThat(settled).hasSize(3).allSatisfy(s -> {
            assertThat(s.state()).isEqualTo(State.UNCONFIRMED);
            assertThat(s.reason()).contains("the runtime closed");
        });
        assertThat(tracker.pendingCount()).isZero();
    }

    @Test
    void tellsEachMoveOfAPartOnceAndInOrderWhateverTheReportsDo() {
        DeliveryTracker tracker = tracker();
        track(tracker, "whatsapp", "SM1", "SM2");

        tracker.onReceipt(receipt("whatsapp", "SM1", DeliveryStatus.SENT, null));
        tracker.onReceipt(receipt("whatsapp", "SM1", DeliveryStatus.SENT, null));
        tracker.onReceipt(receipt("whatsapp", "SM1", DeliveryStatus.DELIVERED, null));
        tracker.onReceipt(receipt("whatsapp", "SM1", DeliveryStatus.SENDING, null));
        tracker.onReceipt(receipt("whatsapp", "SM2", DeliveryStatus.DELIVERED, null));
        tracker.onReceipt(receipt("whatsapp", "SM2", DeliveryStatus.SENT, null));
        // Read after the text was settled delivered: still a move of its part.
        tracker.onReceipt(receipt("whatsapp", "SM1", DeliveryStatus.READ, null));
        tracker.onReceipt(receipt("whatsapp", "SM1", DeliveryStatus.READ, null));

        assertThat(moves)
                .extracting(PartStatus::messageId, PartStatus::part, PartStatus::parts, PartStatus::status)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("SM1", 1, 2, DeliveryStatus.SENT),
                        org.assertj.core.groups.Tuple.tuple("SM1", 1, 2, DeliveryStatus.DELIVERED),
                        org.assertj.core.groups.Tuple.tuple("SM2", 2, 2, DeliveryStatus.DELIVERED),
                        org.assertj.core.groups.Tuple.tuple("SM1", 1, 2, DeliveryStatus.READ));
        assertThat(moves).allSatisfy(m -> {
            assertThat(m.conversation()).isEqualTo(new ConversationKey("whatsapp", TO));
            assertThat(m.reportedAt()).isEqualTo(clock.instant());
        });
        assertThat(settled).containsExactly(Settlement.of(State.DELIVERED, "all 2 parts delivered"));
    }

    @Test
    void tellsTheMoveAnEarlyReportMadeOnceTheTextIsTracked() {
        DeliveryTracker tracker = tracker();
        tracker.onReceipt(receipt("sms", "SM1", DeliveryStatus.SENT, null));
        assertThat(moves).isEmpty();

        track(tracker, "sms", "SM1");

        assertThat(moves).extracting(PartStatus::status).containsExactly(DeliveryStatus.SENT);
    }

    @Test
    void followsThePartsOfATextThatFailedForTheirStatesAlone() {
        DeliveryTracker tracker = tracker();

        tracker.follow(new ConversationKey("sms", TO), List.of(new SendReceipt("SM1", DeliveryStatus.QUEUED)), 3);
        tracker.onReceipt(receipt("sms", "SM1", DeliveryStatus.DELIVERED, null));

        assertThat(moves).singleElement().satisfies(m -> {
            assertThat(m.part()).isEqualTo(1);
            assertThat(m.parts()).isEqualTo(3);
            assertThat(m.status()).isEqualTo(DeliveryStatus.DELIVERED);
        });
        assertThat(settled).isEmpty();
        assertThat(tracker.pendingCount()).isZero();
        assertThat(timer.pending()).isEmpty();
    }

    @Test
    void remembersPartsForTheirTimeToLiveAfterTheLastReport() {
        DeliveryTracker tracker = tracker();
        track(tracker, "sms", "SM1");
        tracker.onReceipt(receipt("sms", "SM1", DeliveryStatus.DELIVERED, null));

        nanos.addAndGet(Duration.ofMinutes(59).toNanos());
        assertThat(tracker.isKnown("sms", "SM1")).isTrue();
        assertThat(tracker.isKnown("whatsapp", "SM1")).isFalse();
        nanos.addAndGet(Duration.ofMinutes(61).toNanos());

        assertThat(tracker.isKnown("sms", "SM1")).isFalse();
        tracker.onReceipt(receipt("sms", "SM1", DeliveryStatus.READ, null));
        assertThat(moves).extracting(PartStatus::status).containsExactly(DeliveryStatus.DELIVERED);
    }

    /**
     * "delivered" arrives while the part is unknown and is held; "sent" finds no part either, and the
     * text is registered before "sent" looks again. Whichever thread finds the part must apply what is
     * held, or "delivered" is lost and the text never settles. The caches read the ticker as they
     * write, so the ticker is where the two threads are held to force this order.
     */
    @Test
    void aReportHeldWhileItsTextIsRegisteredStillSettlesIt() throws Exception {
        AtomicReference<Thread> holdOnce = new AtomicReference<>();
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch resume = new CountDownLatch(1);
        AtomicReference<Thread> registering = new AtomicReference<>();
        AtomicReference<DeliveryTracker> created = new AtomicReference<>();
        AtomicReference<Thread> sender = new AtomicReference<>();
        boolean[] inside = {false}; // read and written by the registering thread alone
        Ticker ticker = () -> {
            Thread self = Thread.currentThread();
            if (holdOnce.compareAndSet(self, null)) {
                // "sent" has found no part and is being kept: it waits here until the part is known.
                held.countDown();
                await(resume);
            } else if (registering.get() == self && !inside[0]) {
                inside[0] = true;
                try {
                    if (created.get().isKnown("sms", "SM1")) {
                        // Registered, held reports not yet read: "sent" looks again now, and finishes.
                        registering.set(null);
                        resume.countDown();
                        join(sender.get());
                    }
                } finally {
                    inside[0] = false;
                }
            }
            return nanos.get();
        };
        DeliveryTracker tracker = new DeliveryTracker(
                timer,
                clock,
                Duration.ofMinutes(2),
                100,
                Duration.ofHours(1),
                Duration.ofMinutes(5),
                ticker,
                moves::add);
        created.set(tracker);

        tracker.onReceipt(receipt("sms", "SM1", DeliveryStatus.DELIVERED, null));
        Thread sent = new Thread(() -> tracker.onReceipt(receipt("sms", "SM1", DeliveryStatus.SENT, null)));
        sender.set(sent);
        holdOnce.set(sent);
        sent.start();
        assertThat(held.await(10, TimeUnit.SECONDS)).as("the report is held").isTrue();
        registering.set(Thread.currentThread());
        track(tracker, "sms", "SM1");
        join(sent);

        assertThat(registering.get())
                .as("the report looked again after the part was registered")
                .isNull();
        assertThat(settled).containsExactly(Settlement.of(State.DELIVERED, "delivered"));
        assertThat(moves).extracting(PartStatus::status).containsExactly(DeliveryStatus.SENT, DeliveryStatus.DELIVERED);
        assertThat(timer.pending()).as("the timeout is cancelled").isEmpty();
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("timed out waiting for the other thread");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void join(Thread thread) {
        try {
            thread.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        if (thread.isAlive()) {
            throw new IllegalStateException(thread.getName() + " did not finish");
        }
    }
}
