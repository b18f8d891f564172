package dev.switchboard.runtime.format;

import dev.switchboard.channel.ChannelCapabilities;
import dev.switchboard.channel.TextFlavour;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Format and split, as the runtime does for every reply, over the corpus of agent replies of the
 * golden tests ({@code src/test/resources/format/corpus}): lists, code, tables, links, emoji, CJK
 * and long answers. One operation is one reply; the replies are taken in turn.
 *
 * <p>Reports the time per reply and, through the {@code bytes} counter, the markdown (UTF-8 bytes)
 * formatted per microsecond, which is MB/s.
 */
@State(Scope.Thread)
@BenchmarkMode({Mode.AverageTime, Mode.Throughput})
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class FormatBenchmark {

    /** The channel the replies are formatted for. */
    @Param({"SMS", "SMS_NORMALISED", "WHATSAPP"})
    public String channel;

    private ReplyFormatter formatter;
    private ChannelCapabilities capabilities;
    private BenchmarkCorpus corpus;
    private int next;

    /** Counts the markdown bytes formatted, reported per microsecond in throughput mode. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Bytes {
        public long bytes;

        @Setup(Level.Iteration)
        public void reset() {
            bytes = 0;
        }
    }

    @Setup
    public void setUp() {
        corpus = new BenchmarkCorpus();
        formatter = MarkdownFormatter.builder()
                .gsmNormalisation(channel.equals("SMS_NORMALISED"))
                .build();
        capabilities = channel.equals("WHATSAPP")
                ? new ChannelCapabilities(1600, TextFlavour.WHATSAPP, true, false)
                : new ChannelCapabilities(1600, TextFlavour.PLAIN, true, true);
    }

    @Benchmark
    public void formatAndSplit(Bytes bytes, Blackhole blackhole) {
        int reply = next;
        next = reply + 1 == corpus.replies.length ? 0 : reply + 1;
        blackhole.consume(formatter.format(corpus.replies[reply], capabilities));
        bytes.bytes += corpus.sizes[reply];
    }
}
