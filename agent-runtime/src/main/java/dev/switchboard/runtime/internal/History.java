package dev.switchboard.runtime.internal;

import dev.switchboard.channel.ConversationKey;
import dev.switchboard.channel.DeliveryReceipt;
import dev.switchboard.channel.InboundMessage;
import dev.switchboard.channel.SendReceipt;
import dev.switchboard.runtime.store.HistoryEntry;
import dev.switchboard.runtime.store.Store;
import dev.switchboard.runtime.store.StoreException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The runtime's writing and reading of conversations' history in the {@link Store}. History is a
 * record, not a promise: a line that cannot be written is logged (without its text) and the
 * conversation goes on.
 */
class History {

    private static final Logger log = LoggerFactory.getLogger(History.class);

    /** How often a store in memory is purged (a durable one is purged by its {@link LeasedInbox}). */
    static final Duration PURGE_EVERY = Duration.ofMinutes(10);

    /** No history: nothing written, nothing read. */
    public static final History NONE = new History(null, Clock.systemUTC()) {
        @Override
        void inbound(InboundMessage message) {}

        @Override
        void sent(ConversationKey conversation, String text, SendReceipt receipt) {}

        @Override
        void status(DeliveryReceipt receipt) {}

        @Override
        List<HistoryEntry> before(InboundMessage message, int limit) {
            return List.of();
        }
    };

    private final Store store;
    private final Clock clock;
    private final AtomicReference<Instant> nextPurge;
    private final AdminFeed feed; // null when no console is told

    public History(Store store, Clock clock) {
        this(store, clock, null);
    }

    /** @param feed what tells the console of each line as it is written */
    public History(Store store, Clock clock, AdminFeed feed) {
        this.store = store;
        this.clock = clock;
        this.nextPurge = new AtomicReference<>(clock.instant().plus(PURGE_EVERY));
        this.feed = feed;
    }

    /** Tells the console that a message arrived (its line is written by the store or {@link #inbound}). */
    void arrived(InboundMessage message) {
        if (feed != null) {
            feed.inbound(message);
        }
    }

    /**
     * Writes an inbound message's line, for a store whose {@link Store#accept} did not (one that is
     * not durable, whose inbox the runtime does not use).
     */
    void inbound(InboundMessage message) {
        if (store.durable()) {
            return;
        }
        write(
                new HistoryEntry(
                        message.conversation(),
                        HistoryEntry.Direction.INBOUND,
                        message.text(),
                        message.receivedAt(),
                        Optional.of(message.id()),
                        Optional.empty()),
                message.conversation());
    }

    /** Writes the line of a part the provider accepted. */
    void sent(ConversationKey conversation, String text, SendReceipt receipt) {
        Instant at = clock.instant();
        write(
                new HistoryEntry(
                        conversation,
                        HistoryEntry.Direction.OUTBOUND,
                        text,
                        at,
                        Optional.of(receipt.messageId()),
                        Optional.of(receipt.status().name().toLowerCase(Locale.ROOT))),
                conversation);
        if (feed != null) {
            feed.sent(conversation, text, receipt, at);
        }
    }

    /** Moves a sent line's status on. */
    void status(DeliveryReceipt receipt) {
        try {
            store.updateStatus(
                    receipt.channelId(),
                    receipt.messageId(),
                    receipt.status().name().toLowerCase(Locale.ROOT));
        } catch (StoreException | IllegalArgumentException e) {
            log.warn("could not record the status of message {}: {}", receipt.messageId(), e.getMessage());
        }
        if (feed != null) {
            feed.status(receipt);
        }
    }

    /**
     * The conversation's lines before {@code message}, oldest first, at most {@code limit}: what a
     * model is given as the conversation so far, the message itself being the turn's.
     */
    List<HistoryEntry> before(InboundMessage message, int limit) {
        if (limit <= 0) {
            return List.of();
        }
        List<HistoryEntry> lines;
        try {
            // Lines accepted after the message (its conversation's next messages) may be there too.
            lines = store.history(message.conversation(), limit + 32);
        } catch (StoreException e) {
            log.warn("could not read the history of {}: {}", message.conversation(), e.getMessage());
            return List.of();
        }
        int end = lines.size();
        for (int i = lines.size() - 1; i >= 0; i--) {
            HistoryEntry line = lines.get(i);
            if (line.direction() == HistoryEntry.Direction.INBOUND
                    && line.messageId().filter(message.id()::equals).isPresent()) {
                end = i;
                break;
            }
        }
        return List.copyOf(new ArrayList<>(lines.subList(Math.max(0, end - limit), end)));
    }

    private void write(HistoryEntry line, ConversationKey conversation) {
        try {
            store.record(line);
        } catch (StoreException e) {
            log.warn("could not record a line of history in {}: {}", conversation, e.getMessage());
        }
        purgeIfDue();
    }

    /**
     * Forgets what a store in memory keeps past its retention, at most every {@link #PURGE_EVERY} of
     * the runtime's clock, on the thread of the write that finds it due: no timer of its own, and no
     * work while nothing is written.
     */
    private void purgeIfDue() {
        if (store.durable()) {
            return;
        }
        Instant now = clock.instant();
        Instant due = nextPurge.get();
        if (now.isBefore(due) || !nextPurge.compareAndSet(due, now.plus(PURGE_EVERY))) {
            return;
        }
        try {
            store.purge(now);
        } catch (RuntimeException e) {
            log.warn("purging {} failed: {}: {}", store.describe(), e.getClass().getName(), e.getMessage());
        }
    }
}
