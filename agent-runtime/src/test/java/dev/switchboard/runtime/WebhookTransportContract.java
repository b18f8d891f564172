package dev.switchboard.runtime;

import static dev.switchboard.runtime.FakeChannel.form;
import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.channel.Address;
import dev.switchboard.channel.ConversationKey;
import dev.switchboard.runtime.store.DurableTestStore;
import dev.switchboard.runtime.store.JdbcStores;
import dev.switchboard.runtime.store.Store;
import dev.switchboard.runtime.store.StoreSettings;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The signed-webhook cases every way of serving the runtime's webhooks passes: the built-in Netty
 * listener and the servlet adapter in a real container, each over real sockets on 127.0.0.1. A
 * transport says how it serves a runtime; the cases are the same.
 */
public abstract class WebhookTransportContract {

    protected static final String PATH = "/webhooks/test";
    private static final String FORM = "application/x-www-form-urlencoded";
    private static final String ALICE = "+15551230001";
    private static final String BOB = "+15551230002";
    private static final String SELF = "+15550000000";
    /** Below the default, to show that the transport takes the runtime's setting. */
    protected static final int LIMIT = 8 * 1024;

    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .build();
    private final FakeChannel channel = FakeChannel.sms();
    private final RecordingListener listener = new RecordingListener();
    private final BlockingQueue<String> turns = new LinkedBlockingQueue<>();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final AtomicLong nanos = new AtomicLong();
    private final List<AutoCloseable> toClose = new ArrayList<>();
    private AgentRuntime runtime;

    @TempDir
    Path directory;

    /**
     * Builds and starts the runtime {@code builder} describes, served by this transport, and returns
     * it; the transport keeps serving it until {@link #stopServing()}.
     */
    protected abstract AgentRuntime serve(AgentRuntimeBuilder builder) throws Exception;

    /** The port the webhooks are served on. */
    protected abstract int port();

    /** What goes before a channel's path in a request's URI (a servlet context's path, say). */
    protected abstract String prefix();

    /** Stops serving, before the runtime is closed. */
    protected abstract void stopServing() throws Exception;

    @AfterEach
    void closeEverything() throws Exception {
        stopServing();
        if (runtime != null) {
            runtime.close();
        }
        for (AutoCloseable closeable : toClose) {
            closeable.close();
        }
    }

    /** Starts a runtime with the fake channel, a recording agent and the options, served by the transport. */
    protected final AgentRuntime start(Consumer<AgentRuntimeBuilder> options) throws Exception {
        AgentRuntimeBuilder builder = AgentRuntime.builder()
                .channel(channel)
                .listener(listener)
                .meterRegistry(registry)
                .maxBodyBytes(LIMIT)
                .ticker(nanos::get)
                .storePollInterval(Duration.ofMillis(100))
                .agent(turn -> {
                    turn.messages().forEach(message -> turns.add(message.text()));
                    return Optional.of("re: " + turn.text());
                });
        options.accept(builder);
        runtime = serve(builder);
        return runtime;
    }

    protected final AgentRuntime start() throws Exception {
        return start(builder -> {});
    }

