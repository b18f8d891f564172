package dev.switchboard.runtime.store;

import dev.switchboard.channel.ConversationKey;
import dev.switchboard.channel.DeliveryReceipt;
import dev.switchboard.channel.InboundMessage;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Everything the runtime must remember, in one place: the inbox of accepted messages and their
 * dedupe records, the leases that keep one turn at a time per conversation across replicas, the
 * history of each conversation, opt-outs, messaging windows and schedule claims.
 *
 * <p>Three implementations: {@link #inMemory()} (the default: as fast as no store, forgotten when
 * the process ends), and one JDBC implementation for SQLite (durable, one process) and PostgreSQL
 * (durable and shared by many replicas), built with {@link JdbcStores}. Each method is one
 * transaction: what must change together (a message's dedupe record, its inbox entry and its line of
 * history) changes in one call.
 *
 * <p>Methods may block on I/O and must not be called on an event loop. A store that cannot do what
 * was asked throws {@link StoreException}, with a message that names what failed and never a message
 * body or a password. Implementations are thread-safe.
 */
public interface Store extends AutoCloseable {

    /**
     * A store that keeps everything in this process's memory, forgotten when it ends. Its history
     * holds at most 10,000 lines in all; past that, the conversation idle the longest is forgotten
     * first.
     */
    static Store inMemory() {
        return new InMemoryStore(StoreSettings.defaults());
    }

    /** A store in memory with these retention settings. */
    static Store inMemory(StoreSettings settings) {
        return new InMemoryStore(settings);
    }

    // Times are kept to the millisecond by the JDBC stores (to the nanosecond in memory); a limit of 0
    // or less asks for nothing and gets an empty list.

    /** Whether what this store keeps outlives the process (and is shared by every process using it). */
    boolean durable();

    /** What this store is, for logs: {@code memory}, {@code sqlite:switchboard.db}, {@code postgresql://host:5432/db}; never a password. */
    String describe();

    /**
     * Checks that the store answers, for a readiness probe ({@code /readyz} of the admin server): a
     * JDBC store runs {@code SELECT 1} with a 2-second timeout on a connection from its pool; a store in
     * memory always answers (this default does nothing). A caller that must not wait longer than it
     * chooses runs it on a thread of its own.
     *
     * @throws StoreException when the store does not answer, saying why
     */
    default void ping() {}

    // ---------------------------------------------------------------- inbox and dedupe

    /**
     * Accepts messages, all in one transaction: for each that is new, its dedupe record, its inbox
     * entry and its line of history. A message whose channel and id were accepted before (and are
     * still remembered, {@link StoreSettings#dedupeRetention()}) is a duplicate and changes nothing,
     * also when it appears twice in {@code messages}.
     *
     * @param now the time of acceptance
     * @return for each message, in order, its new inbox entry, or empty for a duplicate
     * @throws StoreException when the transaction did not commit: none of the messages was accepted
     */
    List<Optional<InboxEntry>> accept(List<InboundMessage> messages, Instant now);

    /**
     * Accepts messages as {@link #accept(List, Instant)} does and, in the same transaction, takes for
     * {@code owner} the lease (as {@link #lease} does, until {@code now + leaseTtl}) of each
     * conversation with a new entry, where no other owner holds one that is live, and reads whether
     * the people of the leased conversations opted out. One transaction instead of one per
     * conversation, and the entries can go to their turns without reading them back. The inbound
     * lines beyond {@link StoreSettings#historyPerConversation()} may stay until the entries are
     * {@linkplain #settle settled}.
     *
     * @throws StoreException when the transaction did not commit: no message was accepted and no lease
     *     taken
     */
    default Acceptance accept(List<InboundMessage> messages, Instant now, String owner, Duration leaseTtl) {
        List<Optional<InboxEntry>> entries = accept(messages, now);
        Map<ConversationKey, Boolean> leased = new LinkedHashMap<>();
        for (Optional<InboxEntry> entry : entries) {
            if (entry.isPresent()) {
                ConversationKey conversation = entry.get().message().conversation();
                if (!leased.containsKey(conversation) && lease(conversation, owner, now, leaseTtl)) {
                    // Alone when the oldest waiting entry is this call's first of the conversation.
                    List<InboxEntry> oldest = pending(conversation, 1);
                    leased.put(
                            conversation,
                            !oldest.isEmpty()
                                    && oldest.get(0).sequence() == entry.get().sequence());
                }
            }
        }
        Set<ConversationKey> optedOut = new HashSet<>();
        for (ConversationKey conversation : leased.keySet()) {
            if (isOptedOut(conversation)) {
                optedOut.add(conversation);
            }
        }
        return new Acceptance(entries, leased, optedOut);
    }

