package dev.switchboard.runtime.format;

import dev.switchboard.channel.TextFlavour;
import java.lang.Character.UnicodeScript;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.commonmark.ext.gfm.strikethrough.Strikethrough;
import org.commonmark.ext.gfm.tables.TableBlock;
import org.commonmark.ext.gfm.tables.TableCell;
import org.commonmark.ext.gfm.tables.TableHead;
import org.commonmark.ext.gfm.tables.TableRow;
import org.commonmark.node.BlockQuote;
import org.commonmark.node.BulletList;
import org.commonmark.node.Code;
import org.commonmark.node.Delimited;
import org.commonmark.node.Emphasis;
import org.commonmark.node.FencedCodeBlock;
import org.commonmark.node.HardLineBreak;
import org.commonmark.node.Heading;
import org.commonmark.node.HtmlBlock;
import org.commonmark.node.HtmlInline;
import org.commonmark.node.Image;
import org.commonmark.node.IndentedCodeBlock;
import org.commonmark.node.Link;
import org.commonmark.node.LinkReferenceDefinition;
import org.commonmark.node.ListBlock;
import org.commonmark.node.Node;
import org.commonmark.node.OrderedList;
import org.commonmark.node.Paragraph;
import org.commonmark.node.SoftLineBreak;
import org.commonmark.node.SourceSpan;
import org.commonmark.node.StrongEmphasis;
import org.commonmark.node.Text;
import org.commonmark.node.ThematicBreak;

/** Renders one parsed document; holds the state of one rendering, so one instance per call. */
final class TextWriter {

    static final String THEMATIC_BREAK = "----------";

    private final String source;
    private final boolean whatsApp;
    // nesting of WhatsApp markers: an inner bold inside a bold heading must not close it
    private int bold;
    private int italic;
    private int strike;

    TextWriter(String source, TextFlavour flavour) {
        this.source = source;
        this.whatsApp = flavour == TextFlavour.WHATSAPP;
    }

    String document(Node document) {
        return tidy(blocks(document, "\n\n"));
    }

    private String blocks(Node parent, String separator) {
        StringBuilder out = new StringBuilder();
        for (Node child = parent.getFirstChild(); child != null; child = child.getNext()) {
            String block = block(child);
            if (block.isBlank()) {
                continue;
            }
            if (out.length() > 0) {
                out.append(separator);
            }
            out.append(block);
        }
        return out.toString();
    }

    private String block(Node node) {
        if (node instanceof Paragraph) {
            return inlines(node);
        }
        if (node instanceof Heading) {
            return whatsApp ? marked(node, "*", Marker.BOLD) : inlines(node);
        }
        if (node instanceof ListBlock list) {
            return list(list);
        }
        if (node instanceof BlockQuote) {
            return quote(node);
        }
        if (node instanceof FencedCodeBlock code) {
            return codeBlock(code.getLiteral());
        }
        if (node instanceof IndentedCodeBlock code) {
            return codeBlock(code.getLiteral());
        }
        if (node instanceof HtmlBlock html) {
            return Html.blockText(html.getLiteral());
        }
        if (node instanceof ThematicBreak) {
            return THEMATIC_BREAK;
        }
        if (node instanceof TableBlock) {
            return table(node);
        }
        if (node instanceof LinkReferenceDefinition) {
            return "";
        }
        return blocks(node, "\n\n");
    }

    private String list(ListBlock list) {
        List<String> items = new ArrayList<>();
        int number = 1;
        String delimiter = ".";
        if (list instanceof OrderedList ordered) {
            Integer start = ordered.getMarkerStartNumber();
            number = start == null ? 1 : start;
            String marker = ordered.getMarkerDelimiter();
            delimiter = marker == null ? "." : marker;
        }
        for (Node item = list.getFirstChild(); item != null; item = item.getNext()) {
            String marker = list instanceof BulletList ? "- " : number++ + delimiter + " ";
            String content = blocks(item, "\n");
            if (!content.isBlank()) {
                items.add(prefixLines(content, marker, " ".repeat(marker.length())));
            }
        }
        return String.join("\n", items);
    }

    private String quote(Node quote) {
        String content = blocks(quote, "\n\n");
        if (content.isBlank()) {
            return "";
        }
        if (whatsApp) {
            return prefixLines(content, "> ", "> ");
        }
        if (content.startsWith("\"") && content.endsWith("\"") && content.length() > 1) {
            return content;
        }
        return "\"" + content + "\"";
    }

    private String codeBlock(String literal) {
        String code = stripTrailingNewlines(literal);
        if (code.isBlank()) {
            return "";
        }
        return whatsApp ? "```" + code + "```" : code;
    }

