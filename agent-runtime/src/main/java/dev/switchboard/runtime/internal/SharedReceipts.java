package dev.switchboard.runtime.internal;

import dev.switchboard.channel.DeliveryReceipt;
import dev.switchboard.runtime.store.Store;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivery reports across replicas: every report a replica receives goes to the durable store, and
 * each replica looks there, every {@code interval}, for the reports of the parts it sent and still
 * follows that it has not heard of itself (the provider called another replica). The replica that
 * sent a text settles it and reports its outcome, once; the others only pass the report on.
 */
final class SharedReceipts implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SharedReceipts.class);

    private final Store store;
    private final DeliveryTracker tracker;
    private final Clock clock;
    private final Duration grace;
    private final ScheduledExecutorService timer;

    /**
     * @param grace how long a text is followed before the store is asked: most reports come to the
     *     replica that sent it, within a few seconds
     */
    public SharedReceipts(Store store, DeliveryTracker tracker, Clock clock, Duration interval, Duration grace) {
        this.store = store;
        this.tracker = tracker;
        this.clock = clock;
        this.grace = grace;
        this.timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "switchboard-receipts");
            thread.setDaemon(true);
            return thread;
        });
        timer.scheduleWithFixedDelay(this::look, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Keeps a report this replica received, for the replica that sent the message. */
    public void record(DeliveryReceipt receipt) {
        try {
            store.recordReceipt(receipt);
        } catch (RuntimeException e) {
            log.warn(
                    "could not keep the delivery report of message {} in {} for the other replicas: {}",
                    receipt.messageId(),
                    store.describe(),
                    e.getMessage());
        }
    }

    /** Applies the reports other replicas received for the parts this one follows. */
    void look() {
        Map<String, List<String>> awaiting = tracker.awaiting(clock.instant().minus(grace));
        for (Map.Entry<String, List<String>> channel : awaiting.entrySet()) {
            List<DeliveryReceipt> found;
            try {
                found = store.receipts(channel.getKey(), channel.getValue());
            } catch (RuntimeException e) {
                log.warn("could not read delivery reports from {}: {}", store.describe(), e.getMessage());
                return;
            }
            // The tracker ignores a report that is not ahead of what it knows.
            found.forEach(tracker::onReceipt);
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
