package dev.switchboard.runtime;

import static dev.switchboard.runtime.FakeChannel.form;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.channel.AccessPolicy;
import dev.switchboard.channel.WebhookResponse;
import dev.switchboard.runtime.pairing.PairingSettings;
import dev.switchboard.runtime.schedule.ManualScheduler;
import dev.switchboard.runtime.schedule.MutableClock;
import dev.switchboard.runtime.schedule.PushOutcome;
import dev.switchboard.runtime.store.JdbcStores;
import dev.switchboard.runtime.store.Store;
import dev.switchboard.runtime.store.StoreSettings;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The admin server over real sockets: health, the token, the console's API, its events and files. */
class AdminServerTest {

    static final String SELF = "+15550000000";
    static final String HOME = "+15550009999";
    static final String PERSON = "+15551234567";
    static final String TOKEN = "s3cret-token_0123456789";
    static final String END = "\u0000end";

    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .build();

    private final List<AutoCloseable> closing = new ArrayList<>();
    private int sids;

    @TempDir
    Path directory;

    @AfterEach
    void close() throws Exception {
        for (int i = closing.size() - 1; i >= 0; i--) {
            closing.get(i).close();
        }
    }

    private AgentRuntimeBuilder builder(FakeChannel channel) {
        return AgentRuntime.builder()
                .channel(channel)
                .agent(turn -> Optional.of("re: " + turn.text()))
                .webhookServer("127.0.0.1", 0)
                .adminServer("127.0.0.1", 0);
    }

    private AgentRuntime started(AgentRuntimeBuilder builder) {
        AgentRuntime runtime = builder.build();
        closing.add(runtime);
        return runtime.start();
    }

