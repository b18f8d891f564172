package dev.switchboard.runtime;

import static java.util.Objects.requireNonNull;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.switchboard.channel.Channel;
import dev.switchboard.channel.WebhookRequest;
import dev.switchboard.runtime.admin.AdminHandler;
import dev.switchboard.runtime.delivery.AmbiguousSendPolicy;
import dev.switchboard.runtime.delivery.OptOutStore;
import dev.switchboard.runtime.format.MarkdownFormatter;
import dev.switchboard.runtime.format.ReplyFormatter;
import dev.switchboard.runtime.internal.AdminConsole;
import dev.switchboard.runtime.internal.Outbox;
import dev.switchboard.runtime.internal.RouteTable;
import dev.switchboard.runtime.internal.RuntimeMetrics;
import dev.switchboard.runtime.internal.RuntimeSettings;
import dev.switchboard.runtime.internal.StoreOptOuts;
import dev.switchboard.runtime.pairing.PairingSettings;
import dev.switchboard.runtime.schedule.PushOutcome;
import dev.switchboard.runtime.schedule.TaskScheduler;
import dev.switchboard.runtime.store.Store;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * Configures an {@link AgentRuntime}: the channels, the agent, and every option, each validated as
 * it is set, with its default documented; {@link #build()} checks that the required ones were.
 *
 * <pre>{@code
 * AgentRuntime runtime = AgentRuntime.builder()
 *         .channel(sms)
 *         .agent(turn -> Optional.of(myAgent.answer(turn.text())))
 *         .webhookServer("0.0.0.0", 8080)
 *         .build()
 *         .start();
 * }</pre>
 *
 * <p>Not thread-safe; build once and share the runtime.
 */
public final class AgentRuntimeBuilder {

    private final List<Channel> channels = new ArrayList<>();
    private AsyncAgent agent;
    private boolean serve = true;
    private String host = "0.0.0.0";
    private int port = 8080;
    private Map<String, String> serverEnv;
    private ExecutorService executor;
    private boolean shutdownExecutorOnClose;
    private int maxConcurrentTurns = 1_000;
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
    private int outboundConcurrency = 32;
    private int outboundSegmentCap = 200;
    private final Map<String, Double> sendRates = new HashMap<>();
    private RandomGenerator jitter;
    private OptOutStore optOutStore;
    private Store store;
    private Duration leaseTimeout = Duration.ofSeconds(30);
    private Duration storePollInterval = Duration.ofSeconds(1);
    private String helpText;
    private final Map<String, String> helpTexts = new HashMap<>();
    private boolean mergeBursts = RuntimeSettings.Conversations.DEFAULTS.mergeBursts();
    private Duration debounce = RuntimeSettings.Conversations.DEFAULTS.debounce();
    private Duration choiceTtl = RuntimeSettings.Conversations.DEFAULTS.choiceTtl();
    private Duration servedMediaTtl = RuntimeSettings.Conversations.DEFAULTS.servedMediaTtl();
    private URI publicUrl;
    private final Map<String, PairingSettings> pairings = new HashMap<>();
    // A Micrometer MeterRegistry, typed Object so that no Micrometer class is loaded without one.
    private Object meterRegistry;
    private String adminHost;
    private int adminPort = -1;
    private String adminToken;
    private Supplier<String> metricsEndpoint;
    private final Map<String, AdminHandler> adminRoutes = new LinkedHashMap<>();
    private String adminMode = "library";

    AgentRuntimeBuilder() {}

    /**
     * Adds a channel; call once per channel. The runtime serves its routes, starts it in {@link
     * AgentRuntime#start()} and closes it in {@link AgentRuntime#close()}.
     *
     * @throws IllegalArgumentException if another channel has the same id, or claims one of its
     *     route paths
     */
    public AgentRuntimeBuilder channel(Channel channel) {
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

    /**
     * The application's agent, which answers on the thread it is called on (a blocking model client).
     * Required, unless an {@link #asyncAgent(AsyncAgent)} is given instead; a later call replaces an
     * earlier one.
     */
    public AgentRuntimeBuilder agent(Agent agent) {
        requireNonNull(agent, "agent");
        this.agent = blocking(agent);
        return this;
    }

    /**
     * The application's agent, which returns at once with a stage of the reply (a non-blocking model
     * client); see {@link AsyncAgent}. Replaces an {@link #agent(Agent)} given before, and the other
     * way round.
     */
    public AgentRuntimeBuilder asyncAgent(AsyncAgent agent) {
        this.agent = requireNonNull(agent, "agent");
        return this;
    }

    /** A blocking agent as the runtime calls every agent: a stage, complete once it returns. */
    private static AsyncAgent blocking(Agent agent) {
        return turn -> {
            try {
                return CompletableFuture.completedFuture(agent.respond(turn));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return CompletableFuture.failedFuture(e);
            } catch (Exception e) {
                return CompletableFuture.failedFuture(e);
            }
        };
    }

    /**
     * Where the webhook server binds. Default {@code 0.0.0.0:8080}; port 0 picks a free port, which
     * {@link AgentRuntime#port()} reports after start.
     *
     * @throws IllegalArgumentException if {@code host} is blank or {@code port} is outside 0-65535
     */
    public AgentRuntimeBuilder webhookServer(String host, int port) {
        requireNonNull(host, "host");
        if (host.isBlank()) {
            throw new IllegalArgumentException("webhookServer host cannot be blank");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("webhookServer port must be a port number (0-65535): " + port);
        }
        this.serve = true;
        this.host = host.strip();
        this.port = port;
        this.serverEnv = null;
        return this;
    }

    /**
     * Binds the webhook server where the channels' environment conventions say, read from {@code
     * env} when the runtime is built: each channel {@linkplain Channel#webhookServerAddress(Map)
     * names its variables} (the Twilio channels: {@code SMS_WEBHOOK_HOST}, default {@code 0.0.0.0},
     * and {@code SMS_WEBHOOK_PORT}, default 8080). Where no channel has conventions, the defaults of
     * {@link #webhookServer(String, int)} hold.
     *
     * @param env the variables, for example {@code System.getenv()}; copied, not read again
     * @see #build() for the errors a bad value gives
     */
    public AgentRuntimeBuilder webhookServerFromEnv(Map<String, String> env) {
        requireNonNull(env, "env");
        this.serve = true;
        this.serverEnv = Map.copyOf(env);
        return this;
    }

    /**
     * Runs no webhook server: the application passes requests from its own HTTP server to {@link
     * AgentRuntime#handle(WebhookRequest)}. Channels are then started without a listen address.
     */
    public AgentRuntimeBuilder noWebhookServer() {
        this.serve = false;
        this.serverEnv = null;
        return this;
    }

    /**
     * Where the webhook server binds.
     *
     * @deprecated renamed {@link #webhookServer(String, int)}, so that it is not mistaken for the
     *     {@linkplain #listener(RuntimeListener) listener} of outcomes
     */
    @Deprecated
    public AgentRuntimeBuilder listen(String host, int port) {
        return webhookServer(host, port);
    }

    /**
     * Where the webhook server binds, by the channels' environment conventions.
     *
     * @deprecated renamed {@link #webhookServerFromEnv(Map)}
     */
    @Deprecated
    public AgentRuntimeBuilder listenFromEnv(Map<String, String> env) {
        return webhookServerFromEnv(env);
    }

    /**
     * Runs no webhook server.
     *
     * @deprecated renamed {@link #noWebhookServer()}
     */
    @Deprecated
    public AgentRuntimeBuilder withoutListener() {
        return noWebhookServer();
    }

    /**
     * The executor that runs agent turns and schedules' suppliers, instead of the runtime's own
     * threads. By default each turn has a thread of its own: a virtual thread on a JVM that has them
     * (Java 21 and later, found at run time), otherwise a platform thread from an elastic pool whose
     * idle threads end after a minute; turns that do not block share one. Give an executor of your
     * own to bound the threads or to carry context; it must run tasks on its own threads, never on
     * the submitting one (no caller-runs policy), and should not make turns wait long for a thread:
     * a turn waiting for a thread holds its conversation. The runtime's bookkeeping (delivery
     * reports, compliance keywords, the {@linkplain #listener(RuntimeListener) listener}, sends) stays
     * on its own threads either way, so it never waits behind a turn.
     *
     * @param shutdownOnClose whether {@link AgentRuntime#close()} shuts it down; if false, the
     *     application owns it, and turns still running when close times out go on running there
     */
    public AgentRuntimeBuilder executor(ExecutorService executor, boolean shutdownOnClose) {
        this.executor = requireNonNull(executor, "executor");
        this.shutdownExecutorOnClose = shutdownOnClose;
        return this;
    }

    /**
     * How many conversations may have a turn under way at once, whether it holds a thread or waits
     * for an {@link AsyncAgent}'s stage: a bound on what the agent's model is asked at the same time.
     * A turn beyond it waits in its conversation's queue until another conversation's turn ends, in
     * the order they became ready; it never blocks an I/O thread and is never refused. Default 1,000.
     *
     * @throws IllegalArgumentException if {@code max} is less than 1
     */
    public AgentRuntimeBuilder maxConcurrentTurns(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("maxConcurrentTurns must be at least 1: " + max);
        }
        this.maxConcurrentTurns = max;
        return this;
    }

    /** The clock handed to channels. Default {@link Clock#systemUTC()}. */
    public AgentRuntimeBuilder clock(Clock clock) {
        this.clock = requireNonNull(clock, "clock");
        return this;
    }

    /**
     * How many message ids to remember, and for how long, to recognise a provider's retry of a
     * webhook. Default 100,000 ids for 1 hour.
     *
     * @throws IllegalArgumentException if {@code maximumSize} or {@code ttl} is not positive
     */
    public AgentRuntimeBuilder dedupe(long maximumSize, Duration ttl) {
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
    public AgentRuntimeBuilder inboundLimit(int messagesPerMinute, int burst) {
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
    public AgentRuntimeBuilder inboundLimit(int messagesPerMinute) {
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
    public AgentRuntimeBuilder ticker(Ticker ticker) {
        this.ticker = requireNonNull(ticker, "ticker");
        return this;
    }

    /**
     * The largest request body the listener accepts; larger ones are answered 413. Default 64 KiB
     * (65,536 bytes), well above any webhook Twilio sends.
     *
     * @throws IllegalArgumentException if {@code maxBodyBytes} is not positive
     */
    public AgentRuntimeBuilder maxBodyBytes(int maxBodyBytes) {
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
    public AgentRuntimeBuilder readTimeout(Duration readTimeout) {
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
    public AgentRuntimeBuilder shutdownTimeout(Duration shutdownTimeout) {
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
    public AgentRuntimeBuilder formatter(ReplyFormatter formatter) {
        this.formatter = requireNonNull(formatter, "formatter");
        return this;
    }

    /** Observes every outcome. Default: none. A later call replaces an earlier one. */
    public AgentRuntimeBuilder listener(RuntimeListener listener) {
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
    public AgentRuntimeBuilder scheduler(TaskScheduler scheduler) {
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
    public AgentRuntimeBuilder deliveryConfirmationTimeout(Duration timeout) {
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
    public AgentRuntimeBuilder maxSendAttempts(int attempts) {
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
    public AgentRuntimeBuilder maxSendDuration(Duration duration) {
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
    public AgentRuntimeBuilder retryBackoff(Duration base, Duration max) {
        requireNonNull(base, "base");
        requireNonNull(max, "max");
        if (base.isNegative() || base.isZero()) {
            throw new IllegalArgumentException("retryBackoff base must be positive: " + base);
        }
        if (max.compareTo(base) < 0) {
            throw new IllegalArgumentException("retryBackoff max cannot be less than its base (" + base + "): " + max);
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
    public AgentRuntimeBuilder ambiguousSends(AmbiguousSendPolicy policy) {
        this.ambiguousSends = requireNonNull(policy, "policy");
        return this;
    }

    /**
     * How long, after a send that may have reached the provider (see {@link #ambiguousSends}), the
     * runtime goes on looking for the message before it concludes that it was not sent and sends it
     * again. A provider may list a message some time after it accepted it (Twilio's message list can
     * lag behind a create), and a look-up that misses it would send the person a duplicate. Default
     * 16 seconds.
     *
     * <p>The look-ups come at the {@linkplain #retryBackoff base backoff} after the failure, then at
     * twice, four times… that (1, 2, 4, 8 seconds by default), and last at the window's end (16
     * seconds): most lags are over in a second or two, and are caught by the early look-ups; each
     * later look-up allows twice the lag for one more request, so the window is long for few
     * requests. A look-up that finds the message ends the window at once, and the part is taken as
     * sent. The part is sent again only if the last look-up, at or after the window's end, and every
     * one before it found nothing; one that failed proves nothing either way, so the next is made at
     * its time (after the end, after a backoff), and after {@link #maxSendAttempts} failed look-ups
     * the part fails as possibly sent. The look-ups are timers, not sleeping threads; the
     * conversation's later replies wait behind them. Each look-up is logged at DEBUG.
     *
     * <p>{@link #maxSendDuration}, counted from the part's first attempt, bounds the window: a window
     * that would reach past it ends with it, and if the provider has still not listed the message
     * then, the part fails as possibly sent rather than risk a duplicate with no time left to retry
     * it. A window as long as {@code maxSendDuration} thus never sends an ambiguous part again; the
     * window is not checked against it, as either may be set first.
     *
     * @throws IllegalArgumentException if {@code window} is zero or negative
     */
    public AgentRuntimeBuilder reconcileWindow(Duration window) {
        requireNonNull(window, "window");
        if (window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("reconcileWindow must be positive: " + window);
        }
        this.reconcileWindow = window;
        return this;
    }

    /**
     * How many sends (and look-ups) each channel has under way at most; the others wait for a free
     * one, in turn, without holding a thread. Default 32 per channel: agents that answer a burst of
     * people at once finish together, and their replies go out in a second rather than queue behind
     * a handful of requests, while two channels stay well within the concurrent requests a Twilio
     * account is allowed (on the order of a hundred; a request over it is answered 429 and retried
     * safely). Lower it if the account serves other work too.
     *
     * @throws IllegalArgumentException if {@code perChannel} is less than 1
     */
    public AgentRuntimeBuilder outboundConcurrency(int perChannel) {
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
    public AgentRuntimeBuilder outboundSegmentCap(int segmentsPerRecipientPerHour) {
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
    public AgentRuntimeBuilder sendRate(String channelId, double messagesPerSecond) {
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
    public AgentRuntimeBuilder jitter(RandomGenerator random) {
        this.jitter = requireNonNull(random, "random");
        return this;
    }

    /**
     * Where opt-outs are kept: who texted a STOP-family word, or whom the provider refused as opted
     * out, per channel. Every send to them fails at once without reaching the provider, and their
     * other messages are acknowledged and dropped ({@link DropReason#OPTED_OUT}) until they text a
     * START-family word. Default: the runtime's {@linkplain #store(Store) store} (in memory unless
     * a durable one was given).
     */
    public AgentRuntimeBuilder optOutStore(OptOutStore store) {
        this.optOutStore = requireNonNull(store, "store");
        return this;
    }

    /**
     * Where the runtime keeps what it must remember: accepted messages until their turn ran, their
     * dedupe records, conversation leases, history, opt-outs (unless {@link #optOutStore} names
     * another) and schedule claims. Default: {@link Store#inMemory()}, as fast as no store and
     * forgotten when the process ends. With a durable store ({@link
     * dev.switchboard.runtime.store.JdbcStores}: SQLite, or PostgreSQL shared by replicas) a webhook is
     * answered 200 only once its message is committed, and answered 503 while the store cannot commit,
     * so that the provider retries; a message acknowledged before a crash is answered after the
     * restart, or by another replica. The application closes a store it hands over, after the runtime.
     */
    public AgentRuntimeBuilder store(Store store) {
        this.store = requireNonNull(store, "store");
        return this;
    }

    /**
     * How long a conversation stays with a replica that stopped renewing its lease (it died, or
     * stalled) before another replica takes its waiting messages over. A holder renews its leases
     * every third of this. Default: 30 seconds. Only a durable {@link #store(Store)} has leases.
     *
     * @throws IllegalArgumentException if not at least a second
     */
    public AgentRuntimeBuilder leaseTimeout(Duration timeout) {
        requireNonNull(timeout, "timeout");
        if (timeout.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new IllegalArgumentException("leaseTimeout must be at least 1 second: " + timeout);
        }
        this.leaseTimeout = timeout;
        return this;
    }

    /**
     * How often the runtime looks in a durable {@link #store(Store)} for messages that no replica is
     * working on: those accepted by a replica while another held their conversation, and those of a
     * replica that died. Default: 1 second.
     *
     * @throws IllegalArgumentException if not positive
     */
    public AgentRuntimeBuilder storePollInterval(Duration interval) {
        requireNonNull(interval, "interval");
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("storePollInterval must be positive: " + interval);
        }
        this.storePollInterval = interval;
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
    public AgentRuntimeBuilder helpText(String text) {
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
    public AgentRuntimeBuilder helpText(String channelId, String text) {
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
     * Whether the messages of a conversation that arrive while its turn runs go to its next turn
     * together ({@link Turn#messages()}, {@link Turn#text()} joins them), so that three short texts in
     * a row, or a long text a carrier delivered in pieces, get one answer. A message that arrives
     * while its conversation is idle starts its turn at once, alone. A turn takes at most {@value
     * #MAX_BURST} messages; a compliance keyword (STOP, START, HELP) is never part of one. Default
     * true; false gives every message a turn of its own.
     */
    public AgentRuntimeBuilder mergeBursts(boolean merge) {
        this.mergeBursts = merge;
        return this;
    }

    /**
     * The largest request the admin server reads: room for a picture of Twilio's 5 MB limit as base64
     * in the dev phone's JSON. The admin port is the operator's (loopback, or behind its token), not
     * the internet's, whose webhooks keep their own small limit.
     */
    static final int ADMIN_MAX_BODY_BYTES = 7 * 1024 * 1024;

    /** The most messages one turn takes; see {@link #mergeBursts(boolean)}. */
    public static final int MAX_BURST = 20;

    /**
     * A quiet period: a conversation's turn starts only once no message of it has arrived for this
     * long, and takes every message that arrived meanwhile (see {@link #mergeBursts(boolean)}). It
     * delays every answer by up to this much, so keep it short (a second or two). Default zero: no
     * wait.
     *
     * @throws IllegalArgumentException if {@code quietPeriod} is negative or over a minute
     */
    public AgentRuntimeBuilder debounce(Duration quietPeriod) {
        requireNonNull(quietPeriod, "quietPeriod");
        if (quietPeriod.isNegative() || quietPeriod.compareTo(Duration.ofMinutes(1)) > 0) {
            throw new IllegalArgumentException("debounce must be between 0 and 1 minute: " + quietPeriod);
        }
        this.debounce = quietPeriod;
        return this;
    }

    /**
     * Turns pairing on for the channel {@code channelId}: a sender its access policy does not let in
     * is told {@linkplain PairingSettings#onboardingMessage() the onboarding text}, and the channel's
     * {@linkplain Channel#home() home address} gets a notice naming them with a code; the home texts
     * {@code APPROVE <code>} (any case) to let them talk to the agent from then on (they are told),
     * or {@code DENY <code>} to refuse quietly. Approvals are kept in the {@link #store(Store)}, so a
     * durable store shares them between replicas and restarts. {@link AgentRuntime#pairing()} lists,
     * approves and denies from code. Default: off on every channel.
     *
     * <p>{@link AgentRuntime#start()} refuses to start when the channel has no home address.
     *
     * @throws IllegalArgumentException if {@code channelId} is blank or holds a {@code |}
     */
    public AgentRuntimeBuilder pairing(String channelId, PairingSettings settings) {
        requireNonNull(channelId, "channelId");
        requireNonNull(settings, "settings");
        if (channelId.isBlank() || channelId.indexOf('|') >= 0) {
            throw new IllegalArgumentException("pairing channelId must be a channel's id: '" + channelId + "'");
        }
        pairings.put(channelId, settings);
        return this;
    }

    /**
     * How long the numbered choices of a reply ({@link Reply#withChoices}) can be answered; after
     * that, a number is ordinary text. Default 1 hour.
     *
     * @throws IllegalArgumentException if {@code ttl} is not positive
     */
    public AgentRuntimeBuilder choiceTtl(Duration ttl) {
        this.choiceTtl = positive("choiceTtl", ttl);
        return this;
    }

    /**
     * How long the listener serves media an agent made ({@link Media#bytes}) at its unguessable
     * address, for the provider to fetch. Default 10 minutes.
     *
     * @throws IllegalArgumentException if {@code ttl} is not positive
     */
    public AgentRuntimeBuilder servedMediaTtl(Duration ttl) {
        this.servedMediaTtl = positive("servedMediaTtl", ttl);
        return this;
    }

    /**
     * Where the provider reaches this runtime's listener from the internet ({@code
     * https://bot.example.com}, or with the path prefix a reverse proxy strips): the base of the
     * addresses at which the listener serves media an agent made ({@link Media#bytes}). Without it,
     * such media fails to send, saying so; media at public URLs needs nothing.
     *
     * @throws IllegalArgumentException if {@code url} is not an absolute http or https URL without a
     *     query
     */
    public AgentRuntimeBuilder publicUrl(URI url) {
        requireNonNull(url, "url");
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(java.util.Locale.ROOT);
        if (!url.isAbsolute()
                || !(scheme.equals("https") || scheme.equals("http"))
                || url.getHost() == null
                || url.getRawQuery() != null
                || url.getRawFragment() != null) {
            throw new IllegalArgumentException(
                    "publicUrl must be an absolute http or https URL without a query: " + url);
        }
        this.publicUrl = url;
        return this;
    }

    /**
     * The Micrometer registry the runtime's meters go to, all named under {@code switchboard.}: webhooks
     * by channel and outcome, turns (timed, failed, and their wait for the conversation), sends by
     * outcome, retries, reconcile look-ups, segments sent, reply and push outcomes, opt-outs, the
     * store's operations (with a durable store) and the inbox depth; the README lists them with their
     * tags. A Prometheus registry renders them as {@code switchboard_webhooks_total} and so on.
     * Default: none, and then the runtime counts nothing and loads no Micrometer class, so that
     * {@code io.micrometer:micrometer-core} is needed on the class path only by an application that
     * calls this.
     */
    public AgentRuntimeBuilder meterRegistry(MeterRegistry registry) {
        this.meterRegistry = requireNonNull(registry, "registry");
        return this;
    }

    /**
     * Runs the admin server: a second HTTP server, never on the webhook port, for the operator's
     * console ({@code /}, its JSON API under {@code /api/} and its live events at {@code
     * /api/events}), the health checks {@code /healthz} (the process runs) and {@code /readyz} (the
     * webhook listener is bound, the {@linkplain Store#ping() store answers} and the runtime is
     * started: 200, else 503 with the reason), and {@code /metrics} (the {@link #metricsEndpoint}).
     * Port 0 picks a free port, which {@link AgentRuntime#adminPort()} reports after start. Default:
     * no admin server.
     *
     * <p>The console shows message bodies and full numbers. On any host but loopback ({@code
     * 127.0.0.1}, {@code ::1}, {@code localhost}) an {@link #adminToken(String)} is required; without
     * one, the server answers only requests addressed to a loopback name.
     *
     * @throws IllegalArgumentException if {@code host} is blank or {@code port} is outside 0-65535
     * @see #build() for the errors a missing token or a shared port gives
     */
    public AgentRuntimeBuilder adminServer(String host, int port) {
        requireNonNull(host, "host");
        if (host.isBlank()) {
            throw new IllegalArgumentException("adminServer host cannot be blank");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("adminServer port must be a port number (0-65535): " + port);
        }
        this.adminHost = host.strip();
        this.adminPort = port;
        return this;
    }

    /**
     * The admin server's token: when set, every path but {@code /healthz}, {@code /readyz} and {@code
     * /metrics} requires it, as {@code Authorization: Bearer <token>} or as the {@code
     * switchboard_admin} cookie (HttpOnly, SameSite=Strict) that opening {@code /?token=<token>} in a
     * browser sets; a request without it is answered 401. Default: none, which only a loopback
     * {@link #adminServer} allows. Use a long random value ({@code openssl rand -hex 32}).
     *
     * @throws IllegalArgumentException if {@code token} is blank or has a character other than
     *     letters, digits and {@code - . _ ~ + / =} (the message never shows the token)
     */
    public AgentRuntimeBuilder adminToken(String token) {
        requireNonNull(token, "token");
        if (token.isBlank()) {
            throw new IllegalArgumentException("adminToken cannot be blank");
        }
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            boolean plain = (c >= 'a' && c <= 'z')
                    || (c >= 'A' && c <= 'Z')
                    || (c >= '0' && c <= '9')
                    || "-._~+/=".indexOf(c) >= 0;
            if (!plain) {
                throw new IllegalArgumentException("adminToken may hold only letters, digits and - . _ ~ + / ="
                        + " (it travels in a header and a cookie); the character at position " + (i + 1)
                        + " of " + token.length() + " is not one");
            }
        }
        this.adminToken = token;
        return this;
    }

    /**
     * What the admin server serves at {@code GET /metrics}, open like the health checks: Prometheus's
     * text format ({@code Content-Type: text/plain; version=0.0.4; charset=utf-8}), made by the
     * supplier on each request (a Micrometer {@code PrometheusMeterRegistry::scrape}). Default: none,
     * and {@code /metrics} answers 404.
     */
    public AgentRuntimeBuilder metricsEndpoint(Supplier<String> prometheusText) {
        this.metricsEndpoint = requireNonNull(prometheusText, "prometheusText");
        return this;
    }

    /**
     * Serves {@code handler} on the admin server for {@code pathPrefix} and every path under it,
     * behind the admin token like the console's own API; the console's overview lists the prefix. A
     * later call with the same prefix replaces the handler.
     *
     * @param pathPrefix {@code /api/} then one or more segments of lower-case letters, digits, {@code
     *     -}, {@code _} or {@code .}, without a trailing slash ({@code /api/devphone}); not one of the
     *     console's own ({@code /api/overview}, {@code /api/conversations}, {@code /api/schedules},
     *     {@code /api/pairings}, {@code /api/events})
     * @throws IllegalArgumentException if {@code pathPrefix} is not such a prefix
     */
    public AgentRuntimeBuilder adminRoute(String pathPrefix, AdminHandler handler) {
        requireNonNull(pathPrefix, "pathPrefix");
        requireNonNull(handler, "handler");
        if (!pathPrefix.matches("/api(/[a-z0-9._-]+)+") || pathPrefix.contains("/.")) {
            throw new IllegalArgumentException("adminRoute pathPrefix must be /api/ then lower-case segments, without"
                    + " a trailing slash (/api/devphone): '" + pathPrefix + "'");
        }
        for (String own : AdminConsole.OWN_PATHS) {
            if (pathPrefix.equals(own) || pathPrefix.startsWith(own + "/")) {
                throw new IllegalArgumentException(
                        "adminRoute pathPrefix " + pathPrefix + " is the console's own " + own + "; choose another");
            }
        }
        adminRoutes.put(pathPrefix, handler);
        return this;
    }

    /**
     * A label for how the application runs, shown by the console's overview ({@code GET
     * /api/overview}): the sample gateway says {@code sandbox} or {@code twilio}. Default {@code
     * library}.
     *
     * @throws IllegalArgumentException if {@code mode} is blank
     */
    public AgentRuntimeBuilder adminMode(String mode) {
        requireNonNull(mode, "mode");
        if (mode.isBlank()) {
            throw new IllegalArgumentException("adminMode cannot be blank");
        }
        this.adminMode = mode.strip();
        return this;
    }

    private static boolean loopback(String host) {
        String name = host.toLowerCase(java.util.Locale.ROOT);
        return name.equals("127.0.0.1") || name.equals("::1") || name.equals("[::1]") || name.equals("localhost");
    }

    private static Duration positive(String option, Duration value) {
        requireNonNull(value, option);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(option + " must be positive: " + value);
        }
        return value;
    }

    /**
     * Builds the runtime; {@link AgentRuntime#start()} starts it.
     *
     * @throws IllegalStateException if no agent or no channel was set, {@link #sendRate}, {@link
     *     #helpText(String, String)} or {@link #pairing} names a channel that was not added, two channels' environment
     *     conventions give different server addresses, the {@link #adminServer} is not on loopback and has
     *     no {@link #adminToken}, or it has the webhook server's port
     * @throws IllegalArgumentException if a variable read for {@link #webhookServerFromEnv(Map)} has a
     *     bad value, naming it and the value
     */
    public AgentRuntime build() {
        if (agent == null) {
            throw new IllegalStateException("agent is required: set agent(...) or asyncAgent(...)");
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
        for (String id : pairings.keySet()) {
            if (!ids.contains(id)) {
                throw new IllegalStateException("pairing names channel " + id + ", but the channels are " + ids);
            }
        }
        Map<String, String> help = new HashMap<>();
        for (String id : ids) {
            String text = helpTexts.getOrDefault(id, helpText);
            if (text != null) {
                help.put(id, text);
            }
        }
        RuntimeSettings.Server server = serve
                ? serverFromEnv().orElse(new RuntimeSettings.Server(true, host, port, maxBodyBytes, readTimeout))
                : new RuntimeSettings.Server(false, host, port, maxBodyBytes, readTimeout);
        RuntimeMetrics metrics = RuntimeMetrics.of(meterRegistry, ids);
        Store given = store == null ? Store.inMemory() : store;
        // A durable store's operations are worth timing; one in memory's are map look-ups.
        Store chosenStore = given.durable() ? metrics.timed(given) : given;
        OptOutStore optOuts = optOutStore == null ? new StoreOptOuts(chosenStore, clock) : optOutStore;
        RuntimeSettings.Admin admin = adminSettings(server);
        return new AgentRuntime(new RuntimeSettings(
                channels,
                agent,
                listener,
                formatter,
                server,
                new RuntimeSettings.Turns(Optional.ofNullable(executor), shutdownExecutorOnClose, maxConcurrentTurns),
                new RuntimeSettings.Inbound(dedupeMaximumSize, dedupeTtl, inboundPerMinute, inboundBurst),
                new Outbox.Settings(
                        maxSendAttempts,
                        maxSendDuration,
                        baseBackoff,
                        maxBackoff,
                        ambiguousSends,
                        reconcileWindow,
                        outboundConcurrency,
                        sendRates),
                new RuntimeSettings.Tracking(
                        deliveryConfirmationTimeout, outboundSegmentCap, optOuts, Optional.ofNullable(jitter)),
                new RuntimeSettings.Time(clock, ticker, Optional.ofNullable(scheduler)),
                new RuntimeSettings.State(chosenStore, store == null, leaseTimeout, storePollInterval),
                new RuntimeSettings.Conversations(
                        mergeBursts, debounce, MAX_BURST, choiceTtl, servedMediaTtl, Optional.ofNullable(publicUrl)),
                help,
                pairings,
                shutdownTimeout,
                metrics,
                admin));
    }

    /** The admin server's settings, checked against the webhook server's. */
    private RuntimeSettings.Admin adminSettings(RuntimeSettings.Server server) {
        boolean enabled = adminHost != null;
        if (enabled && adminToken == null && !loopback(adminHost)) {
            throw new IllegalStateException("the adminServer host " + adminHost + " is not loopback, and the console"
                    + " shows message bodies: set adminToken(...) (the sample: SWITCHBOARD_ADMIN_TOKEN), or bind"
                    + " the admin server to 127.0.0.1");
        }
        if (enabled && server.enabled() && adminPort != 0 && adminPort == server.port()) {
            throw new IllegalStateException("the adminServer port " + adminPort
                    + " is the webhook server's port; the admin server needs a port of its own (0 picks a free one)");
        }
        return new RuntimeSettings.Admin(
                enabled,
                enabled ? adminHost : "127.0.0.1",
                Math.max(adminPort, 0),
                Optional.ofNullable(adminToken),
                Optional.ofNullable(metricsEndpoint),
                adminRoutes,
                adminMode,
                ADMIN_MAX_BODY_BYTES,
                readTimeout);
    }

    /** The server address the channels' conventions give in {@link #serverEnv}, if any. */
    private Optional<RuntimeSettings.Server> serverFromEnv() {
        if (serverEnv == null) {
            return Optional.empty();
        }
        InetSocketAddress chosen = null;
        String by = null;
        for (Channel channel : channels) {
            Optional<InetSocketAddress> address = channel.webhookServerAddress(serverEnv);
            if (address.isEmpty()) {
                continue;
            }
            if (chosen == null) {
                chosen = address.get();
                by = channel.id();
            } else if (!chosen.getHostString().equals(address.get().getHostString())
                    || chosen.getPort() != address.get().getPort()) {
                throw new IllegalStateException("the environment gives two webhook server addresses: "
                        + chosen.getHostString() + ":" + chosen.getPort() + " for channel " + by + " and "
                        + address.get().getHostString() + ":" + address.get().getPort() + " for channel "
                        + channel.id());
            }
        }
        String boundHost = chosen == null ? host : chosen.getHostString();
        int boundPort = chosen == null ? port : chosen.getPort();
        return Optional.of(new RuntimeSettings.Server(true, boundHost, boundPort, maxBodyBytes, readTimeout));
    }
}
