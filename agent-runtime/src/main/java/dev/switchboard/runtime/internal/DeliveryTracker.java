package dev.switchboard.runtime.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.switchboard.channel.DeliveryReceipt;
import dev.switchboard.channel.DeliveryStatus;
import dev.switchboard.channel.SendReceipt;
import dev.switchboard.runtime.schedule.TaskScheduler;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Follows sent texts through the provider's delivery reports until each is settled: every part
 * delivered, one part failed, or no final report within the confirmation timeout. Keeps each part's
 * latest status, moving only forward.
 *
 * <p>Reports may arrive before the text is tracked (its first part's report while its last part is
 * still being sent), so reports for unknown messages are kept a while, bounded in number and time.
 * Tracked texts are bounded too: past the capacity a text is settled at once as unconfirmed.
 */
public final class DeliveryTracker {

    /** How a tracked text ended. */
    public enum State {
        DELIVERED,
        FAILED,
        UNCONFIRMED
    }

    /**
     * The end of a tracked text.
     *
     * @param errorCode the provider's code of a failed part
     * @param reason a short explanation, without text or phone numbers
     */
    public record Settlement(State state, Optional<String> errorCode, String reason) {}

    private record Key(String channelId, String messageId) {}

    private final TaskScheduler scheduler;
    private final Clock clock;
    private final Duration timeout;
    private final int capacity;
    private final ConcurrentHashMap<Key, Tracked> byMessage = new ConcurrentHashMap<>();
    private final Set<Tracked> pending = ConcurrentHashMap.newKeySet();
    private final Cache<Key, DeliveryReceipt> early;
    private volatile boolean closed;

    public DeliveryTracker(
            TaskScheduler scheduler, Clock clock, Duration timeout, int capacity, Duration earlyTtl, Ticker ticker) {
        this.scheduler = scheduler;
        this.clock = clock;
        this.timeout = timeout;
        this.capacity = capacity;
        this.early = Caffeine.newBuilder()
                .maximumSize(capacity)
                .expireAfterWrite(earlyTtl)
                .ticker(ticker)
                .executor(Runnable::run)
                .build();
    }

    /**
     * Follows a text whose parts were all accepted. {@code onSettled} is called exactly once: on the
     * thread of the report or timer that settles it, of {@link #close()}, or on this one.
     */
    public void track(String channelId, List<SendReceipt> parts, Consumer<Settlement> onSettled) {
        Tracked tracked = new Tracked(channelId, parts, onSettled);
        if (timeout.isZero()) {
            tracked.settle(
                    new Settlement(State.UNCONFIRMED, Optional.empty(), "accepted; not waiting for delivery reports"));
            return;
        }
        if (closed) {
            tracked.settle(unconfirmedOnClose());
            return;
        }
        if (pending.size() >= capacity) {
            tracked.settle(new Settlement(
                    State.UNCONFIRMED,
                    Optional.empty(),
                    "accepted; not followed, as " + capacity + " texts already await delivery reports"));
            return;
        }
        pending.add(tracked);
        // Registered before the early reports are read, while a report is kept before the registry is
        // read: whichever comes second sees the other.
        for (SendReceipt part : parts) {
            byMessage.put(new Key(channelId, part.messageId()), tracked);
        }
        for (SendReceipt part : parts) {
            tracked.update(part.messageId(), part.status(), Optional.empty());
            Key key = new Key(channelId, part.messageId());
            DeliveryReceipt report = early.getIfPresent(key);
            if (report != null) {
                early.invalidate(key);
                tracked.update(report.messageId(), report.status(), report.errorCode());
            }
        }
        tracked.startTimer();
        if (closed) {
            tracked.settle(unconfirmedOnClose());
        }
    }

    /** Applies a delivery report. */
    public void onReceipt(DeliveryReceipt receipt) {
        Key key = new Key(receipt.channelId(), receipt.messageId());
        Tracked tracked = byMessage.get(key);
        if (tracked == null) {
            early.asMap()
                    .merge(
                            key,
                            receipt,
                            (kept, next) -> next.status().rank() > kept.status().rank() ? next : kept);
            tracked = byMessage.get(key);
            if (tracked == null) {
                return;
            }
            early.invalidate(key);
        }
        tracked.update(receipt.messageId(), receipt.status(), receipt.errorCode());
    }