    /**
     * The conversations that have inbox entries not yet done and no lease that is still live at
     * {@code now} (none, or one that expired), the one with the oldest waiting entry first.
     */
    List<ConversationKey> waitingConversations(Instant now, int limit);

    /** The conversation's inbox entries not yet done, in the order they were accepted, at most {@code limit}. */
    List<InboxEntry> pending(ConversationKey conversation, int limit);

    /**
     * Marks an inbox entry done: its turn ran (or was decided against), and it is not run again. Its
     * outbox goes with it.
     */
    void done(InboxEntry entry, Instant now);

    /**
     * Marks inbox entries done, as {@link #done} does (and drops their conversations' lines beyond the
     * history bound), and gives up the leases {@code owner} holds of
     * the conversations in {@code release} where nothing waits any more; all in one transaction, so
     * that a message accepted meanwhile (by any replica) is never left waiting with no holder.
     *
     * @return the conversations of {@code release} whose lease {@code owner} still holds because
     *     messages of theirs wait
     * @throws StoreException when the transaction did not commit: nothing changed
     */
    default Set<ConversationKey> settle(
            Collection<InboxEntry> done, Collection<ConversationKey> release, String owner, Instant now) {
        for (InboxEntry entry : done) {
            done(entry, now);
        }
        Set<ConversationKey> kept = new HashSet<>();
        for (ConversationKey conversation : release) {
            if (!pending(conversation, 1).isEmpty()) {
                kept.add(conversation);
            } else {
                // Not atomic here: a message accepted between the read and the release waits for a poller.
                release(conversation, owner);
            }
        }
        return kept;
    }

    // ---------------------------------------------------------------- outbox

    /**
     * Records the parts of a message a turn is about to send, each {@link OutboxPart.State#PENDING};
     * a message recorded before (the same entry and number) is left as it is.
     */
    void recordParts(long entrySequence, int message, List<String> texts);

    /** Marks a part {@link OutboxPart.State#SENDING}: an attempt to send it begins at {@code at}. */
    void partSending(long entrySequence, int message, int part, Instant at);

    /** Marks a part {@link OutboxPart.State#ACCEPTED} as the provider's {@code messageId}. */
    void partAccepted(long entrySequence, int message, int part, String messageId);

    /** The outbox of an inbox entry's turn, by message then part; empty if it sent nothing. */
    List<OutboxPart> outbox(long entrySequence);

    // ---------------------------------------------------------------- leases

    /**
     * Takes the conversation's lease for {@code owner} until {@code now + ttl}, or extends it if
     * {@code owner} holds it already. A lease another owner holds is taken only once it expired.
     *
     * @return whether {@code owner} holds the lease now
     */
    boolean lease(ConversationKey conversation, String owner, Instant now, Duration ttl);

    /** Gives up the conversation's lease if {@code owner} holds it; otherwise does nothing. */
    void release(ConversationKey conversation, String owner);

    // ---------------------------------------------------------------- history

    /**
     * Adds a line to its conversation's history (inbound lines come from {@link #accept}). Lines
     * beyond {@link StoreSettings#historyPerConversation()} drop the conversation's oldest; with a
     * history retention of zero nothing is kept.
     */
    void record(HistoryEntry entry);

    /**
     * Changes the status of an outbound line, found by its channel and the provider's message id;
     * does nothing when there is none.
     */
    void updateStatus(String channelId, String messageId, String status);

