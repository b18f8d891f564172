package dev.switchboard.samples.assistant;

import static java.util.Objects.requireNonNull;

import dev.switchboard.channel.Address;
import dev.switchboard.runtime.AgentRuntime;
import dev.switchboard.runtime.store.Store;
import dev.switchboard.runtime.store.StoredRecord;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The assistant's reminders, kept in the runtime's {@link Store} as keyed records of kind {@link
 * #KIND}, so that with a durable store they outlive a restart and are shared by replicas.
 *
 * <p>{@link #start} sweeps them every second: each due reminder is taken from the store ({@link
 * Store#takeRecord}, atomic across every process sharing it, so of several replicas exactly one
 * gets it) and pushed through the runtime ({@link AgentRuntime#send(String, Address, Address,
 * String)}), which formats, splits, sends and logs the outcome as for any push. A reminder is taken
 * before it is sent: should the process die in between, it is lost rather than sent twice. One that
 * could not be sent for {@link #GRACE} after it was due (the gateway was down) expires unsent.
 *
 * <p>Thread-safe. Logs never carry a reminder's text, and name people only redacted.
 */
public final class Reminders implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Reminders.class);

    /** The kind of the store's records that hold reminders. */
    public static final String KIND = "assistant.reminder";

    /** How far ahead a reminder may be set. */
    public static final Duration LONGEST = Duration.ofDays(30);

    /** How long after it was due a reminder not yet sent is still sent; after that it expires. */
    public static final Duration GRACE = Duration.ofDays(1);

    /** How often {@link #start} looks for due reminders. */
    public static final Duration SWEEP_INTERVAL = Duration.ofSeconds(1);

    /** What a pushed reminder starts with. */
    public static final String PREFIX = "Reminder: ";

    private final Store store;
    private final Clock clock;
    private ScheduledExecutorService sweeper;
    private boolean closed;

    /**
     * Reminders in {@code store}, due by {@code clock}.
     *
     * @param store where they are kept: the runtime's store, for them to outlive a restart
     * @param clock the time reminders are set from and found due by
     */
    public Reminders(Store store, Clock clock) {
        this.store = requireNonNull(store, "store");
        this.clock = requireNonNull(clock, "clock");
    }

    /** The clock reminders are due by. */
    public Clock clock() {
        return clock;
    }

    /**
     * Stores a reminder to push {@code text} to {@code to} on the channel {@code channelId}, from
     * {@code from}, at {@code at}.
     *
     * @return the stored reminder
     * @throws IllegalArgumentException if {@code text} is blank, or {@code at} is not after now or
     *     more than {@link #LONGEST} ahead
     */
    public Reminder add(String channelId, Address from, Address to, Instant at, String text) {
        requireNonNull(channelId, "channelId");
        requireNonNull(from, "from");
        requireNonNull(to, "to");
        requireNonNull(at, "at");
        requireNonNull(text, "text");
        Instant now = clock.instant();
        if (text.isBlank()) {
            throw new IllegalArgumentException("a reminder needs a text");
        }
        if (!at.isAfter(now)) {
            throw new IllegalArgumentException("a reminder must be due after now (" + now + "): " + at);
        }
        if (at.isAfter(now.plus(LONGEST))) {
            throw new IllegalArgumentException(
                    "a reminder may be set at most " + LONGEST.toDays() + " days ahead: " + at);
        }
        String id = String.format("%019d-%s", at.toEpochMilli(), UUID.randomUUID());
        Reminder reminder = new Reminder(id, channelId, from, to, at, text.strip());
        store.putRecord(KIND, id, reminder.toJson(), Optional.of(at.plus(GRACE)));
        log.info("reminder {} set for {} on {} at {}", id, to.redacted(), channelId, at);
        return reminder;
    }

    /** The reminders not yet sent (nor expired), the soonest first. */
    public List<Reminder> pending() {
        List<Reminder> pending = new ArrayList<>();
        for (StoredRecord record : store.records(KIND, clock.instant())) {
            try {
                pending.add(Reminder.fromJson(record.key(), record.value()));
            } catch (IllegalArgumentException e) {
                log.warn("reminder {} is unreadable and is skipped: {}", record.key(), e.getMessage());
            }
        }
        return pending;
    }

    /**
     * Pushes every reminder due now through {@code runtime}, each taken from the store first so that
     * no other sweep (of this process or another sharing the store) sends it too. An unreadable
     * record is taken and dropped, with a warning.
     *
     * @return the reminders this sweep took and handed to the runtime
     */
    public List<Reminder> sweep(AgentRuntime runtime) {
        requireNonNull(runtime, "runtime");
        return sweep(reminder -> push(runtime, reminder));
    }

    /** Hands every reminder due now to {@code push}, each taken from the store first; see {@link #sweep(AgentRuntime)}. */
    List<Reminder> sweep(Consumer<Reminder> push) {
        Instant now = clock.instant();
        List<Reminder> sent = new ArrayList<>();
        for (StoredRecord record : store.records(KIND, now)) {
            Reminder reminder;
            try {
                reminder = Reminder.fromJson(record.key(), record.value());
            } catch (IllegalArgumentException e) {
                if (store.takeRecord(KIND, record.key(), now).isPresent()) {
                    log.warn("reminder {} is unreadable and was dropped: {}", record.key(), e.getMessage());
                }
                continue;
            }
            if (reminder.at().isAfter(now)) {
                break; // keys sort by due time: the rest are later
            }
            if (store.takeRecord(KIND, record.key(), now).isPresent()) {
                push.accept(reminder);
                sent.add(reminder);
            }
        }
        return sent;
    }

    private static void push(AgentRuntime runtime, Reminder reminder) {
        String markdown = PREFIX + reminder.text();
        try {
            runtime.send(reminder.channelId(), reminder.from(), reminder.to(), markdown);
        } catch (IllegalArgumentException notOurs) {
            // The number the person wrote to is no longer the channel's: its first number sends it.
            try {
                runtime.send(reminder.channelId(), reminder.to(), markdown);
            } catch (IllegalArgumentException noChannel) {
                log.warn(
                        "reminder {} for {} was dropped: no channel {} runs",
                        reminder.id(),
                        reminder.to().redacted(),
                        reminder.channelId());
                return;
            }
        }
        log.info("reminder {} pushed to {} on {}", reminder.id(), reminder.to().redacted(), reminder.channelId());
    }

    /**
     * Sweeps every {@link #SWEEP_INTERVAL} on a thread of its own, pushing due reminders through
     * {@code runtime}, until {@link #close()}. A sweep that fails (the store did not answer) is logged
     * and the next one tries again.
     *
     * @throws IllegalStateException if already started or closed
     */
    public synchronized void start(AgentRuntime runtime) {
        requireNonNull(runtime, "runtime");
        if (closed || sweeper != null) {
            throw new IllegalStateException(closed ? "the reminders were closed" : "the reminders already run");
        }
        sweeper = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "assistant-reminders");
            thread.setDaemon(true);
            return thread;
        });
        long interval = SWEEP_INTERVAL.toMillis();
        sweeper.scheduleWithFixedDelay(
                () -> {
                    try {
                        sweep(runtime);
                    } catch (RuntimeException e) {
                        log.warn("the reminder sweep failed and is tried again: {}", e.toString());
                    }
                },
                interval,
                interval,
                TimeUnit.MILLISECONDS);
    }

    /** Stops sweeping, waiting for a sweep under way; the reminders stay in the store. */
    @Override
    public synchronized void close() {
        closed = true;
        if (sweeper != null) {
            sweeper.shutdown();
            try {
                sweeper.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
