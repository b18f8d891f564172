package dev.switchboard.runtime.internal;

import dev.switchboard.channel.Channel;
import dev.switchboard.channel.ConversationKey;
import dev.switchboard.runtime.store.InboxEntry;
import dev.switchboard.runtime.store.Store;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns the messages of a durable store's inbox into turns, one conversation at a time across every
 * replica sharing the store.
 *
 * <p>A replica works on a conversation's messages only while it holds the conversation's lease in the
 * store; it renews its leases every third of the lease timeout. It takes a lease when it commits a
 * message of a conversation no one holds, and then runs that conversation's waiting messages in the
 * order the store accepted them, whichever replica accepted them. When its last turn there is done
 * and no message waits, it gives the lease up. A message committed while another replica holds its
 * conversation waits for that replica (which looks for more before it lets go), and a poller on every
 * replica picks up what is left: a conversation whose holder let go a moment too early, or died
 * (within the lease timeout), or the messages a restart found.
 *
 * <p>A turn runs at least once: one that was under way when its replica died runs again on the
 * replica that takes the conversation over. Every other message has exactly one turn.
 */
final class LeasedInbox implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LeasedInbox.class);

    private static final int BATCH = 64;
    private static final Duration PURGE_EVERY = Duration.ofMinutes(10);

    /**
     * Puts a message in its conversation's lane; {@code finished} runs once its turn ran. {@code fresh}
     * says that this process committed the message and has not run its turn before, so that no
     * process can have begun to send for it.
     */
    @FunctionalInterface
    public interface Lanes {
        void enqueue(Channel channel, InboxEntry entry, boolean fresh, Runnable finished);
    }

    /** A conversation this replica holds: the entries handed to its lane and not yet done. */
    private static final class Held {
        final Set<Long> submitted = new HashSet<>(); // guarded by this
        boolean released; // guarded by this
    }

    private final Store store;
    private final Clock clock;
    private final Map<String, Channel> channels;
    private final Lanes lanes;
    private final Duration leaseTimeout;
    private final String owner;
    private final ConcurrentHashMap<ConversationKey, Held> held = new ConcurrentHashMap<>();
    // The entries being offered by the call that committed them here.
    private final Set<Long> committedHere = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService timer;
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

    /** Hands on a message just committed (and acknowledged); called off the event loop. */
    public void offer(Channel channel, InboxEntry entry) {
        ConversationKey conversation = entry.message().conversation();
        // Fresh while this call hands it on; handed on later (by a poller, here or elsewhere), its
        // outbox is read like any other's.
        committedHere.add(entry.sequence());
        try {
            while (!closed) {
                if (!held.containsKey(conversation) && !acquire(conversation)) {
                    // Another replica holds it: it, or a poller, runs the message in its turn.
                    return;
                }
                // From the store, not from this call: messages another replica accepted before this
                // one go first.
                if (pull(conversation)) {
                    return;
                }
                // Given up meanwhile: take the lease anew.
            }
        } finally {
            committedHere.remove(entry.sequence());
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
     * gives the conversation up if none is left. Returns false if this replica does not hold it.
     */
    private boolean pull(ConversationKey conversation) {
        Held mine = held.get(conversation);
        if (mine == null) {
            return false;
        }
        synchronized (mine) {
            if (mine.released) {
                return false;
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
                return true;
            }
            for (InboxEntry entry : waiting) {
                if (!mine.submitted.contains(entry.sequence())) {
                    submit(conversation, mine, entry);
                }
            }
            if (mine.submitted.isEmpty()) {
                letGo(conversation, mine);
            }
            return true;
        }
    }

    private void submit(ConversationKey conversation, Held mine, InboxEntry entry) {
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
        lanes.enqueue(channel, entry, committedHere.remove(entry.sequence()), () -> finished(conversation, entry));
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
        try {
            store.done(entry, clock.instant());
        } catch (RuntimeException e) {
            // Left waiting: the turn runs again after the lease passes on (at least once).
            log.warn("could not mark message {} in {} done: {}", entry.message().id(), conversation, e.getMessage());
        }
        Held mine = held.get(conversation);
        if (mine == null) {
            return;
        }
        synchronized (mine) {
            mine.submitted.remove(entry.sequence());
            if (mine.submitted.isEmpty() && !closed) {
                // More may have come through another replica while this one held the conversation.
                pull(conversation);
            }
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
        for (ConversationKey conversation : held.keySet()) {
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
     * Stops polling and renewing, and gives up every lease, so that another replica takes the
     * conversations over at once; their messages not yet run stay in the store.
     */
    @Override
    public void close() {
        closed = true;
        timer.shutdownNow();
        try {
            timer.awaitTermination(5, TimeUnit.SECONDS);
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
