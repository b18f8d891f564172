package dev.switchboard.runtime.internal;

import dev.switchboard.runtime.delivery.ReplyOutcome;
import dev.switchboard.runtime.schedule.PushOutcome;
import dev.switchboard.runtime.store.Store;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The runtime's meters in a Micrometer registry, all named under {@code switchboard.}. The only class
 * of the runtime that names a Micrometer type: it is loaded when the application passed a registry,
 * and never otherwise. Each meter is made once (a channel's when first seen; the runtime's channels'
 * at once) and then looked up without allocating.
 */
final class MicrometerMetrics implements RuntimeMetrics {

    private final MeterRegistry registry;
    private final ConcurrentHashMap<String, ChannelMeters> channels = new ConcurrentHashMap<>();
    private final Map<ReplyOutcome.Kind, Counter> replies = new EnumMap<>(ReplyOutcome.Kind.class);
    private final Counter repliesSkipped;
    private final Map<PushOutcome.Kind, Counter> pushes = new EnumMap<>(PushOutcome.Kind.class);
    private final AtomicLong depth = new AtomicLong();
    private final Gauge depthGauge;
    private final AtomicBoolean closed = new AtomicBoolean();

    private MicrometerMetrics(MeterRegistry registry, List<String> channelIds) {
        this.registry = registry;
        for (ReplyOutcome.Kind kind : ReplyOutcome.Kind.values()) {
            replies.put(kind, reply(tag(kind.name())));
        }
        this.repliesSkipped = reply("skipped");
        for (PushOutcome.Kind kind : PushOutcome.Kind.values()) {
            pushes.put(
                    kind,
                    Counter.builder("switchboard.pushes")
                            .description("Pushes settled (sent to a home or other address, by a schedule or code)")
                            .tag("outcome", tag(kind.name()))
                            .register(registry));
        }
        this.depthGauge = Gauge.builder("switchboard.inbox.depth", depth, AtomicLong::doubleValue)
                .description("Inbound messages accepted by this runtime whose turn has not finished: waiting"
                        + " for their conversation, for a slot, or running")
                .strongReference(true)
                .register(registry);
        channels.put(NO_CHANNEL, new ChannelMeters(NO_CHANNEL, false));
        channelIds.forEach(this::meters);
    }

    /**
     * Metrics into {@code registry}.
     *
     * @throws IllegalArgumentException if {@code registry} is not a Micrometer {@code MeterRegistry}
     */
    static RuntimeMetrics create(Object registry, List<String> channelIds) {
        if (!(registry instanceof MeterRegistry meterRegistry)) {
            throw new IllegalArgumentException("meterRegistry must be a " + MeterRegistry.class.getName() + ": "
                    + registry.getClass().getName());
        }
        return new MicrometerMetrics(meterRegistry, channelIds);
    }

    private Counter reply(String outcome) {
        return Counter.builder("switchboard.replies")
                .description("Replies settled: delivered, sent but not confirmed, failed, or skipped (the text"
                        + " rendered to nothing)")
                .tag("outcome", outcome)
                .register(registry);
    }

    private static String tag(String name) {
        return name.toLowerCase(Locale.ROOT);
    }

    private ChannelMeters meters(String channel) {
        ChannelMeters meters = channels.get(channel);
        return meters != null ? meters : channels.computeIfAbsent(channel, id -> new ChannelMeters(id, true));
    }

    @Override
    public void webhook(String channel, WebhookOutcome outcome) {
        meters(channel).webhook(outcome).increment();
    }

