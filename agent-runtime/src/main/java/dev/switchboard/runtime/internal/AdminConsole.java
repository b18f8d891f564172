package dev.switchboard.runtime.internal;

import dev.switchboard.channel.Address;
import dev.switchboard.channel.Channel;
import dev.switchboard.channel.ConversationKey;
import dev.switchboard.channel.HomeChannel;
import dev.switchboard.channel.WebhookRequest;
import dev.switchboard.channel.WebhookResponse;
import dev.switchboard.runtime.RuntimeHealth;
import dev.switchboard.runtime.admin.AdminHandler;
import dev.switchboard.runtime.delivery.OptOutStore;
import dev.switchboard.runtime.pairing.PairingRequest;
import dev.switchboard.runtime.schedule.PushOutcome;
import dev.switchboard.runtime.schedule.ScheduleHandle;
import dev.switchboard.runtime.store.ConversationSummary;
import dev.switchboard.runtime.store.HistoryEntry;
import dev.switchboard.runtime.store.Store;
import dev.switchboard.runtime.store.StoreException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin server's answers, apart from authentication and the event stream: readiness, metrics,
 * the console's pages and its JSON API, and the application's routes. Called on the admin server's
 * threads, never an event loop: the store may block.
 */
public final class AdminConsole implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(AdminConsole.class);

    static final String JSON = "application/json; charset=utf-8";
    static final String PROMETHEUS = "text/plain; version=0.0.4; charset=utf-8";
    static final String CONSOLE = "dev/switchboard/runtime/console/";
    static final int DEFAULT_CONVERSATIONS = 50;
    static final int MAX_CONVERSATIONS = 1_000;
    static final int TRANSCRIPT = 200;

    /** The console's own API paths, which an application's route may not take. */
    public static final Set<String> OWN_PATHS =
            Set.of("/api/overview", "/api/conversations", "/api/schedules", "/api/pairings", "/api/events");

    private static final Pattern STATIC_PATH =
            Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]*(/[A-Za-z0-9_][A-Za-z0-9_.-]*)*");
    private static final Map<String, String> TYPES = Map.ofEntries(
            Map.entry("html", "text/html; charset=utf-8"),
            Map.entry("css", "text/css; charset=utf-8"),
            Map.entry("js", "text/javascript; charset=utf-8"),
            Map.entry("mjs", "text/javascript; charset=utf-8"),
            Map.entry("json", JSON),
            Map.entry("map", JSON),
            Map.entry("svg", "image/svg+xml"),
            Map.entry("png", "image/png"),
            Map.entry("ico", "image/x-icon"),
            Map.entry("woff2", "font/woff2"),
            Map.entry("txt", "text/plain; charset=utf-8"));

    private final List<Channel> channels;
    private final Store store;
    private final OptOutStore optOuts;
    private final PairingGate pairing;
    private final PushService pushes;
    private final AdminFeed feed;
    private final RuntimeSettings.Admin settings;
    private final Readiness readiness;

    public AdminConsole(
            List<Channel> channels,
            Store store,
            OptOutStore optOuts,
            PairingGate pairing,
            PushService pushes,
            AdminFeed feed,
            RuntimeSettings.Admin settings,
            Readiness readiness) {
        this.channels = List.copyOf(channels);
        this.store = store;
        this.optOuts = optOuts;
        this.pairing = pairing;
        this.pushes = pushes;
        this.feed = feed;
        this.settings = settings;
        this.readiness = readiness;
    }

    /** An answer and the headers it needs beyond the ones every answer gets. */
    record Answer(WebhookResponse response, Map<String, String> headers) {
        static Answer of(WebhookResponse response) {
            return new Answer(response, Map.of());
        }
    }

    static WebhookResponse json(int status, String json) {
        return new WebhookResponse(status, JSON, json.getBytes(StandardCharsets.UTF_8));
    }

    static WebhookResponse error(int status, String message) {
        return json(status, JsonWriter.of("error", message));
    }

    static Answer methodNotAllowed(String method, String path, String allow) {
        return new Answer(
                error(405, "method " + method + " is not allowed on " + path + "; use " + allow),
                Map.of("Allow", allow));
    }

    /** Answers one request that passed authentication. */
    Answer answer(WebhookRequest request) {
        String path = request.path();
        String method = request.method();
        try {
            if (path.equals("/readyz")) {
                return get(method, path) ? Answer.of(readiness()) : methodNotAllowed(method, path, "GET");
            }
            if (path.equals("/metrics")) {
                return get(method, path) ? Answer.of(metrics()) : methodNotAllowed(method, path, "GET");
            }
            if (path.equals("/")) {
                return get(method, path) ? Answer.of(asset("index.html")) : methodNotAllowed(method, path, "GET");
            }
            if (path.startsWith("/console/")) {
                return get(method, path)
                        ? Answer.of(asset(path.substring("/console/".length())))
                        : methodNotAllowed(method, path, "GET");
            }
            Optional<Map.Entry<String, AdminHandler>> route = route(path);
            if (route.isPresent()) {
                return Answer.of(extension(route.get(), request));
            }
            return api(request);
        } catch (StoreException e) {
            log.warn("admin: {} {} failed: the store: {}", method, path, e.getMessage());
            return Answer.of(error(503, "the store does not answer: " + e.getMessage()));
        } catch (RuntimeException e) {
            log.warn("admin: {} {} failed: {}", method, path, e.getClass().getName(), e);
            return Answer.of(error(500, "the request failed: " + e.getClass().getName()));
        }
    }

    private static boolean get(String method, String path) {
        return method.equals("GET");
    }

    private Answer api(WebhookRequest request) {
        String path = request.path();
        String method = request.method();
        if (path.equals("/api/overview")) {
            return method.equals("GET") ? Answer.of(json(200, overview())) : methodNotAllowed(method, path, "GET");
        }
        if (path.equals("/api/conversations")) {
            if (!method.equals("GET")) {
                return methodNotAllowed(method, path, "GET");
            }
            String limit = query(request.rawQuery()).get("limit");
            int count = DEFAULT_CONVERSATIONS;
            if (limit != null) {
                try {
                    count = Integer.parseInt(limit);
                } catch (NumberFormatException e) {
                    count = -1;
                }
                if (count < 1 || count > MAX_CONVERSATIONS) {
                    return Answer.of(
                            error(400, "limit must be a number from 1 to " + MAX_CONVERSATIONS + ": '" + limit + "'"));
                }
            }
            return Answer.of(json(200, conversations(count)));
        }
        if (path.startsWith("/api/conversations/")) {
            if (!method.equals("GET")) {
                return methodNotAllowed(method, path, "GET");
            }
            String rest = path.substring("/api/conversations/".length());
            int slash = rest.indexOf('/');
            if (slash <= 0 || slash == rest.length() - 1) {
                return Answer.of(error(404, "no such path; use /api/conversations/{channel}/{counterpart}"));
            }
            String channelId = decode(rest.substring(0, slash));
            String counterpart = decode(rest.substring(slash + 1));
            if (channelId == null || counterpart == null || counterpart.isBlank()) {
                return Answer.of(error(400, "the channel and counterpart must be percent-encoded text"));
            }
            if (channel(channelId).isEmpty()) {
                return Answer.of(error(404, "no channel has the id '" + channelId + "'"));
            }
            return Answer.of(json(200, conversation(new ConversationKey(channelId, Address.of(counterpart)))));
        }
        if (path.equals("/api/schedules")) {
            return method.equals("GET") ? Answer.of(json(200, schedules())) : methodNotAllowed(method, path, "GET");
        }
        if (path.equals("/api/pairings")) {
            return method.equals("GET") ? Answer.of(json(200, pairings())) : methodNotAllowed(method, path, "GET");
        }
        if (path.startsWith("/api/pairings/")) {
            String rest = path.substring("/api/pairings/".length());
            int slash = rest.indexOf('/');
            String action = slash < 0 ? "" : rest.substring(slash + 1);
            if (slash <= 0 || !(action.equals("approve") || action.equals("deny"))) {
                return Answer.of(error(404, "no such path; use /api/pairings/{code}/approve or /deny"));
            }
            if (!method.equals("POST")) {
                return methodNotAllowed(method, path, "POST");
            }
            String code = decode(rest.substring(0, slash));
            if (code == null || code.isBlank()) {
                return Answer.of(error(400, "the code must be percent-encoded text"));
            }
            Optional<PairingRequest> done = action.equals("approve")
                    ? pairing.api().approve(code)
                    : pairing.api().deny(code);
            if (done.isEmpty()) {
                return Answer.of(error(
                        404,
                        "no pairing request waits with that code: it expired, was answered already, or never was"));
            }
            return Answer.of(json(
                    200,
                    new JsonWriter()
                            .beginObject()
                            .field("ok", true)
                            .field("sender", done.get().sender().value())
                            .endObject()
                            .toString()));
        }
        return Answer.of(error(404, "nothing is served at " + path));
    }

    // ---------------------------------------------------------------- readiness and metrics

    WebhookResponse readiness() {
        RuntimeHealth health = readiness.check();
        JsonWriter json = new JsonWriter().beginObject().field("status", health.status());
        if (!health.up()) {
            json.field("reason", String.join("; ", health.reasons()));
        }
        json.name("checks").beginObject();
        health.checks().forEach(json::field);
        json.endObject().endObject();
        return json(health.up() ? 200 : 503, json.toString());
    }

    private WebhookResponse metrics() {
        Optional<Supplier<String>> metrics = settings.metrics();
        if (metrics.isEmpty()) {
            return error(404, "no metrics endpoint is configured (AgentRuntimeBuilder.metricsEndpoint)");
        }
        String text = metrics.get().get();
        return new WebhookResponse(200, PROMETHEUS, text == null ? new byte[0] : text.getBytes(StandardCharsets.UTF_8));
    }

    // ---------------------------------------------------------------- static files

    /** A file of the console's, from the classpath; 404 for anything not plainly a file there. */
    WebhookResponse asset(String name) {
        int dot = name.lastIndexOf('.');
        String type = dot < 0 ? null : TYPES.get(name.substring(dot + 1).toLowerCase(Locale.ROOT));
        if (!STATIC_PATH.matcher(name).matches() || name.contains("..") || type == null) {
            return error(404, "no such file of the console");
        }
        ClassLoader loader = AdminConsole.class.getClassLoader();
        try (InputStream in = loader.getResourceAsStream(CONSOLE + name)) {
            if (in == null) {
                return error(
                        404,
                        name.equals("index.html")
                                ? "the console's pages are not in this build"
                                : "no such file of the console");
            }
            return new WebhookResponse(200, type, in.readAllBytes());
        } catch (IOException e) {
            log.warn("admin: reading the console's {} failed: {}", name, e.toString());
            return error(500, "reading the console's file failed");
        }
    }

    // ---------------------------------------------------------------- the API

    private String overview() {
        JsonWriter json = new JsonWriter().beginObject().field("mode", settings.mode());
        json.name("channels").beginArray();
        for (Channel channel : channels) {
            json.beginObject().field("id", channel.id()).name("addresses").beginArray();
            channel.selfAddresses().stream().map(Address::value).forEach(json::value);
            json.endArray()
                    .field(
                            "home",
                            channel.home()
                                    .map(HomeChannel::address)
                                    .map(Address::value)
                                    .orElse(null))
                    .endObject();
        }
        json.endArray().name("extensions").beginArray();
        settings.routes().keySet().forEach(json::value);
        return json.endArray().endObject().toString();
    }

    private String conversations(int limit) {
        Set<String> pending = pendingKeys();
        JsonWriter json = new JsonWriter().beginArray();
        for (ConversationSummary summary : store.conversations(limit)) {
            ConversationKey key = summary.conversation();
            json.beginObject()
                    .field("channel", key.channelId())
                    .field("counterpart", key.counterpart().value())
                    .field("lastActivity", summary.lastActivity().toString())
                    .field("messages", summary.messages())
                    .field("optedOut", optOuts.isOptedOut(key))
                    .field("pairing", pairingState(key, pending))
                    .endObject();
        }
        return json.endArray().toString();
    }

    private String conversation(ConversationKey key) {
        JsonWriter json = new JsonWriter()
                .beginObject()
                .field("channel", key.channelId())
                .field("counterpart", key.counterpart().value())
                .field("optedOut", optOuts.isOptedOut(key))
                .field("pairing", pairingState(key, pendingKeys()));
        // Each outbound line is one part as sent; on a channel billed per segment, its SMS segments.
        boolean perSegment = channels.stream()
                .anyMatch(channel -> channel.id().equals(key.channelId())
                        && channel.capabilities().billedPerSegment());
        json.name("transcript").beginArray();
        for (HistoryEntry line : store.history(key, TRANSCRIPT)) {
            boolean outbound = line.direction() == HistoryEntry.Direction.OUTBOUND;
            json.beginObject()
                    .field("direction", line.direction().name().toLowerCase(Locale.ROOT))
                    .field("at", line.at().toString())
                    .field("text", line.text())
                    .field("messageId", line.messageId().orElse(null))
                    .field("status", line.status().orElse(null))
                    .number(
                            "segments",
                            outbound && perSegment
                                    ? Integer.valueOf(dev.switchboard.runtime.format.SegmentCounter.count(line.text())
                                            .count())
                                    : null)
                    .endObject();
        }
        return json.endArray().endObject().toString();
    }

    private Set<String> pendingKeys() {
        Set<String> keys = new HashSet<>();
        for (PairingRequest request : pairing.api().pending()) {
            keys.add(request.channelId() + "|" + request.sender().value());
        }
        return keys;
    }

    /**
     * {@code off}: no pairing on the channel; {@code allowed}: its access policy lets them in (or
     * they are its home); {@code approved}; {@code pending}: a request waits; {@code none}.
     */
    private String pairingState(ConversationKey key, Set<String> pending) {
        Optional<Channel> channel = channel(key.channelId());
        if (channel.isEmpty() || !pairing.on(key.channelId())) {
            return "off";
        }
        Address who = key.counterpart();
        if (channel.get().accessPolicy().permits(who)
                || channel.get().home().map(home -> home.address().equals(who)).orElse(false)) {
            return "allowed";
        }
        if (pairing.isApproved(key.channelId(), who)) {
            return "approved";
        }
        return pending.contains(key.channelId() + "|" + who.value()) ? "pending" : "none";
    }

    private String schedules() {
        JsonWriter json = new JsonWriter().beginArray();
        for (ScheduleHandle schedule : pushes.schedules()) {
            json.beginObject()
                    .field("name", schedule.name())
                    .field("cron", schedule.cron().expression())
                    .field("zone", schedule.cron().zone().getId())
                    .field(
                            "nextFire",
                            schedule.nextFireTime()
                                    .map(next -> next.toInstant().toString())
                                    .orElse(null));
            json.name("recent").beginArray();
            for (PushOutcome outcome : feed.recent(schedule.name())) {
                json.beginObject()
                        .field("at", outcome.settledAt().toString())
                        .field("kind", outcome.kind().name())
                        .field("reason", outcome.reason())
                        .endObject();
            }
            json.endArray().endObject();
        }
        return json.endArray().toString();
    }

    private String pairings() {
        JsonWriter json = new JsonWriter().beginArray();
        for (PairingRequest request : pairing.api().pending()) {
            json.beginObject()
                    .field("channel", request.channelId())
                    .field("sender", request.sender().value())
                    .field("code", request.code())
                    .field("created", request.created().toString())
                    .field("expires", request.expires().toString())
                    .endObject();
        }
        return json.endArray().toString();
    }

    // ---------------------------------------------------------------- the application's routes

    /** The application's route for {@code path}: the longest prefix that is the path or a parent of it. */
    Optional<Map.Entry<String, AdminHandler>> route(String path) {
        Map.Entry<String, AdminHandler> best = null;
        for (Map.Entry<String, AdminHandler> route : settings.routes().entrySet()) {
            String prefix = route.getKey();
            if ((path.equals(prefix) || path.startsWith(prefix + "/"))
                    && (best == null || prefix.length() > best.getKey().length())) {
                best = route;
            }
        }
        return Optional.ofNullable(best);
    }

    private static WebhookResponse extension(Map.Entry<String, AdminHandler> route, WebhookRequest request) {
        try {
            WebhookResponse response = route.getValue().handle(request);
            if (response == null) {
                log.warn(
                        "admin: the route {} answered {} {} with null",
                        route.getKey(),
                        request.method(),
                        request.path());
                return error(500, "the route " + route.getKey() + " gave no answer");
            }
            return response;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return error(500, "the route " + route.getKey() + " was interrupted");
        } catch (Exception e) {
            // The class and message of the failure, never the request's body.
            log.warn(
                    "admin: the route {} failed on {} {}: {}: {}",
                    route.getKey(),
                    request.method(),
                    request.path(),
                    e.getClass().getName(),
                    e.getMessage());
            return error(
                    500,
                    "the route " + route.getKey() + " failed: " + e.getClass().getName());
        }
    }

    // ---------------------------------------------------------------- helpers

    private Optional<Channel> channel(String id) {
        return channels.stream().filter(channel -> channel.id().equals(id)).findFirst();
    }

    /** A path segment's text: percent-decoded, a {@code +} kept as it is; null if malformed. */
    static String decode(String segment) {
        try {
            return URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** A raw query's parameters, the first of repeated ones. */
    static Map<String, String> query(String rawQuery) {
        Map<String, String> parameters = new LinkedHashMap<>();
        if (rawQuery.isEmpty()) {
            return parameters;
        }
        for (String pair : rawQuery.split("&")) {
            int equals = pair.indexOf('=');
            String name = equals < 0 ? pair : pair.substring(0, equals);
            String value = equals < 0 ? "" : pair.substring(equals + 1);
            try {
                parameters.putIfAbsent(
                        URLDecoder.decode(name, StandardCharsets.UTF_8),
                        URLDecoder.decode(value, StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                // A malformed pair is ignored, as if it were absent.
            }
        }
        return parameters;
    }

    @Override
    public void close() {}
}
