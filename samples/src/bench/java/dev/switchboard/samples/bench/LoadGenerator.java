package dev.switchboard.samples.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * Drives a server over keep-alive connections from one thread, each connection with one request
 * in flight (closed loop), or at a fixed rate spread over the connections (for a soak). Records
 * each response's latency, from just before the request is written to the end of the response.
 */
final class LoadGenerator {

    private static final long MAX_LATENCY = TimeUnit.SECONDS.toNanos(30);
    private static final long DRAIN = TimeUnit.SECONDS.toNanos(10);
    private static final byte[] CONTENT_LENGTH = "content-length:".getBytes(StandardCharsets.US_ASCII);

    /**
     * What one run measured; only responses that completed inside the measured window count, except
     * in {@code acknowledged}: the index of every webhook answered 200 over the whole run, warm-up
     * and drain included, for a check of what the server kept.
     */
    record Result(
            long responses,
            double seconds,
            Histogram latency,
            Map<Integer, Long> statuses,
            long ioErrors,
            long unanswered,
            long reconnects,
            BitSet acknowledged) {

        double perSecond() {
            return responses / seconds;
        }

        long errors() {
            long errors = ioErrors + unanswered;
            for (Map.Entry<Integer, Long> status : statuses.entrySet()) {
                if (status.getKey() != 200) {
                    errors += status.getValue();
                }
            }
            return errors;
        }
    }

    /** Told when the measured window opens and closes, and every interval of it how the last one went. */
    interface Progress {

        default void measuring() {}

        default void interval(long elapsedNanos, long responses, Histogram latency, long errors) {}

        default void measured() {}
    }

    private final InetSocketAddress target;
    private final Webhooks webhooks;
    private final int connectionCount;

    private final Histogram latency = new Histogram(MAX_LATENCY, 3);
    private final Histogram intervalLatency = new Histogram(MAX_LATENCY, 3);
    private final Map<Integer, Long> statuses = new TreeMap<>();
    private final BitSet acknowledged = new BitSet();
    private final ArrayDeque<Connection> idle = new ArrayDeque<>();
    private final List<Connection> connections = new ArrayList<>();
    private Selector selector;
    private long measureFrom;
    private long until;
    private long responses;
    private long intervalResponses;
    private long intervalErrors;
    private long ioErrors;
    private long reconnects;
    private int inFlight;

    LoadGenerator(InetSocketAddress target, Webhooks webhooks, int connections) {
        this.target = target;
        this.webhooks = webhooks;
        this.connectionCount = connections;
    }

