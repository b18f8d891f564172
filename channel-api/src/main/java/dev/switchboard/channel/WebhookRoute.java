package dev.switchboard.channel;

import static java.util.Objects.requireNonNull;

import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A path on the host's HTTP server that a channel answers, with what it accepts.
 *
 * <p>The host answers 404 for a path no route owns, 405 for a method the route does not accept and
 * 415 for a media type it does not accept, before calling the handler.
 *
 * @param path the exact request path, starting with {@code /}
 * @param methods accepted methods, upper case
 * @param mediaTypes accepted body media types, lower case, without parameters
 * @param handler what handles the accepted requests
 */
public record WebhookRoute(String path, Set<String> methods, Set<String> mediaTypes, WebhookHandler handler) {

    public WebhookRoute {
        requireNonNull(path, "path");
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("path must start with /: " + path);
        }
        methods = methods.stream().map(m -> m.toUpperCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet());
        mediaTypes = mediaTypes.stream().map(m -> m.toLowerCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet());
        if (methods.isEmpty()) {
            throw new IllegalArgumentException("a route needs at least one method: " + path);
        }
        requireNonNull(handler, "handler");
    }

    /** A route for form-encoded POSTs, the way Twilio calls webhooks. */
    public static WebhookRoute formPost(String path, WebhookHandler handler) {
        return new WebhookRoute(path, Set.of("POST"), Set.of("application/x-www-form-urlencoded"), handler);
    }
}
