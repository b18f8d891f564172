package dev.switchboard.runtime.format;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.channel.TextFlavour;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;

class MarkdownRendererPropertiesTest {

    private static final Pattern WORD = Pattern.compile("[a-z]+");

    private final MarkdownRenderer renderer = MarkdownRenderer.create();

    @Property(tries = 1500)
    void proseWithLiteralAsterisksAndUnderscoresPassesUnchanged(
            @ForAll("prose") String prose, @ForAll TextFlavour flavour) {
        Statistics.label("holds an intraword asterisk").collect(prose.matches("(?s).*[a-z0-9]\\*+[a-z0-9].*"));
        Statistics.label("holds an intraword asterisk")
                .coverage(coverage -> coverage.check(true).percentage(p -> p > 50));

        assertThat(renderer.render(prose, flavour)).isEqualTo(prose);
    }

    @Property(tries = 1500)
    void plainTextKeepsEveryWordAndNoSyntax(@ForAll("documents") Document document) {
        String text = renderer.render(document.markdown(), TextFlavour.PLAIN);

        assertThat(text).doesNotContainPattern("[*_~`#\\[\\]|>]");
        assertThat(words(text)).containsSubsequence(document.words());
    }

    @Property(tries = 1500)
    void whatsAppTextKeepsEveryWordAndBalancesItsMarkersOnEachLine(@ForAll("documents") Document document) {
        String text = renderer.render(document.markdown(), TextFlavour.WHATSAPP);

        assertThat(text).doesNotContainPattern("[#\\[\\]|]");
        for (String line : text.split("\n")) {
            assertThat(count(line, '*') % 2).as("* in %s", line).isZero();
            assertThat(count(line, '_') % 2).as("_ in %s", line).isZero();
            assertThat(count(line, '~') % 2).as("~ in %s", line).isZero();
        }
        assertThat(words(text)).containsSubsequence(document.words());
    }

    private static List<String> words(String text) {
        List<String> words = new ArrayList<>();
        Matcher matcher = WORD.matcher(text);
        while (matcher.find()) {
            words.add(matcher.group());
        }
        return words;
    }

    private static long count(String line, char c) {
        return line.chars().filter(x -> x == c).count();
    }

    /** Lines of words, some joined inside by asterisks or underscores, some ending in punctuation. */
    @Provide
    Arbitrary<String> prose() {
        Arbitrary<String> part = Arbitraries.strings()
                .withCharRange('a', 'z')
                .withCharRange('0', '9')
                .ofMinLength(1)
                .ofMaxLength(6);
        Arbitrary<String> joiner = Arbitraries.of("*", "*", "**", "***", "_", "__", "-", "'", ".");
        Arbitrary<String> joined = Combinators.combine(part, joiner, part, joiner.injectNull(0.5), part)
                .as((a, j, b, k, c) -> k == null ? a + j + b : a + j + b + k + c);
        Arbitrary<String> word = Arbitraries.frequencyOf(Tuple.of(3, part), Tuple.of(2, joined));
        Arbitrary<String> punctuated = Combinators.combine(
                        word, Arbitraries.of("", "", "", ",", ".", "!", "?", ":", ";"))
                .as((w, p) -> w + p);
        Arbitrary<String> line = Combinators.combine(
                        Arbitraries.strings()
                                .withCharRange('a', 'z')
                                .ofMinLength(1)
                                .ofMaxLength(6),
                        punctuated.list().ofMinSize(0).ofMaxSize(12))
                .as((first, rest) -> rest.isEmpty() ? first : first + " " + String.join(" ", rest));
        Arbitrary<String> paragraph = line.list().ofMinSize(1).ofMaxSize(3).map(lines -> String.join("\n", lines));
        return paragraph.list().ofMinSize(1).ofMaxSize(4).map(paragraphs -> String.join("\n\n", paragraphs));
    }

    /** Markdown made of blocks and inlines around plain words, and the words in reading order. */
    record Document(String markdown, List<String> words) {}

    @Provide
    Arbitrary<Document> documents() {
        Arbitrary<String> word =
                Arbitraries.strings().withCharRange('a', 'z').ofMinLength(1).ofMaxLength(8);
        Arbitrary<Document> inline = Combinators.combine(
                        word,
                        Arbitraries.of(
                                "%s",
                                "%s",
                                "%s",
                                "**%s**",
                                "*%s*",
                                "_%s_",
                                "~~%s~~",
                                "`%s`",
                                "[%s](https://example.com/x)",
                                "![%s](https://example.com/x.png)",
                                "***%s***"))
                .as((w, template) -> new Document(template.formatted(w), List.of(w)));
        Arbitrary<Document> inlines = inline.list().ofMinSize(1).ofMaxSize(8).map(list -> join(list, " ", "", ""));
        Arbitrary<Document> block = Arbitraries.frequencyOf(
                Tuple.of(5, inlines),
                Tuple.of(1, prefixed(inlines, "# ")),
                Tuple.of(1, prefixed(inlines, "### ")),
                Tuple.of(1, prefixed(inlines, "> ")),
                Tuple.of(2, inlines.list().ofMinSize(1).ofMaxSize(4).map(items -> join(items, "\n", "- ", ""))),
                Tuple.of(1, inlines.list().ofMinSize(1).ofMaxSize(4).map(items -> join(items, "\n", "1. ", ""))),
                Tuple.of(
                        1,
                        word.list()
                                .ofMinSize(1)
                                .ofMaxSize(5)
                                .map(words -> new Document("```\n" + String.join("\n", words) + "\n```", words))),
                Tuple.of(1, table(inline)));
        return block.list().ofMinSize(1).ofMaxSize(6).map(blocks -> join(blocks, "\n\n", "", ""));
    }

    private static Arbitrary<Document> prefixed(Arbitrary<Document> inlines, String prefix) {
        return inlines.map(d -> new Document(prefix + d.markdown(), d.words()));
    }

    private static Arbitrary<Document> table(Arbitrary<Document> cell) {
        return cell.list().ofMinSize(2).ofMaxSize(3).flatMap(header -> cell.list()
                .ofSize(header.size())
                .list()
                .ofMinSize(1)
                .ofMaxSize(3)
                .map(rows -> {
                    StringBuilder markdown =
                            new StringBuilder(join(header, " | ", "", "").markdown());
                    markdown.append("\n").append("---|".repeat(header.size()));
                    for (List<Document> row : rows) {
                        markdown.append("\n").append(join(row, " | ", "", "").markdown());
                    }
                    // rows repeat the header before each value, so only the order of values is kept
                    List<String> words = new ArrayList<>();
                    for (List<Document> row : rows) {
                        row.forEach(d -> words.addAll(d.words()));
                    }
                    return new Document(markdown.toString(), words);
                }));
    }

    private static Document join(List<Document> documents, String separator, String prefix, String suffix) {
        StringBuilder markdown = new StringBuilder();
        List<String> words = new ArrayList<>();
        for (Document document : documents) {
            if (markdown.length() > 0) {
                markdown.append(separator);
            }
            markdown.append(prefix).append(document.markdown()).append(suffix);
            words.addAll(document.words());
        }
        return new Document(markdown.toString(), words);
    }
}
