package dev.switchboard.samples.bench;

import dev.switchboard.samples.sandbox.SandboxMessage;
import dev.switchboard.samples.sandbox.TwilioSandbox;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.HdrHistogram.Histogram;

/**
 * Slow agents under a burst ({@code --mode=turns} of {@link LoadBench}): N conversations at once,
 * each from a different sender, to the sample gateway with an echo agent that takes seconds, as a
 * language model does.
 *
 * <p>The gateway runs as {@code java -jar} starts it, in a JVM of its own (so its threads and RSS
 * can be read from {@code /proc}), configured by its environment in Twilio mode: the REST API is a
 * {@link TwilioSandbox} in this JVM, which also posts the status callbacks, {@code
 * SWITCHBOARD_AGENT=echo} with {@code SWITCHBOARD_ECHO_DELAY_MS}, the inbound limit off and the
 * senders allowed. All N signed webhooks are written at once, each on a connection of its own opened
 * beforehand. The report: time from the first webhook to the last reply the stand-in received, each
 * reply's latency (webhook written to reply received), the replies' outcomes as the gateway's
 * delivery log states them (delivered, sent unconfirmed, failed), and the gateway's peak thread
 * count and RSS.
 *
 * <p>Options, each {@code --name=value}:
 *
 * <ul>
 *   <li>{@code conversations}: the burst sizes, one gateway each, default {@code 100,500}
 *   <li>{@code delay}: the agent's delay in milliseconds ({@code 2000})
 *   <li>{@code java-home}: the JDK that runs the gateway (default: the one running this)
 *   <li>{@code gateway-jvm}: the gateway's JVM options (none)
 *   <li>{@code gateway-jar}: the executable jar ({@code target/switchboard-samples.jar}; without it,
 *       this class path and {@code dev.switchboard.samples.Gateway})
 *   <li>{@code callback-delay}: how long after accepting a message the stand-in reports it {@code
 *       sent}, and twice that {@code delivered}, in milliseconds ({@code 200})
 *   <li>{@code timeout}: the most seconds to wait for every outcome of one burst ({@code 600}; the
 *       runtime settles a reply as sent but unconfirmed 2 minutes after it was sent)
 *   <li>{@code warmup}: before the measured burst, a burst of as many conversations from other
 *       senders, answered and settled in full, so that the measured one meets a gateway whose code
 *       is compiled, as a gateway that has served people for a while is ({@code true}); {@code
 *       false} measures the first burst of a fresh JVM
 * </ul>
 *
 * <p>{@code --mode=standin} checks the stand-in alone: N message creations at once over N
 * connections, with status callbacks to a local receiver, to show that it is not what limits a
 * burst.
 */
final class TurnBench {

    private static final String GATEWAY_MAIN = "dev.switchboard.samples.Gateway";
    private static final Pattern OUTCOME = Pattern.compile("reply to (\\S+) (delivered|sent unconfirmed|failed): ");

    private final Map<String, String> options;
    private final List<Integer> sizes;
    private final long delayMillis;
    private final Path javaCommand;
    private final List<String> gatewayJvm;
    private final long callbackDelayMillis;
    private final long timeoutNanos;
    private final boolean warmup;
    private final Path logs;

    TurnBench(Map<String, String> options) throws IOException {
        this.options = options;
        this.sizes = Arrays.stream(
                        options.getOrDefault("conversations", "100,500").split(","))
                .map(String::strip)
                .map(Integer::parseInt)
                .toList();
        if (sizes.stream().anyMatch(n -> n < 1 || n > 100_000)) {
            throw new IllegalArgumentException("conversations must be between 1 and 100000: " + sizes);
        }
        this.delayMillis = Long.parseLong(options.getOrDefault("delay", "2000"));
        String home = options.getOrDefault("java-home", System.getProperty("java.home"));
        this.javaCommand = Path.of(home, "bin", "java");
        if (!Files.isExecutable(javaCommand)) {
            throw new IllegalArgumentException("java-home must be a JDK or JRE with bin/java: " + home);
        }
        this.gatewayJvm = Arrays.stream(options.getOrDefault("gateway-jvm", "").split(" "))
                .filter(word -> !word.isBlank())
                .toList();
        this.callbackDelayMillis = Long.parseLong(options.getOrDefault("callback-delay", "200"));
        this.timeoutNanos = TimeUnit.SECONDS.toNanos(Long.parseLong(options.getOrDefault("timeout", "600")));
        this.warmup = Boolean.parseBoolean(options.getOrDefault("warmup", "true"));
        this.logs = Files.isDirectory(Path.of("target")) ? Path.of("target") : Files.createTempDirectory("turnbench");
    }

