package dev.switchboard.runtime;

import static dev.switchboard.runtime.FakeChannel.form;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What a hostile or broken client can send the listener, over raw sockets: each gets a clear
 * status, nothing reaches the agent, no buffer leaks (Netty's detector at PARANOID), and a normal
 * webhook right after is served. The cases about Twilio's form and signature are in the samples,
 * against the real SMS channel.
 */
class WebhookHostileInputTest {

    @RegisterExtension
    static final NettyLeakCheck leaks = new NettyLeakCheck();

    private static final String PATH = "/webhooks/test";
    private static final String FORM = "application/x-www-form-urlencoded";
    private static final String ALICE = "+15551230001";
    private static final String SELF = "+15550000000";
    private static final int LIMIT = 64 * 1024;

    private final FakeChannel channel = FakeChannel.sms();
    private final BlockingQueue<String> turns = new LinkedBlockingQueue<>();
    private final AtomicInteger healthy = new AtomicInteger();
    private final List<RawHttp> connections = new ArrayList<>();
    private AgentRuntime runtime;

    @BeforeEach
    void start() {
        runtime = AgentRuntime.builder()
                .channel(channel)
                .webhookServer("127.0.0.1", 0)
                .readTimeout(Duration.ofMillis(200))
                .inboundLimit(0)
                .agent(turn -> {
                    turns.add(turn.message().id());
                    return Optional.empty();
                })
                .build()
                .start();
    }

    @AfterEach
    void stop() throws IOException {
        for (RawHttp connection : connections) {
            connection.close();
        }
        runtime.close();
    }

    private RawHttp connect() throws IOException {
        RawHttp connection = new RawHttp(runtime.port());
        connections.add(connection);
        return connection;
    }

    private static String post(String path, String contentType, String signature, String body) {
        return "POST " + path + " HTTP/1.1\r\n"
                + "Host: localhost\r\n"
                + (contentType == null ? "" : "Content-Type: " + contentType + "\r\n")
                + (signature == null ? "" : "X-Test-Signature: " + signature + "\r\n")
                + "Content-Length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\n"
                + "\r\n"
                + body;
    }

    private static String message(String sid) {
        return post(PATH, FORM, "ok", form(sid, ALICE, SELF, "hi"));
    }

    /** Nothing reached the agent so far; a normal webhook on a new connection is served and does. */
    private void assertNothingReachedTheAgentAndStillServes() throws Exception {
        assertThat(turns).as("turns before the normal webhook").isEmpty();
        String sid = "SMhealthy" + healthy.incrementAndGet();
        try (RawHttp connection = new RawHttp(runtime.port())) {
            RawHttp.Response response = connection.send(message(sid)).read();
            assertThat(response.status()).isEqualTo(200);
        }
        assertThat(turns.poll(10, TimeUnit.SECONDS)).isEqualTo(sid);
    }

    @Test
    void readsABodyOfExactly64KiBAndRefusesOneByteMoreWith413() throws Exception {
        String message = form("SMbig", ALICE, SELF, "hi") + "&Padding=";
        String exact = message + "x".repeat(LIMIT - message.length());
        String over = exact + "x";

        RawHttp.Response tooLarge = connect().send(post(PATH, FORM, "ok", over)).read();
        assertThat(tooLarge.status()).isEqualTo(413);
        assertThat(channel.handled()).isZero();
        assertNothingReachedTheAgentAndStillServes();

        assertThat(connect().send(post(PATH, FORM, "ok", exact)).read().status())
                .isEqualTo(200);
        assertThat(turns.poll(10, TimeUnit.SECONDS)).isEqualTo("SMbig");
    }

    @Test
    void refusesAMissingOrWrongContentTypeWith415() throws Exception {
        String body = form("SM1", ALICE, SELF, "hi");
        RawHttp connection = connect()
                .send(post(PATH, null, "ok", body)
                        + post(PATH, "text/plain", "ok", body)
                        + post(PATH, "application/json", "ok", "{\"MessageSid\":\"SM1\"}")
                        + post(PATH, "multipart/form-data; boundary=x", "ok", body));

        for (int i = 0; i < 4; i++) {
            RawHttp.Response response = connection.read();
            assertThat(response.status()).isEqualTo(415);
            assertThat(response.body()).contains(FORM);
        }
        assertThat(channel.handled()).isZero();
        assertNothingReachedTheAgentAndStillServes();
    }

    @Test
    void refusesAMissingEmptyOrWrongSignatureWithTheChannels403() throws Exception {
        String body = form("SM1", ALICE, SELF, "hi");
        RawHttp connection = connect()
                .send(post(PATH, FORM, null, body)
                        + post(PATH, FORM, "", body)
                        + post(PATH, FORM, "x".repeat(4000), body));

        for (int i = 0; i < 3; i++) {
            assertThat(connection.read().status()).isEqualTo(403);
        }
        assertNothingReachedTheAgentAndStillServes();
    }

    @Test
    void refusesHeadersTooLargeWith431AndCloses() throws Exception {
        RawHttp huge = connect().send(post(PATH, FORM, "x".repeat(20_000), form("SM1", ALICE, SELF, "hi")));
        assertThat(huge.read().status()).isEqualTo(431);
        assertThat(huge.closedByServer()).isTrue();

        StringBuilder many = new StringBuilder("POST " + PATH + " HTTP/1.1\r\nHost: localhost\r\n");
        for (int i = 0; i < 500; i++) {
            many.append("X-Filler-")
                    .append(i)
                    .append(": ")
                    .append("y".repeat(30))
                    .append("\r\n");
        }
        RawHttp crowded = connect().send(many + "Content-Length: 0\r\n\r\n");
        assertThat(crowded.read().status()).isEqualTo(431);
        assertThat(crowded.closedByServer()).isTrue();

        assertThat(channel.handled()).isZero();
        assertNothingReachedTheAgentAndStillServes();
    }

    @Test
    void refusesAHugeUrlWith414AndCloses() throws Exception {
        RawHttp connection = connect()
                .send("POST " + PATH + "?q=" + "a".repeat(10_000) + " HTTP/1.1\r\nHost: localhost\r\n"
                        + "Content-Length: 0\r\n\r\n");

        assertThat(connection.read().status()).isEqualTo(414);
        assertThat(connection.closedByServer()).isTrue();
        assertNothingReachedTheAgentAndStillServes();
    }

    @Test
    void refusesAMalformedRequestWith400AndCloses() throws Exception {
        RawHttp garbage = connect().send("\u0001\u0002 nonsense\r\n\r\n");
        assertThat(garbage.read().status()).isEqualTo(400);
        assertThat(garbage.closedByServer()).isTrue();

        RawHttp badLength = connect()
                .send("POST " + PATH + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: " + FORM
                        + "\r\nContent-Length: twelve\r\n\r\n");
        assertThat(badLength.read().status()).isEqualTo(400);
        assertThat(badLength.closedByServer()).isTrue();

        assertThat(channel.handled()).isZero();
        assertNothingReachedTheAgentAndStillServes();
    }

    @Test
    void answersAPathNoChannelOwnsWith404AndAWrongMethodWith405() throws Exception {
        RawHttp connection = connect()
                .send(post("/webhooks/nobody", FORM, "ok", form("SM1", ALICE, SELF, "hi")) + "GET " + PATH
                        + " HTTP/1.1\r\nHost: localhost\r\n\r\n");

        assertThat(connection.read().status()).isEqualTo(404);
        RawHttp.Response wrongMethod = connection.read();
        assertThat(wrongMethod.status()).isEqualTo(405);
        assertThat(wrongMethod.header("allow")).isEqualTo("POST");
        assertThat(channel.handled()).isZero();
        assertNothingReachedTheAgentAndStillServes();
    }

    @Test
    void answersAnHttp10RequestWithoutKeepAliveAndCloses() throws Exception {
        RawHttp connection = connect()
                .send(post(PATH, FORM, "forged", form("SM1", ALICE, SELF, "hi")).replace("HTTP/1.1", "HTTP/1.0"));

        RawHttp.Response response = connection.read();
        assertThat(response.status()).isEqualTo(403);
        assertThat(response.header("connection")).isEqualToIgnoringCase("close");
        assertThat(connection.closedByServer()).isTrue();
        assertNothingReachedTheAgentAndStillServes();
    }

    @Test
    void answersPipelinedRequestsInOrderOnOneConnection() throws Exception {
        RawHttp connection = connect()
                .send(post("/nope", FORM, "ok", "")
                        + post(PATH, FORM, "forged", form("SM1", ALICE, SELF, "hi"))
                        + post(PATH, "text/plain", "ok", "x")
                        + post(PATH, FORM, "ok", "From=%2B15551230001"));

        List<Integer> statuses = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            statuses.add(connection.read().status());
        }
        assertThat(statuses).containsExactly(404, 403, 415, 400);
        assertNothingReachedTheAgentAndStillServes();

        // And the same connection goes on serving.
        assertThat(connection.send(message("SMsame")).read().status()).isEqualTo(200);
        assertThat(turns.poll(10, TimeUnit.SECONDS)).isEqualTo("SMsame");
    }

    @Test
    void closesAConnectionThatSendsHeadersThenNothingAfterTheReadTimeout() throws Exception {
        RawHttp connection = connect()
                .send("POST " + PATH + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: " + FORM
                        + "\r\nX-Test-Signature: ok\r\nContent-Length: 100\r\n\r\nMessageSid=SM1");

        assertThat(connection.closedByServer()).isTrue();
        assertThat(channel.handled()).isZero();
        assertNothingReachedTheAgentAndStillServes();
    }

    @Test
    void servesOthersWhileHundredsOfConnectionsSitIdleAndClosesThem() throws Exception {
        List<RawHttp> idle = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            idle.add(connect());
        }
        // Half of them start a request and stop.
        for (int i = 0; i < idle.size(); i += 2) {
            idle.get(i).send("POST " + PATH + " HTTP/1.1\r\nHost: localhost\r\n");
        }

        assertNothingReachedTheAgentAndStillServes();
        for (RawHttp connection : idle) {
            assertThat(connection.closedByServer()).isTrue();
        }
        assertThat(channel.handled()).isOne();
    }
}
