package dev.switchboard.runtime.internal;

import static java.util.Objects.requireNonNull;

import dev.switchboard.runtime.admin.AdminEvents;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin server's open event streams, and publishing to them. A publisher never waits: each
 * stream has a bounded queue that its connection's event loop drains while the socket takes more;
 * a stream whose queue overflows (a reader that stopped reading) is closed.
 */
public final class AdminEventHub implements AdminEvents {

    private static final Logger log = LoggerFactory.getLogger(AdminEventHub.class);

    /** The most streams open at once; one more is answered 503. */
    static final int MAX_STREAMS = 64;

    /** The most events waiting for one stream's socket. */
    static final int MAX_QUEUED = 512;

    static final Duration HEARTBEAT = Duration.ofSeconds(15);

    static final AttributeKey<Stream> STREAM = AttributeKey.valueOf("switchboard.admin.stream");

    private static final Pattern TYPE = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    private final Set<Stream> streams = ConcurrentHashMap.newKeySet();
    private final Object opening = new Object();
    private volatile boolean closed;

    @Override
    public void publish(String type, String json) {
        requireNonNull(type, "type");
        requireNonNull(json, "json");
        if (!TYPE.matcher(type).matches()) {
            throw new IllegalArgumentException(
                    "event type must be letters, digits, '-' or '_', at most 64: '" + type + "'");
        }
        String data = json.strip();
        if (!data.startsWith("{") || !data.endsWith("}")) {
            // The length only: the text may be a person's.
            throw new IllegalArgumentException(
                    "event data must be a JSON object's text, {...}; got " + json.length() + " characters");
        }
        if (streams.isEmpty()) {
            return;
        }
        String frame = frame(type, data);
        for (Stream stream : streams) {
            stream.offer(frame);
        }
    }

    /** Whether a stream is open: events need not be made when none is. */
    public boolean listened() {
        return !streams.isEmpty();
    }

    /** How many streams are open. */
    int open() {
        return streams.size();
    }

    /** One server-sent event: a line per line of data, so that a line break cannot end the event. */
    static String frame(String type, String data) {
        StringBuilder frame = new StringBuilder(data.length() + type.length() + 16);
        frame.append("event: ").append(type).append('\n');
        for (String line : data.split("\r\n|\r|\n", -1)) {
            frame.append("data: ").append(line).append('\n');
        }
        return frame.append('\n').toString();
    }

    /**
     * Takes {@code channel}, whose response headers were written, as a stream; called on its event
     * loop.
     *
     * @return false when {@link #MAX_STREAMS} are open already, or the hub is closed
     */
    boolean attach(Channel channel) {
        Stream stream = new Stream(channel);
        synchronized (opening) {
            if (closed || streams.size() >= MAX_STREAMS) {
                return false;
            }
            streams.add(stream);
        }
        channel.attr(STREAM).set(stream);
        channel.closeFuture().addListener(closing -> stream.detach());
        stream.heartbeat = channel.eventLoop()
                .scheduleAtFixedRate(
                        () -> stream.offer(": heartbeat\n\n"),
                        HEARTBEAT.toMillis(),
                        HEARTBEAT.toMillis(),
                        TimeUnit.MILLISECONDS);
        return true;
    }

    /** Ends every stream (the runtime closes); no stream opens after. */
    void close() {
        synchronized (opening) {
            closed = true;
        }
        for (Stream stream : streams) {
            stream.end();
        }
    }

    /** One open {@code text/event-stream} response. */
    final class Stream {

        private final Channel channel;
        private final BlockingQueue<String> queue = new ArrayBlockingQueue<>(MAX_QUEUED);
        private final AtomicBoolean draining = new AtomicBoolean();
        private volatile ScheduledFuture<?> heartbeat;

        Stream(Channel channel) {
            this.channel = channel;
        }

        void offer(String frame) {
            if (!queue.offer(frame)) {
                log.info(
                        "closing the event stream of {}: {} events wait for it, the most",
                        channel.remoteAddress(),
                        MAX_QUEUED);
                channel.close();
                return;
            }
            if (draining.compareAndSet(false, true)) {
                try {
                    channel.eventLoop().execute(this::drain);
                } catch (RejectedExecutionException e) {
                    // The server is stopping, and its connections with it.
                    detach();
                }
            }
        }

        /** Writes what waits while the socket takes it; on the event loop. */
        void drain() {
            draining.set(false);
            if (!channel.isActive()) {
                return;
            }
            boolean wrote = false;
            String frame;
            while (channel.isWritable() && (frame = queue.poll()) != null) {
                channel.write(new DefaultHttpContent(Unpooled.copiedBuffer(frame, StandardCharsets.UTF_8)));
                wrote = true;
            }
            if (wrote) {
                channel.flush();
            }
            // What is left waits for the socket to drain (the handler calls this again then).
        }

        void end() {
            try {
                channel.eventLoop().execute(() -> {
                    if (channel.isActive()) {
                        drain();
                        channel.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT)
                                .addListener(ChannelFutureListener.CLOSE);
                    }
                });
            } catch (RejectedExecutionException e) {
                detach();
            }
        }

        private void detach() {
            streams.remove(this);
            ScheduledFuture<?> beat = heartbeat;
            if (beat != null) {
                beat.cancel(false);
            }
            queue.clear();
        }
    }
}
