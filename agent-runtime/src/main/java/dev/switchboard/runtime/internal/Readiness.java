package dev.switchboard.runtime.internal;

import dev.switchboard.runtime.RuntimeHealth;
import dev.switchboard.runtime.store.Store;
import dev.switchboard.runtime.store.StoreException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the runtime can take webhooks now: the one answer behind the admin server's {@code /readyz}
 * and {@link dev.switchboard.runtime.AgentRuntime#health()}.
 */
public final class Readiness {

    private static final Logger log = LoggerFactory.getLogger(Readiness.class);

    static final Duration PING_TIMEOUT = Duration.ofSeconds(3);

    /** Where the runtime stands. */
    public interface Lifecycle {
        /** {@code UP} once started, {@code STARTING} before, {@code CLOSED} after. */
        String runtime();

        /**
         * {@code UP} when the webhook listener is bound, {@code NOT_USED} without one, {@code STARTING}
         * while the runtime starts, else {@code DOWN}.
         */
        String listener();
    }

    private final Store store;
    private final Lifecycle lifecycle;
    private final ExecutorService pings;

    public Readiness(Store store, Lifecycle lifecycle) {
        this.store = store;
        this.lifecycle = lifecycle;
        // One ping at a time; a store that hangs makes the next probes time out, not pile up threads.
        // The thread ends when idle, so that a probe after the runtime closed still gets an answer.
        ThreadPoolExecutor pings =
                new ThreadPoolExecutor(1, 1, 10, TimeUnit.SECONDS, new LinkedBlockingQueue<>(8), runnable -> {
                    Thread thread = new Thread(runnable, "switchboard-health-ping");
                    thread.setDaemon(true);
                    return thread;
                });
        pings.allowCoreThreadTimeOut(true);
        this.pings = pings;
    }

    /** Checks the listener, the store (a ping, at most {@link #PING_TIMEOUT}) and the runtime. */
    public RuntimeHealth check() {
        Map<String, String> checks = new LinkedHashMap<>();
        List<String> reasons = new ArrayList<>();
        String listener = lifecycle.listener();
        checks.put("listener", listener);
        if (listener.equals("DOWN")) {
            reasons.add("the webhook listener is not bound");
        } else if (listener.equals("STARTING")) {
            reasons.add("the webhook listener is starting");
        }
        Optional<String> storeDown = ping();
        checks.put("store", storeDown.isEmpty() ? "UP" : "DOWN");
        storeDown.ifPresent(reasons::add);
        String runtime = lifecycle.runtime();
        checks.put("runtime", runtime);
        if (!runtime.equals("UP")) {
            reasons.add(runtime.equals("STARTING") ? "the runtime is starting its channels" : "the runtime is closed");
        }
        return new RuntimeHealth(reasons.isEmpty(), Collections.unmodifiableMap(checks), reasons);
    }

    /** Why the store does not answer, or empty when it does. */
    private Optional<String> ping() {
        Future<?> ping;
        try {
            ping = pings.submit(store::ping);
        } catch (RejectedExecutionException e) {
            return Optional.of("the store " + store.describe() + " has not answered the last pings");
        }
        try {
            ping.get(PING_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            return Optional.empty();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            String message = cause instanceof StoreException
                    ? cause.getMessage()
                    : cause.getClass().getName() + ": " + cause.getMessage();
            log.debug("health: the store {} does not answer: {}", store.describe(), message);
            return Optional.of("the store " + store.describe() + " does not answer: " + message);
        } catch (TimeoutException e) {
            ping.cancel(true);
            return Optional.of(
                    "the store " + store.describe() + " did not answer within " + PING_TIMEOUT.toSeconds() + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of("interrupted while pinging the store " + store.describe());
        }
    }
}