    /** What one burst did. */
    private record Burst(
            int conversations,
            Map<Integer, Long> acks,
            long ackMaxNanos,
            int replies,
            int wrongReplies,
            long lastReplyNanos,
            Histogram latency,
            Map<String, Integer> outcomes,
            long lastOutcomeNanos,
            int peakThreads,
            int threadsAtStart,
            long peakRssBytes,
            long rssAtStartBytes,
            double gatewayCpuSeconds,
            double standInCpuSeconds,
            double otherCpus) {}

    void turns() throws Exception {
        String version = javaVersion();
        Path jar = Path.of(options.getOrDefault("gateway-jar", "target/switchboard-samples.jar"));
        boolean useJar = Files.isRegularFile(jar);
        System.out.printf(
                "Machine: %d CPUs; bench on Java %s; gateway on %s, %s%s%n",
                Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"),
                version,
                useJar ? "java -jar " + jar : "java -cp (this class path) " + GATEWAY_MAIN,
                gatewayJvm.isEmpty() ? ", default JVM options" : " " + String.join(" ", gatewayJvm));
        System.out.printf(
                "Load: N conversations at once, one webhook each from its own sender on its own connection;"
                        + " echo agent waiting %d ms a turn; stand-in reports sent after %d ms, delivered after %d"
                        + " ms; %s%n",
                delayMillis,
                callbackDelayMillis,
                2 * callbackDelayMillis,
                warmup
                        ? "each measured burst follows an unmeasured one of N other senders on the same gateway"
                        : "each burst is the first of a fresh gateway");
        System.out.flush();
        List<Burst> bursts = new ArrayList<>();
        for (int n : sizes) {
            bursts.add(burst(n, useJar ? jar : null));
        }
        System.out.println();
        System.out.println("| conversations | first webhook → last reply | reply p50 | reply p99 | reply max | replies"
                + " | delivered | sent unconfirmed | failed | no outcome | last outcome | gateway threads peak (idle)"
                + " | gateway RSS peak (idle) | gateway CPU | stand-in CPU | other processes' CPU |");
        System.out.println("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        for (Burst b : bursts) {
            int settled =
                    b.outcomes().values().stream().mapToInt(Integer::intValue).sum();
            System.out.printf(
                    Locale.ROOT,
                    "| %,d | %.2f s | %.2f s | %.2f s | %.2f s | %,d | %,d | %,d | %,d | %,d | %.1f s | %d (%d) | %.0f MiB"
                            + " (%.0f) | %.1f s | %.1f s | %.0f%% |%n",
                    b.conversations(),
                    b.lastReplyNanos() / 1e9,
                    seconds(b.latency(), 50),
                    seconds(b.latency(), 99),
                    b.latency().getTotalCount() == 0 ? Double.NaN : b.latency().getMaxValue() / 1e9,
                    b.replies(),
                    b.outcomes().get("delivered"),
                    b.outcomes().get("sent unconfirmed"),
                    b.outcomes().get("failed"),
                    b.conversations() - settled,
                    b.lastOutcomeNanos() / 1e9,
                    b.peakThreads(),
                    b.threadsAtStart(),
                    b.peakRssBytes() / 1048576.0,
                    b.rssAtStartBytes() / 1048576.0,
                    b.gatewayCpuSeconds(),
                    b.standInCpuSeconds(),
                    100 * b.otherCpus());
        }
        System.out.println();
        for (Burst b : bursts) {
            System.out.printf(
                    Locale.ROOT,
                    "%,d conversations: webhooks answered %s, the slowest in %.0f ms; %d replies with a wrong text%n",
                    b.conversations(),
                    b.acks(),
                    b.ackMaxNanos() / 1e6,
                    b.wrongReplies());
        }
        for (Burst b : bursts) {
            // The runtime's goal: no conversation waits for another's slow agent.
            double goal = b.conversations() <= 100 ? 3 : b.conversations() <= 500 ? 5 : Double.NaN;
            if (Double.isNaN(goal) || delayMillis != 2000) {
                continue;
            }
            int delivered = b.outcomes().get("delivered");
            boolean met = b.replies() == b.conversations()
                    && b.lastReplyNanos() <= goal * 1e9
                    && delivered == b.conversations();
            System.out.printf(
                    Locale.ROOT,
                    "Goal for %,d conversations, every reply within %.0f s and delivered: %s (last reply after %.2f s,"
                            + " %,d of %,d delivered)%n",
                    b.conversations(),
                    goal,
                    met ? "met" : "NOT met",
                    b.lastReplyNanos() / 1e9,
                    delivered,
                    b.conversations());
        }
        if (bursts.stream().anyMatch(b -> b.otherCpus() > 0.05)) {
            System.out.println("WARNING: other processes used CPU during a burst (last column, in CPUs): its figures"
                    + " are disturbed; run again on a quiet machine.");
        }
    }