    private String table(Node table) {
        List<String> headers = new ArrayList<>();
        List<String> lines = new ArrayList<>();
        for (Node section = table.getFirstChild(); section != null; section = section.getNext()) {
            for (Node row = section.getFirstChild(); row != null; row = row.getNext()) {
                if (!(row instanceof TableRow)) {
                    continue;
                }
                if (section instanceof TableHead) {
                    for (Node cell = row.getFirstChild(); cell != null; cell = cell.getNext()) {
                        headers.add(inlines(cell).strip());
                    }
                } else {
                    String line = tableRow(row, headers);
                    if (!line.isBlank()) {
                        lines.add(line);
                    }
                }
            }
        }
        if (lines.isEmpty()) {
            return String.join("; ", headers.stream().filter(h -> !h.isBlank()).toList());
        }
        return String.join("\n", lines);
    }

    private String tableRow(Node row, List<String> headers) {
        List<String> pairs = new ArrayList<>();
        int column = 0;
        for (Node cell = row.getFirstChild(); cell != null; cell = cell.getNext(), column++) {
            if (!(cell instanceof TableCell)) {
                continue;
            }
            String value = inlines(cell).strip();
            if (value.isEmpty()) {
                continue;
            }
            String header = column < headers.size() ? headers.get(column) : "";
            pairs.add(header.isEmpty() ? value : header + ": " + value);
        }
        return String.join("; ", pairs);
    }

    private String inlines(Node parent) {
        StringBuilder out = new StringBuilder();
        appendInlines(parent, out);
        return out.toString();
    }

    private void appendInlines(Node parent, StringBuilder out) {
        for (Node child = parent.getFirstChild(); child != null; child = child.getNext()) {
            inline(child, out);
        }
    }

    private void inline(Node node, StringBuilder out) {
        if (node instanceof Text text) {
            out.append(text.getLiteral());
        } else if (node instanceof SoftLineBreak || node instanceof HardLineBreak) {
            out.append('\n');
        } else if (node instanceof Code code) {
            out.append(inlineCode(code.getLiteral()));
        } else if (node instanceof Emphasis emphasis) {
            delimited(emphasis, emphasis, "_", Marker.ITALIC, out);
        } else if (node instanceof StrongEmphasis strong) {
            delimited(strong, strong, "*", Marker.BOLD, out);
        } else if (node instanceof Strikethrough strikethrough) {
            delimited(strikethrough, strikethrough, "~", Marker.STRIKE, out);
        } else if (node instanceof Link link) {
            link(link, out);
        } else if (node instanceof Image image) {
            String alt = plainText(image).strip();
            String destination = image.getDestination();
            out.append(alt.isEmpty() ? destination : destination.isEmpty() ? alt : alt + " (" + destination + ")");
        } else if (node instanceof HtmlInline html) {
            out.append(Html.inlineText(html.getLiteral()));
        } else {
            appendInlines(node, out);
        }
    }

    private String inlineCode(String literal) {
        if (!whatsApp || literal.isBlank()) {
            return literal;
        }
        return literal.indexOf('`') >= 0 ? "```" + literal + "```" : "`" + literal + "`";
    }

    private void delimited(Node node, Delimited delimited, String marker, Marker kind, StringBuilder out) {
        if (isIntraword(node, delimited)) {
            out.append(delimited.getOpeningDelimiter());
            appendInlines(node, out);
            out.append(delimited.getClosingDelimiter());
        } else if (whatsApp) {
            out.append(marked(node, marker, kind));
        } else {
            appendInlines(node, out);
        }
    }

    // the deliberate departure from CommonMark: asterisks that touch a word stay text
    private boolean isIntraword(Node node, Delimited delimited) {
        if (!delimited.getOpeningDelimiter().startsWith("*")) {
            return false;
        }
        List<SourceSpan> spans = node.getSourceSpans();
        if (spans.isEmpty()) {
            return false;
        }
        int start = spans.get(0).getInputIndex();
        SourceSpan last = spans.get(spans.size() - 1);
        int end = last.getInputIndex() + last.getLength();
        // look past the rest of a delimiter run: in a***b***c the inner strong touches "a" too
        while (start > 0 && source.charAt(start - 1) == '*') {
            start--;
        }
        while (end < source.length() && source.charAt(end) == '*') {
            end++;
        }
        return (start > 0 && isWordCharacter(source.codePointBefore(start)))
                || (end < source.length() && isWordCharacter(source.codePointAt(end)));
    }

