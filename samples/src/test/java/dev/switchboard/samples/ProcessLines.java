package dev.switchboard.samples;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A gateway process's standard output, line by line, for the tests that start the gateway (or the
 * Spring Boot sample) as a process of its own and read what it prints.
 */
public final class ProcessLines {

    private ProcessLines() {}

    /** The process's standard output, read on a daemon thread of its own into a queue. */
    public static BlockingQueue<String> lines(Process process) {
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader in =
                    new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    lines.add(line);
                }
            } catch (IOException e) {
                lines.add("(read failed: " + e + ")");
            }
        });
        reader.setDaemon(true);
        reader.start();
        return lines;
    }

    /**
     * The next line that contains {@code fragment}, waiting 90 s at most; every line taken is added
     * to {@code seen}, for the failure's message.
     */
    public static String awaitLine(BlockingQueue<String> lines, String fragment, List<String> seen)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < deadline) {
            String line = lines.poll(1, TimeUnit.SECONDS);
            if (line != null) {
                seen.add(line);
                if (line.contains(fragment)) {
                    return line;
                }
            }
        }
        throw new AssertionError("no line containing '" + fragment + "' in " + seen);
    }

    /** Stops the process: asked first, killed after 30 s. */
    public static void stop(Process process) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