    private Burst burst(int n, Path jar) throws Exception {
        System.out.printf("%nBurst of %,d conversations...%n", n);
        System.out.flush();
        long runId = System.currentTimeMillis();
        AtomicLongArray sentAt = new AtomicLongArray(n);
        AtomicLongArray receivedAt = new AtomicLongArray(n);
        AtomicInteger replies = new AtomicInteger();
        AtomicInteger wrong = new AtomicInteger();
        TwilioSandbox sandbox = TwilioSandbox.builder()
                .accountSid(Webhooks.ACCOUNT_SID)
                .authToken(Webhooks.AUTH_TOKEN)
                .senders(Set.of(Webhooks.GATEWAY_NUMBER))
                .callbackDelay(Duration.ofMillis(callbackDelayMillis))
                .build();
        sandbox.onMessage(message -> {
            long now = System.nanoTime();
            int i = senderIndex(message);
            if (i >= n && i < 2 * n && warmup) {
                // A reply of the warm-up burst.
                return;
            }
            if (i < 0 || i >= n || !message.body().equals("echo: " + text(i))) {
                wrong.incrementAndGet();
                return;
            }
            if (receivedAt.compareAndSet(i, 0, now)) {
                replies.incrementAndGet();
            }
        });
        sandbox.start();
        int port = freePort();
        URI publicUrl = URI.create("http://127.0.0.1:" + port + Webhooks.PATH);
        byte[][] webhooks = new byte[n][];
        byte[][] warmups = new byte[warmup ? n : 0][];
        HexFormat hex = HexFormat.of();
        for (int i = 0; i < n; i++) {
            String sid = "SM" + hex.toHexDigits(runId) + String.format("%016x", i);
            webhooks[i] = Webhooks.request(sid, Webhooks.sender(i), text(i), publicUrl);
        }
        for (int i = 0; i < warmups.length; i++) {
            String sid = "SM" + hex.toHexDigits(runId) + String.format("%016x", n + i);
            warmups[i] = Webhooks.request(sid, Webhooks.sender(n + i), text(n + i), publicUrl);
        }
        Map<String, String> env = new LinkedHashMap<>();
        env.put("TWILIO_ACCOUNT_SID", Webhooks.ACCOUNT_SID);
        // The store the sample gateway would keep in switchboard.db; these runs measure or test other things.
        env.put("SWITCHBOARD_DATABASE_URL", "memory");
        env.put("TWILIO_AUTH_TOKEN", Webhooks.AUTH_TOKEN);
        env.put("TWILIO_PHONE_NUMBER", Webhooks.GATEWAY_NUMBER);
        env.put("TWILIO_API_BASE_URL", sandbox.baseUrl().toString());
        // The status callbacks go to the public URL, so it must be this machine's.
        env.put("SMS_WEBHOOK_URL", publicUrl.toString());
        env.put("SMS_WEBHOOK_HOST", "127.0.0.1");
        env.put("SMS_WEBHOOK_PORT", Integer.toString(port));
        env.put(
                "SMS_ALLOWED_USERS",
                IntStream.range(0, n + warmups.length)
                        .mapToObj(Webhooks::sender)
                        .collect(Collectors.joining(",")));
        env.put("SWITCHBOARD_AGENT", "echo");
        env.put("SWITCHBOARD_ECHO_DELAY_MS", Long.toString(delayMillis));
        env.put("SWITCHBOARD_INBOUND_LIMIT", "0");
        try (GatewayProcess gateway = new GatewayProcess(jar, env, logs.resolve("turnbench-gateway-" + n + ".log"))) {
            gateway.awaitListening(port);
            int before = 0;
            if (warmups.length > 0) {
                sendAll(port, warmups, new AtomicLongArray(warmups.length));
                long warmDeadline = System.nanoTime() + timeoutNanos;
                while (System.nanoTime() < warmDeadline && gateway.settled() < warmups.length && gateway.alive()) {
                    TimeUnit.MILLISECONDS.sleep(20);
                }
                before = gateway.settled();
                System.out.printf(
                        "Warm-up burst of %,d other conversations settled: %s%n", warmups.length, gateway.outcomes());
            }
            Map<String, Integer> warmOutcomes = gateway.outcomes();
            GatewayProcess.Sample idle = gateway.sample();
            System.out.printf(
                    "Gateway pid %d listening on %d: %d threads, RSS %.0f MiB%n",
                    gateway.pid(), port, idle.threads(), idle.rssBytes() / 1048576.0);
            System.out.flush();
            long machineBefore = LoadBench.machineCpuNanos();
            long ownBefore = ServerControl.cpuNanos();
            long gatewayBefore = gateway.cpuNanos();
            long standInBefore = standInCpuNanos(Set.of());
            Acks acks = sendAll(port, webhooks, sentAt);
            long start = sentAt.get(0);
            long deadline = start + timeoutNanos;
            long nextReport = start + TimeUnit.SECONDS.toNanos(10);
            while (System.nanoTime() < deadline && gateway.settled() - before < n && gateway.alive()) {
                // A report every 10 s while the gateway works through the burst.
                TimeUnit.MILLISECONDS.sleep(20);
                if (System.nanoTime() >= nextReport) {
                    System.out.printf(
                            Locale.ROOT,
                            "  %3.0f s: %,d replies, outcomes %s, %d gateway threads%n",
                            (System.nanoTime() - start) / 1e9,
                            replies.get(),
                            gateway.outcomes(),
                            gateway.sample().threads());
                    System.out.flush();
                    nextReport += TimeUnit.SECONDS.toNanos(10);
                }
            }
            long end = System.nanoTime();
            long gatewayCpu = gateway.cpuNanos() - gatewayBefore;
            long ownCpu = ServerControl.cpuNanos() - ownBefore;
            long standInCpu = standInCpuNanos(Set.of()) - standInBefore;
            long machineCpu = LoadBench.machineCpuNanos() - machineBefore;
            double other = machineBefore < 0
                    ? Double.NaN
                    : Math.max(0, machineCpu - ownCpu - gatewayCpu) / (double) (end - start);
            if (!gateway.alive()) {
                System.out.println("WARNING: the gateway exited during the burst; see " + gateway.log());
            }
            Histogram latency = new Histogram(TimeUnit.HOURS.toNanos(1), 3);
            long last = 0;
            for (int i = 0; i < n; i++) {
                long received = receivedAt.get(i);
                if (received != 0) {
                    latency.recordValue(Math.max(0, received - sentAt.get(i)));
                    last = Math.max(last, received - start);
                }
            }
            return new Burst(
                    n,
                    acks.statuses(),
                    acks.slowestNanos(),
                    replies.get(),
                    wrong.get(),
                    last,
                    latency,
                    minus(gateway.outcomes(), warmOutcomes),
                    gateway.lastOutcomeNanos() == 0 ? 0 : gateway.lastOutcomeNanos() - start,
                    gateway.peakThreads(),
                    idle.threads(),
                    gateway.peakRssBytes(),
                    idle.rssBytes(),
                    gatewayCpu / 1e9,
                    standInCpu / 1e9,
                    other);
        } finally {
            sandbox.close();
        }
    }