    protected final HttpResponse<String> post(String path, String contentType, String signature, String body)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port() + prefix() + path))
                .timeout(Duration.ofSeconds(20))
                .header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (signature != null) {
            request.header("X-Test-Signature", signature);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    protected final HttpResponse<String> message(String sid, String from, String text) throws Exception {
        return post(PATH, FORM, "ok", form(sid, from, SELF, text));
    }

    protected final int status(String sid, String text) {
        try {
            return message(sid, ALICE, text).statusCode();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    protected final String nextTurn() throws InterruptedException {
        String text = turns.poll(10, TimeUnit.SECONDS);
        assertThat(text).as("a turn within 10 s").isNotNull();
        return text;
    }

    protected final FakeChannel channel() {
        return channel;
    }

    protected final double webhooks(String channelId, String outcome) {
        return registry.get("switchboard.webhooks")
                .tag("channel", channelId)
                .tag("outcome", outcome)
                .counter()
                .count();
    }

    protected final Store sqlite() {
        Store store = JdbcStores.open(
                "jdbc:sqlite:" + directory.resolve("switchboard.db"), null, null, StoreSettings.defaults());
        toClose.add(store::close);
        return store;
    }

    @Test
    void acknowledgesASignedMessageAndTheAgentAnswersAfterwards() throws Exception {
        start();

        HttpResponse<String> response = message("SM1", ALICE, "hello");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("<Response/>");
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/xml");
        assertThat(nextTurn()).isEqualTo("hello");
        listener.next(RecordingListener.ReplySent.class);
        assertThat(channel.sentTexts()).containsExactly("re: hello");
        assertThat(webhooks("sms", "accepted")).isEqualTo(1);
    }

    @Test
    void refusesAMissingOrForgedSignatureWithTheChannels403AndCallsNoAgent() throws Exception {
        start();

        assertThat(post(PATH, FORM, null, form("SM1", ALICE, SELF, "unsigned")).statusCode())
                .isEqualTo(403);
        assertThat(post(PATH, FORM, "forged", form("SM2", ALICE, SELF, "forged"))
                        .statusCode())
                .isEqualTo(403);
        assertThat(message("SM3", ALICE, "genuine").statusCode()).isEqualTo(200);

        // One conversation's turns run in arrival order: a forged one that got through would come first.
        assertThat(nextTurn()).isEqualTo("genuine");
        assertThat(listener.next(RecordingListener.Rejected.class).response().status())
                .isEqualTo(403);
        assertThat(webhooks("sms", "forbidden")).isEqualTo(2);
    }

    @Test
    void answersAWrongMethodWith405AndAllow() throws Exception {
        start();

        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port() + prefix() + PATH))
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(405);
        assertThat(response.headers().firstValue("Allow")).hasValue("POST");
        assertThat(channel.handled()).isZero();
    }

    @Test
    void answersAWrongOrMissingContentTypeWith415() throws Exception {
        start();

        HttpResponse<String> json = post(PATH, "application/json", "ok", "{\"MessageSid\":\"SM1\"}");
        RawHttp.Response none;
        try (RawHttp raw = new RawHttp(port())) {
            none = raw.send("POST " + prefix() + PATH + " HTTP/1.1\r\nHost: localhost\r\nX-Test-Signature: ok\r\n"
                            + "Content-Length: 3\r\n\r\nx=y")
                    .read();
        }

        assertThat(json.statusCode()).isEqualTo(415);
        assertThat(json.body()).contains(FORM);
        assertThat(none.status()).isEqualTo(415);
        assertThat(channel.handled()).isZero();
    }

    @Test
    void answersAPathNoChannelOwnsWith404() throws Exception {
        start();

        assertThat(post("/webhooks/nobody", FORM, "ok", form("SM1", ALICE, SELF, "hi"))
                        .statusCode())
                .isEqualTo(404);
        assertThat(channel.handled()).isZero();
    }

    @Test
    void answersABodyOneByteOverTheLimitWith413UnreadAndOneAtTheLimitNormally() throws Exception {
        start();
        String prefix = form("SMbig", ALICE, SELF, "big") + "&Padding=";
        String atLimit = prefix + "x".repeat(LIMIT - prefix.length());

        HttpResponse<String> over = post(PATH, FORM, "ok", atLimit + "x");
        HttpResponse<String> at = post(PATH, FORM, "ok", atLimit);

        assertThat(over.statusCode()).isEqualTo(413);
        assertThat(at.statusCode()).isEqualTo(200);
        assertThat(channel.handled()).isEqualTo(1);
        assertThat(nextTurn()).isEqualTo("big");
        assertThat(webhooks("none", "malformed")).isEqualTo(1);
    }

    @Test
    void refusesAChunkedBodyOverTheLimitWith413AndClosesTheConnection() throws Exception {
        start();
        try (RawHttp connection = new RawHttp(port())) {
            connection.send("POST " + prefix() + PATH + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: " + FORM
                    + "\r\nX-Test-Signature: ok\r\nTransfer-Encoding: chunked\r\n\r\n");
            String chunk = "x".repeat(LIMIT / 4);
            for (int i = 0; i < 4; i++) {
                connection.send(Integer.toHexString(chunk.length()) + "\r\n" + chunk + "\r\n");
            }
            connection.send("1\r\nx\r\n0\r\n\r\n");

            assertThat(connection.read().status()).isEqualTo(413);
            assertThat(connection.closedByServer()).isTrue();
        }
        assertThat(channel.handled()).isZero();
        assertThat(webhooks("none", "malformed")).isEqualTo(1);

        assertThat(message("SMafter", ALICE, "after").statusCode()).isEqualTo(200);
        assertThat(nextTurn()).isEqualTo("after");
    }

    @Test
    void answers429OverTheSendersInboundLimitAndCallsNoAgent() throws Exception {
        start(builder -> builder.inboundLimit(2, 2));

        assertThat(message("SM1", ALICE, "one").statusCode()).isEqualTo(200);
        assertThat(message("SM2", ALICE, "two").statusCode()).isEqualTo(200);
        HttpResponse<String> third = message("SM3", ALICE, "three");
        assertThat(message("SM4", BOB, "bob").statusCode()).isEqualTo(200);

        assertThat(third.statusCode()).isEqualTo(429);
        assertThat(listener.next(RecordingListener.Dropped.class).reason()).isEqualTo(DropReason.RATE_LIMITED);
        assertThat(webhooks("sms", "limited")).isEqualTo(1);
        // The limit refills with time; the provider's retry of the refused message goes through.
        nanos.addAndGet(TimeUnit.MINUTES.toNanos(1));
        assertThat(message("SM3", ALICE, "three").statusCode()).isEqualTo(200);
    }

    @Test
    void answersADuplicateAsTheFirstAndCallsTheAgentOnce() throws Exception {
        start();

        HttpResponse<String> first = message("SM1", ALICE, "one");
        HttpResponse<String> again = message("SM1", ALICE, "one");
        message("SM2", ALICE, "two");

        assertThat(again.statusCode()).isEqualTo(first.statusCode()).isEqualTo(200);
        assertThat(again.body()).isEqualTo(first.body());
        assertThat(listener.next(RecordingListener.Dropped.class).reason()).isEqualTo(DropReason.DUPLICATE);
        assertThat(nextTurn()).isEqualTo("one");
        assertThat(nextTurn()).isEqualTo("two");
    }

    @Test
    void answersOnceTheMessageIsCommittedToASqliteStore() throws Exception {
        start(builder -> builder.store(sqlite()));

        assertThat(message("SM1", ALICE, "durable").statusCode()).isEqualTo(200);
        assertThat(message("SM1", ALICE, "durable").statusCode())
                .as("a redelivery")
                .isEqualTo(200);

        assertThat(nextTurn()).isEqualTo("durable");
        listener.next(RecordingListener.ReplySent.class);
        assertThat(channel.sentTexts()).containsExactly("re: durable");
        assertThat(runtime.store().history(new ConversationKey("sms", Address.of(ALICE)), 10))
                .isNotEmpty();
    }

    @Test
    void holdsTheAnswerUntilTheCommitThenAnswers200() throws Exception {
        DurableTestStore database = DurableTestStore.create();
        start(builder -> builder.store(database));
        database.holdAccepts();

        CompletableFuture<Integer> answer = CompletableFuture.supplyAsync(() -> status("SM1", "held"));
        assertThat(database.awaitHeldAccept()).isTrue();
        // The commit has not happened: no answer can have been written.
        assertThat(answer).isNotDone();
        database.releaseAccepts();

        assertThat(answer.get(15, TimeUnit.SECONDS)).isEqualTo(200);
        assertThat(nextTurn()).isEqualTo("held");
    }

    @Test
    void answers503WhileTheStoreCannotCommitAndTheRetryGoesThrough() throws Exception {
        DurableTestStore database = DurableTestStore.create();
        start(builder -> builder.store(database));

        database.down(true);
        assertThat(status("SM1", "hello")).isEqualTo(503);
        assertThat(turns).isEmpty();
        assertThat(webhooks("sms", "unavailable")).isEqualTo(1);

        database.down(false);
        assertThat(status("SM1", "hello")).isEqualTo(200);
        assertThat(nextTurn()).isEqualTo("hello");
    }
}
