package dev.switchboard.runtime.store;

import static java.util.Objects.requireNonNull;

import dev.switchboard.channel.ConversationKey;
import dev.switchboard.channel.DeliveryReceipt;
import dev.switchboard.channel.InboundMessage;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The store of one process: plain collections behind one lock. Every method is short and does no
 * I/O, so one lock is both the simplest correct choice and fast enough for the runtime's use (the
 * runtime keeps its own lock-free first level in front of the dedupe records).
 */
final class InMemoryStore implements Store {

    /**
     * The most history lines kept in all, so that a process talking to many people keeps a bounded
     * memory: past it, the history of the conversation idle the longest is forgotten.
     */
    static final long MAX_HISTORY_LINES = 10_000;

    /** Outbound charges are kept this long: longer than any cap's window. */
    static final Duration CHARGE_RETENTION = Duration.ofHours(2);

    private record MessageKey(String channelId, String messageId) {}

    private record Lease(String owner, Instant expiresAt) {}

    private record Fire(String scheduleId, Instant fireTime) {}

    private final StoreSettings settings;
    private final Object lock = new Object();
    // Everything below is guarded by lock.
    private final Map<MessageKey, Instant> seen = new HashMap<>();
    private final TreeMap<Long, InboxEntry> inbox = new TreeMap<>();
    private final Map<ConversationKey, Lease> leases = new HashMap<>();
    // In order of the last line written, so that the conversation idle the longest goes first past
    // the bound; reading a conversation does not move it.
    private final LinkedHashMap<ConversationKey, ArrayDeque<HistoryEntry>> history = new LinkedHashMap<>();
    private long historyLines;
    private final Set<ConversationKey> optedOut = new HashSet<>();
    private final Map<ConversationKey, Instant> windows = new HashMap<>();
    private final Map<Fire, Instant> fires = new HashMap<>();
    private final Map<MessageKey, DeliveryReceipt> receipts = new HashMap<>();
    private final Map<Long, TreeMap<Long, OutboxPart>> outboxes = new HashMap<>();

    private record Charge(ConversationKey recipient, Instant at, int cost) {}

    private final TreeMap<Long, Charge> charges = new TreeMap<>();
    // By kind, then by key in order.
    private final Map<String, TreeMap<String, StoredRecord>> records = new HashMap<>();
    private long nextCharge = 1;
    private long nextSequence = 1;

    InMemoryStore(StoreSettings settings) {
        this.settings = requireNonNull(settings, "settings");
    }

    @Override
    public boolean durable() {
        return false;
    }

    @Override
    public String describe() {
        return "memory";
    }

    @Override
    public List<Optional<InboxEntry>> accept(List<InboundMessage> messages, Instant now) {
        requireNonNull(now, "now");
        List<Optional<InboxEntry>> accepted = new ArrayList<>(messages.size());
        synchronized (lock) {
            for (InboundMessage message : messages) {
                MessageKey key = new MessageKey(message.channelId(), message.id());
                Instant before = seen.get(key);
                if (before != null && before.plus(settings.dedupeRetention()).isAfter(now)) {
                    accepted.add(Optional.empty());
                    continue;
                }
                seen.put(key, now);
                long sequence = nextSequence++;
                InboxEntry entry = new InboxEntry(sequence, message, now);
                inbox.put(sequence, entry);
                addHistory(new HistoryEntry(
                        message.conversation(),
                        HistoryEntry.Direction.INBOUND,
                        message.text(),
                        message.receivedAt(),
                        Optional.of(message.id()),
                        Optional.empty()));
                accepted.add(Optional.of(entry));
            }
        }
        return accepted;
    }

    @Override
    public List<ConversationKey> waitingConversations(Instant now, int limit) {
        List<ConversationKey> waiting = new ArrayList<>();
        synchronized (lock) {
            Set<ConversationKey> listed = new HashSet<>();
            for (InboxEntry entry : inbox.values()) {
                if (waiting.size() >= limit) {
                    break;
                }
                ConversationKey conversation = entry.message().conversation();
                if (listed.add(conversation) && !live(leases.get(conversation), now)) {
                    waiting.add(conversation);
                }
            }
        }
        return waiting;
    }

    @Override
    public List<InboxEntry> pending(ConversationKey conversation, int limit) {
        List<InboxEntry> pending = new ArrayList<>();
        synchronized (lock) {
            for (InboxEntry entry : inbox.values()) {
                if (pending.size() >= limit) {
                    break;
                }
                if (entry.message().conversation().equals(conversation)) {
                    pending.add(entry);
                }
            }
        }
        return pending;
    }

