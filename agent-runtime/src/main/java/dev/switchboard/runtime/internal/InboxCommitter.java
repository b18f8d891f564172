package dev.switchboard.runtime.internal;

import dev.switchboard.channel.InboundMessage;
import dev.switchboard.runtime.store.InboxEntry;
import dev.switchboard.runtime.store.Store;
import dev.switchboard.runtime.store.StoreException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
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
    private final LinkedBlockingQueue<Request> queue = new LinkedBlockingQueue<>();
    private final Thread thread;
    private volatile boolean closed;
    private boolean failing; // only the committer's thread

    public InboxCommitter(Store store, Clock clock) {
        this.store = store;
        this.clock = clock;
        this.thread = new Thread(this::run, "switchboard-inbox");
        this.thread.setDaemon(true);
        this.thread.start();
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
        List<Optional<InboxEntry>> entries;
        try {
            entries = store.accept(messages, clock.instant());
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
        for (int i = 0; i < batch.size(); i++) {
            batch.get(i).result().complete(entries.get(i));
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
