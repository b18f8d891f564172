package dev.switchboard.runtime.internal;

import dev.switchboard.channel.ConversationKey;
import dev.switchboard.channel.DeliveryReceipt;
import dev.switchboard.channel.InboundMessage;
import dev.switchboard.runtime.store.Acceptance;
import dev.switchboard.runtime.store.ConversationSummary;
import dev.switchboard.runtime.store.HistoryEntry;
import dev.switchboard.runtime.store.InboxEntry;
import dev.switchboard.runtime.store.OutboundCharge;
import dev.switchboard.runtime.store.OutboxPart;
import dev.switchboard.runtime.store.Store;
import dev.switchboard.runtime.store.StoredRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * A store whose operations are timed, each under its own name ({@code accept}, {@code settle},
 * {@code record}…), failures included; everything else is the store's own. It depends on no metrics
 * library: the timings come from {@link RuntimeMetrics}.
 */
final class TimedStore implements Store {

    private final Store store;
    private final RuntimeMetrics.Timing accept;
    private final RuntimeMetrics.Timing waitingConversations;
    private final RuntimeMetrics.Timing pending;
    private final RuntimeMetrics.Timing done;
    private final RuntimeMetrics.Timing settle;
    private final RuntimeMetrics.Timing recordParts;
    private final RuntimeMetrics.Timing partSending;
    private final RuntimeMetrics.Timing partAccepted;
    private final RuntimeMetrics.Timing outbox;
    private final RuntimeMetrics.Timing lease;
    private final RuntimeMetrics.Timing release;
    private final RuntimeMetrics.Timing record;
    private final RuntimeMetrics.Timing updateStatus;
    private final RuntimeMetrics.Timing history;
    private final RuntimeMetrics.Timing conversations;
    private final RuntimeMetrics.Timing recordReceipt;
    private final RuntimeMetrics.Timing receipts;
    private final RuntimeMetrics.Timing charge;
    private final RuntimeMetrics.Timing refund;
    private final RuntimeMetrics.Timing isOptedOut;
    private final RuntimeMetrics.Timing optOut;
    private final RuntimeMetrics.Timing optIn;
    private final RuntimeMetrics.Timing lastInbound;
    private final RuntimeMetrics.Timing recordInbound;
    private final RuntimeMetrics.Timing claimFire;
    private final RuntimeMetrics.Timing getRecord;
    private final RuntimeMetrics.Timing records;
    private final RuntimeMetrics.Timing putRecord;
    private final RuntimeMetrics.Timing insertRecord;
    private final RuntimeMetrics.Timing takeRecord;
    private final RuntimeMetrics.Timing deleteRecord;
    private final RuntimeMetrics.Timing purge;

    /** @param timing the timing of an operation, by its name; asked once per operation */
    TimedStore(Store store, Function<String, RuntimeMetrics.Timing> timing) {
        this.store = store;
        this.accept = timing.apply("accept");
        this.waitingConversations = timing.apply("waiting_conversations");
        this.pending = timing.apply("pending");
        this.done = timing.apply("done");
        this.settle = timing.apply("settle");
        this.recordParts = timing.apply("record_parts");
        this.partSending = timing.apply("part_sending");
        this.partAccepted = timing.apply("part_accepted");
        this.outbox = timing.apply("outbox");
        this.lease = timing.apply("lease");
        this.release = timing.apply("release");
        this.record = timing.apply("record");
        this.updateStatus = timing.apply("update_status");
        this.history = timing.apply("history");
        this.conversations = timing.apply("conversations");
        this.recordReceipt = timing.apply("record_receipt");
        this.receipts = timing.apply("receipts");
        this.charge = timing.apply("charge");
        this.refund = timing.apply("refund");
        this.isOptedOut = timing.apply("is_opted_out");
        this.optOut = timing.apply("opt_out");
        this.optIn = timing.apply("opt_in");
        this.lastInbound = timing.apply("last_inbound");
        this.recordInbound = timing.apply("record_inbound");
        this.claimFire = timing.apply("claim_fire");
        this.getRecord = timing.apply("get_record");
        this.records = timing.apply("records");
        this.putRecord = timing.apply("put_record");
        this.insertRecord = timing.apply("insert_record");
        this.takeRecord = timing.apply("take_record");
        this.deleteRecord = timing.apply("delete_record");
        this.purge = timing.apply("purge");
    }

