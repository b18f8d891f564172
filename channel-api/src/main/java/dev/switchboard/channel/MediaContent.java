package dev.switchboard.channel;

import static java.util.Objects.requireNonNull;

import java.util.Arrays;

/**
 * The bytes of a media item and their MIME type: an attachment a channel {@linkplain
 * Channel#readAttachment read}, or media an application made to send.
 *
 * <p>The array is copied in and out, so an instance is immutable. {@code toString()} shows the type
 * and the size, never the bytes.
 *
 * @param contentType the MIME type, such as {@code image/png}
 * @param bytes the content
 */
public record MediaContent(String contentType, byte[] bytes) {

    /** @throws IllegalArgumentException if {@code contentType} is blank */
    public MediaContent {
        requireNonNull(contentType, "contentType");
        requireNonNull(bytes, "bytes");
        if (contentType.isBlank()) {
            throw new IllegalArgumentException("contentType cannot be blank");
        }
        bytes = bytes.clone();
    }

    /** A copy of the content. */
    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    /** The number of bytes. */
    public int size() {
        return bytes.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MediaContent other
                && contentType.equals(other.contentType)
                && Arrays.equals(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
        return 31 * contentType.hashCode() + Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return "MediaContent[contentType=" + contentType + ", size=" + bytes.length + "]";
    }
}
