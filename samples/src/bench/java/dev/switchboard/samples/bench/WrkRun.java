package dev.switchboard.samples.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One run of {@code wrk} with {@code src/bench/wrk/webhooks.lua}, for {@code LoadBench --load=wrk}:
 * the same signed webhooks over the same keep-alive connections as the Java generator sends, from a
 * generator written in C, so that the listener's ratio to the ceiling can be checked with a load the
 * bench did not write.
 */
final class WrkRun {

    static final Path SCRIPT = Path.of("src/bench/wrk/webhooks.lua");

    /** What wrk reported, the answers that were not 2xx or 3xx among its responses, and the CPU time it used. */
    record Result(LoadBench.Load load, long notOk, long cpuNanos) {}

    private final String cpu;
    private final int threads;
    private final int connections;
    private final int depth;
    private final Path webhooks;
    private final int port;

    WrkRun(String cpu, int threads, int connections, int depth, Path webhooks, int port) {
        if (!Files.isReadable(SCRIPT)) {
            throw new IllegalStateException("run from the samples module: " + SCRIPT + " is not here");
        }
        this.cpu = cpu;
        this.threads = threads;
        this.connections = connections;
        this.depth = depth;
        this.webhooks = webhooks;
        this.port = port;
    }

    Result run(long nanos) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        if (cpu != null) {
            command.addAll(List.of("taskset", "-c", cpu));
        }
        command.addAll(List.of(
                "wrk",
                "-t" + threads,
                "-c" + connections,
                "-d" + TimeUnit.NANOSECONDS.toSeconds(nanos) + "s",
                "--latency",
                "-s",
                SCRIPT.toString(),
                "http://127.0.0.1:" + port + Webhooks.PATH,
                "--",
                webhooks.toString(),
                Integer.toString(threads),
                Integer.toString(depth)));
        long childrenBefore = childrenCpuNanos();
        Process process;
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new IllegalStateException("wrk could not be started: install it (Debian: apt-get install wrk)", e);
        }
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int exit = process.waitFor();
        long cpuNanos = childrenCpuNanos() - childrenBefore;
        String line = out.lines().filter(l -> l.startsWith("WRK ")).findFirst().orElse(null);
        if (exit != 0 || line == null) {
            throw new IllegalStateException("wrk failed (exit " + exit + "):\n" + out);
        }
        Map<String, Long> values = new HashMap<>();
        for (String field : line.substring(4).split(" ")) {
            int equals = field.indexOf('=');
            values.put(field.substring(0, equals), Long.parseLong(field.substring(equals + 1)));
        }
        long status = values.get("status");
        long io = values.get("connect") + values.get("read") + values.get("write") + values.get("timeout");
        String wraps = out.lines()
                .filter(l -> l.contains("went round"))
                .findFirst()
                .map(l -> "; " + l)
                .orElse("");
        LoadBench.Load load = new LoadBench.Load(
                values.get("requests"),
                values.get("duration_us") / 1e6,
                values.get("p50_us") / 1e3,
                values.get("p99_us") / 1e3,
                values.get("p999_us") / 1e3,
                values.get("max_us") / 1e3,
                status + io,
                String.format(
                        "wrk -t%d -c%d, pipeline %d: %,d responses, %d not 2xx or 3xx, socket errors %d%s",
                        threads, connections, depth, values.get("requests"), status, io, wraps));
        return new Result(load, status, cpuNanos);
    }

    /** The CPU time of this process's children that have been waited for, from {@code /proc/self/stat}. */
    private static long childrenCpuNanos() {
        try {
            String stat = Files.readString(Path.of("/proc/self/stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // cutime and cstime, the 16th and 17th fields of the line, in ticks of 10 ms.
            return (Long.parseLong(fields[13]) + Long.parseLong(fields[14])) * 10_000_000L;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }
}
