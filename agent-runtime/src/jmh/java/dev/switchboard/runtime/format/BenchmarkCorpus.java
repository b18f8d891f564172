package dev.switchboard.runtime.format;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** The agent replies of the golden tests, read from the test class path. */
final class BenchmarkCorpus {

    final String[] replies;
    final int[] sizes;

    BenchmarkCorpus() {
        List<String> names =
                read("index.txt").lines().filter(line -> !line.isBlank()).toList();
        replies = names.stream().map(name -> read(name + ".md")).toArray(String[]::new);
        sizes = new int[replies.length];
        long total = 0;
        for (int i = 0; i < replies.length; i++) {
            sizes[i] = replies[i].getBytes(StandardCharsets.UTF_8).length;
            total += sizes[i];
        }
        System.out.printf(
                "corpus: %d replies, %d bytes of markdown, %d bytes per reply on average%n",
                replies.length, total, total / replies.length);
    }

    private static String read(String name) {
        try (InputStream in = BenchmarkCorpus.class.getResourceAsStream("/format/corpus/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing corpus file: " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
