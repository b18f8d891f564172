package dev.switchboard.runtime.internal;

import dev.switchboard.channel.Channel;
import dev.switchboard.channel.DeliveryReceipt;
import dev.switchboard.channel.InboundMessage;
import dev.switchboard.channel.WebhookRequest;
import dev.switchboard.channel.WebhookResponse;
import dev.switchboard.channel.WebhookResult;
import dev.switchboard.runtime.DropReason;
import dev.switchboard.runtime.internal.RuntimeMetrics.WebhookOutcome;
import dev.switchboard.runtime.store.InboxEntry;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything that happens to a webhook request before it is answered: route, the channel's
 * verification and parsing, duplicate and echo checks, the sender's inbound limit. Fast and
 * non-blocking, so it can run on an I/O thread; the work that follows is handed on after the answer.
 */
public final class WebhookIngress {

    private static final Logger log = LoggerFactory.getLogger(WebhookIngress.class);

    /**
     * How long a webhook waits for its message's commit before it is answered 503: well inside the
     * 15 seconds a provider like Twilio waits for an answer.
     */
    static final Duration COMMIT_TIMEOUT = Duration.ofSeconds(10);

    private static final WebhookResponse UNAVAILABLE =
            WebhookResponse.text(503, "Service Unavailable: the message could not be stored; retry later");

    /** Where accepted events go. */
    public interface Sink {

        /**
         * Takes an inbound message's place in its conversation. Called before the answer is written;
         * the returned action is run after it, and lets the message's turn start.
         */
        Runnable inbound(Channel channel, InboundMessage message);

        /** An inbound message that goes no further; called after the answer. */
        void dropped(InboundMessage message, DropReason reason);

        /** A delivery report; called after the answer. */
        void receipt(DeliveryReceipt receipt);

        /** A request the channel refused; called after the answer. */
        void rejected(WebhookRequest request, WebhookResponse response);
    }

    private final RouteTable routes;
    private final MessageDedupe dedupe;
    private final InboundLimiter limiter;
    private final Sink sink;
    private final InboxCommitter committer;
    private final ServedMedia media;
    private final RuntimeMetrics metrics;
    // With a committer: the messages being committed, by channel and id.
    private final ConcurrentHashMap<String, CompletableFuture<Optional<InboxEntry>>> pendingCommits =
            new ConcurrentHashMap<>();

    public WebhookIngress(RouteTable routes, MessageDedupe dedupe, Sink sink) {
        this(routes, dedupe, InboundLimiter.UNLIMITED, sink);
    }

    public WebhookIngress(RouteTable routes, MessageDedupe dedupe, InboundLimiter limiter, Sink sink) {
        this(routes, dedupe, limiter, sink, null);
    }

    /**
     * @param committer commits accepted messages to a durable store before they are acknowledged, or
     *     null to acknowledge them at once (a store in memory)
     */
    public WebhookIngress(
            RouteTable routes, MessageDedupe dedupe, InboundLimiter limiter, Sink sink, InboxCommitter committer) {
        this(routes, dedupe, limiter, sink, committer, null);
    }

    /** @param media the media agents made, served for the provider to fetch, or null to serve none */
    public WebhookIngress(
            RouteTable routes,
            MessageDedupe dedupe,
            InboundLimiter limiter,
            Sink sink,
            InboxCommitter committer,
            ServedMedia media) {
        this(routes, dedupe, limiter, sink, committer, media, RuntimeMetrics.NONE);
    }

    /** @param metrics where each request's outcome is counted */
    public WebhookIngress(
            RouteTable routes,
            MessageDedupe dedupe,
            InboundLimiter limiter,
            Sink sink,
            InboxCommitter committer,
            ServedMedia media,
            RuntimeMetrics metrics) {
        this.metrics = metrics;
        this.media = media;
        this.committer = committer;
        this.routes = routes;
        this.dedupe = dedupe;
        this.limiter = limiter;
        this.sink = sink;
    }

    private CompletableFuture<Optional<InboxEntry>> committing(String channelId, String messageId) {
        return pendingCommits.get(channelId + "\n" + messageId);
    }

    public Exchange exchange(WebhookRequest request) {
        if (media != null && request.path().startsWith(ServedMedia.PATH)) {
            return Exchange.of(media.serve(request));
        }
        RouteTable.Match match = routes.match(request.method(), request.path(), request.mediaType());
        if (match instanceof RouteTable.NotFound) {
            log.debug("no route for {}", request);
            metrics.webhook(RuntimeMetrics.NO_CHANNEL, WebhookOutcome.MALFORMED);
            return Exchange.of(WebhookResponse.text(404, "Not Found"));
        }
        if (match instanceof RouteTable.MethodNotAllowed notAllowed) {
            log.debug("method not allowed: {}", request);
            metrics.webhook(RuntimeMetrics.NO_CHANNEL, WebhookOutcome.MALFORMED);
            return new Exchange(WebhookResponse.text(405, "Method Not Allowed"), notAllowed.allowed(), () -> {});
        }
        if (match instanceof RouteTable.UnsupportedMediaType unsupported) {
            log.debug("unsupported media type: {}", request);
            metrics.webhook(RuntimeMetrics.NO_CHANNEL, WebhookOutcome.MALFORMED);
            return Exchange.of(WebhookResponse.text(
                    415, "Unsupported Media Type; expected " + String.join(" or ", unsupported.accepted())));
        }
        RouteTable.Found found = (RouteTable.Found) match;
        Channel channel = found.channel();
        WebhookResult result;
        try {
            result = found.route().handler().handle(request);
        } catch (RuntimeException e) {
            log.warn(
                    "channel {} failed to handle {}: {}: {}",
                    channel.id(),
                    request,
                    e.getClass().getName(),
                    e.getMessage());
            metrics.webhook(channel.id(), WebhookOutcome.ERROR);
            return Exchange.of(WebhookResponse.text(500, "Internal Server Error"));
        }
        if (result instanceof WebhookResult.Inbound inbound) {
            return inbound(channel, inbound.message(), inbound.response());
        }
        if (result instanceof WebhookResult.Receipt receipt) {
            log.debug(
                    "receipt {} for message {}",
                    receipt.receipt().status(),
                    receipt.receipt().messageId());
            metrics.webhook(channel.id(), WebhookOutcome.RECEIPT);
            return Exchange.of(receipt.response(), () -> sink.receipt(receipt.receipt()));
        }
        if (result instanceof WebhookResult.Rejected rejected) {
            if (log.isDebugEnabled()) {
                log.debug(
                        "channel {} rejected {} with {}",
                        channel.id(),
                        request,
                        rejected.response().status());
            }
            metrics.webhook(
                    channel.id(), WebhookOutcome.ofStatus(rejected.response().status()));
            return Exchange.of(rejected.response(), () -> sink.rejected(request, rejected.response()));
        }
        metrics.webhook(channel.id(), WebhookOutcome.ofStatus(result.response().status()));
        return Exchange.of(result.response());
    }