    /** Settles every tracked text as unconfirmed; texts tracked later are settled at once. */
    public void close() {
        closed = true;
        for (Tracked tracked : List.copyOf(pending)) {
            tracked.settle(unconfirmedOnClose());
        }
    }

    /** The number of texts awaiting their reports. */
    public int pendingCount() {
        return pending.size();
    }

    private static Settlement unconfirmedOnClose() {
        return new Settlement(
                State.UNCONFIRMED,
                Optional.empty(),
                "accepted; the runtime closed before every delivery report arrived");
    }

    static String human(Duration duration) {
        return duration.toString().substring(2).toLowerCase(Locale.ROOT);
    }

    private final class Tracked {

        private final String channelId;
        private final List<String> ids;
        private final Consumer<Settlement> onSettled;
        private final Map<String, DeliveryStatus> statuses = new LinkedHashMap<>(); // guarded by this
        private boolean settled; // guarded by this
        private TaskScheduler.Cancellable timer; // guarded by this

        Tracked(String channelId, List<SendReceipt> parts, Consumer<Settlement> onSettled) {
            this.channelId = channelId;
            this.ids = parts.stream().map(SendReceipt::messageId).toList();
            this.onSettled = onSettled;
        }

        void startTimer() {
            TaskScheduler.Cancellable started =
                    scheduler.schedule(this::expire, clock.instant().plus(timeout));
            synchronized (this) {
                if (!settled) {
                    timer = started;
                    return;
                }
            }
            started.cancel();
        }

        void update(String messageId, DeliveryStatus status, Optional<String> errorCode) {
            Settlement settlement;
            synchronized (this) {
                DeliveryStatus previous = statuses.get(messageId);
                if (settled || (previous != null && status.rank() <= previous.rank())) {
                    return;
                }
                statuses.put(messageId, status);
                settlement = decide(messageId, status, errorCode);
            }
            if (settlement != null) {
                settle(settlement);
            }
        }

        private Settlement decide(String messageId, DeliveryStatus status, Optional<String> errorCode) {
            if (status.isFailure()) {
                String part = ids.size() == 1 ? "" : "part " + (ids.indexOf(messageId) + 1) + "/" + ids.size() + " ";
                return new Settlement(
                        State.FAILED,
                        errorCode,
                        part
                                + status.name().toLowerCase(Locale.ROOT)
                                + errorCode
                                        .map(c -> " (provider code " + c + ")")
                                        .orElse(" (no provider code)"));
            }
            for (String id : ids) {
                DeliveryStatus s = statuses.get(id);
                if (s == null || !s.isTerminal()) {
                    return null;
                }
            }
            boolean read = statuses.values().stream().allMatch(s -> s == DeliveryStatus.READ);
            String word = read ? "read" : "delivered";
            return new Settlement(
                    State.DELIVERED, Optional.empty(), ids.size() == 1 ? word : "all " + ids.size() + " parts " + word);
        }

        private void expire() {
            List<String> last = new ArrayList<>();
            synchronized (this) {
                for (String id : ids) {
                    last.add(String.valueOf(statuses.get(id)).toLowerCase(Locale.ROOT));
                }
            }
            settle(new Settlement(
                    State.UNCONFIRMED,
                    Optional.empty(),
                    "accepted; no final delivery report within " + human(timeout) + " (last status: "
                            + String.join(", ", last) + ")"));
        }

        void settle(Settlement settlement) {
            TaskScheduler.Cancellable cancel;
            synchronized (this) {
                if (settled) {
                    return;
                }
                settled = true;
                cancel = timer;
            }
            if (cancel != null) {
                cancel.cancel();
            }
            for (String id : ids) {
                byMessage.remove(new Key(channelId, id), this);
            }
            pending.remove(this);
            onSettled.accept(settlement);
        }
    }
}
