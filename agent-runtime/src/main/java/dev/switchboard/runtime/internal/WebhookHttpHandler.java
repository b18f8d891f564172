package dev.switchboard.runtime.internal;

import dev.switchboard.channel.WebhookRequest;
import dev.switchboard.channel.WebhookResponse;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.timeout.ReadTimeoutException;
import io.netty.util.concurrent.EventExecutor;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns each aggregated HTTP request into a {@link WebhookRequest} and writes the answer back.
 *
 * <p>What follows an answer (handing the event on) waits for the end of the event loop's pass over
 * its ready connections: the answers of a pass are written first, and its events handed on together,
 * in one call of {@code handOn}, which decides how they reach threads.
 */
@Sharable
final class WebhookHttpHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    private static final Logger log = LoggerFactory.getLogger(WebhookHttpHandler.class);

    private final Function<WebhookRequest, Exchange> exchanges;
    private final Consumer<List<Runnable>> handOn;
    private final RuntimeMetrics metrics;
    // Each event loop's hand-ons of the pass in progress; the handler is shared by the loops.
    private final ThreadLocal<Pass> passes = ThreadLocal.withInitial(Pass::new);

    /**
     * @param handOn runs the hand-ons of one pass, on the event loop, each at most once
     * @param metrics counts the requests answered here, before they reach a channel
     */
    WebhookHttpHandler(
            Function<WebhookRequest, Exchange> exchanges, Consumer<List<Runnable>> handOn, RuntimeMetrics metrics) {
        this.exchanges = exchanges;
        this.handOn = handOn;
        this.metrics = metrics;
    }

    private static final class Pass {
        List<Runnable> actions = new ArrayList<>();
        boolean scheduled;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (!request.decoderResult().isSuccess()) {
            Throwable cause = request.decoderResult().cause();
            // The class only: Netty's messages can quote the offending header, a signature say.
            log.debug(
                    "malformed request from {}: {}",
                    ctx.channel().remoteAddress(),
                    cause.getClass().getSimpleName());
            WebhookResponse answer;
            if (cause instanceof TooLongHttpLineException) {
                answer = WebhookResponse.text(414, "URI Too Long");
            } else if (cause instanceof TooLongHttpHeaderException) {
                answer = WebhookResponse.text(431, "Request Header Fields Too Large");
            } else {
                answer = WebhookResponse.text(400, "Bad Request");
            }
            metrics.webhook(RuntimeMetrics.NO_CHANNEL, RuntimeMetrics.WebhookOutcome.MALFORMED);
            write(ctx, HttpVersion.HTTP_1_1, Exchange.of(answer), false);
            return;
        }
        String[] target = splitTarget(request.uri());
        if (target == null) {
            metrics.webhook(RuntimeMetrics.NO_CHANNEL, RuntimeMetrics.WebhookOutcome.MALFORMED);
            write(ctx, request.protocolVersion(), Exchange.of(WebhookResponse.text(400, "Bad Request")), false);
            return;
        }
        WebhookRequest webhook = new WebhookRequest(
                request.method().name(),
                target[0],
                target[1],
                new HeaderView(request.headers()),
                ByteBufUtil.getBytes(request.content()));
        Exchange exchange = exchanges.apply(webhook);
        HttpVersion version = request.protocolVersion();
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        if (exchange.later() == null) {
            write(ctx, version, exchange, keepAlive);
            return;
        }
        // The answer waits (for a store's commit): read nothing more from this connection until it is
        // written, so that answers keep the order of their requests.
        ctx.channel().config().setAutoRead(false);
        exchange.later().whenComplete((answer, failure) -> ctx.executor().execute(() -> {
            Exchange known = answer != null ? answer : Exchange.of(WebhookResponse.text(500, "Internal Server Error"));
            if (failure != null) {
                log.warn("a webhook's answer failed: {}", failure.getClass().getName());
            }
            write(ctx, version, known, keepAlive);
            ctx.channel().config().setAutoRead(true);
        }));
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof ReadTimeoutException) {
            log.debug(
                    "closing connection from {}: read timed out", ctx.channel().remoteAddress());
            ctx.close();
            return;
        }
        if (cause instanceof IOException || cause instanceof PrematureChannelClosureException) {
            log.debug("closing connection from {}: {}", ctx.channel().remoteAddress(), cause.toString());
            ctx.close();
            return;
        }
        log.warn("webhook listener failed: {}: {}", cause.getClass().getName(), cause.getMessage(), cause);
        if (ctx.channel().isActive()) {
            metrics.webhook(RuntimeMetrics.NO_CHANNEL, RuntimeMetrics.WebhookOutcome.ERROR);
            write(ctx, HttpVersion.HTTP_1_1, Exchange.of(WebhookResponse.text(500, "Internal Server Error")), false);
        } else {
            ctx.close();
        }
    }

    /** Runs {@code action} once the loop has served the connections ready in this pass. */
    private void afterPass(EventExecutor loop, Runnable action) {
        Pass pass = passes.get();
        pass.actions.add(action);
        if (!pass.scheduled) {
            pass.scheduled = true;
            // A task queued from the loop itself runs after the pass's I/O, and wakes no one.
            loop.execute(() -> {
                List<Runnable> actions = pass.actions;
                pass.actions = new ArrayList<>();
                pass.scheduled = false;
                handOn.accept(actions);
            });
        }
    }

    private void write(ChannelHandlerContext ctx, HttpVersion version, Exchange exchange, boolean keepAlive) {
        WebhookResponse answer = exchange.response();
        FullHttpResponse response = new DefaultFullHttpResponse(
                version, HttpResponseStatus.valueOf(answer.status()), Unpooled.wrappedBuffer(answer.body()));
        if (!answer.contentType().isEmpty()) {
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, answer.contentType());
        }
        response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, answer.body().length);
        if (!exchange.allow().isEmpty()) {
            response.headers().set(HttpHeaderNames.ALLOW, String.join(", ", new TreeSet<>(exchange.allow())));
        }
        if (keepAlive) {
            HttpUtil.setKeepAlive(response, true);
        } else {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        ChannelFuture written = ctx.writeAndFlush(response);
        // Whether or not the answer reached the client, the event was accepted: a provider that
        // retries will be caught as a duplicate, so the message must not be lost here.
        written.addListener(future -> afterPass(ctx.executor(), exchange.afterAck()));
        if (!keepAlive) {
            written.addListener(ChannelFutureListener.CLOSE);
        }
    }

    /**
     * Netty's headers as the map {@link WebhookRequest} copies them from, without a copy of our own
     * first: the request's constructor only iterates them, and keeps the first of repeated ones.
     */
    private static final class HeaderView extends AbstractMap<String, String> {

        private final HttpHeaders headers;

        HeaderView(HttpHeaders headers) {
            this.headers = headers;
        }

        @Override
        public void forEach(BiConsumer<? super String, ? super String> action) {
            for (Iterator<Map.Entry<CharSequence, CharSequence>> it = headers.iteratorCharSequence(); it.hasNext(); ) {
                Map.Entry<CharSequence, CharSequence> header = it.next();
                action.accept(header.getKey().toString(), header.getValue().toString());
            }
        }

        @Override
        public Set<Map.Entry<String, String>> entrySet() {
            Set<Map.Entry<String, String>> entries = new LinkedHashSet<>();
            forEach((name, value) -> entries.add(new SimpleImmutableEntry<>(name, value)));
            return entries;
        }
    }

    /** The request target's raw path and raw query, or null if it is neither origin- nor absolute-form. */
    static String[] splitTarget(String uri) {
        if (uri.startsWith("/")) {
            int hash = uri.indexOf('#');
            String target = hash < 0 ? uri : uri.substring(0, hash);
            int question = target.indexOf('?');
            return question < 0
                    ? new String[] {target, ""}
                    : new String[] {target.substring(0, question), target.substring(question + 1)};
        }
        try {
            URI parsed = new URI(uri);
            String path = parsed.getRawPath();
            if (!parsed.isAbsolute() || path == null) {
                return null;
            }
            String query = parsed.getRawQuery();
            return new String[] {path.isEmpty() ? "/" : path, query == null ? "" : query};
        } catch (URISyntaxException e) {
            return null;
        }
    }
}