    /**
     * The stand-in alone: for each size, that many message creations at once, each on a connection
     * of its own as the gateway's client makes them, with status callbacks to a receiver here.
     * Reports how fast the creations were answered and how late the callbacks came after their
     * schedule (accepted + the callback delay for {@code sent}, twice it for {@code delivered}).
     */
    void standIn() throws Exception {
        System.out.printf(
                "The stand-in alone: N message creations at once, callbacks after %d and %d ms%n",
                callbackDelayMillis, 2 * callbackDelayMillis);
        for (int n : sizes) {
            Map<String, Long> acceptedAt = new ConcurrentHashMap<>();
            Map<String, Long> deliveredAt = new ConcurrentHashMap<>();
            AtomicInteger callbacks = new AtomicInteger();
            CallbackReceiver receiver = new CallbackReceiver((sid, status) -> {
                if (status.equals("delivered")) {
                    deliveredAt.put(sid, System.nanoTime());
                }
                callbacks.incrementAndGet();
            });
            TwilioSandbox sandbox = TwilioSandbox.builder()
                    .accountSid(Webhooks.ACCOUNT_SID)
                    .authToken(Webhooks.AUTH_TOKEN)
                    .senders(Set.of(Webhooks.GATEWAY_NUMBER))
                    .callbackDelay(Duration.ofMillis(callbackDelayMillis))
                    .build();
            sandbox.onMessage(message -> acceptedAt.put(message.sid(), System.nanoTime()));
            sandbox.start();
            // The client's selector thread is named like the stand-in's; its work is not the stand-in's.
            Set<Long> clientSelector = new HashSet<>(clientThreads());
            HttpClient client =
                    HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            clientSelector = difference(clientThreads(), clientSelector);
            try {
                URI messages = URI.create(
                        sandbox.baseUrl() + "/2010-04-01/Accounts/" + Webhooks.ACCOUNT_SID + "/Messages.json");
                String authorization = "Basic "
                        + Base64.getEncoder()
                                .encodeToString((Webhooks.ACCOUNT_SID + ":" + Webhooks.AUTH_TOKEN)
                                        .getBytes(StandardCharsets.UTF_8));
                String callbackUrl = "http://127.0.0.1:" + receiver.port() + "/status";
                Histogram answered = new Histogram(TimeUnit.MINUTES.toNanos(1), 3);
                Map<Integer, Long> statuses = new TreeMap<>();
                List<CompletableFuture<Void>> pending = new ArrayList<>();
                long machineBefore = LoadBench.machineCpuNanos();
                long ownBefore = ServerControl.cpuNanos();
                long standInBefore = standInCpuNanos(clientSelector);
                long start = System.nanoTime();
                for (int i = 0; i < n; i++) {
                    Map<String, List<String>> form = new LinkedHashMap<>();
                    form.put("To", List.of(Webhooks.sender(i)));
                    form.put("From", List.of(Webhooks.GATEWAY_NUMBER));
                    form.put("Body", List.of("echo: " + text(i)));
                    form.put("StatusCallback", List.of(callbackUrl));
                    long sent = System.nanoTime();
                    pending.add(client.sendAsync(
                                    HttpRequest.newBuilder(messages)
                                            .header("Authorization", authorization)
                                            .header("Content-Type", "application/x-www-form-urlencoded")
                                            .POST(HttpRequest.BodyPublishers.ofString(TwilioSandbox.encodeForm(form)))
                                            .build(),
                                    HttpResponse.BodyHandlers.discarding())
                            .handle((response, failure) -> {
                                long took = System.nanoTime() - sent;
                                synchronized (answered) {
                                    answered.recordValue(Math.min(took, answered.getHighestTrackableValue()));
                                    statuses.merge(failure == null ? response.statusCode() : -1, 1L, Long::sum);
                                }
                                return null;
                            }));
                }
                CompletableFuture.allOf(pending.toArray(new CompletableFuture<?>[0]))
                        .get(60, TimeUnit.SECONDS);
                long allAnswered = System.nanoTime() - start;
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (callbacks.get() < 2 * n && System.nanoTime() < until) {
                    TimeUnit.MILLISECONDS.sleep(5);
                }
                long allCalledBack = System.nanoTime() - start;
                double standInCpu = (standInCpuNanos(clientSelector) - standInBefore) / 1e9;
                double ownCpu = (ServerControl.cpuNanos() - ownBefore) / 1e9;
                double other = machineBefore < 0
                        ? Double.NaN
                        : Math.max(0, LoadBench.machineCpuNanos() - machineBefore - ownCpu * 1e9)
                                / (double) allCalledBack;
                Histogram lag = new Histogram(TimeUnit.MINUTES.toNanos(1), 3);
                acceptedAt.forEach((sid, accepted) -> {
                    Long delivered = deliveredAt.get(sid);
                    if (delivered != null) {
                        long late = delivered - accepted - TimeUnit.MILLISECONDS.toNanos(2 * callbackDelayMillis);
                        lag.recordValue(Math.max(0, Math.min(late, lag.getHighestTrackableValue())));
                    }
                });
                System.out.printf(
                        Locale.ROOT,
                        "%,d creations: answered %s, all within %.0f ms (each: p50 %.0f ms, p99 %.0f ms);"
                                + " %,d of %,d callbacks received, the last %.0f ms after the first creation;"
                                + " delivered reports late on their schedule by p50 %.0f ms, p99 %.0f ms, max %.0f ms;"
                                + " CPU: stand-in %.2f s, this JVM %.2f s, other processes %.0f%%%n",
                        n,
                        statuses,
                        allAnswered / 1e6,
                        answered.getValueAtPercentile(50) / 1e6,
                        answered.getValueAtPercentile(99) / 1e6,
                        callbacks.get(),
                        2 * n,
                        allCalledBack / 1e6,
                        lag.getValueAtPercentile(50) / 1e6,
                        lag.getValueAtPercentile(99) / 1e6,
                        lag.getMaxValue() / 1e6,
                        standInCpu,
                        ownCpu,
                        100 * other);
                System.out.flush();
            } finally {
                sandbox.close();
                receiver.close();
            }
        }
    }

