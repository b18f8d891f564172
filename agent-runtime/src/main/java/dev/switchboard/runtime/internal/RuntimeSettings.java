package dev.switchboard.runtime.internal;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.switchboard.channel.Channel;
import dev.switchboard.runtime.AsyncAgent;
import dev.switchboard.runtime.RuntimeListener;
import dev.switchboard.runtime.admin.AdminHandler;
import dev.switchboard.runtime.delivery.OptOutStore;
import dev.switchboard.runtime.format.ReplyFormatter;
import dev.switchboard.runtime.pairing.PairingSettings;
import dev.switchboard.runtime.schedule.TaskScheduler;
import dev.switchboard.runtime.store.Store;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * Everything an {@code AgentRuntimeBuilder} was told, checked and resolved: what {@link RuntimeCore}
 * is wired from.
 *
 * @param helpTexts the answer to HELP by channel id, for the channels that have one
 * @param pairings the pairing settings by channel id, for the channels with pairing on
 * @param shutdownTimeout how long closing waits for accepted work
 * @param admin the admin server: console, health and metrics
 */
public record RuntimeSettings(
        List<Channel> channels,
        AsyncAgent agent,
        RuntimeListener listener,
        ReplyFormatter formatter,
        Server server,
        Turns turns,
        Inbound inbound,
        Outbox.Settings sending,
        Tracking tracking,
        Time time,
        State state,
        Conversations conversations,
        Map<String, String> helpTexts,
        Map<String, PairingSettings> pairings,
        Duration shutdownTimeout,
        Admin admin) {

    public RuntimeSettings {
        channels = List.copyOf(channels);
        helpTexts = Map.copyOf(helpTexts);
        pairings = Map.copyOf(pairings);
    }

    /**
     * How a conversation's messages become turns, and what its replies may carry.
     *
     * @param mergeBursts whether the messages that arrive while a turn runs go to the next turn together
     * @param debounce how long a conversation must be quiet before its turn starts; zero for no wait
     * @param maxBurst the most messages one turn takes
     * @param choiceTtl how long a reply's numbered choices can be answered
     * @param servedMediaTtl how long the listener serves media an agent made, for the provider to fetch
     * @param publicUrl where the provider reaches the listener, for media it serves; empty if unknown
     */
    public record Conversations(
            boolean mergeBursts,
            Duration debounce,
            int maxBurst,
            Duration choiceTtl,
            Duration servedMediaTtl,
            Optional<URI> publicUrl) {

        /** The defaults: bursts merged at once, choices kept an hour, media served ten minutes. */
        public static final Conversations DEFAULTS = new Conversations(
                true, Duration.ZERO, 20, Duration.ofHours(1), Duration.ofMinutes(10), Optional.empty());
    }

    /**
     * The webhook server.
     *
     * @param enabled false when the application's own HTTP server hands the runtime its requests
     */
    public record Server(boolean enabled, String host, int port, int maxBodyBytes, Duration readTimeout) {}

    /**
     * The admin server.
     *
     * @param enabled whether it runs
     * @param token what every path but health and metrics requires, or empty for none (loopback only)
     * @param metrics the Prometheus text served at {@code /metrics}, or empty for a 404 there
     * @param routes the application's handlers by path prefix
     * @param mode a label the console shows
     */
    public record Admin(
            boolean enabled,
            String host,
            int port,
            Optional<String> token,
            Optional<Supplier<String>> metrics,
            Map<String, AdminHandler> routes,
            String mode,
            int maxBodyBytes,
            Duration readTimeout) {

        public Admin {
            routes = Collections.unmodifiableMap(new LinkedHashMap<>(routes));
        }
    }

    /**
     * Where and how many turns run.
     *
     * @param executor the application's executor, or empty for the runtime's own threads
     * @param shutdownOnClose whether closing shuts the application's executor down
     * @param maxConcurrent how many conversations may have a turn under way at once
     */
    public record Turns(Optional<ExecutorService> executor, boolean shutdownOnClose, int maxConcurrent) {}

    /** Duplicate detection and the senders' inbound limit (0 a minute: off). */
    public record Inbound(long dedupeMaximumSize, Duration dedupeTtl, int perMinute, int burst) {}

    /**
     * Delivery reports, the outbound cap and opt-outs.
     *
     * @param segmentCap segments a recipient an hour; 0 turns the guard off
     * @param jitter the randomness of backoffs, or empty for {@code ThreadLocalRandom}
     */
    public record Tracking(
            Duration confirmationTimeout, int segmentCap, OptOutStore optOuts, Optional<RandomGenerator> jitter) {}

    /**
     * Time sources.
     *
     * @param scheduler the application's timer, or empty for the runtime's own
     */
    public record Time(Clock clock, Ticker ticker, Optional<TaskScheduler> scheduler) {}

    /**
     * What the runtime remembers, and how replicas sharing a durable store share the work.
     *
     * @param store the store
     * @param ownsStore whether closing the runtime closes the store (the one it made by default)
     * @param leaseTimeout how long a conversation stays with a replica that stopped renewing its lease
     * @param pollInterval how often a replica looks for conversations waiting with no live lease
     */
    public record State(Store store, boolean ownsStore, Duration leaseTimeout, Duration pollInterval) {}
}