    // letters and digits of the scripts that separate words with spaces
    private static boolean isWordCharacter(int codePoint) {
        if (!Character.isLetterOrDigit(codePoint)) {
            return false;
        }
        UnicodeScript script = UnicodeScript.of(codePoint);
        return switch (script) {
            case HAN, HIRAGANA, KATAKANA, HANGUL, THAI, LAO, KHMER, MYANMAR, TIBETAN -> false;
            default -> true;
        };
    }

    private String marked(Node node, String marker, Marker kind) {
        if (depth(kind) > 0) {
            return inlines(node);
        }
        adjust(kind, 1);
        String inner;
        try {
            inner = inlines(node);
        } finally {
            adjust(kind, -1);
        }
        return markLines(inner, marker);
    }

    // WhatsApp only recognises a marker next to the text it marks, and never across lines
    private static String markLines(String inner, String marker) {
        String[] lines = inner.split("\n", -1);
        StringBuilder out = new StringBuilder(inner.length() + 4 * lines.length);
        for (int i = 0; i < lines.length; i++) {
            if (i > 0) {
                out.append('\n');
            }
            String line = lines[i];
            String core = line.strip();
            if (core.isEmpty()) {
                out.append(line);
                continue;
            }
            int start = line.indexOf(core);
            out.append(line, 0, start)
                    .append(marker)
                    .append(core)
                    .append(marker)
                    .append(line, start + core.length(), line.length());
        }
        return out.toString();
    }

    private void link(Link link, StringBuilder out) {
        String label = inlines(link).strip();
        String destination = link.getDestination();
        if (destination.isEmpty() || destination.startsWith("#")) {
            out.append(label);
        } else if (label.isEmpty()) {
            out.append(destination);
        } else if (sameTarget(plainText(link).strip(), destination)) {
            // a phone links an address or a number by itself, and a URL best in full
            boolean address = destination.startsWith("mailto:") || destination.startsWith("tel:");
            out.append(address ? label : destination);
        } else {
            out.append(label).append(" (").append(destination).append(')');
        }
    }

    private static boolean sameTarget(String label, String destination) {
        return comparable(label).equals(comparable(destination));
    }

    private static String comparable(String target) {
        String t = target.toLowerCase(Locale.ROOT);
        for (String prefix : new String[] {"mailto:", "tel:", "https://", "http://", "www."}) {
            if (t.startsWith(prefix)) {
                t = t.substring(prefix.length());
            }
        }
        return t.endsWith("/") ? t.substring(0, t.length() - 1) : t;
    }

    private static String plainText(Node node) {
        StringBuilder out = new StringBuilder();
        for (Node child = node.getFirstChild(); child != null; child = child.getNext()) {
            if (child instanceof Text text) {
                out.append(text.getLiteral());
            } else if (child instanceof Code code) {
                out.append(code.getLiteral());
            } else if (child instanceof SoftLineBreak || child instanceof HardLineBreak) {
                out.append(' ');
            } else {
                out.append(plainText(child));
            }
        }
        return out.toString();
    }

    private int depth(Marker kind) {
        return switch (kind) {
            case BOLD -> bold;
            case ITALIC -> italic;
            case STRIKE -> strike;
        };
    }

    private void adjust(Marker kind, int delta) {
        switch (kind) {
            case BOLD -> bold += delta;
            case ITALIC -> italic += delta;
            case STRIKE -> strike += delta;
        }
    }

    private enum Marker {
        BOLD,
        ITALIC,
        STRIKE
    }

    private static String prefixLines(String content, String first, String rest) {
        String[] lines = content.split("\n", -1);
        StringBuilder out = new StringBuilder(content.length() + lines.length * rest.length());
        for (int i = 0; i < lines.length; i++) {
            if (i > 0) {
                out.append('\n');
            }
            String prefix = i == 0 ? first : rest;
            out.append(lines[i].isBlank() ? prefix.strip() : prefix + lines[i]);
        }
        return out.toString();
    }

    private static String stripTrailingNewlines(String text) {
        int end = text.length();
        while (end > 0 && (text.charAt(end - 1) == '\n' || text.charAt(end - 1) == '\r')) {
            end--;
        }
        return text.substring(0, end);
    }

    // trailing spaces cost money and show nothing; more than one blank line shows nothing either
    private static String tidy(String text) {
        StringBuilder out = new StringBuilder(text.length());
        int blankLines = 0;
        for (String line : text.split("\n", -1)) {
            String trimmed = line.stripTrailing();
            if (trimmed.isEmpty()) {
                blankLines++;
                if (blankLines > 1) {
                    continue;
                }
            } else {
                blankLines = 0;
            }
            out.append(trimmed).append('\n');
        }
        int start = 0;
        while (start < out.length() && out.charAt(start) == '\n') {
            start++;
        }
        return out.substring(start).stripTrailing();
    }
}