    private Exchange inbound(Channel channel, InboundMessage message, WebhookResponse ack) {
        String channelId = channel.id();
        if (!dedupe.firstSighting(channelId, message.id())) {
            CompletableFuture<Optional<InboxEntry>> committing =
                    committer == null ? null : committing(channelId, message.id());
            if (committing != null) {
                // A redelivery while the first copy is being committed is answered as the first is:
                // acknowledged once it is committed, 503 if it is not, never before.
                return Exchange.later(committing.handle((entry, failure) -> {
                    if (failure != null) {
                        metrics.webhook(channelId, WebhookOutcome.UNAVAILABLE);
                        return Exchange.of(UNAVAILABLE);
                    }
                    metrics.webhook(channelId, WebhookOutcome.DUPLICATE);
                    return Exchange.of(ack, () -> sink.dropped(message, DropReason.DUPLICATE));
                }));
            }
            if (log.isDebugEnabled()) {
                log.debug("duplicate message {} from {} on {}", message.id(), message.from(), channelId);
            }
            metrics.webhook(channelId, WebhookOutcome.DUPLICATE);
            return Exchange.of(ack, () -> sink.dropped(message, DropReason.DUPLICATE));
        }
        if (channel.selfAddresses().contains(message.from())) {
            if (log.isDebugEnabled()) {
                log.debug("echo message {} from {} on {}", message.id(), message.from(), channelId);
            }
            metrics.webhook(channelId, WebhookOutcome.ECHO);
            return Exchange.of(ack, () -> sink.dropped(message, DropReason.ECHO));
        }
        Optional<String> unrouted;
        try {
            unrouted = channel.unrouted(message);
        } catch (RuntimeException e) {
            log.warn(
                    "channel {} failed to route message {}: {}: {}",
                    channelId,
                    message.id(),
                    e.getClass().getName(),
                    e.getMessage());
            dedupe.forget(channelId, message.id());
            metrics.webhook(channelId, WebhookOutcome.ERROR);
            return Exchange.of(WebhookResponse.text(500, "Internal Server Error"));
        }
        if (unrouted.isPresent()) {
            log.info("message {} from {} on {} dropped: {}", message.id(), message.from(), channelId, unrouted.get());
            metrics.webhook(channelId, WebhookOutcome.NOT_ROUTED);
            return Exchange.of(ack, () -> sink.dropped(message, DropReason.NOT_ROUTED));
        }
        if (!limiter.admit(channelId, message.from())) {
            // Not accepted, so not remembered: a redelivery once the sender has slowed down goes through.
            dedupe.forget(channelId, message.id());
            if (log.isDebugEnabled()) {
                log.debug(
                        "message {} from {} on {} is over the inbound limit", message.id(), message.from(), channelId);
            }
            metrics.webhook(channelId, WebhookOutcome.LIMITED);
            return Exchange.of(
                    WebhookResponse.text(429, "Too Many Requests: the sender is over its inbound limit"),
                    () -> sink.dropped(message, DropReason.RATE_LIMITED));
        }
        if (log.isDebugEnabled()) {
            log.debug("message {} from {} on {}", message.id(), message.from(), channelId);
        }
        if (committer == null) {
            metrics.webhook(channelId, WebhookOutcome.ACCEPTED);
            return Exchange.of(ack, sink.inbound(channel, message));
        }
        CompletableFuture<Optional<InboxEntry>> commit =
                committer.commit(message).orTimeout(COMMIT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        String key = channelId + "\n" + message.id();
        pendingCommits.put(key, commit);
        commit.whenComplete((entry, failure) -> {
            if (failure != null) {
                // Not accepted, so not remembered: the provider's retry must go through. Forgotten
                // before the commit stops being pending, so that a redelivery sees one or the other.
                dedupe.forget(channelId, message.id());
            }
            pendingCommits.remove(key, commit);
        });
        return Exchange.later(commit.handle((entry, failure) -> {
            if (failure != null) {
                metrics.webhook(channelId, WebhookOutcome.UNAVAILABLE);
                return Exchange.of(UNAVAILABLE);
            }
            if (entry.isEmpty()) {
                // Accepted before: by this process before a restart, or by another replica.
                metrics.webhook(channelId, WebhookOutcome.DUPLICATE);
                return Exchange.of(ack, () -> sink.dropped(message, DropReason.DUPLICATE));
            }
            // The committer hands it to the leased inbox.
            metrics.webhook(channelId, WebhookOutcome.ACCEPTED);
            return Exchange.of(ack);
        }));
    }
}