    /** The store timed. */
    Store delegate() {
        return store;
    }

    @Override
    public boolean durable() {
        return store.durable();
    }

    @Override
    public void ping() {
        // Untimed: a readiness probe's check, not the store's work.
        store.ping();
    }

    @Override
    public String describe() {
        return store.describe();
    }

    @Override
    public List<Optional<InboxEntry>> accept(List<InboundMessage> messages, Instant now) {
        long start = System.nanoTime();
        try {
            return store.accept(messages, now);
        } finally {
            accept.record(System.nanoTime() - start);
        }
    }

    @Override
    public Acceptance accept(List<InboundMessage> messages, Instant now, String owner, Duration leaseTtl) {
        long start = System.nanoTime();
        try {
            return store.accept(messages, now, owner, leaseTtl);
        } finally {
            accept.record(System.nanoTime() - start);
        }
    }

    @Override
    public List<ConversationKey> waitingConversations(Instant now, int limit) {
        long start = System.nanoTime();
        try {
            return store.waitingConversations(now, limit);
        } finally {
            waitingConversations.record(System.nanoTime() - start);
        }
    }

    @Override
    public List<InboxEntry> pending(ConversationKey conversation, int limit) {
        long start = System.nanoTime();
        try {
            return store.pending(conversation, limit);
        } finally {
            pending.record(System.nanoTime() - start);
        }
    }

    @Override
    public void done(InboxEntry entry, Instant now) {
        long start = System.nanoTime();
        try {
            store.done(entry, now);
        } finally {
            done.record(System.nanoTime() - start);
        }
    }

    @Override
    public Set<ConversationKey> settle(
            Collection<InboxEntry> done, Collection<ConversationKey> release, String owner, Instant now) {
        long start = System.nanoTime();
        try {
            return store.settle(done, release, owner, now);
        } finally {
            settle.record(System.nanoTime() - start);
        }
    }

    @Override
    public void recordParts(long entrySequence, int message, List<String> texts) {
        long start = System.nanoTime();
        try {
            store.recordParts(entrySequence, message, texts);
        } finally {
            recordParts.record(System.nanoTime() - start);
        }
    }

    @Override
    public void partSending(long entrySequence, int message, int part, Instant at) {
        long start = System.nanoTime();
        try {
            store.partSending(entrySequence, message, part, at);
        } finally {
            partSending.record(System.nanoTime() - start);
        }
    }

    @Override
    public void partAccepted(long entrySequence, int message, int part, String messageId) {
        long start = System.nanoTime();
        try {
            store.partAccepted(entrySequence, message, part, messageId);
        } finally {
            partAccepted.record(System.nanoTime() - start);
        }
    }

    @Override
    public List<OutboxPart> outbox(long entrySequence) {
        long start = System.nanoTime();
        try {
            return store.outbox(entrySequence);
        } finally {
            outbox.record(System.nanoTime() - start);
        }
    }

    @Override
    public boolean lease(ConversationKey conversation, String owner, Instant now, Duration ttl) {
        long start = System.nanoTime();
        try {
            return store.lease(conversation, owner, now, ttl);
        } finally {
            lease.record(System.nanoTime() - start);
        }
    }

    @Override
    public void release(ConversationKey conversation, String owner) {
        long start = System.nanoTime();
        try {
            store.release(conversation, owner);
        } finally {
            release.record(System.nanoTime() - start);
        }
    }

    @Override
    public void record(HistoryEntry entry) {
        long start = System.nanoTime();
        try {
            store.record(entry);
        } finally {
            record.record(System.nanoTime() - start);
        }
    }

    @Override
    public void updateStatus(String channelId, String messageId, String status) {
        long start = System.nanoTime();
        try {
            store.updateStatus(channelId, messageId, status);
        } finally {
            updateStatus.record(System.nanoTime() - start);
        }
    }

    @Override
    public List<HistoryEntry> history(ConversationKey conversation, int limit) {
        long start = System.nanoTime();
        try {
            return store.history(conversation, limit);
        } finally {
            history.record(System.nanoTime() - start);
        }
    }

    @Override
    public List<ConversationSummary> conversations(int limit) {
        long start = System.nanoTime();
        try {
            return store.conversations(limit);
        } finally {
            conversations.record(System.nanoTime() - start);
        }
    }

