package dev.switchboard.runtime.internal;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Writes JSON text for the admin server's answers and events: objects, arrays, strings, numbers,
 * booleans and nulls, with every string escaped (control characters, quotes, and also {@code <},
 * {@code >}, {@code &} and the line separators, so that the text is inert wherever it ends up).
 * agent-runtime has no JSON library, and these few shapes need none.
 */
public final class JsonWriter {

    private final StringBuilder out = new StringBuilder();
    // Per open object or array: whether its next element is its first.
    private final Deque<boolean[]> levels = new ArrayDeque<>();
    private boolean afterName;

    public JsonWriter beginObject() {
        prefix();
        out.append('{');
        levels.push(new boolean[] {true});
        return this;
    }

    public JsonWriter endObject() {
        levels.pop();
        out.append('}');
        return this;
    }

    public JsonWriter beginArray() {
        prefix();
        out.append('[');
        levels.push(new boolean[] {true});
        return this;
    }

    public JsonWriter endArray() {
        levels.pop();
        out.append(']');
        return this;
    }

    public JsonWriter name(String name) {
        comma();
        string(out, name);
        out.append(':');
        afterName = true;
        return this;
    }

    /** A string, or {@code null} for a null. */
    public JsonWriter value(String value) {
        prefix();
        if (value == null) {
            out.append("null");
        } else {
            string(out, value);
        }
        return this;
    }

    public JsonWriter value(long value) {
        prefix();
        out.append(value);
        return this;
    }

    public JsonWriter value(boolean value) {
        prefix();
        out.append(value);
        return this;
    }

    /** A name and its string (or null) value. */
    public JsonWriter field(String name, String value) {
        return name(name).value(value);
    }

    public JsonWriter field(String name, long value) {
        return name(name).value(value);
    }

    public JsonWriter field(String name, boolean value) {
        return name(name).value(value);
    }

    /** A name and its number, or null when there is none. */
    public JsonWriter number(String name, Integer value) {
        return value == null ? name(name).value((String) null) : name(name).value(value.longValue());
    }

    @Override
    public String toString() {
        return out.toString();
    }

    /** An object of one string field: {@code {"error":"..."}}. */
    public static String of(String name, String value) {
        return new JsonWriter().beginObject().field(name, value).endObject().toString();
    }

    private void prefix() {
        if (afterName) {
            afterName = false;
            return;
        }
        comma();
    }

    private void comma() {
        boolean[] level = levels.peek();
        if (level == null) {
            return;
        }
        if (level[0]) {
            level[0] = false;
        } else {
            out.append(',');
        }
    }

    static void string(StringBuilder out, String value) {
        out.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20 || c == '<' || c == '>' || c == '&' || c == '\u2028' || c == '\u2029') {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
