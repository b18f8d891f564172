package dev.switchboard.runtime.internal;

import dev.switchboard.channel.Channel;
import dev.switchboard.channel.ChannelContext;
import dev.switchboard.channel.ChannelState;
import dev.switchboard.channel.ConversationKey;
import dev.switchboard.channel.MessageIdShape;
import dev.switchboard.channel.WebhookRequest;
import dev.switchboard.channel.WebhookResponse;
import dev.switchboard.runtime.AgentRuntime;
import dev.switchboard.runtime.store.Store;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The runtime's parts, wired from its settings, and their lifecycle: what {@code AgentRuntime} is a
 * facade of.
 *
 * <p>The threads: the runtime always owns a {@link BatchingExecutor} over {@linkplain
 * RuntimeThreads#perTask a thread per task} (virtual where the JVM has them), for everything that is
 * its own business: compliance keywords, delivery reports, the application's listener, sends that
 * resume after a wait. Agent turns (and schedules' suppliers, the application's code) run there too,
 * or on the application's executor if it gave one. Either way a delivery report never waits behind
 * an agent, and no conversation waits for another's slow one but at the bound on concurrent turns.
 */
public final class RuntimeCore {

    // Lifecycle lines under the name users know and configure.
    private static final Logger log = LoggerFactory.getLogger(AgentRuntime.class);

    private static final int MAX_TRACKED_TEXTS = 10_000;
    private static final long MAX_GUARDED_RECIPIENTS = 100_000;
    private static final Duration MIN_PART_TTL = Duration.ofHours(1);
    private static final Duration EARLY_RECEIPT_TTL = Duration.ofMinutes(5);
    private static final long MAX_LIMITED_SENDERS = 100_000;
    // With a durable store: how often to look for reports other replicas received, and for texts
    // followed how long.
    private static final Duration RECEIPT_LOOK_EVERY = Duration.ofSeconds(1);
    private static final Duration RECEIPT_GRACE = Duration.ofSeconds(2);

    private enum State {
        NEW,
        STARTED,
        CLOSED
    }

    private final RuntimeSettings settings;
    private final List<Channel> channels;
    private final BatchingExecutor work;
    private final ExecutorService turnExecutor;
    private final boolean ownsTurnExecutor;
    private final InFlight inFlight = new InFlight();
    private final ConversationDispatcher turns;
    private final ConversationDispatcher compliance;
    private final InboundLimiter limiter;
    private final RouteTable routes;
    private final WebhookIngress ingress;
    private final ExecutorTaskScheduler ownedScheduler;
    private final DeliveryTracker tracker;
    private final OutboundGuard guard;
    private final Outbox outbox;
    private final PushService pushes;
    private final RuntimeSettings.State stateSettings;
    private final String owner;
    private final InboundBridge bridge;
    private final InboxCommitter committer; // null unless the store is durable
    private final ServedMedia servedMedia;
    private final StoreOptOuts storeOptOuts; // null unless the runtime's opt-outs are the store's
    private final SharedReceipts sharedReceipts; // null unless the store is durable
    private final PairingGate pairing;
    private final RuntimeMetrics metrics;
    private final AdminEventHub adminEvents = new AdminEventHub();
    private final AdminFeed adminFeed = new AdminFeed(adminEvents);
    private final Readiness readiness;
    private LeasedInbox inbox; // guarded by lifecycle; null unless the store is durable
    private AdminServer admin; // guarded by lifecycle; null unless started with one
    private volatile InetSocketAddress adminAddress;

    private final Object lifecycle = new Object();
    private volatile State state = State.NEW;
    private WebhookServer server; // guarded by lifecycle
    private volatile InetSocketAddress localAddress;

    public RuntimeCore(RuntimeSettings settings) {
        this.settings = settings;
        this.channels = settings.channels();
        Clock clock = settings.time().clock();
        SafeListener listener = new SafeListener(settings.listener());
        this.metrics = settings.metrics();

        this.work = new BatchingExecutor(RuntimeThreads.perTask("switchboard-worker-"), "switchboard-watch");
        RuntimeSettings.Turns turnSettings = settings.turns();
        this.turnExecutor = turnSettings.executor().orElse(work);
        this.ownsTurnExecutor = turnSettings.executor().isEmpty() || turnSettings.shutdownOnClose();
        this.turns = new ConversationDispatcher(turnExecutor, inFlight, turnSettings.maxConcurrent());
        this.compliance = new ConversationDispatcher(work, inFlight);

        RuntimeSettings.Inbound inbound = settings.inbound();
        Map<String, MessageIdShape> shapes = new LinkedHashMap<>();
        channels.forEach(
                channel -> shapes.put(channel.id(), channel.capabilities().messageIds()));
        this.limiter = inbound.perMinute() == 0
                ? InboundLimiter.UNLIMITED
                : new InboundLimiter(
                        inbound.perMinute(),
                        inbound.burst(),
                        MAX_LIMITED_SENDERS,
                        settings.time().ticker());
        this.routes = RouteTable.of(channels);

        this.ownedScheduler = settings.time().scheduler().isPresent() ? null : new ExecutorTaskScheduler(clock);
        var scheduler = settings.time().scheduler().orElse(ownedScheduler);
        RuntimeSettings.Tracking tracking = settings.tracking();
        Duration partTtl = tracking.confirmationTimeout().multipliedBy(2);
        this.tracker = new DeliveryTracker(
                scheduler,
                clock,
                tracking.confirmationTimeout(),
                MAX_TRACKED_TEXTS,
                partTtl.compareTo(MIN_PART_TTL) > 0 ? partTtl : MIN_PART_TTL,
                EARLY_RECEIPT_TTL,
                settings.time().ticker(),
                listener::onPartStatus);
        this.stateSettings = settings.state();
        Store store = stateSettings.store();
        this.readiness = new Readiness(store, new Readiness.Lifecycle() {
            @Override
            public String runtime() {
                return switch (state) {
                    case NEW -> "STARTING";
                    case STARTED -> "UP";
                    case CLOSED -> "CLOSED";
                };
            }

            @Override
            public String listener() {
                if (!settings.server().enabled()) {
                    return "NOT_USED";
                }
                return localAddress != null ? "UP" : state == State.NEW ? "STARTING" : "DOWN";
            }
        });
        History history = new History(store, clock, adminFeed);
        this.owner = "replica-" + UUID.randomUUID().toString().substring(0, 8);
        this.storeOptOuts = tracking.optOuts() instanceof StoreOptOuts own && own.isOf(store) ? own : null;
        this.committer = store.durable()
                ? new InboxCommitter(store, clock, owner, stateSettings.leaseTimeout(), storeOptOuts)
                : null;
        this.guard = tracking.segmentCap() == 0
                ? OutboundGuard.OFF
                : new OutboundGuard(
                        tracking.segmentCap(),
                        clock,
                        settings.time().ticker(),
                        MAX_GUARDED_RECIPIENTS,
                        store.durable() ? store : null);
        this.outbox = new Outbox(
                settings.sending(),
                scheduler,
                clock,
                tracking.jitter().orElse(null),
                tracking.optOuts(),
                tracker::isKnown,
                guard,
                history,
                metrics);
        Outcomes outcomes = new Outcomes(work, inFlight, tracker, outbox);
        this.sharedReceipts =
                store.durable() ? new SharedReceipts(store, tracker, clock, RECEIPT_LOOK_EVERY, RECEIPT_GRACE) : null;
        ReplySender sender = new ReplySender(settings.formatter(), outbox, outcomes, listener, clock, work, metrics);
        this.pushes = new PushService(
                channels, turns, sender, outcomes, scheduler, clock, turnExecutor, adminFeed.beside(listener), metrics);
        if (store.durable()) {
            pushes.claims((schedule, fireTime) -> store.claimFire(schedule, fireTime, owner, clock.instant()));
        }
        RuntimeSettings.Conversations conversations = settings.conversations();
        this.servedMedia = new ServedMedia(conversations.publicUrl(), conversations.servedMediaTtl(), clock);
        this.pairing =
                new PairingGate(channels, settings.pairings(), store, clock, pushes, stateSettings.pollInterval());
        pairing.feed(adminFeed);
        this.bridge = new InboundBridge(
                turns,
                compliance,
                settings.agent(),
                sender,
                outbox,
                outcomes,
                tracker,
                listener,
                settings.helpTexts(),
                work,
                history,
                sharedReceipts == null ? receipt -> {} : sharedReceipts::record,
                new Bursts(
                        conversations.mergeBursts(),
                        conversations.debounce(),
                        conversations.maxBurst(),
                        scheduler,
                        clock),
                new Choices(store, clock, conversations.choiceTtl()),
                servedMedia,
                pairing,
                metrics);
        this.ingress = new WebhookIngress(
                routes,
                new MessageDedupe(
                        inbound.dedupeMaximumSize(),
                        inbound.dedupeTtl(),
                        settings.time().ticker(),
                        shapes),
                limiter,
                bridge,
                committer,
                servedMedia,
                metrics);
    }

    /** The pushes and schedules. */
    public PushService pushes() {
        return pushes;
    }

    /** The pairings. */
    public PairingGate pairing() {
        return pairing;
    }

    /** The store, as the application gave it (not timed). */
    public Store store() {
        Store store = stateSettings.store();
        return store instanceof TimedStore timed ? timed.delegate() : store;
    }

    /** The console's live events. */
    public AdminEventHub adminEvents() {
        return adminEvents;
    }

    /** The admin server's address, or null if it is not bound. */
    public InetSocketAddress adminAddress() {
        return adminAddress;
    }

    /**
     * Binds the webhook server, starts the channels, then the schedules.
     *
     * @throws IllegalStateException if already started or closed, if the server cannot bind, or if a
     *     channel refuses to start; in the last two cases the runtime is closed
     */
    public void start() {
        synchronized (lifecycle) {
            if (state != State.NEW) {
                throw new IllegalStateException(
                        "runtime was already " + (state == State.STARTED ? "started" : "closed"));
            }
            RuntimeSettings.Server serverSettings = settings.server();
            try {
                pairing.checkHomes();
                Optional<InetSocketAddress> bound = Optional.empty();
                if (serverSettings.enabled()) {
                    server = WebhookServer.start(
                            serverSettings.host(),
                            serverSettings.port(),
                            serverSettings.maxBodyBytes(),
                            serverSettings.readTimeout(),
                            this::exchange,
                            // The turns a pass accepted reach the runtime's threads together.
                            actions -> work.gathered(() -> WebhookServer.handOnEach(actions)),
                            metrics);
                    bound = Optional.of(server.localAddress());
                    log.info("webhook server bound to {}", bound.get());
                }
                startAdmin();
                Store store = stateSettings.store();
                ChannelContext context = new Context(
                        settings.time().clock(),
                        work,
                        bound,
                        store.durable() ? Optional.of(new StoreState(store)) : Optional.empty());
                for (Channel channel : channels) {
                    channel.start(context);
                }
            } catch (RuntimeException e) {
                state = State.CLOSED;
                shutdown();
                throw e;
            }
            if (server != null) {
                localAddress = server.localAddress();
            }
            Store store = stateSettings.store();
            if (store.durable()) {
                inbox = new LeasedInbox(
                        store,
                        owner,
                        settings.time().clock(),
                        channels,
                        (channel, entry, fresh, optOut, finished) -> bridge.enqueue(
                                        channel,
                                        entry.message(),
                                        new TurnOutbox(store, entry.sequence(), fresh, optOut, storeOptOuts),
                                        finished)
                                .run(),
                        stateSettings.leaseTimeout(),
                        stateSettings.pollInterval());
                committer.handTo(inbox::accepted);
                log.info(
                        "store {}: messages are acknowledged once committed; this replica is {}",
                        store.describe(),
                        inbox.owner());
            }
            state = State.STARTED;
            pushes.start();
            pairing.start();
            log.info(
                    "runtime started: channels {}, routes {}, turns on {}, at most {} at once",
                    channels.stream().map(Channel::id).toList(),
                    routes.channelByPath(),
                    settings.turns().executor().isPresent()
                            ? "the application's executor"
                            : RuntimeThreads.virtual() ? "virtual threads" : "an elastic pool",
                    settings.turns().maxConcurrent());
        }
    }

    /** Binds the admin server, if there is one: before the channels start, so that readiness says so. */
    private void startAdmin() {
        RuntimeSettings.Admin adminSettings = settings.admin();
        if (!adminSettings.enabled()) {
            return;
        }
        AdminConsole console = new AdminConsole(
                channels,
                stateSettings.store(),
                settings.tracking().optOuts(),
                pairing,
                pushes,
                adminFeed,
                adminSettings,
                readiness);
        try {
            admin = AdminServer.start(adminSettings, console, adminEvents);
        } catch (RuntimeException e) {
            console.close();
            throw e;
        }
        adminAddress = admin.localAddress();
        log.info(
                "admin server bound to http://{}/ ({})",
                hostAndPort(adminAddress),
                adminSettings.token().isPresent() ? "token required" : "loopback, no token");
    }

    private static String hostAndPort(InetSocketAddress address) {
        String host = address.getHostString();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + address.getPort();
    }

    /** Whether the runtime can take webhooks now. */
    public Readiness readiness() {
        return readiness;
    }

    /** Whether {@link #start()} has been called. */
    public boolean started() {
        return state != State.NEW;
    }

    /** The webhook server's address, or null if it is not bound. */
    public InetSocketAddress localAddress() {
        return localAddress;
    }

    /** Where the runtime counts and times what it does. */
    public RuntimeMetrics metrics() {
        return metrics;
    }

    /** Answers one webhook request: 503 unless started and not closed. */
    public Exchange exchange(WebhookRequest request) {
        if (state != State.STARTED) {
            metrics.webhook(RuntimeMetrics.NO_CHANNEL, RuntimeMetrics.WebhookOutcome.UNAVAILABLE);
            return Exchange.of(WebhookResponse.text(503, "Service Unavailable"));
        }
        return ingress.exchange(request);
    }

    /**
     * Stops taking webhooks, waits up to the shutdown timeout for the work accepted, and releases
     * everything; idempotent.
     */
    public void close() {
        synchronized (lifecycle) {
            if (state == State.CLOSED) {
                return;
            }
            state = State.CLOSED;
            log.info(
                    "closing runtime; waiting up to {} for {} turns and outcomes",
                    settings.shutdownTimeout(),
                    inFlight.count());
            shutdown();
            log.info("runtime closed");
        }
    }

    private void shutdown() {
        Duration timeout = settings.shutdownTimeout();
        long deadline = System.nanoTime() + timeout.toNanos();
        if (admin != null) {
            admin.close(timeout);
        }
        if (server != null) {
            server.close(timeout);
        }
        if (committer != null) {
            committer.close();
        }
        limiter.close();
        boolean interrupted = false;
        // Runs under way hand their pushes to the dispatcher before it stops taking them.
        pushes.closeSchedules();
        pairing.close();
        try {
            if (!pushes.awaitRuns(remaining(deadline))) {
                log.warn("schedule runs still in progress after {}; their pushes will be reported failed", timeout);
            }
        } catch (InterruptedException e) {
            interrupted = true;
        }
        turns.close();
        compliance.close();
        boolean drained;
        try {
            drained = inFlight.awaitIdle(remaining(deadline));
        } catch (InterruptedException e) {
            interrupted = true;
            drained = false;
        }
        if (!drained) {
            log.warn(
                    "{} turns and outcomes still in flight after {}; dropping the turns not started",
                    inFlight.count(),
                    timeout);
            turns.abandonQueued();
            compliance.abandonQueued();
        }
        if (inbox != null) {
            // The messages not run stay in the store, for the next start or another replica.
            inbox.close();
        }
        // Sends still waiting to be tried again fail now, and their outcomes are reported.
        outbox.close();
        guard.close();
        for (Channel channel : channels) {
            try {
                channel.close();
            } catch (RuntimeException e) {
                log.warn(
                        "closing channel {} failed: {}: {}",
                        channel.id(),
                        e.getClass().getName(),
                        e.getMessage());
            }
        }
        if (turnExecutor != work && ownsTurnExecutor) {
            interrupted |= stop(turnExecutor, deadline);
        }
        if (sharedReceipts != null) {
            sharedReceipts.close();
        }
        // Texts still awaiting delivery reports are settled now, as sent but unconfirmed.
        tracker.close();
        interrupted |= stop(work, deadline);
        if (ownedScheduler != null) {
            ownedScheduler.close();
        }
        if (stateSettings.ownsStore()) {
            stateSettings.store().close();
        }
        metrics.close();
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Shuts {@code executor} down, waiting until the deadline; what it then hands back unrun is
     * abandoned (turns) or run here (outcomes), so that none is lost. Returns whether interrupted.
     */
    private boolean stop(ExecutorService executor, long deadline) {
        executor.shutdown();
        boolean interrupted = false;
        try {
            if (executor.awaitTermination(remaining(deadline).toNanos(), TimeUnit.NANOSECONDS)) {
                return false;
            }
        } catch (InterruptedException e) {
            interrupted = true;
        }
        List<Runnable> unrun = executor.shutdownNow();
        turns.abandonUnrun(unrun);
        compliance.abandonUnrun(unrun);
        Outcomes.runUnrun(unrun);
        return interrupted;
    }

    private static Duration remaining(long deadline) {
        return Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
    }

    @Override
    public String toString() {
        return "AgentRuntime[" + state + ", channels="
                + channels.stream().map(Channel::id).toList() + "]";
    }

    private record Context(
            Clock clock, Executor executor, Optional<InetSocketAddress> listenAddress, Optional<ChannelState> state)
            implements ChannelContext {}

    /** A durable store's messaging windows, for the channels that keep one. */
    private record StoreState(Store store) implements ChannelState {

        @Override
        public Optional<Instant> lastInbound(ConversationKey conversation) {
            return store.lastInbound(conversation);
        }

        @Override
        public void recordInbound(ConversationKey conversation, Instant at) {
            store.recordInbound(conversation, at);
        }
    }
}
