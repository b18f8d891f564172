package dev.switchboard.runtime.format;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a text into the parts of a multi-message reply, each within a channel's limit.
 *
 * <p>Lengths are counted in UTF-16 code units, as Twilio counts its 1600-character limit. A text
 * within the limit is returned as one part, unchanged. A longer text is cut where a reader expects
 * a pause, preferring, in order: a paragraph break (a blank line), a line break, the end of a
 * sentence, a space. A kind of break is preferred only where it fills at least half a part, so that
 * a short heading or first line does not become a message of its own. A hard cut happens only inside
 * an unbroken run longer than a part, and never inside a surrogate pair (nor, where a run allows, in
 * the middle of a combined character such as an emoji with a skin tone or a flag).
 *
 * <p>The whitespace at a cut is dropped, except the indentation of the line that starts the next
 * part, so that a nested list item or a code line keeps its shape. No part is empty or made of
 * whitespace alone, and the parts are returned in reading order.
 *
 * <p>With {@linkplain Builder#partNumbering(boolean) part numbering}, each part of a reply of two
 * or more parts starts with {@code (1/3) }, and its room is reserved within the limit.
 *
 * <p>Immutable and thread-safe.
 */
public final class MessageSplitter {

    private static final int PARAGRAPH = 3;
    private static final int LINE = 2;
    private static final int SENTENCE = 1;
    private static final int SPACE = 0;
    private static final int RANKS = 4;
    private static final int MAX_HEADING_LENGTH = 80;
    // how far a hard cut may move back so as not to split a combined character
    private static final int MAX_CLUSTER_BACKOFF = 32;

    private final int maxLength;
    private final boolean partNumbering;

    private MessageSplitter(Builder builder) {
        this.maxLength = builder.maxLength;
        this.partNumbering = builder.partNumbering;
    }

    /**
     * A builder; {@link Builder#maxLength(int)} is required (a channel states its limit in {@link
     * dev.switchboard.channel.ChannelCapabilities#maxMessageLength()}), and parts are not numbered by
     * default.
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A splitter to {@code maxLength} UTF-16 code units, without part numbering.
     *
     * @throws IllegalArgumentException if {@code maxLength} is less than 2
     */
    public static MessageSplitter of(int maxLength) {
        return builder().maxLength(maxLength).build();
    }

    /** The longest part, in UTF-16 code units. */
    public int maxLength() {
        return maxLength;
    }

    /** Whether the parts of a reply of two or more parts are numbered. */
    public boolean partNumbering() {
        return partNumbering;
    }

    /**
     * Splits {@code text} into parts of at most {@link #maxLength()} UTF-16 code units.
     *
     * @return the parts in reading order; {@code List.of(text)} if {@code text} is within the limit
     *     and not blank; empty if {@code text} is blank
     */
    public List<String> split(String text) {
        requireNonNull(text, "text");
        return split(text, String::substring);
    }

    /** How a part is taken out of the text; lets a caller substitute an equivalent original. */
    @FunctionalInterface
    interface Slicer {
        String slice(String text, int start, int end);
    }

    List<String> split(String text, Slicer slicer) {
        if (text.isBlank()) {
            return List.of();
        }
        if (text.length() <= maxLength) {
            return List.of(slicer.slice(text, 0, text.length()));
        }
        if (!partNumbering) {
            return slices(text, cuts(text, maxLength), slicer, 0);
        }
        int digits = 1;
        while (true) {
            int prefix = prefixLength(digits);
            int budget = maxLength - prefix;
            if (budget < 2 || budget < maxLength / 2) {
                // numbering would crowd out the text itself: send the parts unnumbered
                return slices(text, cuts(text, maxLength), slicer, 0);
            }
            List<int[]> cuts = cuts(text, budget);
            if (cuts.size() < 2) {
                return slices(text, cuts, slicer, 0);
            }
            int needed = String.valueOf(cuts.size()).length();
            if (needed <= digits) {
                return slices(text, cuts, slicer, cuts.size());
            }
            digits = needed;
        }
    }

    private static int prefixLength(int digits) {
        return "(/) ".length() + 2 * digits;
    }

    private static List<String> slices(String text, List<int[]> cuts, Slicer slicer, int numbered) {
        List<String> parts = new ArrayList<>(cuts.size());
        for (int i = 0; i < cuts.size(); i++) {
            int[] cut = cuts.get(i);
            String part = slicer.slice(text, cut[0], cut[1]);
            parts.add(numbered > 0 ? "(" + (i + 1) + "/" + numbered + ") " + part : part);
        }
        return List.copyOf(parts);
    }

    // [start, end) of every part, for parts of at most budget units
    private static List<int[]> cuts(String text, int budget) {
        List<int[]> cuts = new ArrayList<>();
        int length = text.length();
        int pos = startOfLine(text, 0, budget);
        while (pos < length) {
            int end = trimEnd(text, pos, length);
            if (end <= pos) {
                break;
            }
            if (end - pos <= budget) {
                cuts.add(new int[] {pos, end});
                break;
            }
            pos = cutOnce(text, pos, budget, cuts);
        }
        return cuts;
    }

    // adds the part that starts at pos and returns where the next one starts
    private static int cutOnce(String text, int pos, int budget, List<int[]> cuts) {
        int limit = pos + budget;
        Breaks breaks = new Breaks(pos, budget / 2);
        int i = pos + 1;
        while (i <= limit) {
            char previous = text.charAt(i - 1);
            if (i < text.length() && isWhitespace(text.charAt(i)) && !isWhitespace(previous)) {
                int runEnd = i;
                int newlines = 0;
                while (runEnd < text.length() && isWhitespace(text.charAt(runEnd))) {
                    if (text.charAt(runEnd) == '\n') {
                        newlines++;
                    }
                    runEnd++;
                }
                int rank = newlines >= 2
                        ? PARAGRAPH
                        : newlines == 1 ? LINE : endsSentence(text, pos, i) ? SENTENCE : SPACE;
                breaks.add(rank, i, runEnd);
                i = runEnd + 1;
            } else {
                if (isCjkSentenceEnd(previous) && i < text.length() && !isWhitespace(text.charAt(i))) {
                    breaks.add(SENTENCE, i, i);
                }
                i++;
            }
        }
        for (int rank = PARAGRAPH; rank >= SPACE; rank--) {
            if (breaks.lastAt[rank] >= 0) {
                int at = breaks.lastAt[rank];
                int end = breaks.lastEnd[rank];
                // a heading or a line ending in a colon belongs with what follows it
                if (rank >= LINE && breaks.earlierAt[rank] >= 0 && isLeadIn(text, pos, at, rank == PARAGRAPH)) {
                    at = breaks.earlierAt[rank];
                    end = breaks.earlierEnd[rank];
                }
                cuts.add(new int[] {pos, at});
                return startOfLine(text, end, budget);
            }
        }
        if (breaks.bestAt >= 0) {
            cuts.add(new int[] {pos, breaks.bestAt});
            return startOfLine(text, breaks.bestEnd, budget);
        }
        int content = pos;
        while (isWhitespace(text.charAt(content))) {
            content++;
        }
        int cut = hardCut(text, content, limit);
        cuts.add(new int[] {pos, cut});
        return cut;
    }

    /** The breaks found in the window of one part: per rank, the last two that fill half a part. */
    private static final class Breaks {
        private final int pos;
        private final int minFill;
        private final int[] lastAt = {-1, -1, -1, -1};
        private final int[] lastEnd = new int[RANKS];
        private final int[] earlierAt = {-1, -1, -1, -1};
        private final int[] earlierEnd = new int[RANKS];
        private int bestRank = -1;
        private int bestAt = -1;
        private int bestEnd = -1;

        Breaks(int pos, int minFill) {
            this.pos = pos;
            this.minFill = minFill;
        }

        void add(int rank, int at, int end) {
            if (at - pos >= minFill) {
                earlierAt[rank] = lastAt[rank];
                earlierEnd[rank] = lastEnd[rank];
                lastAt[rank] = at;
                lastEnd[rank] = end;
            }
            if (rank >= bestRank) {
                bestRank = rank;
                bestAt = at;
                bestEnd = end;
            }
        }
    }

    // whether the line that ends at `at` introduces what follows: "Steps:", or a short
    // one-line paragraph without closing punctuation, as a heading renders
    private static boolean isLeadIn(String text, int pos, int at, boolean paragraph) {
        int lineStart = at;
        while (lineStart > pos && text.charAt(lineStart - 1) != '\n') {
            lineStart--;
        }
        String line = text.substring(lineStart, at).strip();
        if (line.isEmpty()) {
            return false;
        }
        char last = line.charAt(line.length() - 1);
        if (last == ':') {
            return true;
        }
        if (!paragraph || line.length() > MAX_HEADING_LENGTH || isClosingPunctuation(last)) {
            return false;
        }
        int j = lineStart - 2;
        while (j >= pos && (isIndent(text.charAt(j)) || text.charAt(j) == '\r')) {
            j--;
        }
        return lineStart == pos || j < pos || text.charAt(j) == '\n';
    }

    private static boolean isClosingPunctuation(char c) {
        return c == '.' || c == '!' || c == '?' || c == '\u2026' || c == ';' || isCloser(c) || isCjkSentenceEnd(c);
    }

    // the next part starts after the whitespace at a cut, keeping the indentation of its first line
    private static int startOfLine(String text, int from, int budget) {
        int next = from;
        while (next < text.length() && isWhitespace(text.charAt(next))) {
            next++;
        }
        int lineStart = next;
        while (lineStart > 0 && isIndent(text.charAt(lineStart - 1))) {
            lineStart--;
        }
        boolean indented = lineStart == 0 || text.charAt(lineStart - 1) == '\n';
        return indented && next - lineStart < budget / 2 ? lineStart : next;
    }

    private static boolean isIndent(char c) {
        return c == ' ' || c == '\t';
    }

    private static int trimEnd(String text, int start, int end) {
        while (end > start && isWhitespace(text.charAt(end - 1))) {
            end--;
        }
        return end;
    }

    private static boolean endsSentence(String text, int pos, int runStart) {
        int j = runStart - 1;
        while (j > pos && isCloser(text.charAt(j))) {
            j--;
        }
        char c = text.charAt(j);
        return c == '.' || c == '!' || c == '?' || c == '\u2026' || isCjkSentenceEnd(c);
    }

    private static boolean isCloser(char c) {
        return c == '"' || c == '\'' || c == ')' || c == ']' || c == '\u201D' || c == '\u2019' || c == '\u00BB';
    }

    private static boolean isCjkSentenceEnd(char c) {
        return c == '\u3002' || c == '\uFF01' || c == '\uFF1F';
    }

    private static boolean isWhitespace(char c) {
        return Character.isWhitespace(c);
    }

    // content is the first non-whitespace character of the part, which the cut must keep
    private static int hardCut(String text, int content, int limit) {
        int cut = limit;
        if (Character.isHighSurrogate(text.charAt(cut - 1)) && Character.isLowSurrogate(text.charAt(cut))) {
            cut--;
        }
        int clustered = cut;
        while (clustered > content + 1
                && cut - clustered < MAX_CLUSTER_BACKOFF
                && !isClusterBoundary(text, clustered)) {
            clustered -= Character.charCount(text.codePointBefore(clustered));
        }
        return clustered > content && isClusterBoundary(text, clustered) ? clustered : cut;
    }

    // an approximation of extended grapheme cluster boundaries, enough for emoji and accents
    private static boolean isClusterBoundary(String text, int index) {
        int next = text.codePointAt(index);
        int previous = text.codePointBefore(index);
        if (previous == 0x200D || isExtender(next)) {
            return false;
        }
        if (isRegionalIndicator(previous) && isRegionalIndicator(next)) {
            int count = 0;
            for (int j = index; j > 0 && isRegionalIndicator(text.codePointBefore(j)); ) {
                count++;
                j -= Character.charCount(text.codePointBefore(j));
            }
            return count % 2 == 0;
        }
        return true;
    }

    private static boolean isExtender(int codePoint) {
        int type = Character.getType(codePoint);
        return type == Character.NON_SPACING_MARK
                || type == Character.ENCLOSING_MARK
                || type == Character.COMBINING_SPACING_MARK
                || codePoint == 0x200D
                || (codePoint >= 0xFE00 && codePoint <= 0xFE0F)
                || (codePoint >= 0x1F3FB && codePoint <= 0x1F3FF)
                || (codePoint >= 0xE0020 && codePoint <= 0xE007F);
    }

    private static boolean isRegionalIndicator(int codePoint) {
        return codePoint >= 0x1F1E6 && codePoint <= 0x1F1FF;
    }

    @Override
    public String toString() {
        return "MessageSplitter[maxLength=" + maxLength + ", partNumbering=" + partNumbering + "]";
    }

    /** Configures a {@link MessageSplitter}. Not thread-safe; build once and share the result. */
    public static final class Builder {

        private int maxLength;
        private boolean partNumbering;

        private Builder() {}

        /**
         * The longest part, in UTF-16 code units. Required.
         *
         * @throws IllegalArgumentException if {@code maxLength} is less than 2 (a part must be able
         *     to hold a surrogate pair)
         */
        public Builder maxLength(int maxLength) {
            if (maxLength < 2) {
                throw new IllegalArgumentException("maxLength must be at least 2 (one surrogate pair): " + maxLength);
            }
            this.maxLength = maxLength;
            return this;
        }

        /**
         * Whether each part of a reply of two or more parts starts with its number, {@code (1/3) }.
         * The room for the number is taken from the limit, and numbering is left out when it would
         * take more than half of a part. Default {@code false}.
         */
        public Builder partNumbering(boolean partNumbering) {
            this.partNumbering = partNumbering;
            return this;
        }

        /**
         * A splitter with this builder's options.
         *
         * @throws IllegalStateException if no {@link #maxLength(int)} was set
         */
        public MessageSplitter build() {
            if (maxLength == 0) {
                throw new IllegalStateException("maxLength is required: the longest part the channel takes");
            }
            return new MessageSplitter(this);
        }
    }
}