    @Override
    public void recordReceipt(DeliveryReceipt receipt) {
        long start = System.nanoTime();
        try {
            store.recordReceipt(receipt);
        } finally {
            recordReceipt.record(System.nanoTime() - start);
        }
    }

    @Override
    public List<DeliveryReceipt> receipts(String channelId, Collection<String> messageIds) {
        long start = System.nanoTime();
        try {
            return store.receipts(channelId, messageIds);
        } finally {
            receipts.record(System.nanoTime() - start);
        }
    }

    @Override
    public OutboundCharge charge(ConversationKey recipient, Instant at, int cost, int cap, Instant windowStart) {
        long start = System.nanoTime();
        try {
            return store.charge(recipient, at, cost, cap, windowStart);
        } finally {
            charge.record(System.nanoTime() - start);
        }
    }

    @Override
    public void refund(long chargeId) {
        long start = System.nanoTime();
        try {
            store.refund(chargeId);
        } finally {
            refund.record(System.nanoTime() - start);
        }
    }

    @Override
    public boolean isOptedOut(ConversationKey conversation) {
        long start = System.nanoTime();
        try {
            return store.isOptedOut(conversation);
        } finally {
            isOptedOut.record(System.nanoTime() - start);
        }
    }

    @Override
    public void optOut(ConversationKey conversation, Instant at) {
        long start = System.nanoTime();
        try {
            store.optOut(conversation, at);
        } finally {
            optOut.record(System.nanoTime() - start);
        }
    }

    @Override
    public void optIn(ConversationKey conversation) {
        long start = System.nanoTime();
        try {
            store.optIn(conversation);
        } finally {
            optIn.record(System.nanoTime() - start);
        }
    }

    @Override
    public Optional<Instant> lastInbound(ConversationKey conversation) {
        long start = System.nanoTime();
        try {
            return store.lastInbound(conversation);
        } finally {
            lastInbound.record(System.nanoTime() - start);
        }
    }

    @Override
    public void recordInbound(ConversationKey conversation, Instant at) {
        long start = System.nanoTime();
        try {
            store.recordInbound(conversation, at);
        } finally {
            recordInbound.record(System.nanoTime() - start);
        }
    }

    @Override
    public boolean claimFire(String scheduleId, Instant fireTime, String owner, Instant now) {
        long start = System.nanoTime();
        try {
            return store.claimFire(scheduleId, fireTime, owner, now);
        } finally {
            claimFire.record(System.nanoTime() - start);
        }
    }

    @Override
    public Optional<String> record(String kind, String key, Instant now) {
        long start = System.nanoTime();
        try {
            return store.record(kind, key, now);
        } finally {
            getRecord.record(System.nanoTime() - start);
        }
    }

    @Override
    public List<StoredRecord> records(String kind, Instant now) {
        long start = System.nanoTime();
        try {
            return store.records(kind, now);
        } finally {
            records.record(System.nanoTime() - start);
        }
    }

    @Override
    public void putRecord(String kind, String key, String value, Optional<Instant> expiresAt) {
        long start = System.nanoTime();
        try {
            store.putRecord(kind, key, value, expiresAt);
        } finally {
            putRecord.record(System.nanoTime() - start);
        }
    }

    @Override
    public boolean insertRecord(String kind, String key, String value, Optional<Instant> expiresAt, Instant now) {
        long start = System.nanoTime();
        try {
            return store.insertRecord(kind, key, value, expiresAt, now);
        } finally {
            insertRecord.record(System.nanoTime() - start);
        }
    }

    @Override
    public Optional<String> takeRecord(String kind, String key, Instant now) {
        long start = System.nanoTime();
        try {
            return store.takeRecord(kind, key, now);
        } finally {
            takeRecord.record(System.nanoTime() - start);
        }
    }

    @Override
    public boolean deleteRecord(String kind, String key) {
        long start = System.nanoTime();
        try {
            return store.deleteRecord(kind, key);
        } finally {
            deleteRecord.record(System.nanoTime() - start);
        }
    }

    @Override
    public int purge(Instant now) {
        long start = System.nanoTime();
        try {
            return store.purge(now);
        } finally {
            purge.record(System.nanoTime() - start);
        }
    }

    @Override
    public void close() {
        store.close();
    }

    @Override
    public String toString() {
        return store.toString();
    }
}
