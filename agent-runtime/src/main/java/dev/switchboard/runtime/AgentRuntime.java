package dev.switchboard.runtime;

import static java.util.Objects.requireNonNull;

import dev.switchboard.channel.Address;
import dev.switchboard.channel.Channel;
import dev.switchboard.channel.WebhookRequest;
import dev.switchboard.channel.WebhookResponse;
import dev.switchboard.runtime.admin.AdminEvents;
import dev.switchboard.runtime.internal.Exchange;
import dev.switchboard.runtime.internal.RuntimeCore;
import dev.switchboard.runtime.internal.RuntimeMetrics;
import dev.switchboard.runtime.internal.RuntimeSettings;
import dev.switchboard.runtime.pairing.Pairing;
import dev.switchboard.runtime.schedule.CatchUp;
import dev.switchboard.runtime.schedule.CronSchedule;
import dev.switchboard.runtime.schedule.PushOutcome;
import dev.switchboard.runtime.schedule.ScheduleHandle;
import dev.switchboard.runtime.schedule.ScheduleOptions;
import dev.switchboard.runtime.store.Store;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
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
 *         .webhookServerFromEnv(System.getenv())
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
 * the sender's {@linkplain AgentRuntimeBuilder#inboundLimit(int, int) inbound limit} (a message over it is
 * answered 429 and dropped).
 * After the answer: the compliance keywords, at once and never behind an agent (STOP-family words
 * opt the sender out of the channel, START-family words opt them back in, HELP is answered with the
 * {@linkplain AgentRuntimeBuilder#helpText(String) help text}; none reaches the agent, nor does
 * anything from someone opted out), the channel's {@linkplain Channel#accessPolicy() access policy}
 * (unknown senders are dropped without a reply), then the agent's turn and its reply, one turn at a
 * time per conversation, conversations side by side. The agent never runs on an I/O thread, so the
 * provider's answer never waits for it; by default each turn has a thread of its own (virtual where
 * the JVM has them), so a model that takes seconds makes no other conversation wait.
 *
 * <p>Replies go out part by part: a part the provider accepted is never sent again; one that certainly
 * did not reach it (a refused connection, HTTP 429) is sent again after a backoff; one that may have
 * (a timeout, a 5xx) is first {@linkplain AgentRuntimeBuilder#ambiguousSends looked up} through the channel; one
 * refused for good stops the reply. The provider's delivery reports move each part's state forward,
 * and the {@link RuntimeListener} hears each move and one outcome per reply. No recipient is sent
 * more than the {@linkplain AgentRuntimeBuilder#outboundSegmentCap(int) outbound segment cap} in any rolling hour.
 *
 * <p>An application that already runs an HTTP server can build the runtime {@linkplain
 * AgentRuntimeBuilder#noWebhookServer() without a webhook server} and serve the webhooks from it: in a
 * servlet container with {@link dev.switchboard.runtime.servlet.SwitchboardServlet}, from any other
 * server with {@link #answer(WebhookRequest)} (or the simpler, blocking {@link #handle(WebhookRequest)}).
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

    private final RuntimeCore core;
    private final boolean serves;
    private final boolean admin;
    private final int maxBodyBytes;

    AgentRuntime(RuntimeSettings settings) {
        this.core = new RuntimeCore(settings);
        this.serves = settings.server().enabled();
        this.admin = settings.admin().enabled();
        this.maxBodyBytes = settings.server().maxBodyBytes();
    }

    /** A new builder. */
    public static AgentRuntimeBuilder builder() {
        return new AgentRuntimeBuilder();
    }

    /**
     * Binds the webhook server, then starts every channel, then the schedules. Returns once the
     * server is bound and the channels are started; webhook requests received before that are
     * answered 503.
     *
     * @return this runtime
     * @throws IllegalStateException if the runtime was already started or closed, if a channel with
     *     {@linkplain AgentRuntimeBuilder#pairing pairing} on has no home address (the message names
     *     it), if the server cannot be bound (the port is in use, the host is unknown), or if a channel
     *     refuses to start; in the last three cases the runtime is closed
     */
    public AgentRuntime start() {
        core.start();
        return this;
    }

    /**
     * The port the webhook server is bound to; useful after {@linkplain
     * AgentRuntimeBuilder#webhookServer(String, int) binding} port 0.
     *
     * @throws IllegalStateException if the server is not bound: before {@link #start()}, or {@linkplain
     *     AgentRuntimeBuilder#noWebhookServer() without a webhook server}
     */
    public int port() {
        return localAddress().getPort();
    }

    /**
     * The address the webhook server is bound to.
     *
     * @throws IllegalStateException if the server is not bound: before {@link #start()}, or {@linkplain
     *     AgentRuntimeBuilder#noWebhookServer() without a webhook server}
     */
    public InetSocketAddress localAddress() {
        InetSocketAddress address = core.localAddress();
        if (address == null) {
            throw new IllegalStateException(
                    serves
                            ? "the webhook server is not bound yet; call start() first"
                            : "the runtime runs without a webhook server");
        }
        return address;
    }

    /**
     * The port the {@linkplain AgentRuntimeBuilder#adminServer(String, int) admin server} is bound to;
     * useful after binding port 0.
     *
     * @throws IllegalStateException if it is not bound: before {@link #start()}, after {@link
     *     #close()}, or without an admin server
     */
    public int adminPort() {
        InetSocketAddress address = core.adminAddress();
        if (address == null) {
            throw new IllegalStateException(
                    admin
                            ? "the admin server is not bound yet; call start() first"
                            : "the runtime runs without an admin server; set AgentRuntimeBuilder.adminServer(host, port)");
        }
        return address.getPort();
    }

    /**
     * The console's live events, to publish the application's own to every open {@code /api/events}
     * stream. Always available: without an admin server, or before it starts, an event goes nowhere.
     */
    public AdminEvents adminEvents() {
        return core.adminEvents();
    }

    /**
     * Whether the runtime can take webhooks now: the webhook listener bound (or {@code NOT_USED} when
     * the host serves webhooks), the store answering a ping within 3 s, and the runtime started and
     * not closed. The same answer as the admin server's {@code /readyz}, for a host's own probes (a
     * Spring Boot health contributor, say). Blocks for at most the ping's 3 s; callable at any time,
     * before {@link #start()} and after {@link #close()} too.
     */
    public RuntimeHealth health() {
        return core.readiness().check();
    }

    /**
     * Handles one webhook request received by another HTTP server, with the same checks as the
     * built-in webhook server. Fast: the agent's turn is handed on as this method returns and never
     * runs on the calling thread. With a durable {@linkplain AgentRuntimeBuilder#store store} it waits
     * for the message's commit (a few milliseconds; a 503 within seconds when the store is down).
     *
     * <p>A 405 answer should carry an {@code Allow} header listing the route's methods; this method
     * cannot set headers, so a host that cares adds it, or uses {@link #answer(WebhookRequest)}.
     *
     * @return the answer to send back; 503 before {@link #start()} and after {@link #close()}
     */
    public WebhookResponse handle(WebhookRequest request) {
        WebhookAnswer answer = answer(request).toCompletableFuture().join();
        try {
            return answer.response();
        } finally {
            answer.written();
        }
    }

    /**
     * Answers one webhook request received by another HTTP server, with the same checks as the
     * built-in webhook server, without blocking: for a host that can answer asynchronously (as {@link
     * dev.switchboard.runtime.servlet.SwitchboardServlet} does). The answer is known at once, except
     * with a durable {@linkplain AgentRuntimeBuilder#store store}, where an accepted message's answer
     * waits for its commit: a few milliseconds, or a 503 within seconds when the store is down. The
     * stage then completes on one of the store's threads; the host should write from there or hand
     * the writing to its own, and never wait on one of the runtime's threads.
     *
     * <p>The host passes the request as it arrived: the path and query raw (not decoded), every header
     * (the first of repeated ones), the whole body. It must have refused a body over its limit
     * itself (see {@link #refused(int)}). The channels verify signatures against the public URL in
     * their own configuration, never against the request's {@code Host} header, so a host behind a
     * proxy needs no rewriting.
     *
     * <p>Once the answer is written (or failed to be), the host calls {@link WebhookAnswer#written()}:
     * only then is an accepted message handed on to its conversation.
     *
     * @return the answer, once known; it never completes exceptionally. Before {@link #start()} and
     *     after {@link #close()} it is a 503.
     */
    public CompletionStage<WebhookAnswer> answer(WebhookRequest request) {
        requireNonNull(request, "request");
        return answer(core.exchange(request));
    }

    private static CompletionStage<WebhookAnswer> answer(Exchange exchange) {
        if (exchange.later() == null) {
            return CompletableFuture.completedFuture(
                    new WebhookAnswer(exchange.response(), exchange.allow(), exchange.afterAck()));
        }
        return exchange.later()
                .handle((later, failure) -> {
                    if (later != null) {
                        return answer(later);
                    }
                    // Not expected: the ingress completes its stages with an answer, even a 503.
                    log.warn(
                            "a webhook's answer failed: {}",
                            failure == null ? "no answer" : failure.getClass().getName());
                    return CompletableFuture.completedFuture(
                            new WebhookAnswer(WebhookResponse.text(500, "Internal Server Error"), Set.of(), () -> {}));
                })
                .thenCompose(stage -> stage);
    }

    /**
     * The answer to a request that a host refuses before it reaches the runtime, because it cannot
     * read it as a webhook: 400 (unreadable), 413 (the body is over {@link #maxBodyBytes()}), 414 (the
     * URL is too long) or 431 (the headers are too large). Counted in the runtime's metrics as the
     * built-in webhook server counts its own refusals (outcome {@code malformed}).
     *
     * @throws IllegalArgumentException if {@code status} is not one of 400, 413, 414 and 431
     */
    public WebhookAnswer refused(int status) {
        String reason =
                switch (status) {
                    case 400 -> "Bad Request";
                    case 413 -> "Content Too Large: the body is over " + maxBodyBytes + " bytes";
                    case 414 -> "URI Too Long";
                    case 431 -> "Request Header Fields Too Large";
                    default ->
                        throw new IllegalArgumentException(
                                "a host refuses a request with 400, 413, 414 or 431, not " + status);
                };
        core.metrics().webhook(RuntimeMetrics.NO_CHANNEL, RuntimeMetrics.WebhookOutcome.MALFORMED);
        return new WebhookAnswer(WebhookResponse.text(status, reason), Set.of(), () -> {});
    }

    /**
     * The largest request body the runtime's webhooks take, in bytes: {@link
     * AgentRuntimeBuilder#maxBodyBytes(int)}, default 65,536. The built-in webhook server answers a
     * larger body 413, and so should a host that serves the webhooks itself ({@link #refused(int)}).
     */
    public int maxBodyBytes() {
        return maxBodyBytes;
    }

    /**
     * Pushes {@code markdown} to {@code to} on the channel {@code channelId} now, through the same
     * formatting, splitting and delivery as a reply, in turn with that conversation's replies. Returns
     * at once; the sending happens on the executor.
     *
     * @return the push's outcome, once settled: when the provider has reported every part delivered or
     *     one failed, or when the {@linkplain AgentRuntimeBuilder#deliveryConfirmationTimeout(Duration) confirmation
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
        return core.pushes().send(channelId, to, markdown);
    }

    /**
     * Pushes {@code markdown} to {@code to} from {@code from}, one of the channel's own addresses (a
     * channel with several numbers otherwise sends from its first), as {@link #send(String, Address,
     * String)} does.
     *
     * @throws IllegalArgumentException if no channel has the id {@code channelId}, or it does not own
     *     {@code from}
     * @throws IllegalStateException before {@link #start()}
     */
    public CompletableFuture<PushOutcome> send(String channelId, Address from, Address to, String markdown) {
        requireNonNull(channelId, "channelId");
        requireNonNull(from, "from");
        requireNonNull(to, "to");
        requireNonNull(markdown, "markdown");
        requireStarted();
        return core.pushes().send(channelId, from, to, markdown);
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
        return core.pushes().sendHome(channelId, markdown);
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
        return core.pushes().sendHome(markdown);
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
        return core.pushes().schedule(name, cron, zone, options, supplier);
    }

    /** The schedules registered and not cancelled, in the order they were registered. */
    public List<ScheduleHandle> schedules() {
        return core.pushes().schedules();
    }

    /**
     * The runtime's store ({@link AgentRuntimeBuilder#store}): for the application to list
     * conversations ({@link Store#conversations}) and read a transcript ({@link Store#history}). Its
     * other methods are the runtime's business; calling them can break its promises.
     */
    public Store store() {
        return core.store();
    }

    /**
     * The pairing requests and approvals ({@link AgentRuntimeBuilder#pairing}), kept in the store and
     * so shared by every replica using it: list, approve, deny, revoke. An approval made here tells
     * the sender through this runtime once it is started (before, the first runtime started with
     * pairing on for the channel tells them).
     */
    public Pairing pairing() {
        return core.pairing().api();
    }

    private void requireStarted() {
        if (!core.started()) {
            throw new IllegalStateException("the runtime is not started; call start() first");
        }
    }

    /**
     * Stops taking webhooks, waits up to the {@linkplain AgentRuntimeBuilder#shutdownTimeout(Duration)
     * shutdown timeout} for the turns already accepted, closes the channels, and shuts down the
     * runtime's threads (and the application's executor if told to). Turns still waiting when the
     * timeout passes are dropped and reported as {@link DropReason#SHUTDOWN}; turns still running on
     * the runtime's own threads are interrupted. Every push's future and every outcome still
     * completes, with a failure if the work was cut short. Idempotent.
     */
    @Override
    public void close() {
        core.close();
    }

    @Override
    public String toString() {
        return core.toString();
    }
}
