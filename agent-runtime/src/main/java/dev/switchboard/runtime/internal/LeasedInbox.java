package dev.switchboard.runtime.internal;

import dev.switchboard.channel.Channel;
import dev.switchboard.channel.ConversationKey;
import dev.switchboard.runtime.store.Acceptance;
import dev.switchboard.runtime.store.InboxEntry;
import dev.switchboard.runtime.store.Store;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns the messages of a durable store's inbox into turns, one conversation at a time across every
 * replica sharing the store.
 *
 * <p>A replica works on a conversation's messages only while it holds the conversation's lease in the
 * store; it renews its leases every third of the lease timeout. The transaction that commits a
 * message takes the lease of its conversation when no one holds it, and the replica then runs that
 * conversation's waiting messages in the order the store accepted them, whichever replica accepted
 * them. A turn that ran is marked done by a thread of its own, many in one transaction; with the
 * conversation's last turn here, that transaction gives the lease up too, unless a message waits (then
 * this replica runs it). A message committed while another replica holds its conversation waits for
 * that replica, and a poller on every replica picks up what is left: a conversation whose holder
 * died (within the lease timeout), or the messages a restart found.
 *
 * <p>A turn runs at least once: one that was under way when its replica died runs again on the
 * replica that takes the conversation over. Every other message has exactly one turn.
 */
