package dev.switchboard.samples.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The command loop of a server under test, on its standard input: {@code stats} prints the
 * process's CPU time, the bytes its live threads allocated and its GC totals; {@code heap} runs a
 * full GC and prints the heap in use, {@code mem} the heap in use without one; {@code quit} returns. Answers go to standard output, one line
 * each, so that the load generator in another process can read them.
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
