package dev.switchboard.runtime;

import static java.util.Objects.requireNonNull;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.switchboard.channel.Address;
import dev.switchboard.channel.Channel;
import dev.switchboard.channel.ChannelContext;
import dev.switchboard.channel.ConversationKey;
import dev.switchboard.channel.DeliveryReceipt;
import dev.switchboard.channel.InboundMessage;
import dev.switchboard.channel.WebhookRequest;
import dev.switchboard.channel.WebhookResponse;
import dev.switchboard.runtime.delivery.AmbiguousSendPolicy;
import dev.switchboard.runtime.delivery.OptOutStore;
import dev.switchboard.runtime.format.MarkdownFormatter;
import dev.switchboard.runtime.format.ReplyFormatter;
import dev.switchboard.runtime.internal.ConversationDispatcher;
import dev.switchboard.runtime.internal.DeliveryTracker;
import dev.switchboard.runtime.internal.Exchange;
import dev.switchboard.runtime.internal.ExecutorTaskScheduler;
import dev.switchboard.runtime.internal.HandOff;
import dev.switchboard.runtime.internal.InFlight;
import dev.switchboard.runtime.internal.InboundLimiter;
import dev.switchboard.runtime.internal.MessageDedupe;
import dev.switchboard.runtime.internal.Notifier;
import dev.switchboard.runtime.internal.OutboundGuard;
import dev.switchboard.runtime.internal.Outbox;
import dev.switchboard.runtime.internal.PushService;
import dev.switchboard.runtime.internal.ReplySender;
import dev.switchboard.runtime.internal.RouteTable;
import dev.switchboard.runtime.internal.SafeListener;
import dev.switchboard.runtime.internal.TurnTask;
import dev.switchboard.runtime.internal.WebhookIngress;
import dev.switchboard.runtime.internal.WebhookServer;
import dev.switchboard.runtime.schedule.CatchUp;
import dev.switchboard.runtime.schedule.CronSchedule;
import dev.switchboard.runtime.schedule.PushOutcome;
import dev.switchboard.runtime.schedule.ScheduleHandle;
import dev.switchboard.runtime.schedule.ScheduleOptions;
import dev.switchboard.runtime.schedule.TaskScheduler;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The runtime around an application's {@link Agent}: it receives the channels' webhooks on one HTTP
 * listener, checks and acknowledges them, and calls the agent one turn at a time per conversation,
 * sending its replies back through the channel.
 *
 * <pre>{@code
 * AgentRuntime runtime = AgentRuntime.builder()
 *         .channel(smsChannel)
 *         .agent(turn -> Optional.of("You said: " + turn.text()))
 *         .listenFromEnv(System.getenv())
 *         .build()
 *         .start();
 * // ...
 * runtime.close();
 * }</pre>
 *
 * <p>For each webhook request, in this order and before answering: the route (404, 405, 415), the
 * channel's own verification and parsing (a rejected request gets the channel's answer, usually
 * 403), duplicate detection by message id (a repeat is answered like the first and goes no further),
 * echo detection (a message from one of the channel's own addresses is acknowledged and dropped),
 * the sender's {@linkplain Builder#inboundLimit(int, int) inbound limit} (a message over it is
 * answered 429 and dropped).
 * After the answer, on the executor: the compliance keywords (STOP-family words opt the sender out of
 * the channel, START-family words opt them back in, HELP is answered with the {@linkplain
 * Builder#helpText(String) help text}; none reaches the agent, nor does anything from someone opted
 * out), the channel's {@linkplain Channel#accessPolicy() access policy} (unknown senders are dropped
 * without a reply), then the agent's turn and its reply. The agent never runs on an I/O thread, so
 * the provider's answer never waits for it.
 *
 * <p>Replies go out part by part: a part the provider accepted is never sent again; one that certainly
 * did not reach it (a refused connection, HTTP 429) is sent again after a backoff; one that may have
 * (a timeout, a 5xx) is first {@linkplain Builder#ambiguousSends looked up} through the channel; one
 * refused for good stops the reply. The provider's delivery reports move each part's state forward,
 * and the {@link RuntimeListener} hears each move and one outcome per reply. No recipient is sent
 * more than the {@linkplain Builder#outboundSegmentCap(int) outbound segment cap} in any rolling hour.
 *
 * <p>An application that already runs an HTTP server can build the runtime {@linkplain
 * Builder#withoutListener() without a listener} and pass requests to {@link #handle(WebhookRequest)}.
 *
 * <p>The application can push texts of its own too: now, with {@link #send(String, Address, String)}
 * and {@link #sendHome(String)}, or on a cron schedule, with {@link #schedule(String, String, ZoneId,
 * Supplier)}. Pushes go through the same formatting, splitting and delivery as replies, and each
 * ends in one {@link PushOutcome}: delivered, sent but unconfirmed, failed with the reason, skipped,
 * or a supplier error.
 *
 * <pre>{@code
 * runtime.schedule("digest", "0 9 * * MON-FRI", ZoneId.of("Europe/London"),
 *         () -> Optional.of(digest.render()));
 * }</pre>
 *
 * <p>Every outcome is logged (addresses redacted, never a message text) and reported to the {@link
 * RuntimeListener}. The runtime is thread-safe. Nothing is started before {@link #start()}, and
 * nothing is left running after {@link #close()}; no shutdown hook is installed.
 */
public final class AgentRuntime implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(AgentRuntime.class);

    private static final int MAX_TRACKED_TEXTS = 10_000;
    private static final long MAX_GUARDED_RECIPIENTS = 100_000;
    private static final Duration MIN_PART_TTL = Duration.ofHours(1);
    private static final Duration EARLY_RECEIPT_TTL = Duration.ofMinutes(5);
    private static final long MAX_LIMITED_SENDERS = 100_000;

    private enum State {
        NEW,
        STARTED,
        CLOSED
    }

    private final List<Channel> channels;
    private final Agent agent;
    private final boolean listen;
    private final String host;
    private final int port;
    private final ExecutorService executor;
    private final boolean ownsExecutor;
    private final Clock clock;
    private final int maxBodyBytes;
    private final Duration readTimeout;
    private final Duration shutdownTimeout;
    private final RuntimeListener listener;
    private final ReplySender sender;
    private final InFlight inFlight = new InFlight();
    private final ConversationDispatcher dispatcher;
    private final WebhookIngress ingress;
    private final HandOff handOff;
    private final InboundLimiter limiter;
    private final TaskScheduler scheduler;
    private final ExecutorTaskScheduler ownedScheduler;
    private final DeliveryTracker tracker;
    private final OutboundGuard guard;
    private final Outbox outbox;
    private final Map<String, String> helpTexts;
    private final String helpText;
    private final PushService pushes;

    private final Object lifecycle = new Object();
    private volatile State state = State.NEW;
    private WebhookServer server; // guarded by lifecycle
    private volatile InetSocketAddress localAddress;

    private AgentRuntime(Builder builder) {
        this.channels = List.copyOf(builder.channels);
        this.agent = builder.agent;
        this.listen = builder.listen;
        this.host = builder.host;
        this.port = builder.port;
        if (builder.executor != null) {
            this.executor = builder.executor;
            this.ownsExecutor = builder.shutdownExecutorOnClose;
        } else {
            this.executor = defaultExecutor();
            this.ownsExecutor = true;
        }
        this.clock = builder.clock;
        this.maxBodyBytes = builder.maxBodyBytes;
        this.readTimeout = builder.readTimeout;
        this.shutdownTimeout = builder.shutdownTimeout;
        this.listener = new SafeListener(builder.listener);
        // The runtime's own executor refuses only once shut down, so the listener may hand it a
        // pass's turns in one batch; an application's executor gets each turn as it comes.
        this.handOff = builder.executor == null ? new HandOff(executor, this::abandonRefused) : null;
        this.dispatcher = new ConversationDispatcher(handOff != null ? handOff : executor, inFlight);
        this.limiter = builder.inboundPerMinute == 0
                ? InboundLimiter.UNLIMITED
                : new InboundLimiter(
                        builder.inboundPerMinute, builder.inboundBurst, MAX_LIMITED_SENDERS, builder.ticker);
        this.ingress = new WebhookIngress(
                RouteTable.of(channels),
                new MessageDedupe(builder.dedupeMaximumSize, builder.dedupeTtl, builder.ticker),
                limiter,
                new Sink());
        if (builder.scheduler != null) {
            this.scheduler = builder.scheduler;
            this.ownedScheduler = null;
        } else {
            this.ownedScheduler = new ExecutorTaskScheduler(clock);
            this.scheduler = ownedScheduler;
        }
        Duration partTtl = builder.deliveryConfirmationTimeout.multipliedBy(2);
        this.tracker = new DeliveryTracker(
                scheduler,
                clock,
                builder.deliveryConfirmationTimeout,
                MAX_TRACKED_TEXTS,
                partTtl.compareTo(MIN_PART_TTL) > 0 ? partTtl : MIN_PART_TTL,
                EARLY_RECEIPT_TTL,
                builder.ticker,
                listener::onPartStatus);
        this.guard = builder.outboundSegmentCap == 0
                ? OutboundGuard.OFF
                : new OutboundGuard(builder.outboundSegmentCap, clock, builder.ticker, MAX_GUARDED_RECIPIENTS);
        this.outbox = new Outbox(
                new Outbox.Settings(
                        builder.maxSendAttempts,
                        builder.maxSendDuration,
                        builder.baseBackoff,
                        builder.maxBackoff,
                        builder.ambiguousSends,
                        builder.reconcileWindow,
                        builder.outboundConcurrency,
                        builder.sendRates),
                scheduler,
                clock,
                builder.jitter,
                builder.optOutStore,
                tracker::isKnown,
                guard);
        this.helpTexts = Map.copyOf(builder.helpTexts);
        this.helpText = builder.helpText;
        Notifier notifier = new Notifier(executor, inFlight);
        this.sender = new ReplySender(builder.formatter, outbox, tracker, listener, notifier, clock, executor);
        this.pushes = new PushService(
                channels, dispatcher, sender, outbox, tracker, scheduler, clock, executor, listener, inFlight);
    }

    /** A new builder. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Binds the listener, then starts every channel. Returns once the listener is bound and the
     * channels are started; webhook requests received before that are answered 503.
     *
     * @return this runtime
     * @throws IllegalStateException if the runtime was already started or closed, if the listener
     *     cannot be bound (the port is in use, the host is unknown), or if a channel refuses to
     *     start; in the last two cases the runtime is closed
     */
    public AgentRuntime start() {
        synchronized (lifecycle) {
            if (state != State.NEW) {
                throw new IllegalStateException(
                        "runtime was already " + (state == State.STARTED ? "started" : "closed"));
            }
            try {
                Optional<InetSocketAddress> bound = Optional.empty();
                if (listen) {
                    server = WebhookServer.start(host, port, maxBodyBytes, readTimeout, this::exchange, handOff);
                    bound = Optional.of(server.localAddress());
                    log.info("webhook listener bound to {}", bound.get());
                }
                ChannelContext context = new Context(clock, executor::execute, bound);
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
            state = State.STARTED;
            pushes.start();
            log.info(
                    "runtime started: channels {}, routes {}",
                    channels.stream().map(Channel::id).toList(),
                    RouteTable.of(channels).channelByPath());
            return this;
        }
    }

    /**
     * The port the listener is bound to; useful after {@linkplain Builder#listen(String, int)
     * listening} on port 0.
     *
     * @throws IllegalStateException if the listener is not bound: before {@link #start()}, or
     *     {@linkplain Builder#withoutListener() without a listener}
     */
    public int port() {
        return localAddress().getPort();
    }

    /**
     * The address the listener is bound to.
     *
     * @throws IllegalStateException if the listener is not bound: before {@link #start()}, or
     *     {@linkplain Builder#withoutListener() without a listener}
     */
    public InetSocketAddress localAddress() {
        InetSocketAddress address = localAddress;
        if (address == null) {
            throw new IllegalStateException(
                    listen
                            ? "the listener is not bound yet; call start() first"
                            : "the runtime runs without a listener");
        }
        return address;
    }

    /**
     * Handles one webhook request received by another HTTP server, with the same checks as the
     * built-in listener. Fast and non-blocking: the agent's turn is handed to the executor as this
     * method returns and never runs on the calling thread.
     *
     * <p>A 405 answer should carry an {@code Allow} header listing the route's methods; this method
     * cannot set headers, so a host that cares adds it.
     *
     * @return the answer to send back; 503 before {@link #start()} and after {@link #close()}
     */
    public WebhookResponse handle(WebhookRequest request) {
        requireNonNull(request, "request");
        Exchange exchange = exchange(request);
        try {
            return exchange.response();
        } finally {
            exchange.afterAck().run();
        }
    }

    /**
     * Pushes {@code markdown} to {@code to} on the channel {@code channelId} now, through the same
     * formatting, splitting and delivery as a reply, in turn with that conversation's replies. Returns
     * at once; the sending happens on the executor.
     *
     * @return the push's outcome, once settled: when the provider has reported every part delivered or
     *     one failed, or when the {@linkplain Builder#deliveryConfirmationTimeout(Duration) confirmation
     *     timeout} has passed. It is also logged and reported to {@link
     *     RuntimeListener#onPushOutcome(PushOutcome)}. The future never completes exceptionally; after
     *     {@link #close()} it holds a {@link PushOutcome.Kind#FAILED} outcome, and a blank text is
     *     {@link PushOutcome.Kind#SKIPPED}.
     * @throws IllegalArgumentException if no channel has the id {@code channelId}
     * @throws IllegalStateException before {@link #start()}
     */
    public CompletableFuture<PushOutcome> send(String channelId, Address to, String markdown) {
        requireNonNull(channelId, "channelId");
        requireNonNull(to, "to");
        requireNonNull(markdown, "markdown");
        requireStarted();
        return pushes.send(channelId, to, markdown);
    }

    /**
     * Pushes {@code markdown} to the {@linkplain Channel#home() home address} of the channel {@code
     * channelId}, as {@link #send(String, Address, String)} does. A channel without a home address
     * gives a {@link PushOutcome.Kind#FAILED} outcome that says so, never a silent no-op.
     *
     * @throws IllegalArgumentException if no channel has the id {@code channelId}
     * @throws IllegalStateException before {@link #start()}
     */
    public CompletableFuture<PushOutcome> sendHome(String channelId, String markdown) {
        requireNonNull(channelId, "channelId");
        requireNonNull(markdown, "markdown");
        requireStarted();
        return pushes.sendHome(channelId, markdown);
    }

    /**
     * Pushes {@code markdown} to the home address of every channel that has one, as {@link
     * #send(String, Address, String)} does.
     *
     * @return one outcome per home address, in the order the channels were added, once all are
     *     settled; if no channel has a home address, a single {@link PushOutcome.Kind#FAILED} outcome
     *     that names the settings to configure ({@code SMS_HOME_CHANNEL}, {@code
     *     WHATSAPP_HOME_CHANNEL}), never a silent no-op
     * @throws IllegalStateException before {@link #start()}
     */
    public CompletableFuture<List<PushOutcome>> sendHome(String markdown) {
        requireNonNull(markdown, "markdown");
        requireStarted();
        return pushes.sendHome(markdown);
    }

    /**
     * Schedules a push to the home address of every channel that has one, with the {@linkplain
     * ScheduleOptions#defaults() default options}. See {@link #schedule(String, String, ZoneId,
     * ScheduleOptions, Supplier)}.
     *
     * @throws IllegalArgumentException if the expression is invalid (the message names it, the
     *     schedule and the reason), the name is blank or taken, or no channel has a home address
     * @throws IllegalStateException if the runtime is closed
     */
    public ScheduleHandle schedule(String name, String cron, ZoneId zone, Supplier<Optional<String>> supplier) {
        return schedule(name, cron, zone, ScheduleOptions.defaults(), supplier);
    }

    /**
     * Schedules a push: at each fire time of {@code cron} in {@code zone}, {@code supplier} is called
     * on the executor, and the text it returns is pushed to the options' {@linkplain
     * ScheduleOptions#target() target} through the same formatting, splitting and delivery as a
     * reply. May be called before {@link #start()}; the schedule fires from then on.
     *
     * <ul>
     *   <li>Expressions: five fields (Unix) or six with seconds first (Spring); time zones and
     *       daylight-saving transitions as {@link CronSchedule} documents.
     *   <li>The supplier returns the text, or {@link Optional#empty()} to skip the run silently (a
     *       {@link PushOutcome.Kind#SKIPPED} outcome, logged at INFO). If it throws or returns {@code
     *       null}, the run's outcome is {@link PushOutcome.Kind#SUPPLIER_ERROR}.
     *   <li>Runs of one schedule never overlap. A run lasts until every part was handed to the
     *       provider (not until the delivery reports arrive); a fire time that comes while the
     *       previous run still lasts is skipped, with a {@link PushOutcome.Kind#SKIPPED} outcome "previous
     *       run still in progress".
     *   <li>After the process was paused or the clock jumped, missed fire times are not replayed: at
     *       most one catch-up run, as the options' {@link CatchUp} says, then the next fire time after
     *       the current time.
     *   <li>Every run ends in one outcome per recipient, logged and reported to {@link
     *       RuntimeListener#onPushOutcome(PushOutcome)}; failures at WARN with the schedule's name and
     *       the redacted address.
     * </ul>
     *
     * <p>{@link #close()} cancels every schedule; a run under way is waited for within the shutdown
     * timeout, and its pushes complete or are reported.
     *
     * @param name a name, unique within the runtime, for logs and outcomes
     * @param cron when to fire
     * @param zone the zone the expression's wall-clock times are read in
     * @param options the target, and what to do after missed fire times
     * @param supplier the text to push, in markdown, or empty to skip this run
     * @return a handle that tells the next fire time and cancels the schedule
     * @throws IllegalArgumentException if the expression is invalid (the message names it, the
     *     schedule and the reason: {@code invalid cron expression '*}{@code /61 * * * * *' for schedule
     *     'digest': Period 61 not in range [0, 59]}), the name is blank or taken, the target names an
     *     unknown channel, or the target's home address is not configured
     * @throws IllegalStateException if the runtime is closed
     */
    public ScheduleHandle schedule(
            String name, String cron, ZoneId zone, ScheduleOptions options, Supplier<Optional<String>> supplier) {
        return pushes.schedule(name, cron, zone, options, supplier);
    }

    /** The schedules registered and not cancelled, in the order they were registered. */
    public List<ScheduleHandle> schedules() {
        return pushes.schedules();
    }

    private void requireStarted() {
        if (state == State.NEW) {
            throw new IllegalStateException("the runtime is not started; call start() first");
        }
    }

    private Exchange exchange(WebhookRequest request) {
        if (state != State.STARTED) {
            return Exchange.of(WebhookResponse.text(503, "Service Unavailable"));
        }
        return ingress.exchange(request);
    }

    /**
     * Stops accepting webhooks, waits up to the {@linkplain Builder#shutdownTimeout(Duration) shutdown
     * timeout} for the turns already accepted, closes the channels, and shuts down the executor if
     * the runtime owns it. Turns still waiting when the timeout passes are dropped and reported as
     * {@link DropReason#SHUTDOWN}; turns still running are interrupted if the runtime owns the
     * executor. Idempotent.
     */
    @Override
    public void close() {
        synchronized (lifecycle) {
            if (state == State.CLOSED) {
                return;
            }
            state = State.CLOSED;
            log.info("closing runtime; waiting up to {} for {} turns", shutdownTimeout, inFlight.count());
            shutdown();
            log.info("runtime closed");
        }
    }

    private void shutdown() {
        long deadline = System.nanoTime() + shutdownTimeout.toNanos();
        if (server != null) {
            server.close(shutdownTimeout);
        }
        if (handOff != null) {
            // The event loops' watches are gone with them: no turn may now wait behind a blocked one.
            handOff.releaseAll();
        }
        limiter.close();
        boolean interrupted = false;
        // Runs under way hand their pushes to the dispatcher before it stops taking them.
        pushes.closeSchedules();
        try {
            if (!pushes.awaitRuns(remaining(deadline))) {
                log.warn(
                        "schedule runs still in progress after {}; their pushes will be reported failed",
                        shutdownTimeout);
            }
        } catch (InterruptedException e) {
            interrupted = true;
        }
        dispatcher.close();
        boolean drained;
        try {
            drained = inFlight.awaitIdle(remaining(deadline));
        } catch (InterruptedException e) {
            interrupted = true;
            drained = false;
        }
        if (!drained) {
            log.warn(
                    "{} turns still in flight after {}; dropping those not started", inFlight.count(), shutdownTimeout);
            dispatcher.abandonQueued();
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
        if (ownsExecutor) {
            executor.shutdown();
            try {
                if (!executor.awaitTermination(remaining(deadline).toNanos(), TimeUnit.NANOSECONDS)) {
                    abandonUnrun(executor.shutdownNow());
                }
            } catch (InterruptedException e) {
                interrupted = true;
                abandonUnrun(executor.shutdownNow());
            }
        }
        // Pushes still awaiting delivery reports are reported now, as sent but unconfirmed.
        tracker.close();
        if (ownedScheduler != null) {
            ownedScheduler.close();
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Turns the runtime's executor refused in a batch: it refuses only once shut down. */
    private void abandonRefused(List<Runnable> turns) {
        dispatcher.abandonUnrun(turns);
    }

    private void abandonUnrun(List<Runnable> unrun) {
        List<Runnable> tasks = HandOff.unbatch(unrun);
        dispatcher.abandonUnrun(tasks);
        Notifier.runUnrun(tasks);
    }

    private static Duration remaining(long deadline) {
        return Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
    }

    private static ExecutorService defaultExecutor() {
        int threads = Math.max(4, 2 * Runtime.getRuntime().availableProcessors());
        AtomicInteger count = new AtomicInteger();
        ThreadFactory factory = task -> new Thread(task, "switchboard-turn-" + count.incrementAndGet());
        ThreadPoolExecutor pool =
                new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), factory);
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    @Override
    public String toString() {
        return "AgentRuntime[" + state + ", channels="
                + channels.stream().map(Channel::id).toList() + "]";
    }

    private record Context(Clock clock, Executor executor, Optional<InetSocketAddress> listenAddress)
            implements ChannelContext {}

    private final class Sink implements WebhookIngress.Sink {

        @Override
        public Runnable inbound(Channel channel, InboundMessage message) {
            ConversationKey key = new ConversationKey(channel.id(), message.from());
            CompletableFuture<Void> acknowledged = new CompletableFuture<>();
            Optional<String> help = Optional.ofNullable(helpTexts.getOrDefault(channel.id(), helpText));
            dispatcher.submit(
                    key, new TurnTask(agent, channel, message, key, sender, outbox, help, listener), acknowledged);
            return () -> acknowledged.complete(null);
        }

        @Override
        public void dropped(InboundMessage message, DropReason reason) {
            notifyListener(() -> listener.onDropped(message, reason));
        }

        @Override
        public void receipt(DeliveryReceipt receipt) {
            notifyListener(() -> {
                // The push first, so that a listener that sees the receipt sees its push moved on too.
                tracker.onReceipt(receipt);
                listener.onReceipt(receipt);
            });
        }

        @Override
        public void rejected(WebhookRequest request, WebhookResponse response) {
            notifyListener(() -> listener.onWebhookRejected(request, response));
        }

        private void notifyListener(Runnable call) {
            inFlight.begin();
            try {
                executor.execute(() -> {
                    try {
                        call.run();
                    } finally {
                        inFlight.end();
                    }
                });
            } catch (RejectedExecutionException e) {
                inFlight.end();
                // Better on this thread than not at all: the application must hear of every outcome.
                call.run();
            }
        }
    }

    /**
     * Configures an {@link AgentRuntime}. Options are validated as they are set; {@link #build()}
     * checks that the required ones were.
     */
    public static final class Builder {

        private final List<Channel> channels = new ArrayList<>();
        private Agent agent;
        private boolean listen = true;
        private String host = "0.0.0.0";
        private int port = 8080;
        private ExecutorService executor;
        private boolean shutdownExecutorOnClose;
        private Clock clock = Clock.systemUTC();
        private long dedupeMaximumSize = 100_000;
        private Duration dedupeTtl = Duration.ofHours(1);
        private Ticker ticker = Ticker.systemTicker();
        private int inboundPerMinute = 30;
        private int inboundBurst = 100;
        private int maxBodyBytes = 64 * 1024;
        private Duration readTimeout = Duration.ofSeconds(10);
        private Duration shutdownTimeout = Duration.ofSeconds(10);
        private ReplyFormatter formatter = MarkdownFormatter.defaults();
        private RuntimeListener listener = new RuntimeListener() {};
        private TaskScheduler scheduler;
        private Duration deliveryConfirmationTimeout = Duration.ofMinutes(2);
        private int maxSendAttempts = 5;
        private Duration maxSendDuration = Duration.ofMinutes(2);
        private Duration baseBackoff = Duration.ofSeconds(1);
        private Duration maxBackoff = Duration.ofSeconds(30);
        private AmbiguousSendPolicy ambiguousSends = AmbiguousSendPolicy.RECONCILE;
        private Duration reconcileWindow = Outbox.Settings.DEFAULT_RECONCILE_WINDOW;
        private int outboundConcurrency = 4;
        private int outboundSegmentCap = 200;
        private final Map<String, Double> sendRates = new HashMap<>();
        private RandomGenerator jitter;
        private OptOutStore optOutStore = OptOutStore.inMemory();
        private String helpText;
        private final Map<String, String> helpTexts = new HashMap<>();

        private Builder() {}

        /**
         * Adds a channel; call once per channel. The runtime serves its routes, starts it in {@link
         * AgentRuntime#start()} and closes it in {@link AgentRuntime#close()}.
         *
         * @throws IllegalArgumentException if another channel has the same id, or claims one of its
         *     route paths
         */
        public Builder channel(Channel channel) {
            requireNonNull(channel, "channel");
            for (Channel existing : channels) {
                if (existing.id().equals(channel.id())) {
                    throw new IllegalArgumentException("channel id " + channel.id() + " is used by two channels");
                }
            }
            List<Channel> all = new ArrayList<>(channels);
            all.add(channel);
            RouteTable.of(all);
            channels.add(channel);
            return this;
        }

        /** The application's agent. Required. */
        public Builder agent(Agent agent) {
            this.agent = requireNonNull(agent, "agent");
            return this;
        }

        /**
         * Where the webhook listener binds. Default {@code 0.0.0.0:8080}; port 0 picks a free port,
         * which {@link AgentRuntime#port()} reports after start.
         *
         * @throws IllegalArgumentException if {@code host} is blank or {@code port} is outside 0-65535
         */
        public Builder listen(String host, int port) {
            requireNonNull(host, "host");
            if (host.isBlank()) {
                throw new IllegalArgumentException("host cannot be blank");
            }
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be a port number (0-65535): " + port);
            }
            this.listen = true;
            this.host = host.strip();
            this.port = port;
            return this;
        }

        /**
         * Where the webhook listener binds, from {@code SMS_WEBHOOK_HOST} (default {@code 0.0.0.0})
         * and {@code SMS_WEBHOOK_PORT} (default 8080) in {@code env}. Unset or blank values take
         * the defaults.
         *
         * @param env the variables, for example {@code System.getenv()}; not read after this call
         * @throws IllegalArgumentException if {@code SMS_WEBHOOK_PORT} is not a port number, naming the
         *     variable and its value
         */
        public Builder listenFromEnv(Map<String, String> env) {
            requireNonNull(env, "env");
            String hostValue = env.get("SMS_WEBHOOK_HOST");
            String portValue = env.get("SMS_WEBHOOK_PORT");
            int parsedPort = 8080;
            if (portValue != null && !portValue.isBlank()) {
                try {
                    parsedPort = Integer.parseInt(portValue.strip());
                } catch (NumberFormatException e) {
                    parsedPort = -1;
                }
                if (parsedPort < 0 || parsedPort > 65535) {
                    throw new IllegalArgumentException(
                            "SMS_WEBHOOK_PORT must be a port number (0-65535): " + portValue);
                }
            }
            return listen(hostValue == null || hostValue.isBlank() ? "0.0.0.0" : hostValue, parsedPort);
        }

        /**
         * Runs no listener: the application passes requests from its own HTTP server to {@link
         * AgentRuntime#handle(WebhookRequest)}. Channels are then started with an unresolved listen
         * address, {@code external:0}.
         */
        public Builder withoutListener() {
            this.listen = false;
            return this;
        }

        /**
         * The executor that runs agent turns, replies and listener calls. By default the runtime
         * creates and owns a fixed pool of {@code max(4, 2 × processors)} threads, which idle out.
         * The executor must run tasks on its own threads, never on the submitting one (no
         * caller-runs policy): submitting happens on I/O threads.
         *
         * @param shutdownOnClose whether {@link AgentRuntime#close()} shuts it down; if false, the
         *     application owns it, and turns still running when close times out go on running there
         */
        public Builder executor(ExecutorService executor, boolean shutdownOnClose) {
            this.executor = requireNonNull(executor, "executor");
            this.shutdownExecutorOnClose = shutdownOnClose;
            return this;
        }

        /** The clock handed to channels. Default {@link Clock#systemUTC()}. */
        public Builder clock(Clock clock) {
            this.clock = requireNonNull(clock, "clock");
            return this;
        }

        /**
         * How many message ids to remember, and for how long, to recognise a provider's retry of a
         * webhook. Default 100,000 ids for 1 hour.
         *
         * @throws IllegalArgumentException if {@code maximumSize} or {@code ttl} is not positive
         */
        public Builder dedupe(long maximumSize, Duration ttl) {
            requireNonNull(ttl, "ttl");
            if (maximumSize <= 0) {
                throw new IllegalArgumentException("maximumSize must be positive: " + maximumSize);
            }
            if (ttl.isNegative() || ttl.isZero()) {
                throw new IllegalArgumentException("ttl must be positive: " + ttl);
            }
            this.dedupeMaximumSize = maximumSize;
            this.dedupeTtl = ttl;
            return this;
        }

        /**
         * How many messages one sender may send one channel: {@code messagesPerMinute} sustained, and
         * up to {@code burst} at once after a quiet spell. A message over the limit is answered 429,
         * is not remembered as seen (a redelivery later counts), never reaches the agent and is
         * reported as {@link DropReason#RATE_LIMITED}. The sender is the channel's authenticated
         * one, after the signature check, so a flood cannot dodge the limit by changing what it
         * claims to be. Each episode is logged once: a WARN when a sender goes over, and a line with
         * the count refused when it is let through again. Default: 30 a minute with a burst of 100,
         * far above what a person types, and room for a WhatsApp user sharing an album (each photo
         * arrives as a message of its own, up to 100).
         *
         * <p>Why 429 and not an acknowledgement: Twilio does not retry a messaging webhook that
         * answered an error; it records error 11200, which shows the flood in its console and
         * alerts, and calls the number's fallback URL if one is set (point it at nothing that replies
         * to the sender, or a flood costs there).
         *
         * @param messagesPerMinute the sustained rate; 0 turns the limit off
         * @param burst how many messages may come at once, 1 to 100,000; ignored when the limit is off
         * @throws IllegalArgumentException if {@code messagesPerMinute} is negative or {@code burst} is
         *     outside 1-100,000
         */
        public Builder inboundLimit(int messagesPerMinute, int burst) {
            if (messagesPerMinute < 0) {
                throw new IllegalArgumentException(
                        "inbound limit must be 0 (off) or a number of messages a minute: " + messagesPerMinute);
            }
            if (messagesPerMinute > 0 && (burst < 1 || burst > 100_000)) {
                throw new IllegalArgumentException("inbound burst must be from 1 to 100000: " + burst);
            }
            this.inboundPerMinute = messagesPerMinute;
            this.inboundBurst = burst;
            return this;
        }

        /**
         * How many messages one sender may send one channel a minute, with a burst of as many; 0
         * turns the limit off. See {@link #inboundLimit(int, int)}.
         *
         * @throws IllegalArgumentException if {@code messagesPerMinute} is negative or over 100,000
         */
        public Builder inboundLimit(int messagesPerMinute) {
            if (messagesPerMinute > 100_000) {
                throw new IllegalArgumentException(
                        "inbound limit must be at most 100000 messages a minute: " + messagesPerMinute);
            }
            return inboundLimit(messagesPerMinute, messagesPerMinute);
        }

        /**
         * The time source of duplicate detection, inbound limits, the outbound guard's rolling hour
         * and the delivery tracker's expiry. Default {@link Ticker#systemTicker()}.
         */
        public Builder ticker(Ticker ticker) {
            this.ticker = requireNonNull(ticker, "ticker");
            return this;
        }

        /**
         * The largest request body the listener accepts; larger ones are answered 413. Default 64 KiB
         * (65,536 bytes), well above any webhook Twilio sends.
         *
         * @throws IllegalArgumentException if {@code maxBodyBytes} is not positive
         */
        public Builder maxBodyBytes(int maxBodyBytes) {
            if (maxBodyBytes <= 0) {
                throw new IllegalArgumentException("maxBodyBytes must be positive: " + maxBodyBytes);
            }
            this.maxBodyBytes = maxBodyBytes;
            return this;
        }

        /**
         * How long the listener waits for a client to send more of a request, or a next request on
         * an idle connection, before closing it. Default 10 seconds.
         *
         * @throws IllegalArgumentException if {@code readTimeout} is not positive
         */
        public Builder readTimeout(Duration readTimeout) {
            requireNonNull(readTimeout, "readTimeout");
            if (readTimeout.isNegative() || readTimeout.isZero()) {
                throw new IllegalArgumentException("readTimeout must be positive: " + readTimeout);
            }
            this.readTimeout = readTimeout;
            return this;
        }

        /**
         * How long {@link AgentRuntime#close()} waits for accepted turns to finish. Default 10
         * seconds; zero does not wait.
         *
         * @throws IllegalArgumentException if {@code shutdownTimeout} is negative
         */
        public Builder shutdownTimeout(Duration shutdownTimeout) {
            requireNonNull(shutdownTimeout, "shutdownTimeout");
            if (shutdownTimeout.isNegative()) {
                throw new IllegalArgumentException("shutdownTimeout cannot be negative: " + shutdownTimeout);
            }
            this.shutdownTimeout = shutdownTimeout;
            return this;
        }

        /**
         * Turns the agent's markdown into the parts a channel sends. Default: {@link
         * MarkdownFormatter#defaults()}, which renders markdown in the channel's flavour and splits it
         * at natural breaks to the channel's limit.
         */
        public Builder formatter(ReplyFormatter formatter) {
            this.formatter = requireNonNull(formatter, "formatter");
            return this;
        }

        /** Observes every outcome. Default: none. A later call replaces an earlier one. */
        public Builder listener(RuntimeListener listener) {
            this.listener = requireNonNull(listener, "listener");
            return this;
        }

        /**
         * The timer of scheduled pushes and of delivery confirmation timeouts. It must read instants
         * on the same clock as {@link #clock(Clock)}. By default the runtime creates and owns one
         * daemon thread, which re-reads the clock at least every minute so that a suspended machine or
         * a clock change delays a push by a minute at most. Tests pass a scheduler they advance by
         * hand, with the same clock. The runtime does not close a scheduler it was given.
         */
        public Builder scheduler(TaskScheduler scheduler) {
            this.scheduler = requireNonNull(scheduler, "scheduler");
            return this;
        }

        /**
         * How long a text whose parts the provider accepted (a reply or a push) waits for delivery
         * reports before it is settled as sent but unconfirmed ({@link
         * dev.switchboard.runtime.delivery.ReplyOutcome.Kind#SENT_UNCONFIRMED}, {@link
         * PushOutcome.Kind#SENT_UNCONFIRMED}). Default 2 minutes; zero settles every accepted text at
         * once as sent but unconfirmed, without waiting. Its parts' states are followed for twice as
         * long, and at least an hour, either way.
         *
         * @throws IllegalArgumentException if {@code timeout} is negative
         */
        public Builder deliveryConfirmationTimeout(Duration timeout) {
            requireNonNull(timeout, "timeout");
            if (timeout.isNegative()) {
                throw new IllegalArgumentException("deliveryConfirmationTimeout cannot be negative: " + timeout);
            }
            this.deliveryConfirmationTimeout = timeout;
            return this;
        }

        /**
         * How many times one part of a text is sent at most, the first time included, before it fails.
         * A part is sent again only when the last attempt certainly did not reach the provider (a
         * refused connection, HTTP 429), or when a look-up found that it had not (see {@link
         * #ambiguousSends}); looking up does not count as an attempt. Default 5; 1 never sends again.
         *
         * @throws IllegalArgumentException if {@code attempts} is less than 1
         */
        public Builder maxSendAttempts(int attempts) {
            if (attempts < 1) {
                throw new IllegalArgumentException("maxSendAttempts must be at least 1: " + attempts);
            }
            this.maxSendAttempts = attempts;
            return this;
        }

        /**
         * How long after its first attempt a part may still be tried: a retry or look-up whose backoff
         * would end later is not made, and the part fails. Default 2 minutes. The conversation's later
         * replies wait behind a part being retried, so keep it short.
         *
         * @throws IllegalArgumentException if {@code duration} is not positive
         */
        public Builder maxSendDuration(Duration duration) {
            requireNonNull(duration, "duration");
            if (duration.isNegative() || duration.isZero()) {
                throw new IllegalArgumentException("maxSendDuration must be positive: " + duration);
            }
            this.maxSendDuration = duration;
            return this;
        }

        /**
         * The backoff between attempts of a part: before its n-th retry, a random time between zero and
         * {@code min(max, base × 2}<sup>{@code n-1}</sup>{@code )} (full jitter, so that many senders
         * throttled at once do not come back together), never shorter than the provider's {@code
         * Retry-After}. A look-up after an ambiguous send waits at least {@code base}, so that the
         * provider has listed the message. Default 1 second and 30 seconds.
         *
         * @throws IllegalArgumentException if {@code base} is not positive or {@code max} is less than
         *     {@code base}
         */
        public Builder retryBackoff(Duration base, Duration max) {
            requireNonNull(base, "base");
            requireNonNull(max, "max");
            if (base.isNegative() || base.isZero()) {
                throw new IllegalArgumentException("retryBackoff base must be positive: " + base);
            }
            if (max.compareTo(base) < 0) {
                throw new IllegalArgumentException(
                        "retryBackoff max cannot be less than its base (" + base + "): " + max);
            }
            this.baseBackoff = base;
            this.maxBackoff = max;
            return this;
        }

        /**
         * What to do with a part whose send may have reached the provider although it failed (a
         * timeout after the request left, a server error). Default {@link
         * AmbiguousSendPolicy#RECONCILE}: look it up, and send it again only if the provider does not
         * have it.
         */
        public Builder ambiguousSends(AmbiguousSendPolicy policy) {
            this.ambiguousSends = requireNonNull(policy, "policy");
            return this;
        }

        /**
         * How long, after a send that may have reached the provider (see {@link #ambiguousSends}), the
         * runtime goes on looking for the message before it concludes that it was not sent and sends
         * it again. A provider may list a message some time after it accepted it (Twilio's message
         * list can lag behind a create), and a look-up that misses it would send the person a
         * duplicate. Default 16 seconds.
         *
         * <p>The look-ups come at the {@linkplain #retryBackoff base backoff} after the failure, then
         * at twice, four times… that (1, 2, 4, 8 seconds by default), and last at the window's end
         * (16 seconds): most lags are over in a second or two, and are caught by the early look-ups;
         * each later look-up allows twice the lag for one more request, so the window is long for
         * few requests. A look-up that finds the message ends the window at once, and the part is
         * taken as sent. The part is sent again only if the last look-up, at or after the window's
         * end, and every one before it found nothing; one that failed proves nothing either way, so
         * the next is made at its time (after the end, after a backoff), and after {@link
         * #maxSendAttempts} failed look-ups the part fails as possibly sent. The look-ups are timers,
         * not sleeping threads; the conversation's later replies wait behind them.
         *
         * <p>{@link #maxSendDuration}, counted from the part's first attempt, bounds the window: a
         * window that would reach past it ends with it, and if the provider has still not listed the
         * message then, the part fails as possibly sent rather than risk a duplicate with no time
         * left to retry it. A window as long as {@code maxSendDuration} thus never sends an
         * ambiguous part again; the window is not checked against it, as either may be set first.
         *
         * @throws IllegalArgumentException if {@code window} is zero or negative
         */
        public Builder reconcileWindow(Duration window) {
            requireNonNull(window, "window");
            if (window.isNegative() || window.isZero()) {
                throw new IllegalArgumentException("reconcileWindow must be positive: " + window);
            }
            this.reconcileWindow = window;
            return this;
        }

        /**
         * How many sends (and look-ups) each channel has under way at most; the others wait for a free
         * one, in turn, without holding a thread. Default 4 per channel.
         *
         * @throws IllegalArgumentException if {@code perChannel} is less than 1
         */
        public Builder outboundConcurrency(int perChannel) {
            if (perChannel < 1) {
                throw new IllegalArgumentException("outboundConcurrency must be at least 1: " + perChannel);
            }
            this.outboundConcurrency = perChannel;
            return this;
        }

        /**
         * The most SMS segments one recipient may be sent on one channel in any rolling hour, so that
         * two bots answering each other, or an agent stuck in a loop, cannot run up a bill. Every part
         * of every reply and push counts when it is first handed to the channel: its segments on a
         * channel {@linkplain dev.switchboard.channel.ChannelCapabilities#billedPerSegment() billed per
         * segment} (GSM-7: 160 characters in one segment, 153 a segment beyond; UCS-2, as soon as one
         * character such as an emoji or a curly quote is outside GSM-7: 70, then 67), one per message on
         * the others (WhatsApp). A part that certainly did not reach the provider (refused, or never
         * received) is not counted.
         *
         * <p>A part that would take its recipient over the cap is not sent: its reply or push fails with
         * a {@link dev.switchboard.channel.PermanentChannelException} without a provider code, which
         * names the cap and this option, reported to {@link RuntimeListener#onReplyOutcome} or {@link
         * RuntimeListener#onPushOutcome} like any failure. The parts before it stay sent; the parts
         * after it are not sent. Parts go out again as the hour rolls over. Each episode is logged once,
         * with the recipient redacted: a WARN when a recipient is first refused, and an INFO with the
         * count refused when it ends. Memory is bounded: a recipient with nothing sent for an hour (by
         * the {@linkplain #ticker(Ticker) ticker}) is forgotten.
         *
         * <p>Default 200 segments a recipient an hour: 18 of the longest replies (1,600 GSM-7
         * characters cost 11 segments), or a hundred two-segment answers, which is more than a person
         * reads in an hour of conversation, and a small part of what a loop sends in that hour (a US
         * long code carries a segment a second, 3,600 an hour; a short code a hundred times that).
         *
         * @param segmentsPerRecipientPerHour the cap; 0 turns the guard off
         * @throws IllegalArgumentException if {@code segmentsPerRecipientPerHour} is negative
         */
        public Builder outboundSegmentCap(int segmentsPerRecipientPerHour) {
            if (segmentsPerRecipientPerHour < 0) {
                throw new IllegalArgumentException(
                        "outboundSegmentCap must be 0 (off) or a number of segments per recipient per hour: "
                                + segmentsPerRecipientPerHour);
            }
            this.outboundSegmentCap = segmentsPerRecipientPerHour;
            return this;
        }

        /**
         * Paces the sends of the channel {@code channelId} (one sender) to at most {@code
         * messagesPerSecond}, evenly spaced, so that a burst of replies or pushes waits its turn instead
         * of meeting the provider's rate limit (a US long code takes about 1 message a second, a short
         * code about 100). A retry takes a slot like a first attempt. Default: not paced.
         *
         * @throws IllegalArgumentException if {@code channelId} is blank or {@code messagesPerSecond}
         *     is not a positive number
         */
        public Builder sendRate(String channelId, double messagesPerSecond) {
            requireNonNull(channelId, "channelId");
            if (channelId.isBlank()) {
                throw new IllegalArgumentException("sendRate channelId cannot be blank");
            }
            if (!(messagesPerSecond > 0) || Double.isInfinite(messagesPerSecond)) {
                throw new IllegalArgumentException("sendRate for " + channelId
                        + " must be a positive number of messages a second: " + messagesPerSecond);
            }
            sendRates.put(channelId, messagesPerSecond);
            return this;
        }

        /**
         * The randomness of the backoff's jitter. Default: {@link
         * java.util.concurrent.ThreadLocalRandom}. Tests pass a fixed one to know each backoff; it is
         * called under a lock, so it need not be thread-safe.
         */
        public Builder jitter(RandomGenerator random) {
            this.jitter = requireNonNull(random, "random");
            return this;
        }

        /**
         * Where opt-outs are kept: who texted a STOP-family word, or whom the provider refused as opted
         * out, per channel. Every send to them fails at once without reaching the provider, and their
         * other messages are acknowledged and dropped ({@link DropReason#OPTED_OUT}) until they text a
         * START-family word. Default: {@link OptOutStore#inMemory()}, forgotten on restart.
         */
        public Builder optOutStore(OptOutStore store) {
            this.optOutStore = requireNonNull(store, "store");
            return this;
        }

        /**
         * The answer to {@code HELP} or {@code INFO} on every channel without one of its own (see
         * {@link #helpText(String, String)}); it goes out like a reply, formatted and split. Default:
         * none, which leaves HELP to the provider (Twilio answers it on long codes and toll-free
         * numbers unless told not to). Either way the word never reaches the agent.
         *
         * @throws IllegalArgumentException if {@code text} is blank
         */
        public Builder helpText(String text) {
            requireNonNull(text, "text");
            if (text.isBlank()) {
                throw new IllegalArgumentException("helpText cannot be blank");
            }
            this.helpText = text;
            return this;
        }

        /**
         * The answer to {@code HELP} or {@code INFO} on the channel {@code channelId}, instead of the
         * {@linkplain #helpText(String) one for every channel}.
         *
         * @throws IllegalArgumentException if {@code channelId} or {@code text} is blank
         */
        public Builder helpText(String channelId, String text) {
            requireNonNull(channelId, "channelId");
            requireNonNull(text, "text");
            if (channelId.isBlank()) {
                throw new IllegalArgumentException("helpText channelId cannot be blank");
            }
            if (text.isBlank()) {
                throw new IllegalArgumentException("helpText for " + channelId + " cannot be blank");
            }
            helpTexts.put(channelId, text);
            return this;
        }

        /**
         * Builds the runtime; {@link AgentRuntime#start()} starts it.
         *
         * @throws IllegalStateException if no agent or no channel was set, or {@link #sendRate} or
         *     {@link #helpText(String, String)} names a channel that was not added
         */
        public AgentRuntime build() {
            if (agent == null) {
                throw new IllegalStateException("agent is required");
            }
            if (channels.isEmpty()) {
                throw new IllegalStateException("at least one channel is required");
            }
            List<String> ids = channels.stream().map(Channel::id).toList();
            for (String id : sendRates.keySet()) {
                if (!ids.contains(id)) {
                    throw new IllegalStateException("sendRate names channel " + id + ", but the channels are " + ids);
                }
            }
            for (String id : helpTexts.keySet()) {
                if (!ids.contains(id)) {
                    throw new IllegalStateException("helpText names channel " + id + ", but the channels are " + ids);
                }
            }
            return new AgentRuntime(this);
        }
    }
}
