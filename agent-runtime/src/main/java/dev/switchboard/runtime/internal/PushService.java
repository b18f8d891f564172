package dev.switchboard.runtime.internal;

import static java.util.Objects.requireNonNull;

import dev.switchboard.channel.Address;
import dev.switchboard.channel.Channel;
import dev.switchboard.channel.ConversationKey;
import dev.switchboard.channel.HomeChannel;
import dev.switchboard.runtime.RuntimeListener;
import dev.switchboard.runtime.schedule.CronSchedule;
import dev.switchboard.runtime.schedule.PushOutcome;
import dev.switchboard.runtime.schedule.PushOutcome.Kind;
import dev.switchboard.runtime.schedule.PushTarget;
import dev.switchboard.runtime.schedule.ScheduleHandle;
import dev.switchboard.runtime.schedule.ScheduleOptions;
import dev.switchboard.runtime.schedule.TaskScheduler;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pushes: texts sent on the application's initiative, now or on a schedule. Each goes through the
 * recipient's conversation lane and the {@link ReplySender}, like a reply, then through the {@link
 * DeliveryTracker} until it is settled, and ends in exactly one {@link PushOutcome}, logged and
 * reported.
 */
public final class PushService {

    private static final Logger log = LoggerFactory.getLogger(PushService.class);

    /** Where a push came from: a direct send, or a schedule's run for one fire time. */
    record Origin(Optional<String> schedule, Optional<Instant> fireTime) {
        static final Origin DIRECT = new Origin(Optional.empty(), Optional.empty());
    }

    /** One recipient on one channel. */
    record Recipient(Channel channel, Address address, Optional<Address> from) {
        Recipient(Channel channel, Address address) {
            this(channel, address, Optional.empty());
        }

        ConversationKey conversation() {
            return new ConversationKey(channel.id(), address);
        }
    }

    private enum State {
        NEW,
        STARTED,
        CLOSED
    }

    private final Map<String, Channel> channels = new LinkedHashMap<>();
    private final ConversationDispatcher dispatcher;
    private final ReplySender sender;
    private final Outcomes outcomes;
    private final TaskScheduler scheduler;
    private final Clock clock;
    private final Executor executor;
    private final RuntimeListener listener;
    private final RuntimeMetrics metrics;
    private final InFlight runs = new InFlight();
    private final Map<String, ScheduledPush> schedules = new LinkedHashMap<>(); // guarded by itself
    private State state = State.NEW; // guarded by schedules
    private volatile FireClaims claims = FireClaims.ALWAYS;

    /** Who runs a schedule's fire time: with replicas sharing a durable store, the first to claim it. */
    @FunctionalInterface
    public interface FireClaims {
        FireClaims ALWAYS = (schedule, fireTime) -> true;

        /** Whether this process runs {@code schedule} for {@code fireTime}. */
        boolean claim(String schedule, Instant fireTime);
    }

    /**
     * @param executor where schedules' suppliers run: application code, which may take its time
     * @param metrics where each push's outcome is counted
     */
    public PushService(
            List<Channel> channels,
            ConversationDispatcher dispatcher,
            ReplySender sender,
            Outcomes outcomes,
            TaskScheduler scheduler,
            Clock clock,
            Executor executor,
            RuntimeListener listener,
            RuntimeMetrics metrics) {
        this.metrics = metrics;
        channels.forEach(channel -> this.channels.put(channel.id(), channel));
        this.dispatcher = dispatcher;
        this.sender = sender;
        this.outcomes = outcomes;
        this.scheduler = scheduler;
        this.clock = clock;
        this.executor = executor;
        this.listener = listener;
    }

    /** How fire times are claimed; before {@link #start()}. */
    public void claims(FireClaims claims) {
        this.claims = claims;
    }

    // ---- direct sends

    public CompletableFuture<PushOutcome> send(String channelId, Address to, String markdown) {
        Recipient recipient = new Recipient(channel(channelId), to);
        return push(recipient, markdown, Origin.DIRECT);
    }

    /**
     * As {@link #send(String, Address, String)}, from the own address {@code from}.
     *
     * @throws IllegalArgumentException if {@code from} is not one of the channel's own addresses
     */
    public CompletableFuture<PushOutcome> send(String channelId, Address from, Address to, String markdown) {
        Channel channel = channel(channelId);
        if (!channel.selfAddresses().contains(from)) {
            throw new IllegalArgumentException("channel " + channelId + " does not own " + from + "; its addresses are "
                    + channel.selfAddresses());
        }
        return push(new Recipient(channel, to, Optional.of(from)), markdown, Origin.DIRECT);
    }