    /** The text of conversation {@code i}'s message. */
    /** The counts of {@code now} less those of {@code before}, kind by kind. */
    private static Map<String, Integer> minus(Map<String, Integer> now, Map<String, Integer> before) {
        Map<String, Integer> difference = new LinkedHashMap<>();
        now.forEach((kind, count) -> difference.put(kind, count - before.getOrDefault(kind, 0)));
        return difference;
    }

    private static String text(int i) {
        return "Conversation " + i + ": are you there?";
    }

    private static int senderIndex(SandboxMessage message) {
        String to = message.to();
        if (!to.startsWith("+1555") || to.length() != 12) {
            return -1;
        }
        try {
            return Integer.parseInt(to.substring(5));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** How the webhooks of a burst were answered. */
    private record Acks(Map<Integer, Long> statuses, long slowestNanos) {}

    /**
     * Opens a connection per webhook, then writes them all, one after another as fast as they go,
     * recording when each was written; returns once each has its answer (or 30 s have passed).
     */
    private static Acks sendAll(int port, byte[][] webhooks, AtomicLongArray sentAt) throws IOException {
        int n = webhooks.length;
        InetSocketAddress address = new InetSocketAddress("127.0.0.1", port);
        Map<Integer, Long> statuses = new TreeMap<>();
        long slowest = 0;
        try (Selector selector = Selector.open()) {
            SocketChannel[] channels = new SocketChannel[n];
            ByteBuffer[] out = new ByteBuffer[n];
            ByteBuffer[] in = new ByteBuffer[n];
            try {
                for (int i = 0; i < n; i++) {
                    channels[i] = SocketChannel.open(address);
                    channels[i].setOption(StandardSocketOptions.TCP_NODELAY, true);
                    channels[i].configureBlocking(false);
                    channels[i].register(selector, SelectionKey.OP_READ, i);
                    out[i] = ByteBuffer.wrap(webhooks[i]);
                    in[i] = ByteBuffer.allocate(4096);
                }
                for (int i = 0; i < n; i++) {
                    sentAt.set(i, System.nanoTime());
                    channels[i].write(out[i]);
                    if (out[i].hasRemaining()) {
                        channels[i].keyFor(selector).interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
                    }
                }
                int answered = 0;
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (answered < n && System.nanoTime() < until) {
                    selector.select(100);
                    Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
                    while (keys.hasNext()) {
                        SelectionKey key = keys.next();
                        keys.remove();
                        int i = (Integer) key.attachment();
                        if (key.isValid() && key.isWritable()) {
                            channels[i].write(out[i]);
                            if (!out[i].hasRemaining()) {
                                key.interestOps(SelectionKey.OP_READ);
                            }
                        }
                        if (!key.isValid() || !key.isReadable()) {
                            continue;
                        }
                        int read;
                        try {
                            read = channels[i].read(in[i]);
                        } catch (IOException e) {
                            read = -1;
                        }
                        if (read < 0) {
                            statuses.merge(-1, 1L, Long::sum);
                            answered++;
                            key.cancel();
                            continue;
                        }
                        in[i].flip();
                        int status = LoadGenerator.nextResponse(in[i]);
                        in[i].compact();
                        if (status >= 0) {
                            statuses.merge(status, 1L, Long::sum);
                            slowest = Math.max(slowest, System.nanoTime() - sentAt.get(i));
                            answered++;
                            key.cancel();
                        }
                    }
                }
                if (answered < n) {
                    statuses.merge(0, (long) (n - answered), Long::sum);
                }
            } finally {
                for (SocketChannel channel : channels) {
                    if (channel != null) {
                        channel.close();
                    }
                }
            }
        }
        return new Acks(statuses, slowest);
    }

    /**
     * The CPU time of the stand-in's threads in this JVM: its HTTP server's dispatcher and request
     * pool, its callback timer and its HTTP client, less the {@code excluded} threads. Of live threads
     * only, so read around a burst.
     */
    private static long standInCpuNanos(Set<Long> excluded) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long total = 0;
        for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info == null || excluded.contains(info.getThreadId())) {
                continue;
            }
            String name = info.getThreadName();
            if (name.startsWith("twilio-sandbox")
                    || name.startsWith("HTTP-Dispatcher")
                    || name.startsWith("HttpClient")) {
                long cpu = threads.getThreadCpuTime(info.getThreadId());
                if (cpu > 0) {
                    total += cpu;
                }
            }
        }
        return total;
    }

    private static Set<Long> difference(Set<Long> all, Set<Long> less) {
        Set<Long> difference = new HashSet<>(all);
        difference.removeAll(less);
        return difference;
    }

    /** The ids of the HTTP client threads alive now. */
    private static Set<Long> clientThreads() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        return Arrays.stream(threads.getThreadInfo(threads.getAllThreadIds()))
                .filter(info -> info != null && info.getThreadName().startsWith("HttpClient"))
                .map(ThreadInfo::getThreadId)
                .collect(Collectors.toSet());
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return socket.getLocalPort();
        }
    }

    private String javaVersion() throws IOException, InterruptedException {
        Process process = new ProcessBuilder(javaCommand.toString(), "-version")
                .redirectErrorStream(true)
                .start();
        List<String> lines = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8)
                .lines()
                .toList();
        process.waitFor();
        return lines.isEmpty()
                ? javaCommand.toString()
                : String.join("; ", lines.subList(0, Math.min(2, lines.size())));
    }

    private static double seconds(Histogram histogram, double percentile) {
        return histogram.getTotalCount() == 0 ? Double.NaN : histogram.getValueAtPercentile(percentile) / 1e9;
    }

    /**
     * The gateway in a JVM of its own, configured by its environment alone, as {@code java -jar}
     * runs it; its log is copied to a file and read for the replies' outcomes, and {@code /proc}
     * sampled for its threads and resident memory.
     */
    private final class GatewayProcess implements AutoCloseable {

        /** One reading of {@code /proc/<pid>/status}. */
        record Sample(int threads, long rssBytes) {}

        private final Process process;
        private final Path log;
        private final Map<String, AtomicInteger> outcomes = new LinkedHashMap<>();
        private final AtomicLong lastOutcome = new AtomicLong();
        private final AtomicInteger peakThreads = new AtomicInteger();
        private final AtomicLong peakRss = new AtomicLong();
        private final Thread reader;
        private final Thread sampler;
        private volatile boolean sampling = true;
        private volatile boolean stopping;

        GatewayProcess(Path jar, Map<String, String> env, Path log) throws IOException {
            this.log = log;
            for (String kind : List.of("delivered", "sent unconfirmed", "failed")) {
                outcomes.put(kind, new AtomicInteger());
            }
            List<String> command = new ArrayList<>();
            command.add(javaCommand.toString());
            command.addAll(gatewayJvm);
            if (jar != null) {
                command.addAll(List.of("-jar", jar.toString()));
            } else {
                command.addAll(List.of("-cp", System.getProperty("java.class.path"), GATEWAY_MAIN));
            }
            ProcessBuilder builder = new ProcessBuilder(command)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectInput(ProcessBuilder.Redirect.PIPE);
            // Only the bench's settings: none of the caller's own Twilio or gateway variables.
            builder.environment()
                    .keySet()
                    .removeIf(name -> name.startsWith("TWILIO_")
                            || name.startsWith("SMS_")
                            || name.startsWith("WHATSAPP_")
                            || name.startsWith("SWITCHBOARD_"));
            builder.environment().putAll(env);
            this.process = builder.start();
            this.reader = new Thread(this::readLog, "gateway-log");
            reader.setDaemon(true);
            reader.start();
            this.sampler = new Thread(this::sampleUntilClosed, "gateway-sampler");
            sampler.setDaemon(true);
            sampler.start();
        }

        long pid() {
            return process.pid();
        }

        Path log() {
            return log;
        }

        boolean alive() {
            return process.isAlive();
        }

        /** Waits until the gateway accepts connections on {@code port}. */
        void awaitListening(int port) throws InterruptedException {
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < until) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("the gateway exited with " + process.exitValue() + "; see " + log);
                }
                try (Socket socket = new Socket()) {
                    socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
                    return;
                } catch (IOException e) {
                    TimeUnit.MILLISECONDS.sleep(50);
                }
            }
            throw new IllegalStateException("the gateway did not listen on " + port + " within 60 s; see " + log);
        }

        private void readLog() {
            try (BufferedReader in = new BufferedReader(
                            new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8));
                    BufferedWriter out = Files.newBufferedWriter(log, StandardCharsets.UTF_8)) {
                for (String line; (line = in.readLine()) != null; ) {
                    out.write(line);
                    out.newLine();
                    Matcher outcome = OUTCOME.matcher(line);
                    if (outcome.find()) {
                        outcomes.get(outcome.group(2)).incrementAndGet();
                        lastOutcome.set(System.nanoTime());
                    }
                }
            } catch (IOException e) {
                if (!stopping) {
                    throw new UncheckedIOException("cannot copy the gateway's log to " + log, e);
                }
                // The gateway was stopped: once it exits its standard error is closed under the reader.
            }
        }

        private void sampleUntilClosed() {
            while (sampling) {
                Sample sample = sample();
                peakThreads.accumulateAndGet(sample.threads(), Math::max);
                peakRss.accumulateAndGet(sample.rssBytes(), Math::max);
                try {
                    TimeUnit.MILLISECONDS.sleep(10);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        /** The gateway's threads and resident memory now; zeros once it is gone. */
        Sample sample() {
            Map<String, String> status = status();
            return new Sample(Integer.parseInt(status.getOrDefault("Threads", "0")), kibibytes(status.get("VmRSS")));
        }

        /** The outcomes logged so far. */
        Map<String, Integer> outcomes() {
            Map<String, Integer> now = new LinkedHashMap<>();
            outcomes.forEach((kind, count) -> now.put(kind, count.get()));
            return now;
        }

        int settled() {
            return outcomes.values().stream().mapToInt(AtomicInteger::get).sum();
        }

        long lastOutcomeNanos() {
            return lastOutcome.get();
        }

        int peakThreads() {
            return peakThreads.get();
        }

        /** The kernel's high-water mark of the gateway's resident memory, or the sampled peak. */
        long peakRssBytes() {
            long highWater = kibibytes(status().get("VmHWM"));
            return Math.max(highWater, peakRss.get());
        }

        /** The CPU time the gateway used so far, from {@code /proc/<pid>/stat}. */
        long cpuNanos() {
            try {
                String stat = Files.readString(Path.of("/proc", Long.toString(process.pid()), "stat"));
                // The fields after the command's closing parenthesis: utime and stime are the 12th and 13th.
                String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * 10_000_000L;
            } catch (IOException | RuntimeException e) {
                return 0;
            }
        }

        private Map<String, String> status() {
            Map<String, String> status = new LinkedHashMap<>();
            try {
                for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
                    int colon = line.indexOf(':');
                    if (colon > 0) {
                        status.put(
                                line.substring(0, colon),
                                line.substring(colon + 1).strip());
                    }
                }
            } catch (IOException | UncheckedIOException e) {
                // Gone: no reading.
            }
            return status;
        }

        private static long kibibytes(String value) {
            if (value == null) {
                return 0;
            }
            return Long.parseLong(value.replace("kB", "").strip()) * 1024;
        }

        @Override
        public void close() {
            // Read before the JVM exits: the high-water mark goes with the process.
            peakRss.accumulateAndGet(peakRssBytes(), Math::max);
            sampling = false;
            sampler.interrupt();
            stopping = true;
            process.destroy();
            try {
                if (!process.waitFor(60, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor();
                }
                reader.join(TimeUnit.SECONDS.toMillis(10));
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }
}
