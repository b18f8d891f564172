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
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.cookie.Cookie;
import io.netty.handler.codec.http.cookie.ServerCookieDecoder;
import io.netty.handler.timeout.ReadTimeoutException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin server's requests: the token (a bearer header, or the cookie {@code GET /?token=} sets),
 * health, the event stream, and everything else handed to the {@link AdminConsole} on the admin
 * server's threads. Every answer carries headers that keep the console's pages to their own origin.
 */
@Sharable
final class AdminHttpHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    private static final Logger log = LoggerFactory.getLogger(AdminHttpHandler.class);

    static final String COOKIE = "switchboard_admin";

    static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:;"
            + " connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self';"
            + " frame-ancestors 'none'";

    private static final Set<String> OPEN = Set.of("/healthz", "/readyz", "/metrics");
    private static final Set<String> LOOPBACK_NAMES = Set.of("127.0.0.1", "localhost", "::1");

    private final AdminConsole console;
    private final AdminEventHub hub;
    private final byte[] token; // null without one
    private final Executor work;

    AdminHttpHandler(AdminConsole console, AdminEventHub hub, Optional<String> token, Executor work) {
        this.console = console;
        this.hub = hub;
        this.token = token.map(value -> value.getBytes(StandardCharsets.UTF_8)).orElse(null);
        this.work = work;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (!request.decoderResult().isSuccess()) {
            log.debug(
                    "admin: malformed request from {}: {}",
                    ctx.channel().remoteAddress(),
                    request.decoderResult().cause().getClass().getSimpleName());
            write(ctx, HttpVersion.HTTP_1_1, AdminConsole.error(400, "malformed request"), Map.of(), false);
            return;
        }
        HttpVersion version = request.protocolVersion();
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        String[] target = WebhookHttpHandler.splitTarget(request.uri());
        if (target == null) {
            write(ctx, version, AdminConsole.error(400, "malformed request target"), Map.of(), false);
            return;
        }
        String path = target[0];
        String method = request.method().name();
        HttpHeaders headers = request.headers();
        if (token == null && !loopbackHost(headers.get(HttpHeaderNames.HOST))) {
            // Without a token the server is on loopback; a page elsewhere reaching it under another
            // name (DNS rebinding) must not read the console.
            write(
                    ctx,
                    version,
                    AdminConsole.error(
                            403,
                            "without an admin token, the admin server answers only requests addressed to"
                                    + " 127.0.0.1, localhost or [::1]"),
                    Map.of(),
                    keepAlive);
            return;
        }
        if (!method.equals("GET") && !method.equals("HEAD") && !sameOrigin(headers)) {
            write(
                    ctx,
                    version,
                    AdminConsole.error(403, "a request from another origin cannot change anything here"),
                    Map.of(),
                    keepAlive);
            return;
        }
        if (path.equals("/healthz")) {
            write(
                    ctx,
                    version,
                    method.equals("GET")
                            ? AdminConsole.json(200, "{\"status\":\"UP\"}")
                            : AdminConsole.methodNotAllowed(method, path, "GET").response(),
                    method.equals("GET") ? Map.of() : Map.of("Allow", "GET"),
                    keepAlive);
            return;
        }
        if (token != null && !OPEN.contains(path)) {
            Optional<String> offered = path.equals("/") && method.equals("GET")
                    ? Optional.ofNullable(AdminConsole.query(target[1]).get("token"))
                    : Optional.empty();
            if (offered.isPresent()) {
                if (matches(offered.get())) {
                    write(
                            ctx,
                            version,
                            new WebhookResponse(303, "", new byte[0]),
                            Map.of(
                                    "Location",
                                    "/",
                                    "Set-Cookie",
                                    COOKIE + "=" + offered.get() + "; Path=/; HttpOnly; SameSite=Strict"),
                            keepAlive);
                } else {
                    log.info("admin: a wrong token from {}", ctx.channel().remoteAddress());
                    unauthorized(ctx, version, keepAlive, "the token in the address is wrong");
                }
                return;
            }
            if (!authorized(headers)) {
                unauthorized(
                        ctx,
                        version,
                        keepAlive,
                        "the admin token is required: send 'Authorization: Bearer <token>', or open /?token=<token>"
                                + " once in the browser");
                return;
            }
        }
        if (path.equals("/api/events")) {
            if (method.equals("GET")) {
                stream(ctx, version);
            } else {
                write(
                        ctx,
                        version,
                        AdminConsole.methodNotAllowed(method, path, "GET").response(),
                        Map.of("Allow", "GET"),
                        keepAlive);
            }
            return;
        }
        WebhookRequest admin =
                new WebhookRequest(method, path, target[1], copy(headers), ByteBufUtil.getBytes(request.content()));
        // Read nothing more from this connection until the answer is written, so answers keep order.
        ctx.channel().config().setAutoRead(false);
        try {
            work.execute(() -> {
                AdminConsole.Answer answer;
                try {
                    answer = console.answer(admin);
                } catch (RuntimeException | Error e) {
                    log.warn(
                            "admin: {} {} failed: {}",
                            method,
                            path,
                            e.getClass().getName(),
                            e);
                    answer = AdminConsole.Answer.of(AdminConsole.error(500, "the request failed"));
                }
                AdminConsole.Answer written = answer;
                ctx.executor().execute(() -> {
                    write(ctx, version, written.response(), written.headers(), keepAlive);
                    ctx.channel().config().setAutoRead(true);
                });
            });
        } catch (RejectedExecutionException e) {
            write(
                    ctx,
                    version,
                    AdminConsole.error(503, "the admin server is busy; try again"),
                    Map.of("Retry-After", "1"),
                    keepAlive);
            ctx.channel().config().setAutoRead(true);
        }
    }

    /** Answers with a {@code text/event-stream} that stays open, or 503 when too many are. */
    private void stream(ChannelHandlerContext ctx, HttpVersion version) {
        if (!hub.attach(ctx.channel())) {
            write(
                    ctx,
                    version,
                    AdminConsole.error(
                            503,
                            "too many event streams are open (" + AdminEventHub.MAX_STREAMS + "); close a console"),
                    Map.of("Retry-After", "5"),
                    false);
            return;
        }
        // The stream is read for as long as it is open; nothing more is read from the client.
        if (ctx.pipeline().get("readTimeout") != null) {
            ctx.pipeline().remove("readTimeout");
        }
        HttpResponse response = new DefaultHttpResponse(version, HttpResponseStatus.OK);
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8");
        secure(response.headers());
        if (version.equals(HttpVersion.HTTP_1_1)) {
            HttpUtil.setTransferEncodingChunked(response, true);
        } else {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        // Events offered meanwhile are written by tasks that run after this one, so after the headers.
        ctx.write(response);
        ctx.writeAndFlush(
                new DefaultHttpContent(Unpooled.copiedBuffer("retry: 2000\n: open\n\n", StandardCharsets.UTF_8)));
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        AdminEventHub.Stream stream = ctx.channel().attr(AdminEventHub.STREAM).get();
        if (stream != null && ctx.channel().isWritable()) {
            stream.drain();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof ReadTimeoutException
                || cause instanceof IOException
                || cause instanceof PrematureChannelClosureException) {
            log.debug("admin: closing connection from {}: {}", ctx.channel().remoteAddress(), cause.toString());
            ctx.close();
            return;
        }
        log.warn("admin server failed: {}: {}", cause.getClass().getName(), cause.getMessage(), cause);
        ctx.close();
    }

    private void unauthorized(ChannelHandlerContext ctx, HttpVersion version, boolean keepAlive, String why) {
        write(ctx, version, AdminConsole.error(401, why), Map.of("WWW-Authenticate", "Bearer"), keepAlive);
    }

    private boolean authorized(HttpHeaders headers) {
        String authorization = headers.get(HttpHeaderNames.AUTHORIZATION);
        if (authorization != null
                && authorization.regionMatches(true, 0, "Bearer ", 0, 7)
                && matches(authorization.substring(7).strip())) {
            return true;
        }
        for (String header : headers.getAll(HttpHeaderNames.COOKIE)) {
            try {
                for (Cookie cookie : ServerCookieDecoder.STRICT.decode(header)) {
                    if (cookie.name().equals(COOKIE) && matches(cookie.value())) {
                        return true;
                    }
                }
            } catch (IllegalArgumentException e) {
                // A malformed cookie header authorizes nothing.
            }
        }
        return false;
    }

    /** Compared in time that does not depend on where they differ. */
    private boolean matches(String offered) {
        return MessageDigest.isEqual(token, offered.getBytes(StandardCharsets.UTF_8));
    }

    /** Whether the {@code Host} header names a loopback address, with or without a port. */
    static boolean loopbackHost(String host) {
        if (host == null) {
            return false;
        }
        String name = host.strip().toLowerCase(Locale.ROOT);
        if (name.startsWith("[")) {
            int end = name.indexOf(']');
            if (end < 0) {
                return false;
            }
            name = name.substring(1, end);
        } else if (name.indexOf(':') == name.lastIndexOf(':') && name.indexOf(':') >= 0) {
            name = name.substring(0, name.indexOf(':'));
        }
        return LOOPBACK_NAMES.contains(name);
    }

    /** A request that changes something: its {@code Origin}, when given, must be this server's. */
    private static boolean sameOrigin(HttpHeaders headers) {
        String origin = headers.get(HttpHeaderNames.ORIGIN);
        if (origin == null) {
            return true;
        }
        String host = headers.get(HttpHeaderNames.HOST);
        return host != null
                && (origin.equalsIgnoreCase("http://" + host) || origin.equalsIgnoreCase("https://" + host));
    }

    private static Map<String, String> copy(HttpHeaders headers) {
        Map<String, String> copy = new HashMap<>();
        for (Iterator<Map.Entry<String, String>> it = headers.iteratorAsString(); it.hasNext(); ) {
            Map.Entry<String, String> header = it.next();
            copy.putIfAbsent(header.getKey(), header.getValue());
        }
        return copy;
    }

    static void secure(HttpHeaders headers) {
        headers.set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        headers.set("X-Content-Type-Options", "nosniff");
        headers.set("Content-Security-Policy", CSP);
        headers.set("X-Frame-Options", "DENY");
        headers.set("Referrer-Policy", "no-referrer");
    }

    private static void write(
            ChannelHandlerContext ctx,
            HttpVersion version,
            WebhookResponse answer,
            Map<String, String> extra,
            boolean keepAlive) {
        FullHttpResponse response = new DefaultFullHttpResponse(
                version, HttpResponseStatus.valueOf(answer.status()), Unpooled.wrappedBuffer(answer.body()));
        if (!answer.contentType().isEmpty()) {
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, answer.contentType());
        }
        response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, answer.body().length);
        secure(response.headers());
        extra.forEach((name, value) -> response.headers().set(name, value));
        if (keepAlive) {
            HttpUtil.setKeepAlive(response, true);
        } else {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        ChannelFuture written = ctx.writeAndFlush(response);
        if (!keepAlive) {
            written.addListener(ChannelFutureListener.CLOSE);
        }
    }
}
