package dev.switchboard.runtime.format;

import java.util.Set;
import java.util.regex.MatchResult;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Turns the raw HTML a markdown reply may hold into its text, never letting a tag through. */
final class Html {

    private static final Set<String> ELEMENTS = Set.of(
            "a",
            "abbr",
            "address",
            "area",
            "article",
            "aside",
            "audio",
            "b",
            "base",
            "bdi",
            "bdo",
            "big",
            "blockquote",
            "body",
            "br",
            "button",
            "canvas",
            "caption",
            "center",
            "cite",
            "code",
            "col",
            "colgroup",
            "data",
            "datalist",
            "dd",
            "del",
            "details",
            "dfn",
            "dialog",
            "div",
            "dl",
            "dt",
            "em",
            "embed",
            "fieldset",
            "figcaption",
            "figure",
            "font",
            "footer",
            "form",
            "h1",
            "h2",
            "h3",
            "h4",
            "h5",
            "h6",
            "head",
            "header",
            "hgroup",
            "hr",
            "html",
            "i",
            "iframe",
            "img",
            "input",
            "ins",
            "kbd",
            "label",
            "legend",
            "li",
            "link",
            "main",
            "map",
            "mark",
            "menu",
            "meta",
            "meter",
            "nav",
            "noscript",
            "object",
            "ol",
            "optgroup",
            "option",
            "output",
            "p",
            "param",
            "picture",
            "pre",
            "progress",
            "q",
            "rp",
            "rt",
            "ruby",
            "s",
            "samp",
            "script",
            "section",
            "select",
            "small",
            "source",
            "span",
            "strike",
            "strong",
            "style",
            "sub",
            "summary",
            "sup",
            "svg",
            "table",
            "tbody",
            "td",
            "template",
            "textarea",
            "tfoot",
            "th",
            "thead",
            "time",
            "title",
            "tr",
            "track",
            "tt",
            "u",
            "ul",
            "var",
            "video",
            "wbr");

    private static final Set<String> LINE_BREAKING = Set.of(
            "address",
            "article",
            "aside",
            "blockquote",
            "br",
            "details",
            "dd",
            "div",
            "dl",
            "dt",
            "figcaption",
            "figure",
            "footer",
            "form",
            "h1",
            "h2",
            "h3",
            "h4",
            "h5",
            "h6",
            "header",
            "hr",
            "main",
            "nav",
            "ol",
            "p",
            "pre",
            "section",
            "summary",
            "table",
            "tbody",
            "tfoot",
            "thead",
            "tr",
            "ul");

    private static final Pattern TAG = Pattern.compile("<(/?)([A-Za-z][A-Za-z0-9-]*)(?:\\s[^<>]*)?/?>");
    private static final Pattern COMMENT = Pattern.compile("<!--.*?(?:-->|\\z)", Pattern.DOTALL);
    private static final Pattern RAW_TEXT_ELEMENT = Pattern.compile(
            "<(script|style|textarea)\\b[^>]*>.*?(?:</\\1\\s*>|\\z)", Pattern.DOTALL | Pattern.CASE_INSENSITIVE);
    private static final Pattern CDATA = Pattern.compile("<!\\[CDATA\\[(.*?)(?:]]>|\\z)", Pattern.DOTALL);
    private static final Pattern DECLARATION = Pattern.compile("<![A-Za-z][^>]*>|<\\?.*?(?:\\?>|\\z)", Pattern.DOTALL);
    private static final Pattern ENTITY =
            Pattern.compile("&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|amp|lt|gt|quot|apos|nbsp);");

    private Html() {}

    /** The text of one inline HTML node: nothing for markup, a line break for {@code <br>}. */
    static String inlineText(String literal) {
        if (literal.startsWith("<!--") || literal.startsWith("<?") || literal.startsWith("<!")) {
            Matcher cdata = CDATA.matcher(literal);
            return cdata.matches() ? cdata.group(1) : "";
        }
        Matcher tag = TAG.matcher(literal);
        if (tag.matches() && ELEMENTS.contains(tag.group(2))) {
            return tag.group(2).equals("br") ? "\n" : "";
        }
        return literal;
    }

    /** The text of an HTML block, one line per line-breaking element, blank lines dropped. */
    static String blockText(String literal) {
        String text = COMMENT.matcher(literal).replaceAll("");
        text = RAW_TEXT_ELEMENT.matcher(text).replaceAll("");
        text = CDATA.matcher(text).replaceAll(match -> Matcher.quoteReplacement(match.group(1)));
        text = DECLARATION.matcher(text).replaceAll("");
        text = TAG.matcher(text).replaceAll(match -> Matcher.quoteReplacement(replacement(match)));
        text = decodeEntities(text);
        StringBuilder out = new StringBuilder(text.length());
        for (String line : text.split("\n")) {
            String stripped = line.strip();
            if (!stripped.isEmpty()) {
                if (out.length() > 0) {
                    out.append('\n');
                }
                out.append(stripped);
            }
        }
        return out.toString();
    }

    private static String replacement(MatchResult tag) {
        String name = tag.group(2);
        if (!ELEMENTS.contains(name)) {
            return tag.group();
        }
        if (name.equals("li")) {
            return tag.group(1).isEmpty() ? "\n- " : "\n";
        }
        if (name.equals("td") || name.equals("th")) {
            return " ";
        }
        return LINE_BREAKING.contains(name) ? "\n" : "";
    }

    private static String decodeEntities(String text) {
        return ENTITY.matcher(text).replaceAll(match -> Matcher.quoteReplacement(entity(match.group(1))));
    }

    private static String entity(String name) {
        return switch (name) {
            case "amp" -> "&";
            case "lt" -> "<";
            case "gt" -> ">";
            case "quot" -> "\"";
            case "apos" -> "'";
            case "nbsp" -> " ";
            default -> numericEntity(name);
        };
    }

    private static String numericEntity(String name) {
        boolean hex = name.charAt(1) == 'x' || name.charAt(1) == 'X';
        int codePoint = hex ? Integer.parseInt(name.substring(2), 16) : Integer.parseInt(name.substring(1));
        if (codePoint == 0
                || !Character.isValidCodePoint(codePoint)
                || (codePoint >= Character.MIN_SURROGATE && codePoint <= Character.MAX_SURROGATE)) {
            return "\uFFFD";
        }
        return Character.toString(codePoint);
    }
}