    @Override
    public void turnWaited(String channel, long nanos) {
        meters(channel).turnWait.record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void turnTook(String channel, long nanos) {
        meters(channel).turns.record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void turnFailed(String channel) {
        meters(channel).turnsFailed.increment();
    }

    @Override
    public void send(String channel, SendOutcome outcome) {
        meters(channel).sends[outcome.ordinal()].increment();
    }

    @Override
    public void sendRetried(String channel) {
        meters(channel).retries.increment();
    }

    @Override
    public void reconciled(String channel, Reconcile result) {
        meters(channel).reconciles[result.ordinal()].increment();
    }

    @Override
    public void segmentsSent(String channel, int segments) {
        meters(channel).segments.increment(segments);
    }

    @Override
    public boolean enabled() {
        return true;
    }

    @Override
    public void reply(ReplyOutcome.Kind kind) {
        (kind == null ? repliesSkipped : replies.get(kind)).increment();
    }

    @Override
    public void push(PushOutcome.Kind kind) {
        pushes.get(kind).increment();
    }

    @Override
    public void optOut(String channel, boolean optedOut) {
        ChannelMeters meters = meters(channel);
        (optedOut ? meters.optedOut : meters.optedIn).increment();
    }

    @Override
    public void inboxEntered() {
        depth.incrementAndGet();
    }

    @Override
    public void inboxLeft() {
        depth.decrementAndGet();
    }

    @Override
    public Store timed(Store store) {
        return new TimedStore(store, operation -> {
            Timer timer = Timer.builder("switchboard.store.operations")
                    .description("Calls of the store's operations, by operation")
                    .tag("operation", operation)
                    .register(registry);
            return nanos -> timer.record(nanos, TimeUnit.NANOSECONDS);
        });
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            // A runtime built later on the same registry registers a gauge of its own.
            registry.remove(depthGauge);
        }
    }

    /**
     * One channel's meters, by the ordinal of their tag's enum. The requests answered before a channel
     * was known ({@link #NO_CHANNEL}) have webhook counters alone, made as they are first counted but
     * for the outcomes such a request can have.
     */
    private final class ChannelMeters {

        final String channel;
        final AtomicReferenceArray<Counter> webhooks;
        final Timer turns;
        final Timer turnWait;
        final Counter turnsFailed;
        final Counter[] sends;
        final Counter retries;
        final Counter[] reconciles;
        final Counter segments;
        final Counter optedOut;
        final Counter optedIn;

        ChannelMeters(String channel, boolean routed) {
            this.channel = channel;
            webhooks = new AtomicReferenceArray<>(WebhookOutcome.values().length);
            for (WebhookOutcome outcome : WebhookOutcome.values()) {
                if (routed
                        || outcome == WebhookOutcome.MALFORMED
                        || outcome == WebhookOutcome.UNAVAILABLE
                        || outcome == WebhookOutcome.ERROR) {
                    webhook(outcome);
                }
            }
            if (!routed) {
                turns = null;
                turnWait = null;
                turnsFailed = null;
                sends = null;
                retries = null;
                reconciles = null;
                segments = null;
                optedOut = null;
                optedIn = null;
                return;
            }
            turns = Timer.builder("switchboard.turns")
                    .description(
                            "Turns that asked the agent, from their start until their messages were handed" + " over")
                    .tag("channel", channel)
                    .register(registry);
            turnWait = Timer.builder("switchboard.turns.wait")
                    .description("Time from a message's acknowledgement to its turn starting: waiting for its"
                            + " conversation's earlier turns and for a slot")
                    .tag("channel", channel)
                    .register(registry);
            turnsFailed = Counter.builder("switchboard.turns.failed")
                    .description("Turns whose agent threw or returned nothing usable")
                    .tag("channel", channel)
                    .register(registry);
            SendOutcome[] sendOutcomes = SendOutcome.values();
            sends = new Counter[sendOutcomes.length];
            for (SendOutcome outcome : sendOutcomes) {
                sends[outcome.ordinal()] = Counter.builder("switchboard.sends")
                        .description("Calls of a channel's send, one per attempt of a part, by outcome")
                        .tag("channel", channel)
                        .tag("outcome", outcome.tag())
                        .register(registry);
            }
            retries = Counter.builder("switchboard.sends.retries")
                    .description("Attempts that sent a part again after a failed one")
                    .tag("channel", channel)
                    .register(registry);
            Reconcile[] results = Reconcile.values();
            reconciles = new Counter[results.length];
            for (Reconcile result : results) {
                reconciles[result.ordinal()] = Counter.builder("switchboard.sends.reconciles")
                        .description("Look-ups of a part that may have been sent, by result")
                        .tag("channel", channel)
                        .tag("result", result.tag())
                        .register(registry);
            }
            segments = Counter.builder("switchboard.segments.sent")
                    .description("SMS segments of the parts the provider accepted (messages, on a channel not"
                            + " billed per segment)")
                    .tag("channel", channel)
                    .register(registry);
            optedOut = optOutCounter(channel, "opted_out");
            optedIn = optOutCounter(channel, "opted_in");
        }

        Counter webhook(WebhookOutcome outcome) {
            Counter counter = webhooks.get(outcome.ordinal());
            if (counter == null) {
                // The registry hands every caller the one counter of an id.
                counter = Counter.builder("switchboard.webhooks")
                        .description("Webhook requests answered, by channel (none: before a channel's route was"
                                + " found) and outcome")
                        .tag("channel", channel)
                        .tag("outcome", outcome.tag())
                        .register(registry);
                webhooks.set(outcome.ordinal(), counter);
            }
            return counter;
        }

        private Counter optOutCounter(String channel, String change) {
            return Counter.builder("switchboard.opt_outs")
                    .description("Opt-outs and opt-ins recorded: STOP and START words, and recipients the"
                            + " provider refused as opted out")
                    .tag("channel", channel)
                    .tag("change", change)
                    .register(registry);
        }
    }
}
