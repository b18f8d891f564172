package dev.switchboard.runtime;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * A media item a reply carries ({@link Reply#withMedia}): a public URL the provider fetches, or
 * bytes the agent made, which the runtime's listener serves at an unguessable address for a short
 * while ({@linkplain AgentRuntimeBuilder#servedMediaTtl ten minutes by default}) so that the provider
 * can fetch them. The channel must accept the type: Twilio takes images, audio, video and PDFs, each
 * within its limits; a type the channel refuses fails the send before anything goes out.
 */
public sealed interface Media {

    /** The most bytes one item of {@link #bytes} media may have: Twilio's limit for a message's media. */
    int MAX_BYTES = 5 * 1024 * 1024;

    /**
     * Media at a public URL, its type left to what the URL's server says.
     *
     * @throws IllegalArgumentException if {@code url} is not an absolute {@code https} URL with a
     *     host, or carries a user name or password
     */
    static Media url(URI url) {
        return new Url(url, Optional.empty());
    }

    /**
     * Media at a public URL of a known type, which is checked against what the channel accepts before
     * sending.
     *
     * @throws IllegalArgumentException as {@link #url(URI)}, or if {@code contentType} is not a MIME type
     */
    static Media url(URI url, String contentType) {
        return new Url(url, Optional.of(contentType));
    }

    /**
     * Media the agent made (a chart, a PDF), served by the runtime's listener for the provider to fetch.
     * Needs the listener's public URL, which the channel's webhook URL gives.
     *
     * @throws IllegalArgumentException if {@code contentType} is not a MIME type, or {@code bytes} is
     *     empty or over {@value #MAX_BYTES} bytes
     */
    static Media bytes(String contentType, byte[] bytes) {
        return new Bytes(contentType, bytes);
    }

    /** The MIME type, where it is known before fetching. */
    Optional<String> contentType();

    /** Media at a public {@code https} URL. */
    record Url(URI url, Optional<String> contentType) implements Media {

        public Url {
            requireNonNull(url, "url");
            requireNonNull(contentType, "contentType");
            if (!url.isAbsolute() || !"https".equalsIgnoreCase(url.getScheme())) {
                throw new IllegalArgumentException("media URLs must be absolute https URLs the provider can fetch: "
                        + url.getScheme() + "://" + url.getHost() + "…");
            }
            if (url.getHost() == null || url.getHost().isBlank()) {
                throw new IllegalArgumentException("a media URL needs a host: " + url);
            }
            if (url.getRawUserInfo() != null) {
                throw new IllegalArgumentException(
                        "a media URL must not carry a user name or password (" + url.getHost() + ")");
            }
            contentType = contentType.map(Media::mimeType);
        }

        @Override
        public String toString() {
            // The path may carry a token of the application's: only the host is shown.
            return "Media.Url[host=" + url.getHost() + ", type=" + contentType.orElse("unknown") + "]";
        }
    }

    /** Media the agent made, served by the runtime. */
    record Bytes(String type, byte[] bytes) implements Media {

        public Bytes {
            type = mimeType(type);
            requireNonNull(bytes, "bytes");
            if (bytes.length == 0) {
                throw new IllegalArgumentException("media bytes cannot be empty");
            }
            if (bytes.length > MAX_BYTES) {
                throw new IllegalArgumentException(
                        "media of " + bytes.length + " bytes is over the limit of " + MAX_BYTES + " bytes");
            }
            bytes = bytes.clone();
        }

        @Override
        public byte[] bytes() {
            return bytes.clone();
        }

        /** How many bytes. */
        public int size() {
            return bytes.length;
        }

        @Override
        public Optional<String> contentType() {
            return Optional.of(type);
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Bytes that && type.equals(that.type) && Arrays.equals(bytes, that.bytes);
        }

        @Override
        public int hashCode() {
            return 31 * type.hashCode() + Arrays.hashCode(bytes);
        }

        @Override
        public String toString() {
            return "Media.Bytes[type=" + type + ", size=" + bytes.length + "]";
        }
    }

    private static String mimeType(String contentType) {
        requireNonNull(contentType, "contentType");
        String type = contentType.strip().toLowerCase(Locale.ROOT);
        int parameters = type.indexOf(';');
        String bare = parameters < 0 ? type : type.substring(0, parameters).strip();
        if (!bare.matches("[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*")) {
            throw new IllegalArgumentException("not a MIME type: " + contentType);
        }
        return bare;
    }
}
