package dev.switchboard.runtime.format;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.channel.ChannelCapabilities;
import dev.switchboard.channel.TextFlavour;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Pins the formatted output of a corpus of real-looking agent replies in both flavours. Each reply
 * {@code format/corpus/NAME.md} has its expected parts in {@code NAME.plain.txt} and {@code
 * NAME.whatsapp.txt}, separated by {@value #PART_BREAK} lines.
 *
 * <p>After a deliberate change of output, run with {@code -Dformat.golden.write=true} to rewrite
 * the expected files under {@code src/test/resources}, then review every diff before committing.
 */
class GoldenCorpusTest {

    static final String PART_BREAK = "-------- next part --------";
    static final ChannelCapabilities SMS = new ChannelCapabilities(1600, TextFlavour.PLAIN, true, true);
    static final ChannelCapabilities WHATSAPP = new ChannelCapabilities(1600, TextFlavour.WHATSAPP, true, false);

    private final ReplyFormatter formatter = MarkdownFormatter.defaults();

    static Stream<Arguments> corpus() {
        return Corpus.names().stream()
                .flatMap(name -> Stream.of(Arguments.of(name, SMS), Arguments.of(name, WHATSAPP)));
    }

    @ParameterizedTest(name = "{0} as {1}")
    @MethodSource("corpus")
    void formatsTheReplyAsPinned(String name, ChannelCapabilities capabilities) throws IOException {
        String expectedName = name + "." + capabilities.flavour().name().toLowerCase(Locale.ROOT) + ".txt";

        List<String> parts = formatter.format(Corpus.read(name + ".md"), capabilities);

        String actual = String.join("\n" + PART_BREAK + "\n", parts) + "\n";
        if (Boolean.getBoolean("format.golden.write")) {
            Files.writeString(Path.of("src/test/resources/format/corpus", expectedName), actual);
        }
        assertThat(actual).isEqualTo(Corpus.read(expectedName));
        for (String part : parts) {
            assertThat(part.length()).isLessThanOrEqualTo(capabilities.maxMessageLength());
        }
    }

    @Test
    void gsmNormalisationSavesSegmentsOnTheCorpus() {
        ReplyFormatter normalising =
                MarkdownFormatter.builder().gsmNormalisation(true).build();
        String longAnswer = Corpus.read("long-answer.md");

        assertThat(SegmentCounter.totalSegments(formatter.format(longAnswer, SMS)))
                .isEqualTo(43);
        assertThat(SegmentCounter.totalSegments(normalising.format(longAnswer, SMS)))
                .isEqualTo(32);
        int plain = 0;
        int normalised = 0;
        for (String name : Corpus.names()) {
            String reply = Corpus.read(name + ".md");
            plain += SegmentCounter.totalSegments(formatter.format(reply, SMS));
            normalised += SegmentCounter.totalSegments(normalising.format(reply, SMS));
        }
        assertThat(normalised).isEqualTo(140).isLessThan(plain);
    }

    /** The corpus on the test class path. */
    static final class Corpus {

        private Corpus() {}

        static List<String> names() {
            return read("index.txt").lines().filter(line -> !line.isBlank()).toList();
        }

        static String read(String name) {
            try (InputStream in = GoldenCorpusTest.class.getResourceAsStream("/format/corpus/" + name)) {
                if (in == null) {
                    throw new IllegalStateException("missing corpus file: " + name);
                }
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