    public CompletableFuture<PushOutcome> sendHome(String channelId, String markdown) {
        Channel channel = channel(channelId);
        Optional<HomeChannel> home = channel.home();
        if (home.isEmpty()) {
            return report(
                    Kind.FAILED,
                    Origin.DIRECT,
                    channel.id(),
                    null,
                    List.of(),
                    Optional.empty(),
                    "channel " + channel.id() + " has no home address; " + homeHint(List.of(channel)),
                    Optional.empty(),
                    false);
        }
        return push(new Recipient(channel, home.get().address()), markdown, Origin.DIRECT);
    }

    public CompletableFuture<List<PushOutcome>> sendHome(String markdown) {
        List<Recipient> homes = homes();
        if (homes.isEmpty()) {
            return report(
                            Kind.FAILED,
                            Origin.DIRECT,
                            null,
                            null,
                            List.of(),
                            Optional.empty(),
                            "no channel has a home address; " + homeHint(channels.values()),
                            Optional.empty(),
                            false)
                    .thenApply(List::of);
        }
        List<CompletableFuture<PushOutcome>> all = new ArrayList<>();
        for (Recipient home : homes) {
            all.add(push(home, markdown, Origin.DIRECT));
        }
        return CompletableFuture.allOf(all.toArray(CompletableFuture<?>[]::new))
                .thenApply(done -> all.stream().map(CompletableFuture::join).toList());
    }

    private CompletableFuture<PushOutcome> push(Recipient recipient, String markdown, Origin origin) {
        if (markdown.isBlank()) {
            return report(
                    Kind.SKIPPED,
                    origin,
                    recipient,
                    List.of(),
                    Optional.empty(),
                    "the text is blank",
                    Optional.empty());
        }
        return deliver(recipient, markdown).thenCompose(delivery -> settle(delivery, recipient, origin));
    }

    // ---- schedules

    public ScheduleHandle schedule(
            String name, String cron, ZoneId zone, ScheduleOptions options, Supplier<Optional<String>> supplier) {
        requireNonNull(name, "name");
        requireNonNull(cron, "cron");
        requireNonNull(zone, "zone");
        requireNonNull(options, "options");
        requireNonNull(supplier, "supplier");
        if (name.isBlank()) {
            throw new IllegalArgumentException("schedule name cannot be blank");
        }
        CronSchedule parsed;
        try {
            parsed = CronSchedule.parse(cron, zone);
        } catch (IllegalArgumentException e) {
            String prefix = "invalid cron expression '" + cron + "': ";
            String message = String.valueOf(e.getMessage());
            String reason = message.startsWith(prefix) ? message.substring(prefix.length()) : message;
            throw new IllegalArgumentException(
                    "invalid cron expression '" + cron + "' for schedule '" + name + "': " + reason, e);
        }
        checkTarget(name, options.target());
        ScheduledPush push = new ScheduledPush(name, parsed, options, supplier, this);
        synchronized (schedules) {
            if (state == State.CLOSED) {
                throw new IllegalStateException("the runtime is closed; schedule '" + name + "' was not registered");
            }
            if (schedules.containsKey(name)) {
                throw new IllegalArgumentException("schedule name '" + name + "' is already used");
            }
            schedules.put(name, push);
            if (state == State.STARTED) {
                push.arm();
            }
        }
        log.info(
                "schedule '{}' registered: '{}' in {}, to {}, catch-up {}; next fire time {}",
                name,
                parsed.expression(),
                zone,
                options.target(),
                options.catchUp(),
                push.nextFireTime().map(Object::toString).orElse("none"));
        return push;
    }

    public List<ScheduleHandle> schedules() {
        synchronized (schedules) {
            return List.copyOf(schedules.values());
        }
    }

    /** Arms every schedule registered so far; later ones are armed as they are registered. */
    public void start() {
        synchronized (schedules) {
            if (state != State.NEW) {
                return;
            }
            state = State.STARTED;
            schedules.values().forEach(ScheduledPush::arm);
        }
    }

    /** Cancels every schedule and refuses new ones; runs under way go on. */
    public void closeSchedules() {
        List<ScheduledPush> cancelled;
        synchronized (schedules) {
            state = State.CLOSED;
            cancelled = List.copyOf(schedules.values());
            schedules.clear();
        }
        cancelled.forEach(ScheduledPush::stop);
    }

    /** Waits until no schedule's supplier is running; false if {@code timeout} passed first. */
    public boolean awaitRuns(Duration timeout) throws InterruptedException {
        return runs.awaitIdle(timeout);
    }

    void removed(ScheduledPush push) {
        synchronized (schedules) {
            schedules.remove(push.name(), push);
        }
        log.info("schedule '{}' cancelled", push.name());
    }

    TaskScheduler scheduler() {
        return scheduler;
    }

