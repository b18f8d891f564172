package dev.switchboard.runtime.internal;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.ReadTimeoutHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The Netty HTTP server of the admin port: its own event loops (one for I/O, the traffic is an
 * operator's) and its own threads for answers that read the store, at most {@link #MAX_THREADS} at
 * once (a request beyond is answered 503).
 */
public final class AdminServer {

    static final int MAX_THREADS = 8;

    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final ThreadPoolExecutor work;
    private final Channel serverChannel;
    private final AdminEventHub hub;
    private final AdminConsole console;

    private AdminServer(
            EventLoopGroup boss,
            EventLoopGroup workers,
            ThreadPoolExecutor work,
            Channel serverChannel,
            AdminEventHub hub,
            AdminConsole console) {
        this.boss = boss;
        this.workers = workers;
        this.work = work;
        this.serverChannel = serverChannel;
        this.hub = hub;
        this.console = console;
    }

    /**
     * Binds the admin server and returns once it is bound.
     *
     * @throws IllegalStateException if the address cannot be bound (in use, unknown host)
     */
    public static AdminServer start(RuntimeSettings.Admin settings, AdminConsole console, AdminEventHub hub) {
        AtomicInteger threads = new AtomicInteger();
        ThreadPoolExecutor work =
                new ThreadPoolExecutor(0, MAX_THREADS, 30, TimeUnit.SECONDS, new SynchronousQueue<>(), runnable -> {
                    Thread thread = new Thread(runnable, "switchboard-admin-" + threads.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                });
        EventLoopGroup boss = new MultiThreadIoEventLoopGroup(
                1, new DefaultThreadFactory("switchboard-admin-accept"), NioIoHandler.newFactory());
        EventLoopGroup workers = new MultiThreadIoEventLoopGroup(
                1, new DefaultThreadFactory("switchboard-admin-http"), NioIoHandler.newFactory());
        AdminHttpHandler handler = new AdminHttpHandler(console, hub, settings.token(), work);
        int maxBodyBytes = settings.maxBodyBytes();
        long readTimeoutNanos = settings.readTimeout().toNanos();
        ChannelFuture bound = new ServerBootstrap()
                .group(boss, workers)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 64)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel channel) {
                        channel.pipeline()
                                .addLast("http", new HttpServerCodec())
                                .addLast("aggregate", new HttpObjectAggregator(maxBodyBytes))
                                .addLast("readTimeout", new ReadTimeoutHandler(readTimeoutNanos, TimeUnit.NANOSECONDS))
                                .addLast("admin", handler);
                    }
                })
                .bind(new InetSocketAddress(settings.host(), settings.port()))
                .awaitUninterruptibly();
        if (!bound.isSuccess()) {
            shutdown(boss, workers, work, Duration.ofSeconds(5));
            Throwable cause = bound.cause();
            throw new IllegalStateException(
                    "cannot listen on " + settings.host() + ":" + settings.port() + " for the admin server: "
                            + cause.getClass().getSimpleName() + ": " + cause.getMessage()
                            + "; choose another adminServer port (0 picks a free one)",
                    cause);
        }
        return new AdminServer(boss, workers, work, bound.channel(), hub, console);
    }

    public InetSocketAddress localAddress() {
        return (InetSocketAddress) serverChannel.localAddress();
    }

    /** Ends the event streams, stops accepting, closes connections and stops the threads. */
    public void close(Duration timeout) {
        hub.close();
        serverChannel.close().awaitUninterruptibly(timeout.toMillis());
        shutdown(boss, workers, work, timeout);
        console.close();
    }

    private static void shutdown(
            EventLoopGroup boss, EventLoopGroup workers, ThreadPoolExecutor work, Duration timeout) {
        long millis = Math.max(timeout.toMillis(), 100);
        work.shutdownNow();
        boss.shutdownGracefully(0, millis, TimeUnit.MILLISECONDS);
        workers.shutdownGracefully(0, millis, TimeUnit.MILLISECONDS);
        boss.terminationFuture().awaitUninterruptibly(millis);
        workers.terminationFuture().awaitUninterruptibly(millis);
    }
}
