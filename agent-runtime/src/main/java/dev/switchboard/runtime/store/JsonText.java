package dev.switchboard.runtime.store;

import dev.switchboard.channel.Attachment;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The two JSON shapes a {@link JdbcStore} keeps in a text column: a message's attachments
 * ({@code [{"url":"...","contentType":"..."}]}) and its extras ({@code {"name":"value"}}). Strings
 * only, so a few dozen lines do what a JSON library would, and agent-runtime needs none; the columns
 * stay JSON so that they read well in a database console.
 */
final class JsonText {

    private JsonText() {}

    static String attachments(List<Attachment> attachments) {
        StringBuilder json = new StringBuilder("[");
        for (Attachment attachment : attachments) {
            if (json.length() > 1) {
                json.append(',');
            }
            json.append("{\"url\":");
            string(json, attachment.url().toString());
            json.append(",\"contentType\":");
            string(json, attachment.contentType());
            json.append('}');
        }
        return json.append(']').toString();
    }

    static String extras(Map<String, String> extras) {
        StringBuilder json = new StringBuilder("{");
        for (Map.Entry<String, String> extra : new TreeMap<>(extras).entrySet()) {
            if (json.length() > 1) {
                json.append(',');
            }
            string(json, extra.getKey());
            json.append(':');
            string(json, extra.getValue());
        }
        return json.append('}').toString();
    }

    static List<Attachment> parseAttachments(String json) {
        Parser parser = new Parser(json);
        List<Attachment> attachments = new ArrayList<>();
        parser.expect('[');
        if (!parser.consume(']')) {
            do {
                Map<String, String> fields = parser.object();
                String url = fields.get("url");
                String contentType = fields.get("contentType");
                if (url == null || contentType == null) {
                    throw new IllegalArgumentException("attachment without url or contentType");
                }
                attachments.add(new Attachment(URI.create(url), contentType));
            } while (parser.consume(','));
            parser.expect(']');
        }
        parser.end();
        return attachments;
    }

    static Map<String, String> parseExtras(String json) {
        Parser parser = new Parser(json);
        Map<String, String> extras = parser.object();
        parser.end();
        return extras;
    }

    private static void string(StringBuilder json, String value) {
        json.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> json.append("\\\"");
                case '\\' -> json.append("\\\\");
                case '\n' -> json.append("\\n");
                case '\r' -> json.append("\\r");
                case '\t' -> json.append("\\t");
                default -> {
                    if (c < 0x20) {
                        json.append(String.format("\\u%04x", (int) c));
                    } else {
                        json.append(c);
                    }
                }
            }
        }
        json.append('"');
    }

    /** Reads what this class writes (and any JSON of the same shapes, whitespace included). */
    private static final class Parser {

        private final String json;
        private int at;

        Parser(String json) {
            this.json = json;
        }

        Map<String, String> object() {
            Map<String, String> fields = new LinkedHashMap<>();
            expect('{');
            if (consume('}')) {
                return fields;
            }
            do {
                String name = string();
                expect(':');
                fields.put(name, string());
            } while (consume(','));
            expect('}');
            return fields;
        }

        String string() {
            expect('"');
            StringBuilder value = new StringBuilder();
            while (true) {
                char c = next();
                if (c == '"') {
                    return value.toString();
                }
                if (c != '\\') {
                    value.append(c);
                    continue;
                }
                char escaped = next();
                switch (escaped) {
                    case '"', '\\', '/' -> value.append(escaped);
                    case 'n' -> value.append('\n');
                    case 'r' -> value.append('\r');
                    case 't' -> value.append('\t');
                    case 'b' -> value.append('\b');
                    case 'f' -> value.append('\f');
                    case 'u' -> {
                        if (at + 4 > json.length()) {
                            throw malformed();
                        }
                        try {
                            value.append((char) Integer.parseInt(json.substring(at, at + 4), 16));
                        } catch (NumberFormatException e) {
                            throw malformed();
                        }
                        at += 4;
                    }
                    default -> throw malformed();
                }
            }
        }

        void expect(char c) {
            if (!consume(c)) {
                throw malformed();
            }
        }

        boolean consume(char c) {
            skipWhitespace();
            if (at < json.length() && json.charAt(at) == c) {
                at++;
                return true;
            }
            return false;
        }

        void end() {
            skipWhitespace();
            if (at != json.length()) {
                throw malformed();
            }
        }

        private char next() {
            if (at >= json.length()) {
                throw malformed();
            }
            return json.charAt(at++);
        }

        private void skipWhitespace() {
            while (at < json.length() && Character.isWhitespace(json.charAt(at))) {
                at++;
            }
        }

        /** Names the position only: the text may be a person's. */
        private IllegalArgumentException malformed() {
            return new IllegalArgumentException("malformed JSON at offset " + at);
        }
    }
}