    Clock clock() {
        return clock;
    }

    /** Runs the schedule's supplier on the executor and pushes what it returns. */
    void run(ScheduledPush push, Instant fireTime, boolean catchUp) {
        runs.begin();
        try {
            executor.execute(() -> {
                try {
                    runNow(push, fireTime, catchUp);
                } finally {
                    runs.end();
                }
            });
        } catch (RejectedExecutionException e) {
            runs.end();
            push.finished();
            reportEach(
                    push,
                    fireTime,
                    Kind.FAILED,
                    "the executor refused the run (saturated or shut down)",
                    Optional.of(e));
        }
    }

    private void runNow(ScheduledPush push, Instant fireTime, boolean catchUp) {
        if (catchUp) {
            log.info(
                    "schedule '{}' woke up late; running once for its missed fire time {}",
                    push.name(),
                    fireTime.atZone(push.cron().zone()));
        }
        boolean mine;
        try {
            mine = claims.claim(push.name(), fireTime);
        } catch (RuntimeException e) {
            push.finished();
            reportEach(
                    push,
                    fireTime,
                    Kind.FAILED,
                    "could not claim the fire time in the store, so as not to run it twice: " + e.getMessage(),
                    Optional.of(e));
            return;
        }
        if (!mine) {
            push.finished();
            log.debug(
                    "schedule '{}' at {} runs on another replica",
                    push.name(),
                    fireTime.atZone(push.cron().zone()));
            return;
        }
        Optional<String> text;
        try {
            text = push.supplier().get();
        } catch (RuntimeException | Error e) {
            push.finished();
            reportEach(
                    push,
                    fireTime,
                    Kind.SUPPLIER_ERROR,
                    "the supplier threw " + e.getClass().getName()
                            + (e.getMessage() == null ? "" : ": " + e.getMessage()),
                    Optional.of(e));
            log.debug("supplier failure of schedule '{}'", push.name(), e);
            if (e instanceof VirtualMachineError error) {
                throw error;
            }
            return;
        }
        if (text == null) {
            push.finished();
            reportEach(
                    push,
                    fireTime,
                    Kind.SUPPLIER_ERROR,
                    "the supplier returned null; return Optional.empty() to skip a run",
                    Optional.of(new NullPointerException("the supplier returned null")));
            return;
        }
        if (text.isEmpty() || text.get().isBlank()) {
            push.finished();
            reportEach(push, fireTime, Kind.SKIPPED, "the supplier had nothing to send", Optional.empty());
            return;
        }
        List<Recipient> recipients = resolve(push.options().target());
        if (recipients.isEmpty()) {
            push.finished();
            reportEach(push, fireTime, Kind.FAILED, "no recipient", Optional.empty());
            return;
        }
        Origin origin = origin(push, fireTime);
        List<CompletableFuture<Delivery>> deliveries = new ArrayList<>();
        for (Recipient recipient : recipients) {
            deliveries.add(deliver(recipient, text.get()));
        }
        CompletableFuture.allOf(deliveries.toArray(CompletableFuture<?>[]::new)).whenComplete((done, failure) -> {
            // The run ends when every part was handed over, not when the reports arrive.
            push.finished();
            for (int i = 0; i < recipients.size(); i++) {
                settle(deliveries.get(i).join(), recipients.get(i), origin);
            }
        });
    }

    /**
     * Reports an outcome for every recipient of the schedule's target, or one without a recipient
     * if it has none.
     */
    void reportEach(ScheduledPush push, Instant fireTime, Kind kind, String reason, Optional<Throwable> failure) {
        Origin origin = origin(push, fireTime);
        List<Recipient> recipients = resolve(push.options().target());
        if (recipients.isEmpty()) {
            String why = kind == Kind.FAILED
                    ? reason + ": " + noRecipient(push.options().target())
                    : reason;
            report(kind, origin, null, null, List.of(), Optional.empty(), why, failure, false);
            return;
        }
        for (Recipient recipient : recipients) {
            report(kind, origin, recipient, List.of(), Optional.empty(), reason, failure);
        }
    }

    private static Origin origin(ScheduledPush push, Instant fireTime) {
        return new Origin(Optional.of(push.name()), Optional.of(fireTime));
    }

    // ---- the path of one push

    private CompletableFuture<Delivery> deliver(Recipient recipient, String markdown) {
        PushTask task = new PushTask(
                sender,
                recipient.channel(),
                recipient.conversation(),
                new Envelope(recipient.address(), recipient.from(), List.of()),
                markdown,
                sender.executor());
        dispatcher.submit(recipient.conversation(), task, CompletableFuture.completedFuture(null));
        return task.result();
    }

