package dev.switchboard.runtime.format;

import static java.util.Objects.requireNonNull;

import dev.switchboard.channel.ChannelCapabilities;
import dev.switchboard.channel.TextFlavour;
import java.util.List;

/**
 * The {@link ReplyFormatter} of the runtime: renders an agent's markdown for the channel's
 * {@linkplain ChannelCapabilities#flavour() flavour} with a {@link MarkdownRenderer}, then splits it
 * to the channel's {@linkplain ChannelCapabilities#maxMessageLength() limit} with a {@link
 * MessageSplitter}.
 *
 * <pre>{@code
 * ReplyFormatter formatter = MarkdownFormatter.defaults();
 * List<String> parts = formatter.format(reply, channel.capabilities());
 * for (String part : parts) {
 *     Segments cost = SegmentCounter.count(part); // when capabilities.billedPerSegment()
 * }
 * }</pre>
 *
 * <p>With {@linkplain Builder#gsmNormalisation(boolean) GSM normalisation}, on a channel {@linkplain
 * ChannelCapabilities#billedPerSegment() billed per segment}, each part whose only characters
 * outside GSM-7 are typographic ones (curly quotes, dashes, ellipsis, non-breaking spaces) is sent
 * with them replaced as {@link GsmNormaliser} does, so that it costs GSM-7 segments; a part that
 * stays UCS-2 anyway is sent as written.
 *
 * <p>On WhatsApp, a code block cut between two parts is closed at the end of the first and reopened
 * at the start of the next, so that each message shows its code in monospace; the room for the
 * backticks is reserved within the limit.
 *
 * <p>Immutable and thread-safe: one formatter may serve every channel and conversation.
 */
public final class MarkdownFormatter implements ReplyFormatter {

    private static final String FENCE = "```";
    // below this, reopening a code block in every part would leave too little room for the code
    private static final int MIN_FENCED_LENGTH = 32;

    private final MarkdownRenderer renderer = MarkdownRenderer.create();
    private final boolean partNumbering;
    private final boolean gsmNormalisation;

    private MarkdownFormatter(Builder builder) {
        this.partNumbering = builder.partNumbering;
        this.gsmNormalisation = builder.gsmNormalisation;
    }

    /** A builder with the defaults: no part numbering, no GSM normalisation. */
    public static Builder builder() {
        return new Builder();
    }

    /** A formatter with the defaults: no part numbering, no GSM normalisation. */
    public static MarkdownFormatter defaults() {
        return builder().build();
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalArgumentException if the channel's limit is less than 2 UTF-16 code units,
     *     too small for one surrogate pair
     */
    @Override
    public List<String> format(String markdown, ChannelCapabilities capabilities) {
        requireNonNull(markdown, "markdown");
        requireNonNull(capabilities, "capabilities");
        String text = renderer.render(markdown, capabilities.flavour());
        int maxLength = capabilities.maxMessageLength();
        String toSplit = text;
        MessageSplitter.Slicer slicer = String::substring;
        if (gsmNormalisation && capabilities.billedPerSegment() && !SegmentCounter.isGsm7(text)) {
            // split the normalised text, then go back to the original wherever a part stays UCS-2
            GsmNormaliser.Mapped mapped = GsmNormaliser.map(text);
            toSplit = mapped.text();
            slicer = (normalised, start, end) -> {
                String part = normalised.substring(start, end);
                String original = original(text, mapped, start, end);
                if (original == null) {
                    return part;
                }
                return SegmentCounter.isGsm7(part) ? GsmNormaliser.cheaper(part, original) : original;
            };
        }
        if (capabilities.flavour() == TextFlavour.WHATSAPP
                && toSplit.length() > maxLength
                && toSplit.contains(FENCE)
                && maxLength >= MIN_FENCED_LENGTH) {
            // a code block cut in two is closed at the end of one part and reopened in the next
            maxLength -= 2 * FENCE.length();
            slicer = fenced(slicer);
        }
        return MessageSplitter.builder()
                .maxLength(maxLength)
                .partNumbering(partNumbering)
                .build()
                .split(toSplit, slicer);
    }

    private static MessageSplitter.Slicer fenced(MessageSplitter.Slicer slicer) {
        return (text, start, end) -> {
            String part = slicer.slice(text, start, end);
            String opening = isInsideFence(text, start) ? FENCE : "";
            String closing = isInsideFence(text, end) ? FENCE : "";
            return opening + part + closing;
        };
    }

    private static boolean isInsideFence(String text, int index) {
        int fences = 0;
        for (int at = text.indexOf(FENCE);
                at >= 0 && at + FENCE.length() <= index;
                at = text.indexOf(FENCE, at + FENCE.length())) {
            fences++;
        }
        return fences % 2 == 1;
    }

    // the original of a stretch of the normalised text, or null if it has none that fits
    private static String original(String text, GsmNormaliser.Mapped mapped, int start, int end) {
        int[] origin = mapped.origin();
        int length = mapped.text().length();
        // a cut inside the replacement of one character ("..." for an ellipsis) has no original
        boolean aligned =
                (start == 0 || origin[start - 1] != origin[start]) && (end == length || origin[end] != origin[end - 1]);
        if (!aligned) {
            return null;
        }
        String original = text.substring(origin[start], origin[end - 1] + 1);
        return original.length() <= end - start ? original : null;
    }

    /** Whether the parts of a reply of two or more parts are numbered. */
    public boolean partNumbering() {
        return partNumbering;
    }

    /** Whether typographic characters are replaced to keep a part in GSM-7. */
    public boolean gsmNormalisation() {
        return gsmNormalisation;
    }

    @Override
    public String toString() {
        return "MarkdownFormatter[partNumbering=" + partNumbering + ", gsmNormalisation=" + gsmNormalisation + "]";
    }

    /** Configures a {@link MarkdownFormatter}. Not thread-safe; build once and share the result. */
    public static final class Builder {

        private boolean partNumbering;
        private boolean gsmNormalisation;

        private Builder() {}

        /**
         * Whether each part of a reply of two or more parts starts with its number, {@code (1/3) },
         * its room reserved within the channel's limit. Default {@code false}: phones show the parts
         * of a reply in order, and the number costs characters.
         */
        public Builder partNumbering(boolean partNumbering) {
            this.partNumbering = partNumbering;
            return this;
        }

        /**
         * Whether, on a channel billed per SMS segment, typographic characters are replaced when
         * that keeps a part in GSM-7 (see {@link GsmNormaliser}). Default {@code false}: the text is
         * sent as the agent wrote it.
         */
        public Builder gsmNormalisation(boolean gsmNormalisation) {
            this.gsmNormalisation = gsmNormalisation;
            return this;
        }

        /** A formatter with this builder's options. */
        public MarkdownFormatter build() {
            return new MarkdownFormatter(this);
        }
    }
}
