package dev.switchboard.runtime.internal;

import dev.switchboard.channel.WebhookRequest;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The Netty HTTP server of the webhook listener. It owns its event loops. */
public final class WebhookServer {

    private static final Logger log = LoggerFactory.getLogger(WebhookServer.class);

    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final Channel serverChannel;

    private WebhookServer(EventLoopGroup boss, EventLoopGroup workers, Channel serverChannel) {
        this.boss = boss;
        this.workers = workers;
        this.serverChannel = serverChannel;
    }

    /**
     * Binds the listener and returns once it is bound; each event loop's pass hands its answered
     * webhooks' events on each by itself.
     *
     * @throws IllegalStateException if the address cannot be bound (in use, unknown host)
     */
    public static WebhookServer start(
            String host,
            int port,
            int maxBodyBytes,
            Duration readTimeout,
            Function<WebhookRequest, Exchange> exchanges) {
        return start(host, port, maxBodyBytes, readTimeout, exchanges, WebhookServer::handOnEach);
    }

    /**
     * Binds the listener and returns once it is bound.
     *
     * @param handOn runs the hand-ons of the webhooks an event loop answered in one pass, together
     * @throws IllegalStateException if the address cannot be bound (in use, unknown host)
     */
    public static WebhookServer start(
            String host,
            int port,
            int maxBodyBytes,
            Duration readTimeout,
            Function<WebhookRequest, Exchange> exchanges,
            Consumer<List<Runnable>> handOn) {
        return start(host, port, maxBodyBytes, readTimeout, exchanges, handOn, RuntimeMetrics.NONE);
    }

    /**
     * Binds the listener and returns once it is bound.
     *
     * @param handOn runs the hand-ons of the webhooks an event loop answered in one pass, together
     * @param metrics counts the requests the listener answers itself (unreadable, too large)
     * @throws IllegalStateException if the address cannot be bound (in use, unknown host)
     */
    public static WebhookServer start(
            String host,
            int port,
            int maxBodyBytes,
            Duration readTimeout,
            Function<WebhookRequest, Exchange> exchanges,
            Consumer<List<Runnable>> handOn,
            RuntimeMetrics metrics) {
        EventLoopGroup boss = new MultiThreadIoEventLoopGroup(
                1, new DefaultThreadFactory("switchboard-http-accept"), NioIoHandler.newFactory());
        EventLoopGroup workers = new MultiThreadIoEventLoopGroup(
                Math.max(1, Runtime.getRuntime().availableProcessors()),
                new DefaultThreadFactory("switchboard-http"),
                NioIoHandler.newFactory());
        ChannelFuture bound = new ServerBootstrap()
                .group(boss, workers)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 256)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new WebhookChannelInitializer(maxBodyBytes, readTimeout, exchanges, handOn, metrics))
                .bind(new InetSocketAddress(host, port))
                .awaitUninterruptibly();
        if (!bound.isSuccess()) {
            shutdown(boss, workers, Duration.ofSeconds(5));
            Throwable cause = bound.cause();
            throw new IllegalStateException(
                    "cannot listen on " + host + ":" + port + ": "
                            + cause.getClass().getSimpleName() + ": " + cause.getMessage(),
                    cause);
        }
        return new WebhookServer(boss, workers, bound.channel());
    }

    /** Runs each hand-on of a pass; one that throws is logged, and the others still run. */
    static void handOnEach(List<Runnable> actions) {
        for (Runnable action : actions) {
            try {
                action.run();
            } catch (RuntimeException e) {
                log.warn(
                        "handing on an accepted webhook failed: {}",
                        e.getClass().getName(),
                        e);
            }
        }
    }

    public InetSocketAddress localAddress() {
        return (InetSocketAddress) serverChannel.localAddress();
    }

    /** Stops accepting, closes open connections and stops the event loops, waiting up to {@code timeout}. */
    public void close(Duration timeout) {
        serverChannel.close().awaitUninterruptibly(timeout.toMillis());
        shutdown(boss, workers, timeout);
    }

    private static void shutdown(EventLoopGroup boss, EventLoopGroup workers, Duration timeout) {
        long millis = Math.max(timeout.toMillis(), 100);
        boss.shutdownGracefully(0, millis, TimeUnit.MILLISECONDS);
        workers.shutdownGracefully(0, millis, TimeUnit.MILLISECONDS);
        boss.terminationFuture().awaitUninterruptibly(millis);
        workers.terminationFuture().awaitUninterruptibly(millis);
    }
}