    private CompletableFuture<PushOutcome> settle(Delivery delivery, Recipient recipient, Origin origin) {
        CompletableFuture<PushOutcome> future = new CompletableFuture<>();
        outcomes.follow(recipient.channel(), recipient.conversation(), delivery, settled -> {
            Kind kind =
                    switch (settled.kind()) {
                        case DELIVERED -> Kind.DELIVERED;
                        case SENT_UNCONFIRMED -> Kind.SENT_UNCONFIRMED;
                        case FAILED -> Kind.FAILED;
                        case NOTHING_SENT -> Kind.SKIPPED;
                    };
            report(
                            kind,
                            origin,
                            recipient.channel().id(),
                            recipient.address(),
                            settled.messageIds(),
                            settled.providerCode(),
                            settled.reason(),
                            settled.failure().map(Throwable.class::cast),
                            settled.loggedElsewhere())
                    .whenComplete((outcome, e) -> future.complete(outcome));
        });
        return future;
    }

    private CompletableFuture<PushOutcome> report(
            Kind kind,
            Origin origin,
            Recipient recipient,
            List<String> ids,
            Optional<String> code,
            String reason,
            Optional<Throwable> failure) {
        return report(kind, origin, recipient.channel().id(), recipient.address(), ids, code, reason, failure, false);
    }

    /**
     * Logs the outcome (at debug only if {@code loggedElsewhere}), then tells the listener and
     * completes the future.
     */
    private CompletableFuture<PushOutcome> report(
            Kind kind,
            Origin origin,
            String channelId,
            Address to,
            List<String> ids,
            Optional<String> code,
            String reason,
            Optional<Throwable> failure,
            boolean loggedElsewhere) {
        PushOutcome outcome = new PushOutcome(
                kind,
                origin.schedule(),
                origin.fireTime(),
                Optional.ofNullable(channelId),
                Optional.ofNullable(to),
                ids,
                code,
                reason,
                failure,
                clock.instant());
        String what =
                origin.schedule().map(name -> "push of schedule '" + name + "'").orElse("push");
        String where = channelId == null ? "" : " to " + channelId + ":" + (to == null ? "(no recipient)" : to);
        if (loggedElsewhere) {
            log.debug("{}{} {}: {}", what, where, kind, reason);
        } else if (kind.isFailure()) {
            log.warn("{}{} {}: {}", what, where, kind, reason);
        } else {
            log.info("{}{} {}: {}", what, where, kind, reason);
        }
        metrics.push(kind);
        return outcomes.tell(outcome, listener::onPushOutcome);
    }

    // ---- recipients

    private Channel channel(String channelId) {
        requireNonNull(channelId, "channelId");
        Channel channel = channels.get(channelId);
        if (channel == null) {
            throw new IllegalArgumentException(
                    "no channel with id " + channelId + "; the channels are " + channels.keySet());
        }
        return channel;
    }

    private List<Recipient> homes() {
        List<Recipient> homes = new ArrayList<>();
        for (Channel channel : channels.values()) {
            channel.home().ifPresent(home -> homes.add(new Recipient(channel, home.address())));
        }
        return homes;
    }

    List<Recipient> resolve(PushTarget target) {
        if (target instanceof PushTarget.Home home) {
            Channel channel = channel(home.channelId());
            return channel.home()
                    .map(h -> List.of(new Recipient(channel, h.address())))
                    .orElse(List.of());
        }
        if (target instanceof PushTarget.Recipient explicit) {
            return List.of(new Recipient(channel(explicit.channelId()), explicit.address()));
        }
        return homes();
    }

    private void checkTarget(String name, PushTarget target) {
        List<Recipient> recipients;
        try {
            recipients = resolve(target);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("schedule '" + name + "': " + e.getMessage(), e);
        }
        if (recipients.isEmpty()) {
            throw new IllegalArgumentException("schedule '" + name + "' pushes to " + noRecipient(target));
        }
    }

    private String noRecipient(PushTarget target) {
        if (target instanceof PushTarget.Home home) {
            return "the home of channel " + home.channelId() + ", which has none; "
                    + homeHint(List.of(channel(home.channelId())));
        }
        return "every home address, but no channel has one; " + homeHint(channels.values())
                + ", or give the schedule a target";
    }

    /** What to configure: each channel's {@linkplain Channel#homeSetting() setting} where it names one. */
    private static String homeHint(Collection<Channel> channels) {
        List<String> settings = new ArrayList<>();
        for (Channel channel : channels) {
            channel.homeSetting().ifPresent(setting -> settings.add(channel.id() + ": " + setting));
        }
        return settings.isEmpty()
                ? "configure one on the channel"
                : "configure one on the channel (" + String.join("; ", settings) + ")";
    }
}
