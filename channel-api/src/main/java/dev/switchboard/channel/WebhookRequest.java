package dev.switchboard.channel;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * An HTTP request as a channel's {@link WebhookHandler} sees it, independent of the server that
 * received it.
 *
 * <p>{@code toString()} shows neither headers nor body: both can carry signatures and message text.
 *
 * @param method the HTTP method, upper case
 * @param path the request path, without the query
 * @param rawQuery the raw (still percent-encoded) query string without the {@code ?}, or empty
 * @param headers header values by lower-case name; where a header was repeated, its first value
 * @param body the raw body bytes
 */
public record WebhookRequest(String method, String path, String rawQuery, Map<String, String> headers, byte[] body) {

    public WebhookRequest {
        requireNonNull(method, "method");
        requireNonNull(path, "path");
        requireNonNull(rawQuery, "rawQuery");
        requireNonNull(body, "body");
        // One copy, kept unmodifiable and never shared: a request's dozen headers are copied on
        // every webhook, and a second copy into an immutable map cost as much as the first.
        Map<String, String> lower = new HashMap<>(32);
        headers.forEach((name, value) ->
                lower.putIfAbsent(name.toLowerCase(Locale.ROOT), requireNonNull(value, "header value")));
        headers = Collections.unmodifiableMap(lower);
    }

    /** The value of the named header (any case), if present. */
    public Optional<String> header(String name) {
        return Optional.ofNullable(headers.get(name.toLowerCase(Locale.ROOT)));
    }

    /** The media type of the body, lower case and without parameters, or empty if none was given. */
    public String mediaType() {
        String contentType = headers.getOrDefault("content-type", "");
        int semicolon = contentType.indexOf(';');
        String type = semicolon < 0 ? contentType : contentType.substring(0, semicolon);
        return type.trim().toLowerCase(Locale.ROOT);
    }

    /** The body decoded as UTF-8. */
    public String bodyAsString() {
        return new String(body, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "WebhookRequest[" + method + " " + path + ", bodyLength=" + body.length + "]";
    }
}