    /** The conversation's most recent {@code limit} lines, oldest first. */
    List<HistoryEntry> history(ConversationKey conversation, int limit);

    /** The conversations with history, the most recently active first. */
    List<ConversationSummary> conversations(int limit);

    // ---------------------------------------------------------------- delivery reports

    /**
     * Keeps a delivery report for the replica that sent the message, which may not be the one the
     * provider called: it {@linkplain #receipts reads} the reports of its parts that it has not heard
     * of itself. Of the reports for one message the one furthest on ({@link
     * dev.switchboard.channel.DeliveryStatus#rank()}) is kept, for the dedupe retention.
     */
    void recordReceipt(DeliveryReceipt receipt);

    /** The furthest report kept for each of these messages of the channel that has one, in no order. */
    List<DeliveryReceipt> receipts(String channelId, Collection<String> messageIds);

    // ---------------------------------------------------------------- outbound cap

    /**
     * Charges {@code cost} to the person of {@code recipient} at {@code at} if, with it, what they
     * were charged after {@code windowStart} stays within {@code cap}; otherwise charges nothing. One
     * transaction, and one at a time per person across every process sharing the store, so that
     * replicas together never let more through than the cap.
     */
    OutboundCharge charge(ConversationKey recipient, Instant at, int cost, int cap, Instant windowStart);

    /** Gives a charge back: its part certainly did not reach the provider. */
    void refund(long chargeId);

    // ---------------------------------------------------------------- opt-outs

    boolean isOptedOut(ConversationKey conversation);

    void optOut(ConversationKey conversation, Instant at);

    void optIn(ConversationKey conversation);

    // ---------------------------------------------------------------- messaging windows

    /** When the person last wrote on the conversation's channel, as far as this store remembers. */
    Optional<Instant> lastInbound(ConversationKey conversation);

    /** Remembers that the person wrote at {@code at}; an earlier time than the one kept changes nothing. */
    void recordInbound(ConversationKey conversation, Instant at);

    // ---------------------------------------------------------------- schedules

    /**
     * Claims one fire time of a schedule: the first owner to claim it gets {@code true}, every later
     * claim (from any process sharing the store) {@code false}.
     */
    boolean claimFire(String scheduleId, Instant fireTime, String owner, Instant now);

    // ---------------------------------------------------------------- keyed records

    /**
     * The value of a record that is live at {@code now} (see {@link StoredRecord}), or empty when there
     * is none or it expired.
     */
    Optional<String> record(String kind, String key, Instant now);

    /** The records of a kind that are live at {@code now}, ordered by key. */
    List<StoredRecord> records(String kind, Instant now);

    /** Writes a record, replacing the one of the same kind and key if there is one. */
    void putRecord(String kind, String key, String value, Optional<Instant> expiresAt);

    /**
     * Writes a record only if none of the same kind and key is live at {@code now} (an expired one is
     * replaced). Atomic across every process sharing the store: of two inserts of the same key, one
     * gets {@code true}.
     *
     * @return whether this call wrote the record
     */
    boolean insertRecord(String kind, String key, String value, Optional<Instant> expiresAt, Instant now);

    /**
     * Deletes a record and returns its value if it was live at {@code now}; an expired record is left
     * to {@link #purge}. Atomic across every process sharing the store: of two takes of the same
     * record, exactly one gets its value.
     */
    Optional<String> takeRecord(String kind, String key, Instant now);

    /**
     * Deletes a record, live or expired.
     *
     * @return whether there was one
     */
    boolean deleteRecord(String kind, String key);

    // ---------------------------------------------------------------- housekeeping

    /**
     * Forgets what is past its retention at {@code now}: dedupe records, inbox entries done,
     * history lines, schedule claims, expired leases and expired {@linkplain StoredRecord records}.
     *
     * @return how many rows (or entries) were removed
     */
    int purge(Instant now);

    /** Releases the store's connections; the store is not used after. */
    @Override
    void close();
}
