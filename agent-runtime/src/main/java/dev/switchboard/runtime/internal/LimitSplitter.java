package dev.switchboard.runtime.internal;

import static java.util.Objects.requireNonNull;

import dev.switchboard.channel.ChannelCapabilities;
import dev.switchboard.runtime.format.ReplyFormatter;
import java.util.ArrayList;
import java.util.List;

/**
 * A formatter that renders nothing: it sends the text as written, split to the channel's limit at
 * the last whitespace before it, or cut hard inside a run with no whitespace, never between the two
 * halves of a surrogate pair. Whitespace at the cuts and at both ends is dropped; no part is blank.
 */
public final class LimitSplitter implements ReplyFormatter {

    @Override
    public List<String> format(String markdown, ChannelCapabilities capabilities) {
        requireNonNull(markdown, "markdown");
        requireNonNull(capabilities, "capabilities");
        int limit = capabilities.maxMessageLength();
        if (limit < 2) {
            // A surrogate pair needs two code units; with less, some text could never be sent whole.
            throw new IllegalArgumentException("maxMessageLength must be at least 2 to split text: " + limit);
        }
        List<String> parts = new ArrayList<>();
        String rest = markdown.strip();
        while (rest.length() > limit) {
            int cut = lastWhitespace(rest, limit);
            if (cut > 0) {
                parts.add(rest.substring(0, cut).stripTrailing());
            } else {
                cut = limit;
                if (Character.isHighSurrogate(rest.charAt(cut - 1)) && Character.isLowSurrogate(rest.charAt(cut))) {
                    cut--;
                }
                parts.add(rest.substring(0, cut));
            }
            rest = rest.substring(cut).stripLeading();
        }
        if (!rest.isEmpty()) {
            parts.add(rest);
        }
        return List.copyOf(parts);
    }

    /** The index of the last whitespace at or before {@code limit}, or -1; never 0 (text is stripped). */
    private static int lastWhitespace(String text, int limit) {
        for (int i = limit; i > 0; i--) {
            if (Character.isWhitespace(text.charAt(i))) {
                return i;
            }
        }
        return -1;
    }
}
