package dev.switchboard.runtime.internal;

import dev.switchboard.channel.Channel;
import dev.switchboard.channel.WebhookRoute;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Every channel's webhook routes by exact path. */
public final class RouteTable {

    /** The outcome of a lookup. */
    public sealed interface Match {}

    /** No route owns the path. */
    public record NotFound() implements Match {}

    /** A route owns the path but not the method. */
    public record MethodNotAllowed(Set<String> allowed) implements Match {}

    /** A route owns the path and method but not the body's media type. */
    public record UnsupportedMediaType(Set<String> accepted) implements Match {}

    /** The route that handles the request, and its channel. */
    public record Found(Channel channel, WebhookRoute route) implements Match {}

    private final Map<String, Found> byPath;

    private RouteTable(Map<String, Found> byPath) {
        this.byPath = byPath;
    }

    /**
     * The routes of {@code channels}.
     *
     * @throws IllegalArgumentException if two routes claim one path, naming both owners
     */
    public static RouteTable of(List<Channel> channels) {
        Map<String, Found> byPath = new LinkedHashMap<>();
        for (Channel channel : channels) {
            for (WebhookRoute route : channel.routes()) {
                Found previous = byPath.putIfAbsent(route.path(), new Found(channel, route));
                if (previous != null) {
                    throw new IllegalArgumentException("route " + route.path() + " is claimed by channel "
                            + previous.channel().id() + " and by channel " + channel.id());
                }
            }
        }
        return new RouteTable(Collections.unmodifiableMap(byPath));
    }

    /** Finds the route for a request; an empty set of media types on a route accepts any. */
    public Match match(String method, String path, String mediaType) {
        Found found = byPath.get(path);
        if (found == null) {
            return new NotFound();
        }
        WebhookRoute route = found.route();
        if (!route.methods().contains(method)) {
            return new MethodNotAllowed(route.methods());
        }
        if (!route.mediaTypes().isEmpty() && !route.mediaTypes().contains(mediaType)) {
            return new UnsupportedMediaType(route.mediaTypes());
        }
        return found;
    }

    /** The paths, for the start-up log. */
    public Map<String, String> channelByPath() {
        Map<String, String> paths = new LinkedHashMap<>();
        byPath.forEach((path, found) -> paths.put(path, found.channel().id()));
        return paths;
    }
}