    @Override
    public void done(InboxEntry entry, Instant now) {
        synchronized (lock) {
            // The dedupe record keeps a redelivery out; the entry itself is not needed any more.
            inbox.remove(entry.sequence());
            outboxes.remove(entry.sequence());
        }
    }

    @Override
    public void recordParts(long entrySequence, int message, List<String> texts) {
        synchronized (lock) {
            TreeMap<Long, OutboxPart> parts = outboxes.computeIfAbsent(entrySequence, k -> new TreeMap<>());
            for (int i = 0; i < texts.size(); i++) {
                parts.putIfAbsent(
                        slot(message, i),
                        new OutboxPart(
                                entrySequence,
                                message,
                                i,
                                texts.get(i),
                                OutboxPart.State.PENDING,
                                Optional.empty(),
                                Optional.empty()));
            }
        }
    }

    @Override
    public void partSending(long entrySequence, int message, int part, Instant at) {
        synchronized (lock) {
            movePart(
                    entrySequence,
                    message,
                    part,
                    p -> p.state() == OutboxPart.State.ACCEPTED
                            ? p
                            : new OutboxPart(
                                    p.entrySequence(),
                                    p.message(),
                                    p.part(),
                                    p.text(),
                                    OutboxPart.State.SENDING,
                                    p.messageId(),
                                    Optional.of(at)));
        }
    }

    @Override
    public void partAccepted(long entrySequence, int message, int part, String messageId) {
        requireNonNull(messageId, "messageId");
        synchronized (lock) {
            movePart(
                    entrySequence,
                    message,
                    part,
                    p -> new OutboxPart(
                            p.entrySequence(),
                            p.message(),
                            p.part(),
                            p.text(),
                            OutboxPart.State.ACCEPTED,
                            Optional.of(messageId),
                            p.attemptAt()));
        }
    }

    @Override
    public List<OutboxPart> outbox(long entrySequence) {
        synchronized (lock) {
            TreeMap<Long, OutboxPart> parts = outboxes.get(entrySequence);
            return parts == null ? List.of() : List.copyOf(parts.values());
        }
    }

    // guarded by lock
    private void movePart(
            long entrySequence, int message, int part, java.util.function.UnaryOperator<OutboxPart> move) {
        TreeMap<Long, OutboxPart> parts = outboxes.get(entrySequence);
        if (parts != null) {
            parts.computeIfPresent(slot(message, part), (k, p) -> move.apply(p));
        }
    }

    private static long slot(int message, int part) {
        return ((long) message << 32) | part;
    }

    @Override
    public boolean lease(ConversationKey conversation, String owner, Instant now, Duration ttl) {
        requireNonNull(owner, "owner");
        synchronized (lock) {
            Lease held = leases.get(conversation);
            if (held != null && !held.owner().equals(owner) && live(held, now)) {
                return false;
            }
            leases.put(conversation, new Lease(owner, now.plus(ttl)));
            return true;
        }
    }

    @Override
    public void release(ConversationKey conversation, String owner) {
        synchronized (lock) {
            Lease held = leases.get(conversation);
            if (held != null && held.owner().equals(owner)) {
                leases.remove(conversation);
            }
        }
    }

    @Override
    public void record(HistoryEntry entry) {
        synchronized (lock) {
            addHistory(entry);
        }
    }

    @Override
    public void updateStatus(String channelId, String messageId, String status) {
        requireNonNull(status, "status");
        synchronized (lock) {
            for (Map.Entry<ConversationKey, ArrayDeque<HistoryEntry>> lines : history.entrySet()) {
                if (!lines.getKey().channelId().equals(channelId)) {
                    continue;
                }
                ArrayDeque<HistoryEntry> updated =
                        new ArrayDeque<>(lines.getValue().size());
                boolean changed = false;
                for (HistoryEntry line : lines.getValue()) {
                    if (line.direction() == HistoryEntry.Direction.OUTBOUND
                            && line.messageId().filter(messageId::equals).isPresent()) {
                        line = new HistoryEntry(
                                line.conversation(),
                                line.direction(),
                                line.text(),
                                line.at(),
                                line.messageId(),
                                Optional.of(status));
                        changed = true;
                    }
                    updated.add(line);
                }
                if (changed) {
                    lines.setValue(updated);
                    return;
                }
            }
        }
    }

    @Override
    public List<HistoryEntry> history(ConversationKey conversation, int limit) {
        synchronized (lock) {
            ArrayDeque<HistoryEntry> lines = history.get(conversation);
            if (lines == null || limit <= 0) {
                return List.of();
            }
            List<HistoryEntry> all = new ArrayList<>(lines);
            return List.copyOf(all.subList(Math.max(0, all.size() - limit), all.size()));
        }
    }