final class LeasedInbox implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LeasedInbox.class);

    private static final int BATCH = 64;
    /** The most turns one transaction marks done. */
    private static final int SETTLE_BATCH = 256;

    private static final Duration PURGE_EVERY = Duration.ofMinutes(10);

    /**
     * Puts a message in its conversation's lane; {@code finished} runs once its turn ran. {@code fresh}
     * says that this process committed the message and has not run its turn before, so that no
     * process can have begun to send for it. {@code optOut} is what its commit read of the person's
     * opt-out, or null when it was read some other way.
     */
    @FunctionalInterface
    public interface Lanes {
        void enqueue(Channel channel, InboxEntry entry, boolean fresh, OptOutAtCommit optOut, Runnable finished);
    }

    /**
     * Whether the person had opted out when the message was committed, and how many opt-out changes
     * this process had made then ({@link StoreOptOuts#changes()}): the state holds for the turn while
     * that count is the same.
     */
    record OptOutAtCommit(boolean optedOut, long changes) {}

    /** A conversation this replica holds, and where its entries are; all guarded by the object. */
    private static final class Held {
        /** Handed to the lane, turn not yet run. */
        final Set<Long> submitted = new HashSet<>();
        /** Turn ran, waiting to be marked done. */
        final Set<Long> settling = new HashSet<>();
        /** Turn ran, but marking it done failed: marked with the conversation's next settling. */
        final Map<Long, InboxEntry> undone = new HashMap<>();
        /** The settling of the last turn here, which gives the lease up unless a message waits, is under way. */
        boolean releasing;
        /** The store is to be read once the release is settled: an acceptance found older entries. */
        boolean readAfterRelease;
        /** Given up: no longer this replica's. */
        boolean released;

        boolean owns(long sequence) {
            return submitted.contains(sequence) || settling.contains(sequence) || undone.containsKey(sequence);
        }
    }

    /** A turn that ran (or, with no entry, a conversation to give up), to be settled in the store. */
    private record Settling(ConversationKey conversation, Held held, InboxEntry entry, boolean release) {}

    private static final Settling STOP = new Settling(null, null, null, false);

    private final Store store;
    private final Clock clock;
    private final Map<String, Channel> channels;
    private final Lanes lanes;
    private final Duration leaseTimeout;
    private final String owner;
    private final ConcurrentHashMap<ConversationKey, Held> held = new ConcurrentHashMap<>();
    // The entries being handed on by a read that their commit here asked for.
    private final Set<Long> committedHere = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService timer;
    /** Hands on what commits accepted and reads the store for it, one thing after another. */
    private final ExecutorService handOff;

    private final LinkedBlockingQueue<Settling> settlings = new LinkedBlockingQueue<>();
    private final Thread settler;
    private volatile boolean closed;

    public LeasedInbox(
            Store store,
            String owner,
            Clock clock,
            List<Channel> channels,
            Lanes lanes,
            Duration leaseTimeout,
            Duration pollInterval) {
        this.store = store;
        this.clock = clock;
        this.channels = new ConcurrentHashMap<>();
        channels.forEach(channel -> this.channels.put(channel.id(), channel));
        this.lanes = lanes;
        this.leaseTimeout = leaseTimeout;
        this.owner = owner;
        this.handOff = Executors.newSingleThreadExecutor(runnable -> {
            Thread thread = new Thread(runnable, "switchboard-inbox-handoff");
            thread.setDaemon(true);
            return thread;
        });
        this.settler = new Thread(this::settleLoop, "switchboard-inbox-settler");
        this.settler.setDaemon(true);
        this.settler.start();
        this.timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "switchboard-leases");
            thread.setDaemon(true);
            return thread;
        });
        long renew = Math.max(1, leaseTimeout.toMillis() / 3);
        timer.scheduleWithFixedDelay(this::renew, renew, renew, TimeUnit.MILLISECONDS);
        // The first look at once: what a restart (or a dead replica) left waiting.
        timer.scheduleWithFixedDelay(this::poll, 0, pollInterval.toMillis(), TimeUnit.MILLISECONDS);
        timer.scheduleWithFixedDelay(
                this::purge, PURGE_EVERY.toMillis(), PURGE_EVERY.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** This replica's name in the store's leases. */
    public String owner() {
        return owner;
    }

    /** How many conversations this replica holds now. */
    public int heldCount() {
        return held.size();
    }

    /**
     * Hands on what a commit accepted: the conversations whose lease the commit took for this replica
     * go to their lanes. A conversation whose new entries are all it has waiting goes at once, in the
     * order of the commit; one with older entries waiting (or that this replica runs already) is read
     * from the store, in its order. Called on the committer's thread, after the answers; the work is
     * done on a thread of this inbox's, in the order of the commits, so that the next commit starts at
     * once.
     */
    public void accepted(Acceptance acceptance, long optOutChanges) {
        if (closed || acceptance.leased().isEmpty()) {
            return;
        }
        try {
            handOff.execute(() -> handOn(acceptance, optOutChanges));
        } catch (RejectedExecutionException e) {
            // Closing: the entries stay in the store for the next holder.
        }
    }

    private void handOn(Acceptance acceptance, long optOutChanges) {
        Map<ConversationKey, List<InboxEntry>> fresh = new HashMap<>();
        for (Optional<InboxEntry> entry : acceptance.entries()) {
            entry.ifPresent(present -> fresh.computeIfAbsent(present.message().conversation(), key -> new ArrayList<>())
                    .add(present));
        }
        acceptance
                .leased()
                .forEach((conversation, alone) -> take(
                        conversation,
                        fresh.getOrDefault(conversation, List.of()),
                        alone,
                        optOutChanges < 0
                                ? null
                                : new OptOutAtCommit(acceptance.optedOut().contains(conversation), optOutChanges)));
    }

    private void take(ConversationKey conversation, List<InboxEntry> entries, boolean alone, OptOutAtCommit optOut) {
        while (true) {
            Held mine = held.computeIfAbsent(conversation, key -> new Held());
            synchronized (mine) {
                if (mine.released) {
                    // Given up a moment ago: this commit took the lease anew.
                    held.remove(conversation, mine);
                    continue;
                }
                if (alone && mine.submitted.isEmpty()) {
                    for (InboxEntry entry : entries) {
                        submit(conversation, mine, entry, true, optOut);
                    }
                    return;
                }
            }
            // Older entries first: read them all in the store's order. Fresh while that read hands
            // them on; handed on later (by a poller, here or elsewhere), their outbox is read like any
            // other's.
            entries.forEach(entry -> committedHere.add(entry.sequence()));
            try {
                pull(conversation);
            } finally {
                entries.forEach(entry -> committedHere.remove(entry.sequence()));
            }
            return;
        }
    }

    private boolean acquire(ConversationKey conversation) {
        try {
            if (!store.lease(conversation, owner, clock.instant(), leaseTimeout)) {
                return false;
            }
        } catch (RuntimeException e) {
            log.warn("could not take the lease of {}: {}", conversation, e.getMessage());
            return false;
        }
        held.putIfAbsent(conversation, new Held());
        return true;
    }

    /**
     * Hands the conversation's waiting entries not yet handed on to its lane, in the store's order;
     * gives the conversation up if none is left. Does nothing if this replica does not hold it.
     */
    private void pull(ConversationKey conversation) {
        Held mine = held.get(conversation);
        if (mine == null) {
            return;
        }
        synchronized (mine) {
            if (mine.released) {
                return;
            }
            if (mine.releasing) {
                // Whether the lease is still this replica's is known once the release is settled.
                mine.readAfterRelease = true;
                return;
            }
            List<InboxEntry> waiting;
            try {
                waiting = store.pending(conversation, BATCH);
            } catch (RuntimeException e) {
                log.warn("could not read the waiting messages of {}: {}", conversation, e.getMessage());
                if (mine.submitted.isEmpty()) {
                    // Nothing under way here: let the lease go (or run out), for a poller to try again.
                    letGo(conversation, mine);
                }
                return;
            }
            for (InboxEntry entry : waiting) {
                if (!mine.owns(entry.sequence())) {
                    submit(conversation, mine, entry, committedHere.remove(entry.sequence()), null);
                }
            }
            if (mine.submitted.isEmpty()) {
                // Nothing to run: give the lease up, unless a message came meanwhile.
                mine.releasing = true;
                settlings.add(new Settling(conversation, mine, null, true));
            }
        }
    }

    private void submit(
            ConversationKey conversation, Held mine, InboxEntry entry, boolean fresh, OptOutAtCommit optOut) {
        Channel channel = channels.get(entry.message().channelId());
        if (channel == null) {
            log.warn(
                    "message {} in the store is for channel {}, which this runtime does not have; it is left for"
                            + " a replica that has it",
                    entry.message().id(),
                    entry.message().channelId());
            return;
        }
        if (!mine.submitted.add(entry.sequence())) {
            return;
        }
        lanes.enqueue(channel, entry, fresh, optOut, () -> finished(conversation, entry));
    }

    private void finished(ConversationKey conversation, InboxEntry entry) {
        if (closed) {
            // Cut short by the runtime closing (its thread interrupted) or done after the leases went:
            // left waiting, so that the next replica to take the conversation runs it (at least once).
            log.debug(
                    "message {} in {} is left for the next replica",
                    entry.message().id(),
                    conversation);
            return;
        }
        Held mine = held.get(conversation);
        if (mine == null) {
            settlings.add(new Settling(conversation, null, entry, false));
            return;
        }
        synchronized (mine) {
            mine.submitted.remove(entry.sequence());
            mine.settling.add(entry.sequence());
            // The conversation's last turn here: its settling gives the lease up, unless more waits.
            boolean last = mine.submitted.isEmpty();
            if (last) {
                mine.releasing = true;
            }
            settlings.add(new Settling(conversation, mine, entry, last));
        }
    }

    /** Marks the turns that ran done, many in one transaction, and gives up leases as they ask. */
    private void settleLoop() {
        List<Settling> batch = new ArrayList<>(SETTLE_BATCH);
        while (true) {
            Settling first;
            try {
                first = settlings.take();
            } catch (InterruptedException e) {
                return;
            }
            batch.add(first);
            settlings.drainTo(batch, SETTLE_BATCH - 1);
            boolean stop = batch.remove(STOP);
            if (!batch.isEmpty()) {
                settle(batch);
            }
            batch.clear();
            if (stop) {
                return;
            }
        }
    }

    private void settle(List<Settling> batch) {
        List<InboxEntry> done = new ArrayList<>();
        Set<ConversationKey> release = new HashSet<>();
        Map<Held, List<InboxEntry>> retried = new HashMap<>();
        for (Settling settling : batch) {
            if (settling.entry() != null) {
                done.add(settling.entry());
            }
            if (settling.held() != null && !retried.containsKey(settling.held())) {
                synchronized (settling.held()) {
                    List<InboxEntry> undone = List.copyOf(settling.held().undone.values());
                    retried.put(settling.held(), undone);
                    done.addAll(undone);
                }
            }
            if (settling.release()) {
                release.add(settling.conversation());
            }
        }
        Set<ConversationKey> kept;
        RuntimeException failure = null;
        try {
            kept = store.settle(done, release, owner, clock.instant());
        } catch (RuntimeException e) {
            kept = Set.of();
            failure = e;
            // Left waiting: a turn runs again if its replica dies before it is marked (at least once).
            log.warn("could not mark {} messages done in {}: {}", done.size(), store.describe(), e.getMessage());
        }
        retried.forEach((mine, undone) -> {
            synchronized (mine) {
                undone.forEach(entry -> mine.undone.remove(entry.sequence()));
            }
        });
        for (Settling settling : batch) {
            Held mine = settling.held();
            if (mine == null) {
                continue;
            }
            synchronized (mine) {
                if (settling.entry() != null) {
                    mine.settling.remove(settling.entry().sequence());
                    if (failure != null) {
                        mine.undone.put(settling.entry().sequence(), settling.entry());
                    }
                }
                if (!settling.release()) {
                    continue;
                }
                mine.releasing = false;
                ConversationKey conversation = settling.conversation();
                if (failure != null) {
                    if (mine.submitted.isEmpty()) {
                        letGo(conversation, mine);
                    }
                } else if (kept.contains(conversation) || mine.readAfterRelease) {
                    // More came (through another replica, or this one) while the turns ran.
                    mine.readAfterRelease = false;
                    readLater(conversation);
                } else if (mine.submitted.isEmpty()) {
                    mine.released = true;
                    held.remove(conversation, mine);
                }
                // Otherwise a commit here took the lease anew meanwhile and handed on its entries.
            }
        }
    }

    private void readLater(ConversationKey conversation) {
        try {
            handOff.execute(() -> pull(conversation));
        } catch (RejectedExecutionException e) {
            // Closing: the entries stay in the store for the next holder.
        }
    }

    private void letGo(ConversationKey conversation, Held mine) {
        mine.released = true;
        held.remove(conversation, mine);
        try {
            store.release(conversation, owner);
        } catch (RuntimeException e) {
            log.debug("could not release the lease of {}: {}", conversation, e.getMessage());
        }
    }

    private void renew() {
        for (Map.Entry<ConversationKey, Held> entry : held.entrySet()) {
            ConversationKey conversation = entry.getKey();
            Held mine = entry.getValue();
            synchronized (mine) {
                // Not while its release is settled: that could take the lease again after it.
                if (mine.released || mine.releasing) {
                    continue;
                }
                try {
                    if (!store.lease(conversation, owner, clock.instant(), leaseTimeout)) {
                        log.warn(
                                "the lease of {} passed to another replica while this one held it (stalled for"
                                        + " longer than {}?); a turn may run twice",
                                conversation,
                                leaseTimeout);
                    }
                } catch (RuntimeException e) {
                    log.warn("could not renew the lease of {}: {}", conversation, e.getMessage());
                }
            }
        }
    }

    private void poll() {
        if (closed) {
            return;
        }
        try {
            for (ConversationKey conversation : store.waitingConversations(clock.instant(), BATCH)) {
                if (!held.containsKey(conversation) && acquire(conversation)) {
                    log.debug("took over the waiting messages of {}", conversation);
                    pull(conversation);
                }
            }
        } catch (RuntimeException e) {
            log.warn("could not look for waiting messages in {}: {}", store.describe(), e.getMessage());
        }
    }

    private void purge() {
        try {
            int removed = store.purge(clock.instant());
            log.debug("purged {} records past their retention from {}", removed, store.describe());
        } catch (RuntimeException e) {
            log.warn("could not purge {}: {}", store.describe(), e.getMessage());
        }
    }

    /**
     * Stops polling and renewing, marks done the turns that ran, and gives up every lease, so that
     * another replica takes the conversations over at once; their messages not yet run stay in the
     * store.
     */
    @Override
    public void close() {
        closed = true;
        timer.shutdownNow();
        handOff.shutdownNow();
        settlings.add(STOP);
        try {
            timer.awaitTermination(5, TimeUnit.SECONDS);
            handOff.awaitTermination(5, TimeUnit.SECONDS);
            settler.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Map.Entry<ConversationKey, Held> entry : held.entrySet()) {
            synchronized (entry.getValue()) {
                letGo(entry.getKey(), entry.getValue());
            }
        }
    }
}