    /**
     * Warms up for {@code warmupNanos}, then measures for {@code durationNanos}.
     *
     * @param perSecond the rate to send at, or 0 for as fast as the server answers
     * @param reportEvery how often to tell {@code progress}, or 0 for never
     */
    Result run(long warmupNanos, long durationNanos, double perSecond, long reportEvery, Progress progress)
            throws IOException {
        selector = Selector.open();
        for (int i = 0; i < connectionCount; i++) {
            connect();
        }
        long start = System.nanoTime();
        measureFrom = start + warmupNanos;
        until = measureFrom + durationNanos;
        long slot = perSecond > 0 ? (long) (1e9 / perSecond) : 0;
        long nextSlot = start;
        long nextReport = reportEvery > 0 ? measureFrom + reportEvery : Long.MAX_VALUE;
        boolean measuring = false;
        boolean measured = false;
        for (Connection connection : List.copyOf(connections)) {
            if (slot == 0) {
                send(connection, start);
            } else {
                idle.add(connection);
            }
        }
        while (true) {
            long now = System.nanoTime();
            if (!measuring && now >= measureFrom) {
                measuring = true;
                progress.measuring();
            }
            boolean sending = now < until;
            if (!sending && !measured) {
                measured = true;
                progress.measured();
            }
            if (!sending && (inFlight == 0 || now - until > DRAIN)) {
                break;
            }
            if (now >= nextReport) {
                progress.interval(nextReport - measureFrom, intervalResponses, intervalLatency, intervalErrors);
                intervalLatency.reset();
                intervalResponses = 0;
                intervalErrors = 0;
                nextReport += reportEvery;
            }
            long timeoutNanos = TimeUnit.MILLISECONDS.toNanos(50);
            if (slot > 0 && sending) {
                // Slots missed by more than a second (every connection busy) are dropped, not burst.
                if (now - nextSlot > TimeUnit.SECONDS.toNanos(1)) {
                    nextSlot = now;
                }
                while (now >= nextSlot && !idle.isEmpty()) {
                    send(idle.poll(), now);
                    nextSlot += slot;
                }
                timeoutNanos = Math.max(0, nextSlot - now);
            }
            // A millisecond at least: a paced run waits for its next slot without spinning.
            selector.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(timeoutNanos)));
            Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
            while (keys.hasNext()) {
                SelectionKey key = keys.next();
                keys.remove();
                Connection connection = (Connection) key.attachment();
                if (!key.isValid()) {
                    continue;
                }
                if (key.isWritable()) {
                    connection.flush();
                }
                if (key.isValid() && key.isReadable()) {
                    connection.read(slot > 0);
                }
            }
        }
        long unanswered = inFlight;
        for (Connection connection : connections) {
            connection.channel.close();
        }
        selector.close();
        return new Result(
                responses,
                durationNanos / 1e9,
                latency.copy(),
                new TreeMap<>(statuses),
                ioErrors,
                unanswered,
                reconnects,
                acknowledged);
    }

    private Connection connect() throws IOException {
        SocketChannel channel = SocketChannel.open(target);
        channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
        channel.configureBlocking(false);
        Connection connection = new Connection(channel);
        connection.key = channel.register(selector, SelectionKey.OP_READ, connection);
        connections.add(connection);
        return connection;
    }

    private void send(Connection connection, long now) throws IOException {
        connection.index = webhooks.nextIndex();
        connection.out = ByteBuffer.wrap(webhooks.request(connection.index));
        connection.sentAt = now;
        inFlight++;
        connection.flush();
    }

    private void completed(Connection connection, int status, boolean paced) throws IOException {
        long now = System.nanoTime();
        inFlight--;
        if (status == 200) {
            acknowledged.set(connection.index);
        }
        if (now >= measureFrom && now < until) {
            long nanos = Math.min(now - connection.sentAt, MAX_LATENCY);
            latency.recordValue(nanos);
            intervalLatency.recordValue(nanos);
            responses++;
            intervalResponses++;
            statuses.merge(status, 1L, Long::sum);
            if (status != 200) {
                intervalErrors++;
            }
        }
        if (now >= until) {
            return;
        }
        if (paced) {
            idle.add(connection);
        } else {
            send(connection, now);
        }
    }

    private void failed(Connection connection, boolean paced) throws IOException {
        connection.key.cancel();
        connection.channel.close();
        if (connection.out != null) {
            inFlight--;
            ioErrors++;
            intervalErrors++;
        }
        Connection replacement = connect();
        reconnects++;
        if (System.nanoTime() < until) {
            if (paced) {
                idle.add(replacement);
            } else {
                send(replacement, System.nanoTime());
            }
        }
    }

    private final class Connection {

        final SocketChannel channel;
        final ByteBuffer in = ByteBuffer.allocate(16 * 1024);
        SelectionKey key;
        ByteBuffer out;
        int index;
        long sentAt;

        Connection(SocketChannel channel) {
            this.channel = channel;
        }

        void flush() throws IOException {
            channel.write(out);
            int ops = out.hasRemaining() ? SelectionKey.OP_READ | SelectionKey.OP_WRITE : SelectionKey.OP_READ;
            if (key.interestOps() != ops) {
                key.interestOps(ops);
            }
        }

        void read(boolean paced) throws IOException {
            int read;
            try {
                read = channel.read(in);
            } catch (IOException e) {
                read = -1;
            }
            if (read < 0) {
                failed(this, paced);
                return;
            }
            in.flip();
            int status;
            while ((status = nextResponse(in)) >= 0) {
                out = null;
                completed(this, status, paced);
            }
            in.compact();
        }
    }

    /** Consumes one complete response from {@code buffer} and returns its status, or -1 if none is complete. */
    static int nextResponse(ByteBuffer buffer) {
        int start = buffer.position();
        int limit = buffer.limit();
        int headerEnd = -1;
        for (int i = start; i + 3 < limit; i++) {
            if (buffer.get(i) == '\r'
                    && buffer.get(i + 1) == '\n'
                    && buffer.get(i + 2) == '\r'
                    && buffer.get(i + 3) == '\n') {
                headerEnd = i + 4;
                break;
            }
        }
        if (headerEnd < 0) {
            return -1;
        }
        int status = (buffer.get(start + 9) - '0') * 100
                + (buffer.get(start + 10) - '0') * 10
                + (buffer.get(start + 11) - '0');
        int length = contentLength(buffer, start, headerEnd);
        if (limit - headerEnd < length) {
            return -1;
        }
        buffer.position(headerEnd + length);
        return status;
    }

    private static int contentLength(ByteBuffer buffer, int from, int to) {
        byte[] name = CONTENT_LENGTH;
        for (int line = from; line < to; ) {
            boolean matches = line + name.length < to;
            for (int k = 0; matches && k < name.length; k++) {
                matches = Character.toLowerCase(buffer.get(line + k)) == name[k];
            }
            if (matches) {
                int value = 0;
                for (int i = line + name.length; i < to && buffer.get(i) != '\r'; i++) {
                    byte b = buffer.get(i);
                    if (b >= '0' && b <= '9') {
                        value = value * 10 + (b - '0');
                    }
                }
                return value;
            }
            while (line < to && buffer.get(line) != '\n') {
                line++;
            }
            line++;
        }
        return 0;
    }
}