    static HttpResponse<String> get(AgentRuntime runtime, String path, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(admin(runtime, path))
                .timeout(Duration.ofSeconds(10))
                .GET();
        if (headers.length > 0) {
            request.headers(headers);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> post(AgentRuntime runtime, String path, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(admin(runtime, path))
                .timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.noBody());
        if (headers.length > 0) {
            request.headers(headers);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    static URI admin(AgentRuntime runtime, String path) {
        return URI.create("http://127.0.0.1:" + runtime.adminPort() + path);
    }

    private void text(AgentRuntime runtime, String from, String body) throws Exception {
        assertThat(FakeChannel.post(runtime, form("SM" + ++sids, from, SELF, body)))
                .isEqualTo(200);
    }

    /** An open event stream's lines, read on a thread of its own; {@link #END} once it ends. */
    private BlockingQueue<String> events(AgentRuntime runtime, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(admin(runtime, "/api/events"));
        if (headers.length > 0) {
            request.headers(headers);
        }
        HttpResponse<Stream<String>> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofLines());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).contains("text/event-stream; charset=utf-8");
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            try (Stream<String> body = response.body()) {
                body.forEach(lines::add);
            } catch (RuntimeException e) {
                // The stream was cut: it ended.
            }
            lines.add(END);
        });
        reader.setDaemon(true);
        reader.start();
        // The stream's first frame comes once it is registered.
        assertThat(next(lines, line -> line.equals(": open"))).isNotNull();
        return lines;
    }

    /** The next line that matches, skipping others, within 10 s; null if the stream ended first. */
    private static String next(BlockingQueue<String> lines, java.util.function.Predicate<String> wanted)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            long left = deadline - System.nanoTime();
            String line = lines.poll(Math.max(0, left), TimeUnit.NANOSECONDS);
            if (line == null) {
                throw new AssertionError("no such line within 10 s");
            }
            if (line.equals(END)) {
                return null;
            }
            if (wanted.test(line)) {
                return line;
            }
        }
    }

    /** The data of the next event of {@code type}. */
    private static String nextEvent(BlockingQueue<String> lines, String type) throws InterruptedException {
        assertThat(next(lines, line -> line.equals("event: " + type)))
                .as("an event " + type)
                .isNotNull();
        String data = lines.poll(10, TimeUnit.SECONDS);
        assertThat(data).startsWith("data: ");
        return data.substring("data: ".length());
    }

    @Test
    void onLoopbackWithoutATokenEveryPathIsOpenAndCarriesTheSecurityHeaders() throws Exception {
        AgentRuntime runtime = started(builder(FakeChannel.sms().home(HOME)).adminMode("sandbox"));

        HttpResponse<String> health = get(runtime, "/healthz");
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).isEqualTo("{\"status\":\"UP\"}");
        assertThat(health.headers().firstValue("Content-Type")).contains("application/json; charset=utf-8");

        HttpResponse<String> ready = get(runtime, "/readyz");
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(ready.body())
                .isEqualTo("{\"status\":\"UP\",\"checks\":{\"listener\":\"UP\",\"store\":\"UP\",\"runtime\":\"UP\"}}");

        HttpResponse<String> overview = get(runtime, "/api/overview");
        assertThat(overview.statusCode()).isEqualTo(200);
        assertThat(overview.body())
                .isEqualTo("{\"mode\":\"sandbox\",\"channels\":[{\"id\":\"sms\",\"addresses\":[\"" + SELF
                        + "\"],\"home\":\"" + HOME + "\"}],\"extensions\":[]}");
        for (HttpResponse<String> response : List.of(health, ready, overview)) {
            assertThat(response.headers().firstValue("Cache-Control")).contains("no-store");
            assertThat(response.headers().firstValue("X-Content-Type-Options")).contains("nosniff");
            assertThat(response.headers().firstValue("Content-Security-Policy"))
                    .hasValueSatisfying(csp ->
                            assertThat(csp).startsWith("default-src 'self'").doesNotContain("http:", "https:", "*"));
        }

        HttpResponse<String> metrics = get(runtime, "/metrics");
        assertThat(metrics.statusCode()).isEqualTo(404);
        assertThat(metrics.body()).contains("metricsEndpoint");
        HttpResponse<String> unknown = get(runtime, "/api/nothing");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.body()).startsWith("{\"error\":");
        assertThat(post(runtime, "/api/overview").statusCode()).isEqualTo(405);
        assertThat(runtime.adminPort()).isNotEqualTo(runtime.port());
    }

    @Test
    void withATokenOnlyHealthReadinessAndMetricsAreOpen() throws Exception {
        AgentRuntime runtime = started(builder(FakeChannel.sms())
                .adminToken(TOKEN)
                .metricsEndpoint(() -> "# TYPE switchboard_up gauge\nswitchboard_up 1\n"));

        assertThat(get(runtime, "/healthz").statusCode()).isEqualTo(200);
        assertThat(get(runtime, "/readyz").statusCode()).isEqualTo(200);
        HttpResponse<String> metrics = get(runtime, "/metrics");
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.headers().firstValue("Content-Type")).contains("text/plain; version=0.0.4; charset=utf-8");
        assertThat(metrics.body()).isEqualTo("# TYPE switchboard_up gauge\nswitchboard_up 1\n");

        for (String path : List.of("/api/overview", "/api/conversations", "/api/events", "/console/probe.txt", "/")) {
            HttpResponse<String> refused = get(runtime, path);
            assertThat(refused.statusCode()).as(path).isEqualTo(401);
            assertThat(refused.body()).as(path).startsWith("{\"error\":").contains("Bearer");
        }
        assertThat(get(runtime, "/api/overview", "Authorization", "Bearer wrong-token")
                        .statusCode())
                .isEqualTo(401);
        assertThat(get(runtime, "/api/overview", "Cookie", "switchboard_admin=wrong")
                        .statusCode())
                .isEqualTo(401);
        assertThat(get(runtime, "/api/overview", "Authorization", "Bearer " + TOKEN)
                        .statusCode())
                .isEqualTo(200);

        // The browser's way in: the address once, then the cookie.
        HttpResponse<String> wrong = get(runtime, "/?token=nope");
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(wrong.headers().firstValue("Set-Cookie")).isEmpty();
        HttpResponse<String> in = get(runtime, "/?token=" + TOKEN);
        assertThat(in.statusCode()).isEqualTo(303);
        assertThat(in.headers().firstValue("Location")).contains("/");
        String cookie = in.headers().firstValue("Set-Cookie").orElseThrow();
        assertThat(cookie)
                .startsWith("switchboard_admin=" + TOKEN + ";")
                .contains("HttpOnly")
                .contains("SameSite=Strict");
        String pair = cookie.substring(0, cookie.indexOf(';'));
        assertThat(get(runtime, "/api/overview", "Cookie", pair).statusCode()).isEqualTo(200);
        assertThat(get(runtime, "/console/probe.txt", "Cookie", "other=1; " + pair)
                        .statusCode())
                .isEqualTo(200);
        // A page of another origin cannot make changes with the cookie.
        assertThat(post(runtime, "/api/pairings/ABCDEFGH/approve", "Cookie", pair, "Origin", "http://evil.example")
                        .statusCode())
                .isEqualTo(403);
    }

    @Test
    void anAdminServerOffLoopbackWithoutATokenIsRefusedNamingTheOption() {
        assertThatThrownBy(() -> AgentRuntime.builder()
                        .channel(FakeChannel.sms())
                        .agent(turn -> Optional.empty())
                        .adminServer("0.0.0.0", 0)
                        .build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("adminToken")
                .hasMessageContaining("0.0.0.0");
        AgentRuntime withToken = AgentRuntime.builder()
                .channel(FakeChannel.sms())
                .agent(turn -> Optional.empty())
                .noWebhookServer()
                .adminServer("0.0.0.0", 0)
                .adminToken(TOKEN)
                .build();
        closing.add(withToken);
        assertThat(withToken.start().adminPort()).isPositive();
    }

    @Test
    void badAdminOptionsAreRefusedNamingThem() {
        AgentRuntimeBuilder builder = AgentRuntime.builder();
        assertThatThrownBy(() -> builder.adminServer("127.0.0.1", 70000))
                .hasMessageContaining("adminServer port")
                .hasMessageContaining("70000");
        assertThatThrownBy(() -> builder.adminToken("has space"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("adminToken")
                .hasMessageNotContaining("has space");
        assertThatThrownBy(() -> builder.adminRoute("/devphone", request -> null))
                .hasMessageContaining("adminRoute")
                .hasMessageContaining("/devphone");
        assertThatThrownBy(() -> builder.adminRoute("/api/pairings", request -> null))
                .hasMessageContaining("/api/pairings");
        assertThatThrownBy(() -> builder.adminMode(" ")).hasMessageContaining("adminMode");
        assertThatThrownBy(() -> AgentRuntime.builder()
                        .channel(FakeChannel.sms())
                        .agent(turn -> Optional.empty())
                        .webhookServer("127.0.0.1", 18080)
                        .adminServer("127.0.0.1", 18080)
                        .build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("18080")
                .hasMessageContaining("webhook server's port");
        AgentRuntime none = AgentRuntime.builder()
                .channel(FakeChannel.sms())
                .agent(turn -> Optional.empty())
                .noWebhookServer()
                .build();
        closing.add(none);
        assertThatThrownBy(() -> none.start().adminPort())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("adminServer");
    }

    @Test
    void aWebhookReachesAnOpenEventStreamAndTheConversationsAndTranscript() throws Exception {
        FakeChannel channel = FakeChannel.sms();
        AgentRuntime runtime = started(builder(channel));
        BlockingQueue<String> events = events(runtime);

        text(runtime, PERSON, "hello <b>there</b>");

        String inbound = nextEvent(events, "conversation");
        assertThat(inbound)
                .startsWith("{\"channel\":\"sms\",\"counterpart\":\"" + PERSON + "\",\"direction\":\"inbound\","
                        + "\"text\":\"hello \\u003cb\\u003ethere\\u003c/b\\u003e\",\"messageId\":\"SM1\","
                        + "\"status\":null,\"at\":\"");
        String outbound = nextEvent(events, "conversation");
        // The reply as sent: the formatter drops the markup.
        assertThat(outbound).contains("\"direction\":\"outbound\",\"text\":\"re: hello there\"");
        assertThat(channel.nextSent().text()).isEqualTo("re: hello there");
        Matcher sid = Pattern.compile("\"messageId\":\"([^\"]+)\",\"status\":\"queued\"")
                .matcher(outbound);
        assertThat(sid.find()).as(outbound).isTrue();

        // A delivery report moves the status on, live and in the transcript.
        assertThat(FakeChannel.post(
                        runtime,
                        "MessageSid=" + sid.group(1) + "&To=" + URLEncoder.encode(PERSON, StandardCharsets.UTF_8)
                                + "&MessageStatus=delivered"))
                .isEqualTo(200);
        assertThat(nextEvent(events, "conversation"))
                .startsWith("{\"channel\":\"sms\",\"counterpart\":\"" + PERSON
                        + "\",\"direction\":\"outbound\",\"text\":null,\"messageId\":\"" + sid.group(1)
                        + "\",\"status\":\"delivered\",\"at\":\"");

        HttpResponse<String> list = get(runtime, "/api/conversations?limit=10");
        assertThat(list.statusCode()).isEqualTo(200);
        assertThat(list.body())
                .startsWith("[{\"channel\":\"sms\",\"counterpart\":\"" + PERSON + "\",\"lastActivity\":\"")
                .endsWith("\"messages\":2,\"optedOut\":false,\"pairing\":\"off\"}]");
        assertThat(get(runtime, "/api/conversations?limit=0").statusCode()).isEqualTo(400);
        assertThat(get(runtime, "/api/conversations?limit=x").body()).contains("limit");

        HttpResponse<String> transcript =
                get(runtime, "/api/conversations/sms/" + URLEncoder.encode(PERSON, StandardCharsets.UTF_8));
        assertThat(transcript.statusCode()).isEqualTo(200);
        assertThat(transcript.body())
                .startsWith("{\"channel\":\"sms\",\"counterpart\":\"" + PERSON
                        + "\",\"optedOut\":false,\"pairing\":\"off\",\"transcript\":[{\"direction\":\"inbound\",")
                .contains(
                        "\"text\":\"hello \\u003cb\\u003ethere\\u003c/b\\u003e\",\"messageId\":\"SM1\",\"status\":null,"
                                + "\"segments\":null}")
                .contains("{\"direction\":\"outbound\",")
                .contains("\"text\":\"re: hello there\",\"messageId\":\"" + sid.group(1)
                        + "\",\"status\":\"delivered\",\"segments\":1}");
        // A raw + is the number's own, not a space.
        assertThat(get(runtime, "/api/conversations/sms/" + PERSON).body()).isEqualTo(transcript.body());
        assertThat(get(runtime, "/api/conversations/nope/" + PERSON).statusCode())
                .isEqualTo(404);
    }

    @Test
    void theApplicationPublishesItsOwnEventsAndRoutes() throws Exception {
        AgentRuntime runtime = started(builder(FakeChannel.sms())
                .adminRoute("/api/devphone", request -> AdminServerTestRoutes.answer(request))
                .adminRoute("/api/broken", request -> {
                    throw new IllegalStateException("secret body text");
                }));
        BlockingQueue<String> events = events(runtime);

        runtime.adminEvents().publish("devphone", "{\"sid\":\"SM9\",\n\"text\":\"two\"}");
        assertThat(next(events, line -> line.equals("event: devphone"))).isNotNull();
        assertThat(events.poll(10, TimeUnit.SECONDS)).isEqualTo("data: {\"sid\":\"SM9\",");
        assertThat(events.poll(10, TimeUnit.SECONDS)).isEqualTo("data: \"text\":\"two\"}");
        assertThatThrownBy(() -> runtime.adminEvents().publish("bad type", "{}"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bad type");
        assertThatThrownBy(() -> runtime.adminEvents().publish("x", "[1]"))
                .isInstanceOf(IllegalArgumentException.class);

        HttpResponse<String> own = get(runtime, "/api/devphone/messages?x=1");
        assertThat(own.statusCode()).isEqualTo(200);
        assertThat(own.body()).isEqualTo("{\"path\":\"/api/devphone/messages\",\"query\":\"x=1\"}");
        assertThat(own.headers().firstValue("Content-Security-Policy")).isPresent();
        assertThat(get(runtime, "/api/devphonex").statusCode()).isEqualTo(404);
        HttpResponse<String> broken = get(runtime, "/api/broken");
        assertThat(broken.statusCode()).isEqualTo(500);
        assertThat(broken.body()).contains("IllegalStateException").doesNotContain("secret body text");
        assertThat(get(runtime, "/api/overview").body())
                .endsWith("\"extensions\":[\"/api/devphone\",\"/api/broken\"]}");

        // Closing the runtime ends the stream.
        runtime.close();
        assertThat(next(events, line -> false)).isNull();
    }

    @Test
    void pairingsAreListedApprovedAndDeniedThroughTheApi() throws Exception {
        FakeChannel channel = FakeChannel.sms().home(HOME).policy(AccessPolicy.allowOnly(Set.of()));
        AgentRuntime runtime = started(builder(channel).pairing("sms", PairingSettings.defaults()));
        BlockingQueue<String> events = events(runtime);

        text(runtime, PERSON, "let me in");
        assertThat(nextEvent(events, "pairing"))
                .isEqualTo("{\"change\":\"requested\",\"channel\":\"sms\",\"sender\":\"" + PERSON + "\"}");
        HttpResponse<String> pending = get(runtime, "/api/pairings");
        Matcher code = Pattern.compile("\"code\":\"([A-Z0-9]{8})\"").matcher(pending.body());
        assertThat(code.find()).as(pending.body()).isTrue();
        assertThat(pending.body())
                .startsWith("[{\"channel\":\"sms\",\"sender\":\"" + PERSON + "\",\"code\":\"")
                .contains("\"created\":\"", "\"expires\":\"");
        assertThat(get(runtime, "/api/conversations").body()).contains("\"pairing\":\"pending\"");

        assertThat(post(runtime, "/api/pairings/WRONGCOD/approve").statusCode()).isEqualTo(404);
        assertThat(get(runtime, "/api/pairings/" + code.group(1) + "/approve").statusCode())
                .isEqualTo(405);
        HttpResponse<String> approved =
                post(runtime, "/api/pairings/" + code.group(1).toLowerCase() + "/approve");
        assertThat(approved.statusCode()).isEqualTo(200);
        assertThat(approved.body()).isEqualTo("{\"ok\":true,\"sender\":\"" + PERSON + "\"}");
        assertThat(nextEvent(events, "pairing")).contains("\"change\":\"approved\"");
        assertThat(runtime.pairing().approved("sms")).extracting(a -> a.value()).containsExactly(PERSON);
        assertThat(get(runtime, "/api/conversations").body()).contains("\"pairing\":\"approved\"");
        assertThat(post(runtime, "/api/pairings/" + code.group(1) + "/approve").statusCode())
                .isEqualTo(404);

        String other = "+15557654321";
        text(runtime, other, "me too");
        nextEvent(events, "pairing");
        Matcher second = Pattern.compile("\"code\":\"([A-Z0-9]{8})\"")
                .matcher(get(runtime, "/api/pairings").body());
        assertThat(second.find()).isTrue();
        HttpResponse<String> denied = post(runtime, "/api/pairings/" + second.group(1) + "/deny");
        assertThat(denied.statusCode()).isEqualTo(200);
        assertThat(denied.body()).isEqualTo("{\"ok\":true,\"sender\":\"" + other + "\"}");
        assertThat(nextEvent(events, "pairing")).contains("\"change\":\"denied\"");
        assertThat(get(runtime, "/api/pairings").body()).isEqualTo("[]");
    }

    @Test
    void schedulesAreListedWithTheirNextFireTimeAndRecentOutcomes() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2024-05-01T08:00:00Z"));
        ManualScheduler timer = new ManualScheduler(clock);
        BlockingQueue<PushOutcome> outcomes = new LinkedBlockingQueue<>();
        AgentRuntime runtime = started(builder(FakeChannel.sms().home(HOME))
                .clock(clock)
                .scheduler(timer)
                .listener(new RuntimeListener() {
                    @Override
                    public void onPushOutcome(PushOutcome outcome) {
                        outcomes.add(outcome);
                    }
                }));
        runtime.schedule("digest", "0 9 * * *", ZoneOffset.UTC, Optional::empty);
        BlockingQueue<String> events = events(runtime);

        assertThat(get(runtime, "/api/schedules").body())
                .isEqualTo("[{\"name\":\"digest\",\"cron\":\"0 9 * * *\",\"zone\":\"Z\","
                        + "\"nextFire\":\"2024-05-01T09:00:00Z\",\"recent\":[]}]");

        timer.advanceTo(Instant.parse("2024-05-01T09:00:00Z"));
        assertThat(outcomes.poll(10, TimeUnit.SECONDS)).isNotNull();
        assertThat(nextEvent(events, "schedule")).startsWith("{\"name\":\"digest\",\"kind\":\"SKIPPED\",\"reason\":\"");

        assertThat(get(runtime, "/api/schedules").body())
                .startsWith("[{\"name\":\"digest\",\"cron\":\"0 9 * * *\",\"zone\":\"Z\","
                        + "\"nextFire\":\"2024-05-02T09:00:00Z\",\"recent\":[{\"at\":\"2024-05-01T09:00:00Z\","
                        + "\"kind\":\"SKIPPED\",\"reason\":\"");
    }

    @Test
    void theConsoleFilesComeFromTheClasspathAndNothingElseDoes() throws Exception {
        AgentRuntime runtime = started(builder(FakeChannel.sms()));

        HttpResponse<String> probe = get(runtime, "/console/probe.txt");
        assertThat(probe.statusCode()).isEqualTo(200);
        assertThat(probe.headers().firstValue("Content-Type")).contains("text/plain; charset=utf-8");
        assertThat(probe.body()).isEqualTo("probe: served from the classpath\n");
        assertThat(probe.headers().firstValue("X-Content-Type-Options")).contains("nosniff");

        assertThat(get(runtime, "/console/missing.css").statusCode()).isEqualTo(404);
        assertThat(get(runtime, "/console/").statusCode()).isEqualTo(404);
        assertThat(get(runtime, "/console/probe.exe").statusCode()).isEqualTo(404);
        assertThat(get(runtime, "/console/%2e%2e/console/probe.txt").statusCode())
                .isEqualTo(404);
        // Sent as it is, not normalised by a client.
        try (RawHttp raw = new RawHttp(runtime.adminPort())) {
            raw.send("GET /console/../x HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            assertThat(raw.read().status()).isEqualTo(404);
            raw.send("GET /console/../console/probe.txt HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            assertThat(raw.read().status()).isEqualTo(404);
            raw.send("GET /console/..%2fAdminServerTest.class HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            assertThat(raw.read().status()).isEqualTo(404);
        }
        // Without a token, only requests addressed to loopback are answered (no DNS rebinding).
        try (RawHttp raw = new RawHttp(runtime.adminPort())) {
            raw.send("GET /api/overview HTTP/1.1\r\nHost: attacker.example:" + runtime.adminPort() + "\r\n\r\n");
            assertThat(raw.read().status()).isEqualTo(403);
            raw.send("GET /api/overview HTTP/1.1\r\nHost: localhost:" + runtime.adminPort() + "\r\n\r\n");
            assertThat(raw.read().status()).isEqualTo(200);
        }
    }

    @Test
    void readinessTurnsDownWithTheReasonWhenTheStoreIsDown() throws Exception {
        Store store = JdbcStores.open(
                "jdbc:sqlite:" + directory.resolve("switchboard.db"), null, null, StoreSettings.defaults());
        closing.add(store);
        AgentRuntime runtime = started(builder(FakeChannel.sms()).store(store));

        HttpResponse<String> up = get(runtime, "/readyz");
        assertThat(up.statusCode()).isEqualTo(200);
        assertThat(up.body()).contains("\"store\":\"UP\"");

        store.close();

        HttpResponse<String> down = get(runtime, "/readyz");
        assertThat(down.statusCode()).isEqualTo(503);
        assertThat(down.body())
                .startsWith("{\"status\":\"DOWN\",\"reason\":\"the store sqlite:")
                .contains("does not answer")
                .endsWith("\"checks\":{\"listener\":\"UP\",\"store\":\"DOWN\",\"runtime\":\"UP\"}}");
        // Alive all the same.
        assertThat(get(runtime, "/healthz").statusCode()).isEqualTo(200);
    }

    @Test
    void theEventStreamsAreBounded() throws Exception {
        AgentRuntime runtime = started(builder(FakeChannel.sms()));
        List<BlockingQueue<String>> open = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            open.add(events(runtime));
        }
        HttpResponse<String> more = get(runtime, "/api/events");
        assertThat(more.statusCode()).isEqualTo(503);
        assertThat(more.body()).contains("too many event streams");
        runtime.adminEvents().publish("ping", "{\"n\":1}");
        for (BlockingQueue<String> stream : open) {
            assertThat(nextEvent(stream, "ping")).isEqualTo("{\"n\":1}");
        }
    }

    /** An application route that echoes where it was called. */
    static final class AdminServerTestRoutes {
        static WebhookResponse answer(dev.switchboard.channel.WebhookRequest request) {
            return new WebhookResponse(
                    200,
                    "application/json",
                    ("{\"path\":\"" + request.path() + "\",\"query\":\"" + request.rawQuery() + "\"}")
                            .getBytes(StandardCharsets.UTF_8));
        }
    }
}
