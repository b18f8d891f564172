package dev.switchboard.runtime.format;

import static dev.switchboard.channel.TextFlavour.PLAIN;
import static dev.switchboard.channel.TextFlavour.WHATSAPP;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import dev.switchboard.channel.TextFlavour;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class MarkdownRendererTest {

    private final MarkdownRenderer renderer = MarkdownRenderer.create();

    private String plain(String markdown) {
        return renderer.render(markdown, PLAIN);
    }

    private String whatsApp(String markdown) {
        return renderer.render(markdown, WHATSAPP);
    }

    /** The ways a regex-based markdown stripper is known to lose a reply's content. */
    @Nested
    class KnownRegressions {

        @ParameterizedTest
        @EnumSource(TextFlavour.class)
        void aListOfStarItemsKeepsEveryItem(TextFlavour flavour) {
            assertThat(renderer.render("* a\n* b\n* c", flavour)).isEqualTo("- a\n- b\n- c");
        }

        @ParameterizedTest
        @EnumSource(TextFlavour.class)
        void asterisksInsideAWordStayLiteral(TextFlavour flavour) {
            assertThat(renderer.render("2*3*4 = 24", flavour)).isEqualTo("2*3*4 = 24");
        }

        @ParameterizedTest
        @EnumSource(TextFlavour.class)
        void underscoresInsideAWordStayLiteral(TextFlavour flavour) {
            assertThat(renderer.render("snake_case_name", flavour)).isEqualTo("snake_case_name");
        }

        @ParameterizedTest
        @EnumSource(TextFlavour.class)
        void aLinkKeepsItsUrl(TextFlavour flavour) {
            assertThat(renderer.render("Read [the docs](https://docs.example.com/start) first.", flavour))
                    .isEqualTo("Read the docs (https://docs.example.com/start) first.");
        }
    }

    @Nested
    class Plain {

        @Test
        void separatesParagraphsByABlankLineAndKeepsLineBreaks() {
            assertThat(plain("First line\nsecond line\n\n\n\nNext paragraph"))
                    .isEqualTo("First line\nsecond line\n\nNext paragraph");
        }

        @Test
        void rendersHeadingsAsTheirText() {
            assertThat(plain("# Title\n\nSetext\n------\n\n### Small")).isEqualTo("Title\n\nSetext\n\nSmall");
        }

        @Test
        void removesEmphasisStrongStrikethroughAndCodeMarksButKeepsTheirText() {
            assertThat(plain("a *b* __c__ ***d*** ~~e~~ `f` _g_")).isEqualTo("a b c d e f g");
        }

        @Test
        void keepsASingleTildeAsText() {
            assertThat(plain("It takes ~5 minutes, not ~10.")).isEqualTo("It takes ~5 minutes, not ~10.");
        }

        @Test
        void keepsIntrawordStrongEmphasisLiteral() {
            assertThat(plain("the **file**s and x**2**")).isEqualTo("the **file**s and x**2**");
            assertThat(plain("a***b***c")).isEqualTo("a***b***c");
        }

        @Test
        void rendersEmphasisBetweenWordsAndInsideChineseText() {
            assertThat(plain("a **bold** move, 今天的**重点**内容")).isEqualTo("a bold move, 今天的重点内容");
        }

        @Test
        void keepsEscapedCharactersAndEntitiesAsText() {
            assertThat(plain("\\*not emphasis\\* \\# \\[x\\] &amp; &copy;")).isEqualTo("*not emphasis* # [x] & ©");
        }

        @Test
        void rendersLinksAsLabelAndUrl() {
            assertThat(plain("[docs](https://example.com/docs \"title\")"))
                    .isEqualTo("docs (https://example.com/docs)");
        }

        @Test
        void rendersALinkWhoseLabelIsItsUrlAsTheUrl() {
            assertThat(plain("<https://example.com/a> and [https://example.com/b](https://example.com/b)"))
                    .isEqualTo("https://example.com/a and https://example.com/b");
            assertThat(plain("[example.com](https://example.com/)")).isEqualTo("https://example.com/");
        }

        @Test
        void rendersEmailAutolinksAsTheAddress() {
            assertThat(plain("Write to <help@example.org>.")).isEqualTo("Write to help@example.org.");
        }

        @Test
        void rendersReferenceLinksAndDropsTheirDefinitions() {
            assertThat(plain("See [the FAQ][faq].\n\n[faq]: https://example.com/faq"))
                    .isEqualTo("See the FAQ (https://example.com/faq).");
        }

        @Test
        void rendersInPageLinksAsTheirLabel() {
            assertThat(plain("Back to the [summary](#summary).")).isEqualTo("Back to the summary.");
        }

        @Test
        void rendersImagesAsAltAndUrl() {
            assertThat(plain("![a *red* chart](https://example.com/c.png) ![](https://example.com/d.png)"))
                    .isEqualTo("a red chart (https://example.com/c.png) https://example.com/d.png");
        }

        @Test
        void rendersListsOneItemPerLineWithNestingIndented() {
            String markdown = "- one\n  - one.a\n    - one.a.i\n- two\n\n3. three\n4. four\n   1. four.1\n";
            assertThat(plain(markdown))
                    .isEqualTo("- one\n  - one.a\n    - one.a.i\n- two\n\n3. three\n4. four\n   1. four.1");
        }

        @Test
        void rendersALooseListCompactly() {
            assertThat(plain("1) first\n\n   more about it\n\n2) second"))
                    .isEqualTo("1) first\n   more about it\n2) second");
        }

        @Test
        void putsBlockQuotesInQuotes() {
            assertThat(plain("> Stay hungry.\n> Stay foolish.")).isEqualTo("\"Stay hungry.\nStay foolish.\"");
        }

        @Test
        void keepsCodeBlocksLineForLineWithoutFences() {
            assertThat(plain("```java\nint x = 1;\n  int y = 2;\n```\n\n    indented();"))
                    .isEqualTo("int x = 1;\n  int y = 2;\n\nindented();");
        }

        @Test
        void rendersTableRowsAsHeaderValuePairs() {
            String markdown = "| Plan | Price |\n|---|---:|\n| **Basic** | $5 |\n| Pro | |\n";
            assertThat(plain(markdown)).isEqualTo("Plan: Basic; Price: $5\nPlan: Pro");
        }

        @Test
        void dropsHtmlTagsAndKeepsTheirText() {
            assertThat(plain("Press <kbd>Ctrl</kbd>+<kbd>C</kbd><br/>then <!-- note --><b>paste</b>."))
                    .isEqualTo("Press Ctrl+C\nthen paste.");
            assertThat(
                            plain(
                                    "<div class=\"x\">\n<p>Hello &amp; <em>welcome</em></p>\n<script>alert(1)</script>\n</div>"))
                    .isEqualTo("Hello & welcome");
        }

        @Test
        void keepsAngleBracketsThatAreNotHtmlElements() {
            assertThat(plain("Use List<String> or Map<K, V>; replace <your-api-key>."))
                    .isEqualTo("Use List<String> or Map<K, V>; replace <your-api-key>.");
        }

        @Test
        void rendersAThematicBreakAsALine() {
            assertThat(plain("above\n\n***\n\nbelow")).isEqualTo("above\n\n----------\n\nbelow");
        }

        @Test
        void addsOnlyGsmCharacters() {
            String markdown =
                    "# T\n\n- a\n\n> q\n\n| h |\n|---|\n| v |\n\n---\n\n[l](https://e.com) ![i](https://e.com/i)";
            assertThat(SegmentCounter.isGsm7(plain(markdown))).isTrue();
        }

        @Test
        void rendersNothingAsNothing() {
            assertThat(plain("")).isEmpty();
            assertThat(plain("   \n\n[x]: https://example.com\n<!-- only a comment -->"))
                    .isEmpty();
        }
    }

    @Nested
    class WhatsApp {

        @Test
        void usesWhatsAppMarkers() {
            assertThat(whatsApp("a **bold** and *italic* and ~~struck~~ and `code`"))
                    .isEqualTo("a *bold* and _italic_ and ~struck~ and `code`");
        }

        @Test
        void rendersHeadingsBoldWithoutDoublingAnInnerBold() {
            assertThat(whatsApp("## The **best** plan")).isEqualTo("*The best plan*");
        }

        @Test
        void nestsDifferentMarkers() {
            assertThat(whatsApp("***both*** and **bold _italic_**")).isEqualTo("_*both*_ and *bold _italic_*");
        }

        @Test
        void marksEachLineOfAnEmphasisThatSpansLines() {
            assertThat(whatsApp("**first line\nsecond line**")).isEqualTo("*first line*\n*second line*");
        }

        @Test
        void keepsIntrawordAsterisksLiteral() {
            assertThat(whatsApp("2*3*4 = 24 and the **file**s")).isEqualTo("2*3*4 = 24 and the **file**s");
        }

        @Test
        void rendersCodeBlocksInTripleBackticks() {
            assertThat(whatsApp("```python\nprint(1)\nprint(2)\n```")).isEqualTo("```print(1)\nprint(2)```");
        }

        @Test
        void usesTripleBackticksForInlineCodeHoldingABacktick() {
            assertThat(whatsApp("run ``echo `date` `` now")).isEqualTo("run ```echo `date` ``` now");
        }

        @Test
        void rendersQuotesAndListsInWhatsAppStyle() {
            assertThat(whatsApp("> quoted\n>\n> - item\n\n1. one\n2. two"))
                    .isEqualTo("> quoted\n>\n> - item\n\n1. one\n2. two");
        }

        @Test
        void rendersLinksAsLabelAndUrl() {
            assertThat(whatsApp("[**docs**](https://example.com)")).isEqualTo("*docs* (https://example.com)");
        }
    }

    @Test
    void rejectsNulls() {
        assertThatNullPointerException().isThrownBy(() -> renderer.render(null, PLAIN));
        assertThatNullPointerException().isThrownBy(() -> renderer.render("x", null));
    }
}
