package dev.switchboard.runtime.internal;

import dev.switchboard.runtime.store.OutboxPart;
import dev.switchboard.runtime.store.Store;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The messages one turn sends, in a durable store's outbox under the turn's inbox entry: numbered in
 * the order the turn hands them over, each part noted before its request and once accepted. A turn
 * whose process stopped finds them there and resumes them instead of asking the agent again.
 *
 * <p>The outbox is a safeguard, not a condition of sending: a note that cannot be written is logged
 * and the part is sent all the same, so that a database outage does not silence the agent (a crash
 * during that outage may then send such a part twice).
 */
final class TurnOutbox {

    private static final Logger log = LoggerFactory.getLogger(TurnOutbox.class);

    /** No outbox: a store in memory, or a push. */
    static final TurnOutbox NONE = new TurnOutbox(null, -1, true, null, null);

    private final Store store;
    private final long entry;
    private final boolean fresh;
    private final LeasedInbox.OptOutAtCommit optOut;
    private final StoreOptOuts optOuts;
    private final AtomicInteger next = new AtomicInteger();

    /**
     * @param fresh whether this process committed the entry and runs its turn for the first time:
     *     nothing can be recorded for it, and the outbox is not read
     * @param optOut what the entry's commit read of the person's opt-out, or null
     * @param optOuts the opt-outs that read came from, or null
     */
    TurnOutbox(Store store, long entry, boolean fresh, LeasedInbox.OptOutAtCommit optOut, StoreOptOuts optOuts) {
        this.store = store;
        this.entry = entry;
        this.fresh = fresh;
        this.optOut = optOut;
        this.optOuts = optOuts;
    }

    /**
     * Whether the person had opted out, as the entry's commit read it, if nothing this process knows
     * of changed it since; empty when it must be read again. (A change made by another process while
     * the message waited is seen by the outbox's own look before anything is sent.)
     */
    Optional<Boolean> optedOutAtCommit() {
        if (optOut == null || optOuts == null || optOuts.changes() != optOut.changes()) {
            return Optional.empty();
        }
        return Optional.of(optOut.optedOut());
    }

    /**
     * Records a message's parts and gives the journal of their progress.
     *
     * @param reply whether it is the agent's reply, which ends the turn, or an extra message before it
     */
    PartJournal message(List<String> parts, boolean reply) {
        if (store == null) {
            return PartJournal.NONE;
        }
        int message = reply ? OutboxPart.REPLY : next.getAndIncrement();
        try {
            store.recordParts(entry, message, parts);
        } catch (RuntimeException e) {
            log.warn("could not record the parts of message {} of inbox entry {}: {}", message, entry, e.getMessage());
        }
        return journal(message);
    }

    /** Whether nothing can have been recorded for this turn: no store, or its first run here. */
    boolean fresh() {
        return store == null || fresh;
    }

    /**
     * The messages this turn recorded before its process stopped, each a list of its parts in order;
     * empty if it recorded none (its agent had not answered), or if the outbox cannot be read.
     */
    List<List<OutboxPart>> recorded() {
        if (store == null || fresh) {
            return List.of();
        }
        List<OutboxPart> parts;
        try {
            parts = store.outbox(entry);
        } catch (RuntimeException e) {
            // Unknown: the agent is asked again, as when nothing was recorded (at least once).
            log.warn("could not read the outbox of inbox entry {}: {}", entry, e.getMessage());
            return List.of();
        }
        List<List<OutboxPart>> messages = new ArrayList<>();
        for (OutboxPart part : parts) {
            if (messages.isEmpty() || messages.get(messages.size() - 1).get(0).message() != part.message()) {
                messages.add(new ArrayList<>());
            }
            messages.get(messages.size() - 1).add(part);
        }
        int extras = 0;
        for (List<OutboxPart> message : messages) {
            if (message.get(0).message() != OutboxPart.REPLY) {
                extras = message.get(0).message() + 1;
            }
        }
        next.set(extras);
        return messages;
    }

    /** Whether {@code recorded} holds the agent's reply: the agent had answered. */
    static boolean answered(List<List<OutboxPart>> recorded) {
        return !recorded.isEmpty() && recorded.get(recorded.size() - 1).get(0).message() == OutboxPart.REPLY;
    }

    /** The journal of message {@code message} (a recorded one, when resuming). */
    PartJournal journal(int message) {
        if (store == null) {
            return PartJournal.NONE;
        }
        return new PartJournal() {
            @Override
            public void sending(int part, Instant at) {
                try {
                    store.partSending(entry, message, part, at);
                } catch (RuntimeException e) {
                    log.warn(
                            "could not note the sending of part {} of inbox entry {}: {}",
                            part + 1,
                            entry,
                            e.getMessage());
                }
            }

            @Override
            public void accepted(int part, String messageId) {
                try {
                    store.partAccepted(entry, message, part, messageId);
                } catch (RuntimeException e) {
                    log.warn(
                            "could not note that part {} of inbox entry {} was accepted as {}: {}",
                            part + 1,
                            entry,
                            messageId,
                            e.getMessage());
                }
            }
        };
    }
}