    @Override
    public List<ConversationSummary> conversations(int limit) {
        if (limit <= 0) {
            return List.of();
        }
        synchronized (lock) {
            return history.entrySet().stream()
                    .filter(e -> !e.getValue().isEmpty())
                    .map(e -> new ConversationSummary(
                            e.getKey(), lastActivity(e.getValue()), e.getValue().size()))
                    .sorted(Comparator.comparing(ConversationSummary::lastActivity)
                            .reversed())
                    .limit(limit)
                    .toList();
        }
    }

    @Override
    public OutboundCharge charge(ConversationKey recipient, Instant at, int cost, int cap, Instant windowStart) {
        synchronized (lock) {
            long charged = 0;
            for (Charge charge : charges.values()) {
                if (charge.recipient().equals(recipient) && charge.at().isAfter(windowStart)) {
                    charged += charge.cost();
                }
            }
            if (charged + cost > cap) {
                return new OutboundCharge(false, charged, 0);
            }
            long id = nextCharge++;
            charges.put(id, new Charge(recipient, at, cost));
            return new OutboundCharge(true, charged, id);
        }
    }

    @Override
    public void refund(long chargeId) {
        synchronized (lock) {
            charges.remove(chargeId);
        }
    }

    @Override
    public void recordReceipt(DeliveryReceipt receipt) {
        synchronized (lock) {
            receipts.merge(
                    new MessageKey(receipt.channelId(), receipt.messageId()),
                    receipt,
                    (kept, next) -> next.status().rank() > kept.status().rank() ? next : kept);
        }
    }

    @Override
    public List<DeliveryReceipt> receipts(String channelId, Collection<String> messageIds) {
        List<DeliveryReceipt> found = new ArrayList<>();
        synchronized (lock) {
            for (String messageId : messageIds) {
                DeliveryReceipt receipt = receipts.get(new MessageKey(channelId, messageId));
                if (receipt != null) {
                    found.add(receipt);
                }
            }
        }
        return found;
    }

    @Override
    public boolean isOptedOut(ConversationKey conversation) {
        synchronized (lock) {
            return optedOut.contains(conversation);
        }
    }

    @Override
    public void optOut(ConversationKey conversation, Instant at) {
        synchronized (lock) {
            optedOut.add(requireNonNull(conversation, "conversation"));
        }
    }

    @Override
    public void optIn(ConversationKey conversation) {
        synchronized (lock) {
            optedOut.remove(conversation);
        }
    }

    @Override
    public Optional<Instant> lastInbound(ConversationKey conversation) {
        synchronized (lock) {
            return Optional.ofNullable(windows.get(conversation));
        }
    }

    @Override
    public void recordInbound(ConversationKey conversation, Instant at) {
        requireNonNull(at, "at");
        synchronized (lock) {
            windows.merge(requireNonNull(conversation, "conversation"), at, (a, b) -> a.isAfter(b) ? a : b);
        }
    }

    @Override
    public boolean claimFire(String scheduleId, Instant fireTime, String owner, Instant now) {
        synchronized (lock) {
            return fires.putIfAbsent(new Fire(scheduleId, fireTime), now) == null;
        }
    }

    @Override
    public Optional<String> record(String kind, String key, Instant now) {
        requireNonNull(kind, "kind");
        requireNonNull(key, "key");
        requireNonNull(now, "now");
        synchronized (lock) {
            StoredRecord found = liveRecord(kind, key, now);
            return found == null ? Optional.empty() : Optional.of(found.value());
        }
    }

    @Override
    public List<StoredRecord> records(String kind, Instant now) {
        requireNonNull(kind, "kind");
        requireNonNull(now, "now");
        synchronized (lock) {
            TreeMap<String, StoredRecord> ofKind = records.get(kind);
            if (ofKind == null) {
                return List.of();
            }
            return ofKind.values().stream().filter(r -> r.liveAt(now)).toList();
        }
    }

    @Override
    public void putRecord(String kind, String key, String value, Optional<Instant> expiresAt) {
        StoredRecord record = new StoredRecord(kind, key, value, expiresAt);
        synchronized (lock) {
            records.computeIfAbsent(kind, k -> new TreeMap<>()).put(key, record);
        }
    }

    @Override
    public boolean insertRecord(String kind, String key, String value, Optional<Instant> expiresAt, Instant now) {
        StoredRecord record = new StoredRecord(kind, key, value, expiresAt);
        requireNonNull(now, "now");
        synchronized (lock) {
            if (liveRecord(kind, key, now) != null) {
                return false;
            }
            records.computeIfAbsent(kind, k -> new TreeMap<>()).put(key, record);
            return true;
        }
    }

