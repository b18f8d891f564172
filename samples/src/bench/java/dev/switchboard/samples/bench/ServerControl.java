package dev.switchboard.samples.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The command loop of a server under test, on its standard input: {@code stats} prints the
 * process's CPU time, the bytes its live threads allocated and its GC totals; {@code heap} runs a
 * full GC and prints the heap in use, {@code mem} the heap in use without one; {@code threads} the CPU
 * time of the live threads, summed by name without its numbers ({@code switchboard-worker-7} counts
 * as {@code switchboard-worker}); {@code quit} returns. Answers go to standard output, one line each,
 * so that the load generator in another process can read them.
 */
final class ServerControl {

    private final PrintStream out;

    ServerControl(PrintStream out) {
        this.out = out;
    }

    /** Announces the server's port and serves commands until {@code quit} or the end of input. */
    void serve(int port) throws IOException {
        out.println("READY " + port + " gc="
                + ManagementFactory.getGarbageCollectorMXBeans().stream()
                        .map(GarbageCollectorMXBean::getName)
                        .collect(Collectors.joining("+"))
                + " cpus=" + Runtime.getRuntime().availableProcessors());
        out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line; (line = in.readLine()) != null; ) {
            switch (line.strip()) {
                case "stats" ->
                    out.println("STATS " + cpuNanos() + " " + allocatedBytes() + " " + gcCount() + " " + gcMillis());
                case "heap" -> out.println("HEAP " + heapAfterFullGc());
                case "threads" -> out.println("THREADS " + threadCpu());
                case "mem" ->
                    out.println("MEM "
                            + ManagementFactory.getMemoryMXBean()
                                    .getHeapMemoryUsage()
                                    .getUsed());
                case "quit" -> {
                    return;
                }
                default -> out.println("ERROR unknown command");
            }
            out.flush();
        }
    }

    static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    /**
     * The CPU time of the threads alive now, in nanoseconds, summed by name less its digits and
     * trailing separators, as {@code name=nanos} fields separated by tabs.
     */
    static String threadCpu() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        Map<String, Long> byName = new TreeMap<>();
        for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info == null) {
                continue;
            }
            long nanos = threads.getThreadCpuTime(info.getThreadId());
            if (nanos > 0) {
                String name = info.getThreadName()
                        .replaceAll("[0-9]+", "")
                        .replaceAll("[-#_ ]+$", "")
                        .replaceAll("[-]{2,}", "-")
                        .replace('=', ' ')
                        .replace('\t', ' ');
                byName.merge(name, nanos, Long::sum);
            }
        }
        byName.putAll(jvmThreadCpu());
        return byName.entrySet().stream()
                .map(entry -> entry.getKey() + "=" + entry.getValue())
                .collect(Collectors.joining("\t"));
    }

    /**
     * The CPU time of the JVM's own threads, which {@link ThreadMXBean} does not list: the VM thread
     * (the Serial collector's collections and every safepoint) and the JIT compilers, by their names
     * in {@code /proc/self/task}.
     */
    private static Map<String, Long> jvmThreadCpu() {
        Map<String, Long> cpu = new TreeMap<>();
        Path tasks = Path.of("/proc/self/task");
        if (!Files.isDirectory(tasks)) {
            return cpu;
        }
        try (Stream<Path> threads = Files.list(tasks)) {
            for (Path thread : (Iterable<Path>) threads::iterator) {
                try {
                    String comm = Files.readString(thread.resolve("comm"), StandardCharsets.US_ASCII)
                            .strip();
                    String group = comm.startsWith("VM Thread")
                            ? "JVM: VM thread (GC, safepoints)"
                            : comm.startsWith("C1 Compiler") || comm.startsWith("C2 Compiler")
                                    ? "JVM: JIT compilers"
                                    : comm.startsWith("GC Thread") || comm.startsWith("G1 ") ? "JVM: GC threads" : null;
                    if (group == null) {
                        continue;
                    }
                    String stat = Files.readString(thread.resolve("stat"), StandardCharsets.US_ASCII);
                    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    // utime and stime, fields 14 and 15 of the line, in ticks of 10 ms.
                    long nanos = (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * 10_000_000L;
                    cpu.merge(group, nanos, Long::sum);
                } catch (IOException | RuntimeException e) {
                    // The thread ended meanwhile.
                }
            }
        } catch (IOException e) {
            return cpu;
        }
        return cpu;
    }

    /** What the threads alive now allocated over their lives; the server's threads outlive a run. */
    static long allocatedBytes() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long[] ids = threads.getAllThreadIds();
        return Arrays.stream(threads.getThreadAllocatedBytes(ids))
                .filter(bytes -> bytes > 0)
                .sum();
    }

    static long gcCount() {
        return ManagementFactory.getGarbageCollectorMXBeans().stream()
                .mapToLong(GarbageCollectorMXBean::getCollectionCount)
                .sum();
    }

    static long gcMillis() {
        return ManagementFactory.getGarbageCollectorMXBeans().stream()
                .mapToLong(GarbageCollectorMXBean::getCollectionTime)
                .sum();
    }

    /** The heap in use after full collections, once it stops shrinking. */
    static long heapAfterFullGc() {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            long now = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
            if (now >= used) {
                return Math.min(now, used);
            }
            used = now;
        }
        return used;
    }
}
