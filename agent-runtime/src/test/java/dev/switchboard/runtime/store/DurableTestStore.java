package dev.switchboard.runtime.store;

import dev.switchboard.channel.ConversationKey;
import dev.switchboard.channel.DeliveryReceipt;
import dev.switchboard.channel.InboundMessage;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * A store in memory that the runtime takes for a durable one: every handle {@link #handle()} gives
 * shares the same state, as replicas share a database, and {@link #down(boolean)} makes every call
 * fail as a database that went away does. The runtime's logic for durable stores is tested on it
 * quickly; the JDBC stores pass the same runtime tests on real databases.
 */
public final class DurableTestStore implements Store {

    private final InMemoryStore shared;
    private final boolean[] down;
    private final int[] claims;
    // [0]: 1 while accepts are held; [1]: how many accepts wait. Guarded by itself.
    private final int[] acceptGate;

    private DurableTestStore(InMemoryStore shared, boolean[] down, int[] claims, int[] acceptGate) {
        this.shared = shared;
        this.down = down;
        this.claims = claims;
        this.acceptGate = acceptGate;
    }

    public static DurableTestStore create() {
        return new DurableTestStore(
                new InMemoryStore(StoreSettings.defaults()), new boolean[1], new int[1], new int[2]);
    }

    /** Another handle on the same state, as another replica's pool on the same database. */
    public DurableTestStore handle() {
        return new DurableTestStore(shared, down, claims, acceptGate);
    }

    /** Makes every accept wait, as a slow commit does, until {@link #releaseAccepts()}. */
    public void holdAccepts() {
        synchronized (acceptGate) {
            acceptGate[0] = 1;
        }
    }

    /** Lets the accepts held go on (failing if the store is {@linkplain #down down} by then). */
    public void releaseAccepts() {
        synchronized (acceptGate) {
            acceptGate[0] = 0;
            acceptGate.notifyAll();
        }
    }

    /** Waits until an accept is held; false if none within 10 s. */
    public boolean awaitHeldAccept() throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        synchronized (acceptGate) {
            while (acceptGate[1] == 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                acceptGate.wait(left / 1_000_000 + 1);
            }
            return true;
        }
    }

    /** Makes every call of every handle fail (true) or work again (false). */
    public void down(boolean isDown) {
        synchronized (down) {
            down[0] = isDown;
        }
    }

    private void check(String operation) {
        synchronized (down) {
            if (down[0]) {
                throw new StoreException(operation + " failed: the database is down (test)");
            }
        }
    }

    @Override
    public boolean durable() {
        return true;
    }

    @Override
    public String describe() {
        return "test";
    }

    @Override
    public List<Optional<InboxEntry>> accept(List<InboundMessage> messages, Instant now) {
        synchronized (acceptGate) {
            acceptGate[1]++;
            acceptGate.notifyAll();
            try {
                while (acceptGate[0] == 1) {
                    acceptGate.wait();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StoreException("interrupted while held (test)");
            } finally {
                acceptGate[1]--;
            }
        }
        check("accept");
        return shared.accept(messages, now);
    }

    @Override
    public List<ConversationKey> waitingConversations(Instant now, int limit) {
        check("waitingConversations");
        return shared.waitingConversations(now, limit);
    }

    @Override
    public List<InboxEntry> pending(ConversationKey conversation, int limit) {
        check("pending");
        return shared.pending(conversation, limit);
    }

    @Override
    public void done(InboxEntry entry, Instant now) {
        check("done");
        shared.done(entry, now);
    }

    @Override
    public void recordParts(long entrySequence, int message, List<String> texts) {
        check("recordParts");
        shared.recordParts(entrySequence, message, texts);
    }

    @Override
    public void partSending(long entrySequence, int message, int part, Instant at) {
        check("partSending");
        shared.partSending(entrySequence, message, part, at);
    }

    @Override
    public void partAccepted(long entrySequence, int message, int part, String messageId) {
        check("partAccepted");
        shared.partAccepted(entrySequence, message, part, messageId);
    }

    @Override
    public List<OutboxPart> outbox(long entrySequence) {
        check("outbox");
        return shared.outbox(entrySequence);
    }

    @Override
    public boolean lease(ConversationKey conversation, String owner, Instant now, Duration ttl) {
        check("lease");
        return shared.lease(conversation, owner, now, ttl);
    }

    @Override
    public void release(ConversationKey conversation, String owner) {
        check("release");
        shared.release(conversation, owner);
    }

    @Override
    public void record(HistoryEntry entry) {
        check("record");
        shared.record(entry);
    }

    @Override
    public void updateStatus(String channelId, String messageId, String status) {
        check("updateStatus");
        shared.updateStatus(channelId, messageId, status);
    }

    @Override
    public List<HistoryEntry> history(ConversationKey conversation, int limit) {
        check("history");
        return shared.history(conversation, limit);
    }

    @Override
    public List<ConversationSummary> conversations(int limit) {
        check("conversations");
        return shared.conversations(limit);
    }

    @Override
    public OutboundCharge charge(ConversationKey recipient, Instant at, int cost, int cap, Instant windowStart) {
        check("charge");
        return shared.charge(recipient, at, cost, cap, windowStart);
    }

    @Override
    public void refund(long chargeId) {
        check("refund");
        shared.refund(chargeId);
    }

    @Override
    public void recordReceipt(DeliveryReceipt receipt) {
        check("recordReceipt");
        shared.recordReceipt(receipt);
    }

    @Override
    public List<DeliveryReceipt> receipts(String channelId, Collection<String> messageIds) {
        check("receipts");
        return shared.receipts(channelId, messageIds);
    }

    @Override
    public boolean isOptedOut(ConversationKey conversation) {
        check("isOptedOut");
        return shared.isOptedOut(conversation);
    }

    @Override
    public void optOut(ConversationKey conversation, Instant at) {
        check("optOut");
        shared.optOut(conversation, at);
    }

    @Override
    public void optIn(ConversationKey conversation) {
        check("optIn");
        shared.optIn(conversation);
    }

    @Override
    public Optional<Instant> lastInbound(ConversationKey conversation) {
        check("lastInbound");
        return shared.lastInbound(conversation);
    }

    @Override
    public void recordInbound(ConversationKey conversation, Instant at) {
        check("recordInbound");
        shared.recordInbound(conversation, at);
    }

    @Override
    public boolean claimFire(String scheduleId, Instant fireTime, String owner, Instant now) {
        check("claimFire");
        boolean won = shared.claimFire(scheduleId, fireTime, owner, now);
        synchronized (claims) {
            claims[0]++;
            claims.notifyAll();
        }
        return won;
    }

    /** Waits until every handle together made {@code count} schedule claims; false if not within 10 s. */
    public boolean awaitClaims(int count) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        synchronized (claims) {
            while (claims[0] < count) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                claims.wait(left / 1_000_000 + 1);
            }
            return true;
        }
    }

    @Override
    public Optional<String> record(String kind, String key, Instant now) {
        check("record");
        return shared.record(kind, key, now);
    }

    @Override
    public List<StoredRecord> records(String kind, Instant now) {
        check("records");
        return shared.records(kind, now);
    }

    @Override
    public void putRecord(String kind, String key, String value, Optional<Instant> expiresAt) {
        check("putRecord");
        shared.putRecord(kind, key, value, expiresAt);
    }

    @Override
    public boolean insertRecord(String kind, String key, String value, Optional<Instant> expiresAt, Instant now) {
        check("insertRecord");
        return shared.insertRecord(kind, key, value, expiresAt, now);
    }

    @Override
    public Optional<String> takeRecord(String kind, String key, Instant now) {
        check("takeRecord");
        return shared.takeRecord(kind, key, now);
    }

    @Override
    public boolean deleteRecord(String kind, String key) {
        check("deleteRecord");
        return shared.deleteRecord(kind, key);
    }

    @Override
    public int purge(Instant now) {
        check("purge");
        return shared.purge(now);
    }

    @Override
    public void close() {}
}
