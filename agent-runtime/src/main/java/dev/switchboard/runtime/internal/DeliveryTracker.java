package dev.switchboard.runtime.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.switchboard.channel.ConversationKey;
import dev.switchboard.channel.DeliveryReceipt;
import dev.switchboard.channel.DeliveryStatus;
import dev.switchboard.channel.SendReceipt;
import dev.switchboard.runtime.delivery.PartStatus;
import dev.switchboard.runtime.schedule.TaskScheduler;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Follows sent texts through the provider's delivery reports. Each part's state only moves forward:
 * a report that repeats it or comes after a later one is absorbed, and each move is told to the part
 * listener once. A text is settled once: every part delivered, one part failed, or no final report
 * within the confirmation timeout.
 *
 * <p>Memory is bounded three ways. Texts awaiting settlement are at most {@code capacity}; past it a
 * text is settled at once as unconfirmed. Parts are remembered, settled or not, for {@code partTtl}
 * after their last report and at most {@code 10 × capacity} of them, so that a late report (WhatsApp's
 * {@code read} after {@code delivered}) still moves its part and a repeat is still absorbed. Reports
 * that arrive before their text is tracked (its first part's report while its last part is still
 * being sent) are kept for {@code earlyTtl}, at most {@code capacity} of them.
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
     * @param failedPart the 1-based number of the failed part, 0 if none failed
     * @param failedReport the report that said the part failed
     */
    public record Settlement(
            State state,
            Optional<String> errorCode,
            String reason,
            int failedPart,
            Optional<DeliveryReceipt> failedReport) {

        static Settlement of(State state, String reason) {
            return new Settlement(state, Optional.empty(), reason, 0, Optional.empty());
        }
    }

    private record Key(String channelId, String messageId) {}

    private record Entry(Text text, int index) {}

    private final TaskScheduler scheduler;
    private final Clock clock;
    private final Duration timeout;
    private final int capacity;
    private final Consumer<PartStatus> onPartStatus;
    private final Cache<Key, Entry> parts;
    private final Set<Text> pending = ConcurrentHashMap.newKeySet();
    private final Cache<Key, DeliveryReceipt> early;
    private volatile boolean closed;

    public DeliveryTracker(
            TaskScheduler scheduler,
            Clock clock,
            Duration timeout,
            int capacity,
            Duration partTtl,
            Duration earlyTtl,
            Ticker ticker,
            Consumer<PartStatus> onPartStatus) {
        this.scheduler = scheduler;
        this.clock = clock;
        this.timeout = timeout;
        this.capacity = capacity;
        this.onPartStatus = onPartStatus;
        this.parts = Caffeine.newBuilder()
                .maximumSize(10L * capacity)
                .expireAfterAccess(partTtl)
                .ticker(ticker)
                .executor(Runnable::run)
                .build();
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
    public void track(ConversationKey conversation, List<SendReceipt> accepted, Consumer<Settlement> onSettled) {
        Text text = new Text(conversation, accepted.size(), onSettled);
        if (timeout.isZero()) {
            register(text, accepted);
            text.settle(Settlement.of(State.UNCONFIRMED, "accepted; not waiting for delivery reports"));
            return;
        }
        if (closed) {
            text.settle(unconfirmedOnClose());
            return;
        }
        if (pending.size() >= capacity) {
            register(text, accepted);
            text.settle(Settlement.of(
                    State.UNCONFIRMED,
                    "accepted; not followed, as " + capacity + " texts already await delivery reports"));
            return;
        }
        pending.add(text);
        register(text, accepted);
        text.startTimer();
        if (closed) {
            text.settle(unconfirmedOnClose());
        }
    }

    /**
     * Follows the accepted parts of a text that failed before all its parts were sent, for their
     * states alone: the text is settled already.
     *
     * @param parts how many parts the whole text had
     */
    public void follow(ConversationKey conversation, List<SendReceipt> accepted, int parts) {
        if (!accepted.isEmpty()) {
            register(new Text(conversation, parts, null), accepted);
        }
    }

    // A part is registered before its held report is taken, and a report is held before the registry
    // is read again: whichever comes second sees the other. A held report is taken out atomically, and
    // whoever takes it applies it: the thread that left it there may have returned already.
    private void register(Text text, List<SendReceipt> accepted) {
        String channelId = text.conversation.channelId();
        for (int i = 0; i < accepted.size(); i++) {
            parts.put(new Key(channelId, accepted.get(i).messageId()), new Entry(text, i));
        }
        for (int i = 0; i < accepted.size(); i++) {
            SendReceipt part = accepted.get(i);
            text.update(i, part.messageId(), part.status(), Optional.empty(), null, false);
            DeliveryReceipt held = early.asMap().remove(new Key(channelId, part.messageId()));
            if (held != null) {
                apply(new Entry(text, i), held);
            }
        }
    }

    /** Applies a delivery report. */
    public void onReceipt(DeliveryReceipt receipt) {
        Key key = new Key(receipt.channelId(), receipt.messageId());
        Entry entry = parts.getIfPresent(key);
        if (entry == null) {
            early.asMap()
                    .merge(
                            key,
                            receipt,
                            (kept, next) -> next.status().rank() > kept.status().rank() ? next : kept);
            entry = parts.getIfPresent(key);
            if (entry == null) {
                return;
            }
            // Registered meanwhile. What is held may be another report, left by a thread that found no
            // part and counts on the registration to take it: whoever takes it must apply it.
            DeliveryReceipt held = early.asMap().remove(key);
            if (held != null && held != receipt) {
                // The earlier state first, so that the listener hears of both moves in order.
                boolean heldFirst = held.status().rank() <= receipt.status().rank();
                apply(entry, heldFirst ? held : receipt);
                apply(entry, heldFirst ? receipt : held);
                return;
            }
        }
        apply(entry, receipt);
    }

    private static void apply(Entry entry, DeliveryReceipt report) {
        entry.text().update(entry.index(), report.messageId(), report.status(), report.errorCode(), report, true);
    }

    /** Whether {@code messageId} is a part the tracker remembers on the channel {@code channelId}. */
    public boolean isKnown(String channelId, String messageId) {
        return parts.getIfPresent(new Key(channelId, messageId)) != null;
    }

    /** Settles every tracked text as unconfirmed; texts tracked later are settled at once. */
    public void close() {
        closed = true;
        for (Text text : List.copyOf(pending)) {
            text.settle(unconfirmedOnClose());
        }
    }

    /**
     * The parts, by channel id, of the texts awaiting their reports since before {@code before} whose
     * state is not final: what to look for in a store that other replicas write reports to.
     */
    public Map<String, List<String>> awaiting(Instant before) {
        Map<String, List<String>> awaiting = new HashMap<>();
        for (Text text : pending) {
            if (text.trackedAt.isBefore(before)) {
                text.awaitingParts(awaiting.computeIfAbsent(text.conversation.channelId(), k -> new ArrayList<>()));
            }
        }
        awaiting.values().removeIf(List::isEmpty);
        return awaiting;
    }

    /** The number of texts awaiting their reports. */
    public int pendingCount() {
        return pending.size();
    }

    private static Settlement unconfirmedOnClose() {
        return Settlement.of(State.UNCONFIRMED, "accepted; the runtime closed before every delivery report arrived");
    }

    static String human(Duration duration) {
        return duration.toString().substring(2).toLowerCase(Locale.ROOT);
    }

    private final class Text {

        private final ConversationKey conversation;
        private final int parts;
        private final Consumer<Settlement> onSettled;
        private final DeliveryStatus[] statuses; // guarded by this
        private final String[] messageIds; // guarded by this
        private final Instant trackedAt;
        private boolean settled; // guarded by this
        private TaskScheduler.Cancellable timer; // guarded by this

        /** @param onSettled null for a text followed for its parts' states alone */
        Text(ConversationKey conversation, int parts, Consumer<Settlement> onSettled) {
            this.conversation = conversation;
            this.parts = parts;
            this.onSettled = onSettled;
            this.statuses = new DeliveryStatus[parts];
            this.messageIds = new String[parts];
            this.trackedAt = clock.instant();
            this.settled = onSettled == null;
        }

        synchronized void awaitingParts(List<String> into) {
            for (int i = 0; i < parts; i++) {
                if (messageIds[i] != null && (statuses[i] == null || !statuses[i].isTerminal())) {
                    into.add(messageIds[i]);
                }
            }
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

        /**
         * Moves a part forward, if {@code status} is ahead of its state.
         *
         * @param reported whether a report says so (a move to tell the listener), or the send receipt
         */
        void update(
                int index,
                String messageId,
                DeliveryStatus status,
                Optional<String> errorCode,
                DeliveryReceipt report,
                boolean reported) {
            Settlement settlement = null;
            synchronized (this) {
                messageIds[index] = messageId;
                DeliveryStatus previous = statuses[index];
                if (previous != null && status.rank() <= previous.rank()) {
                    return;
                }
                statuses[index] = status;
                if (!settled) {
                    settlement = decide(index, status, errorCode, report);
                }
            }
            if (reported) {
                onPartStatus.accept(
                        new PartStatus(conversation, index + 1, parts, messageId, status, errorCode, clock.instant()));
            }
            if (settlement != null) {
                settle(settlement);
            }
        }

        // guarded by this
        private Settlement decide(
                int index, DeliveryStatus status, Optional<String> errorCode, DeliveryReceipt report) {
            if (status.isFailure()) {
                String part = parts == 1 ? "" : "part " + (index + 1) + "/" + parts + " ";
                return new Settlement(
                        State.FAILED,
                        errorCode,
                        part
                                + status.name().toLowerCase(Locale.ROOT)
                                + errorCode
                                        .map(c -> " (provider code " + c + ")")
                                        .orElse(" (no provider code)"),
                        index + 1,
                        Optional.ofNullable(report));
            }
            boolean read = true;
            for (DeliveryStatus s : statuses) {
                if (s == null || !s.isTerminal()) {
                    return null;
                }
                read &= s == DeliveryStatus.READ;
            }
            String word = read ? "read" : "delivered";
            return Settlement.of(State.DELIVERED, parts == 1 ? word : "all " + parts + " parts " + word);
        }

        private void expire() {
            List<String> last = new ArrayList<>();
            synchronized (this) {
                for (DeliveryStatus status : statuses) {
                    last.add(String.valueOf(status).toLowerCase(Locale.ROOT));
                }
            }
            settle(Settlement.of(
                    State.UNCONFIRMED,
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
            pending.remove(this);
            onSettled.accept(settlement);
        }
    }
}
