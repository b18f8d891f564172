package dev.switchboard.samples.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/** A server under test in a JVM of its own, pinned to its own CPU, driven through {@link ServerControl}. */
final class ServerProcess implements AutoCloseable {

    /** What the server's counters said at one moment. */
    record Stats(long cpuNanos, long allocatedBytes, long gcCount, long gcMillis) {

        Stats minus(Stats earlier) {
            return new Stats(
                    cpuNanos - earlier.cpuNanos,
                    allocatedBytes - earlier.allocatedBytes,
                    gcCount - earlier.gcCount,
                    gcMillis - earlier.gcMillis);
        }
    }

    private final String name;
    private final Process process;
    private final BufferedReader out;
    private final PrintWriter in;
    private final int port;
    private final String description;

    private ServerProcess(String name, Process process) throws IOException {
        this.name = name;
        this.process = process;
        this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        this.in = new PrintWriter(new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8), true);
        // The JVM may print first (a flight recording starting, say).
        String ready = out.readLine();
        while (ready != null && !ready.startsWith("READY ")) {
            ready = out.readLine();
        }
        if (ready == null) {
            process.destroyForcibly();
            throw new IllegalStateException(name + " did not start; see its log");
        }
        String[] words = ready.split(" ");
        this.port = Integer.parseInt(words[1]);
        this.description = String.join(" ", List.of(words).subList(2, words.length));
    }

    /**
     * Starts {@code mainClass} of this class path in a new JVM, on {@code cpu} if given, with its
     * standard error in {@code log}.
     */
    static ServerProcess start(
            String name, String mainClass, List<String> jvmArgs, List<String> args, String cpu, Path log)
            throws IOException {
        List<String> command = new ArrayList<>();
        if (cpu != null) {
            command.addAll(List.of("taskset", "-c", cpu));
        }
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmArgs);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass));
        command.addAll(args);
        Process process = new ProcessBuilder(command)
                .redirectError(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.PIPE)
                .start();
        return new ServerProcess(name, process);
    }

    String name() {
        return name;
    }

    long pid() {
        return process.pid();
    }

    InetSocketAddress address() {
        return new InetSocketAddress("127.0.0.1", port);
    }

    /** The server's GC and CPU count, as it reported them. */
    String description() {
        return description;
    }

    synchronized Stats stats() {
        String[] words = ask("stats", "STATS");
        return new Stats(
                Long.parseLong(words[1]), Long.parseLong(words[2]), Long.parseLong(words[3]), Long.parseLong(words[4]));
    }

    /** The CPU time of the server's live threads in nanoseconds, summed by name (see {@link ServerControl}). */
    synchronized Map<String, Long> threadCpu() {
        String line = askLine("threads", "THREADS");
        Map<String, Long> cpu = new TreeMap<>();
        for (String field : line.substring("THREADS ".length()).split("\t")) {
            int equals = field.lastIndexOf('=');
            if (equals > 0) {
                cpu.put(field.substring(0, equals), Long.parseLong(field.substring(equals + 1)));
            }
        }
        return cpu;
    }

    /** Ends the server at once, as a crash would: no shutdown hook, nothing flushed. */
    void kill() {
        process.destroyForcibly();
        try {
            process.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The heap in use after full GCs, in bytes. */
    synchronized long heapAfterFullGc() {
        return Long.parseLong(ask("heap", "HEAP")[1]);
    }

    /** The heap in use, garbage included, in bytes. */
    synchronized long heapInUse() {
        return Long.parseLong(ask("mem", "MEM")[1]);
    }

    private String[] ask(String command, String answer) {
        return askLine(command, answer).split(" ");
    }

    private String askLine(String command, String answer) {
        in.println(command);
        try {
            String line = out.readLine();
            while (line != null && !line.startsWith(answer + " ")) {
                if (line.startsWith("ERROR ")) {
                    throw new IllegalStateException(name + " answered " + command + " with " + line);
                }
                line = out.readLine();
            }
            if (line == null) {
                throw new IllegalStateException(name + " exited instead of answering " + command);
            }
            return line;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        if (!process.isAlive()) {
            return;
        }
        in.println("quit");
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
