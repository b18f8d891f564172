package dev.switchboard.runtime.internal;

import dev.switchboard.channel.InboundMessage;
import dev.switchboard.runtime.store.Acceptance;
import dev.switchboard.runtime.store.InboxEntry;
import dev.switchboard.runtime.store.Store;
import dev.switchboard.runtime.store.StoreException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Commits accepted messages to a durable store, many in one transaction: whatever arrived while the
 * previous transaction ran goes into the next (a group commit), so that a burst costs a few commits,
 * not one per webhook. One thread of its own does it, never an event loop.
 *
 * <p>When the store cannot commit, every message of the batch fails, so that its webhook is answered
 * 503 and the provider retries; the outage is logged once when it starts and once when it ends.
 */
final class InboxCommitter implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(InboxCommitter.class);

    /** The most messages one transaction takes. */
    static final int MAX_BATCH = 256;

    /**
     * The most messages waiting for a commit: past it (a database that stopped answering under load)
     * a message fails at once, and its webhook is answered 503, rather than memory filling up.
     */
    static final int MAX_WAITING = 20_000;

    private record Request(InboundMessage message, CompletableFuture<Optional<InboxEntry>> result) {}

    private static final Request STOP = new Request(null, null);

    private final Store store;
    private final Clock clock;
    private final String owner;
    private final Duration leaseTtl;
    private final LongSupplier optOutChanges;
    private volatile Accepted accepted = (acceptance, changes) -> {};

    /** Where a commit's entries and leases go. */
    @FunctionalInterface
    interface Accepted {
        /**
         * @param optOutChanges the {@linkplain StoreOptOuts#changes() opt-out changes} this process had
         *     made before the commit, or -1 when the runtime's opt-outs are not the store's
         */
        void accepted(Acceptance acceptance, long optOutChanges);
    }

    private final LinkedBlockingQueue<Request> queue = new LinkedBlockingQueue<>();
    private final Thread thread;
    private volatile boolean closed;
    private boolean failing; // only the committer's thread

    /**
     * @param owner this replica's name in the store's leases: each commit takes the leases of its
     *     messages' conversations where no other replica holds them
     * @param optOuts the runtime's opt-outs if they are the store's, else {@code null}
     */
    public InboxCommitter(Store store, Clock clock, String owner, Duration leaseTtl, StoreOptOuts optOuts) {
        this.optOutChanges = optOuts == null ? () -> -1 : optOuts::changes;
        this.store = store;
        this.clock = clock;
        this.owner = owner;
        this.leaseTtl = leaseTtl;
        // One thread: a second transaction started while the first waits for its commit made smaller
        // batches that cost PostgreSQL more a message than they saved in waiting (3,754 webhooks a
        // second against 5,448 with one, in the load bench).
        this.thread = new Thread(this::run, "switchboard-inbox");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /** Where each commit's entries and leases go, on this committer's thread, after the answers. */
    public void handTo(Accepted accepted) {
        this.accepted = accepted;
    }

    /**
     * Commits {@code message}: the stage gives its inbox entry, empty for a duplicate, or fails with a
     * {@link StoreException} when the store could not commit it.
     */
    public CompletableFuture<Optional<InboxEntry>> commit(InboundMessage message) {
        CompletableFuture<Optional<InboxEntry>> result = new CompletableFuture<>();
        if (closed) {
            result.completeExceptionally(new StoreException("the runtime is closing"));
            return result;
        }
        if (queue.size() >= MAX_WAITING) {
            result.completeExceptionally(new StoreException(
                    MAX_WAITING + " messages are already waiting for " + store.describe() + " to commit"));
            return result;
        }
        queue.add(new Request(message, result));
        return result;
    }

    private void run() {
        List<Request> batch = new ArrayList<>(MAX_BATCH);
        while (true) {
            Request first;
            try {
                first = queue.take();
            } catch (InterruptedException e) {
                failAll("the runtime is closing");
                return;
            }
            if (first == STOP) {
                failAll("the runtime is closing");
                return;
            }
            batch.add(first);
            queue.drainTo(batch, MAX_BATCH - 1);
            boolean stop = batch.remove(STOP);
            commitBatch(batch);
            batch.clear();
            if (stop) {
                failAll("the runtime is closing");
                return;
            }
        }
    }

    private void commitBatch(List<Request> batch) {
        List<InboundMessage> messages = new ArrayList<>(batch.size());
        for (Request request : batch) {
            messages.add(request.message());
        }
        Acceptance acceptance;
        // Before the transaction reads the opt-outs: a change made during it makes the read stale.
        long optOutsBefore = optOutChanges.getAsLong();
        try {
            acceptance = store.accept(messages, clock.instant(), owner, leaseTtl);
        } catch (RuntimeException e) {
            if (!failing) {
                failing = true;
                log.error(
                        "the store {} cannot commit accepted messages; webhooks are answered 503 so that"
                                + " the provider retries, until it can: {}",
                        store.describe(),
                        e.getMessage());
            }
            for (Request request : batch) {
                request.result().completeExceptionally(e);
            }
            return;
        }
        if (failing) {
            failing = false;
            log.info("the store {} commits again; webhooks are acknowledged", store.describe());
        }
        List<Optional<InboxEntry>> entries = acceptance.entries();
        for (int i = 0; i < batch.size(); i++) {
            batch.get(i).result().complete(entries.get(i));
        }
        try {
            accepted.accepted(acceptance, optOutsBefore);
        } catch (RuntimeException e) {
            // The leases run out and a poller hands the messages on.
            log.error("could not hand on {} committed messages", batch.size(), e);
        }
    }

    private void failAll(String why) {
        List<Request> left = new ArrayList<>();
        queue.drainTo(left);
        for (Request request : left) {
            if (request != STOP) {
                request.result().completeExceptionally(new StoreException(why));
            }
        }
    }

    /** Commits what was handed over before, then stops; later messages fail at once. */
    @Override
    public void close() {
        closed = true;
        queue.add(STOP);
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
