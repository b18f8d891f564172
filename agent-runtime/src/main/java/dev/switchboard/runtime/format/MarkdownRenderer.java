package dev.switchboard.runtime.format;

import static java.util.Objects.requireNonNull;

import dev.switchboard.channel.TextFlavour;
import java.util.List;
import org.commonmark.ext.gfm.strikethrough.StrikethroughExtension;
import org.commonmark.ext.gfm.tables.TablesExtension;
import org.commonmark.node.Node;
import org.commonmark.parser.IncludeSourceSpans;
import org.commonmark.parser.Parser;

/**
 * Renders an agent's markdown as the text a channel can show, for one {@link TextFlavour}.
 *
 * <p>The markdown is parsed as CommonMark with GitHub's tables and strikethrough, and the tree is
 * rendered, never the source rewritten, so that what was text stays text and what was syntax goes.
 *
 * <h2>{@link TextFlavour#PLAIN} (SMS)</h2>
 *
 * No markdown syntax is left where it was syntax, and every character that was text is kept where
 * it was ({@code snake_case_name}, {@code \*}, {@code ~5 minutes}). Paragraphs are separated by a
 * blank line and line breaks are kept as written; headings become their text; emphasis, strong
 * emphasis, strikethrough and code marks are removed and their text kept; links become {@code label
 * (url)}, or just the URL when the label is the URL; images become {@code alt (url)}; list items
 * take one line each with a {@code -} or number marker, nested lists indented under their parent;
 * block quotes are put in double quotes; code blocks are kept line for line without their fences;
 * table rows become lines of {@code header: value} pairs; HTML tags are dropped (a {@code <br>}
 * becomes a line break) and their text kept; a thematic break becomes a line of dashes. Only GSM-7
 * characters are added, so that formatting never makes an SMS more expensive.
 *
 * <h2>{@link TextFlavour#WHATSAPP}</h2>
 *
 * WhatsApp's own markup: {@code *bold*} (also for headings), {@code _italic_}, {@code ~strike~},
 * {@code `inline code`}, code blocks in triple backticks, {@code - } and {@code 1. } lists and
 * {@code > } quotes. Links, images, tables, HTML and thematic breaks are rendered as for
 * {@code PLAIN}. Markers are kept on each line and outside surrounding spaces, where WhatsApp
 * recognises them. WhatsApp has no escape character, so a literal {@code *}, {@code _} or {@code ~}
 * that the markdown escaped may still be shown as formatting there.
 *
 * <h2>Departures from CommonMark</h2>
 *
 * <ul>
 *   <li><b>Asterisks inside a word stay literal.</b> CommonMark reads {@code 2*3*4 = 24} as
 *       {@code 2<em>3</em>4 = 24}; a reader of a text message would lose the multiplication. When
 *       either delimiter of an asterisk emphasis touches a letter or digit outside it (in a script
 *       that separates words with spaces), the emphasis is rendered with its delimiters as written:
 *       {@code 2*3*4 = 24} and {@code file**name**s} arrive unchanged. Emphasis between words, such
 *       as {@code a **bold** move}, and asterisk emphasis inside Chinese or Japanese text are
 *       rendered as usual. The source positions of the parsed tree tell which case applies.
 *   <li><b>Strikethrough needs two tildes.</b> {@code ~~gone~~} is struck through; a single tilde,
 *       as in {@code ~5 minutes}, is text.
 *   <li><b>Only HTML elements are HTML.</b> A tag is dropped only when its name is a known HTML
 *       element written in lower (or upper) case; {@code List<String>} or {@code <your-api-key>}
 *       stay as written.
 * </ul>
 *
 * <p>Immutable and thread-safe: one renderer may serve every conversation.
 */
public final class MarkdownRenderer {

    private final Parser parser;

    private MarkdownRenderer() {
        this.parser = Parser.builder()
                .extensions(List.of(
                        TablesExtension.create(),
                        StrikethroughExtension.builder().requireTwoTildes(true).build()))
                .includeSourceSpans(IncludeSourceSpans.BLOCKS_AND_INLINES)
                .build();
    }

    /** A renderer for every flavour. */
    public static MarkdownRenderer create() {
        return new MarkdownRenderer();
    }

    /**
     * Renders {@code markdown} for {@code flavour}.
     *
     * @return the text to show, without leading or trailing whitespace; empty if the markdown shows
     *     nothing
     */
    public String render(String markdown, TextFlavour flavour) {
        requireNonNull(markdown, "markdown");
        requireNonNull(flavour, "flavour");
        Node document = parser.parse(markdown);
        return new TextWriter(markdown, flavour).document(document);
    }
}
