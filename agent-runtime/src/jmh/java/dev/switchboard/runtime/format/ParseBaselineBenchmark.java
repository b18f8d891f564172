package dev.switchboard.runtime.format;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.commonmark.ext.gfm.strikethrough.StrikethroughExtension;
import org.commonmark.ext.gfm.tables.TablesExtension;
import org.commonmark.parser.IncludeSourceSpans;
import org.commonmark.parser.Parser;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The baseline for {@link FormatBenchmark}: commonmark's parser alone over the same corpus, with the
 * same extensions, with and without the source spans the renderer reads.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ParseBaselineBenchmark {

    /** Which source spans the parser records. */
    @Param({"NONE", "BLOCKS_AND_INLINES"})
    public IncludeSourceSpans spans;

    private Parser parser;
    private BenchmarkCorpus corpus;
    private int next;

    @Setup
    public void setUp() {
        corpus = new BenchmarkCorpus();
        parser = Parser.builder()
                .extensions(List.of(
                        TablesExtension.create(),
                        StrikethroughExtension.builder().requireTwoTildes(true).build()))
                .includeSourceSpans(spans)
                .build();
    }

    @Benchmark
    public void parse(Blackhole blackhole) {
        int reply = next;
        next = reply + 1 == corpus.replies.length ? 0 : reply + 1;
        blackhole.consume(parser.parse(corpus.replies[reply]));
    }
}