    @Override
    public Optional<String> takeRecord(String kind, String key, Instant now) {
        requireNonNull(kind, "kind");
        requireNonNull(key, "key");
        requireNonNull(now, "now");
        synchronized (lock) {
            StoredRecord found = liveRecord(kind, key, now);
            if (found == null) {
                return Optional.empty();
            }
            removeRecord(kind, key);
            return Optional.of(found.value());
        }
    }

    @Override
    public boolean deleteRecord(String kind, String key) {
        requireNonNull(kind, "kind");
        requireNonNull(key, "key");
        synchronized (lock) {
            return removeRecord(kind, key);
        }
    }

    private StoredRecord liveRecord(String kind, String key, Instant now) {
        TreeMap<String, StoredRecord> ofKind = records.get(kind);
        StoredRecord found = ofKind == null ? null : ofKind.get(key);
        return found != null && found.liveAt(now) ? found : null;
    }

    private boolean removeRecord(String kind, String key) {
        TreeMap<String, StoredRecord> ofKind = records.get(kind);
        if (ofKind == null || ofKind.remove(key) == null) {
            return false;
        }
        if (ofKind.isEmpty()) {
            records.remove(kind);
        }
        return true;
    }

    @Override
    public int purge(Instant now) {
        Instant dedupeBefore = now.minus(settings.dedupeRetention());
        Instant historyBefore = now.minus(settings.historyRetention());
        int removed = 0;
        synchronized (lock) {
            removed += removeIf(seen.values(), dedupeBefore);
            for (Iterator<ArrayDeque<HistoryEntry>> it = history.values().iterator(); it.hasNext(); ) {
                ArrayDeque<HistoryEntry> lines = it.next();
                while (!lines.isEmpty() && !lines.peekFirst().at().isAfter(historyBefore)) {
                    lines.removeFirst();
                    historyLines--;
                    removed++;
                }
                if (lines.isEmpty()) {
                    it.remove();
                }
            }
            removed += removeIf(fires.values(), dedupeBefore);
            for (Iterator<Charge> it = charges.values().iterator(); it.hasNext(); ) {
                if (!it.next().at().isAfter(now.minus(CHARGE_RETENTION))) {
                    it.remove();
                    removed++;
                }
            }
            for (Iterator<DeliveryReceipt> it = receipts.values().iterator(); it.hasNext(); ) {
                if (!it.next().receivedAt().isAfter(dedupeBefore)) {
                    it.remove();
                    removed++;
                }
            }
            for (Iterator<Lease> it = leases.values().iterator(); it.hasNext(); ) {
                if (!live(it.next(), now)) {
                    it.remove();
                    removed++;
                }
            }
            for (Iterator<TreeMap<String, StoredRecord>> kinds =
                            records.values().iterator();
                    kinds.hasNext(); ) {
                TreeMap<String, StoredRecord> ofKind = kinds.next();
                for (Iterator<StoredRecord> it = ofKind.values().iterator(); it.hasNext(); ) {
                    if (!it.next().liveAt(now)) {
                        it.remove();
                        removed++;
                    }
                }
                if (ofKind.isEmpty()) {
                    kinds.remove();
                }
            }
        }
        return removed;
    }

    @Override
    public void close() {
        // Nothing to release.
    }

    private void addHistory(HistoryEntry entry) {
        if (settings.historyRetention().isZero()) {
            return;
        }
        ArrayDeque<HistoryEntry> lines = history.remove(entry.conversation());
        if (lines == null) {
            lines = new ArrayDeque<>();
        }
        history.put(entry.conversation(), lines);
        lines.addLast(entry);
        historyLines++;
        while (lines.size() > settings.historyPerConversation()) {
            lines.removeFirst();
            historyLines--;
        }
        // Memory is bounded: the conversations idle the longest are forgotten first.
        for (Iterator<ArrayDeque<HistoryEntry>> it = history.values().iterator();
                historyLines > MAX_HISTORY_LINES && it.hasNext(); ) {
            ArrayDeque<HistoryEntry> oldest = it.next();
            if (oldest == lines) {
                break;
            }
            historyLines -= oldest.size();
            it.remove();
        }
    }

    private static Instant lastActivity(ArrayDeque<HistoryEntry> lines) {
        Instant last = Instant.MIN;
        for (HistoryEntry line : lines) {
            if (line.at().isAfter(last)) {
                last = line.at();
            }
        }
        return last;
    }

    private static boolean live(Lease lease, Instant now) {
        return lease != null && lease.expiresAt().isAfter(now);
    }

    private static int removeIf(Iterable<Instant> times, Instant before) {
        int removed = 0;
        for (Iterator<Instant> it = times.iterator(); it.hasNext(); ) {
            if (!it.next().isAfter(before)) {
                it.remove();
                removed++;
            }
        }
        return removed;
    }
}
