package dev.switchboard.runtime.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.switchboard.channel.Channel;
import dev.switchboard.channel.DeliveryReceipt;
import dev.switchboard.channel.InboundMessage;
import dev.switchboard.channel.WebhookRequest;
import dev.switchboard.channel.WebhookResponse;
import dev.switchboard.runtime.DropReason;
import dev.switchboard.runtime.FakeChannel;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The listener's pipeline on an {@link EmbeddedChannel}, with the real ingress and a fake channel. */
class WebhookPipelineTest {

    private static final int LIMIT = 64 * 1024;
    private static final String FORM = "application/x-www-form-urlencoded";

    private final FakeChannel channel = FakeChannel.sms();
    private final List<String> events = new CopyOnWriteArrayList<>();
    private final List<Integer> passes = new ArrayList<>();
    private EmbeddedChannel embedded;

    record Response(int status, Map<String, String> headers, String body) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    private final class RecordingSink implements WebhookIngress.Sink {
        @Override
        public Runnable inbound(Channel from, InboundMessage message) {
            events.add("registered " + message.id());
            return () -> events.add("released " + message.id()
                    + (embedded.outboundMessages().isEmpty() ? " before" : " after") + " the answer");
        }

        @Override
        public void dropped(InboundMessage message, DropReason reason) {
            events.add("dropped " + message.id() + " " + reason);
        }

        @Override
        public void receipt(DeliveryReceipt receipt) {
            events.add("receipt " + receipt.messageId());
        }

        @Override
        public void rejected(WebhookRequest request, WebhookResponse response) {
            events.add("rejected " + response.status());
        }
    }

    @BeforeEach
    void setUp() {
        WebhookIngress ingress = new WebhookIngress(
                RouteTable.of(List.of(channel)),
                new MessageDedupe(1000, Duration.ofHours(1), Ticker.systemTicker()),
                new RecordingSink());
        embedded = new EmbeddedChannel(new WebhookChannelInitializer(
                LIMIT,
                Duration.ofSeconds(10),
                ingress::exchange,
                actions -> {
                    passes.add(actions.size());
                    actions.forEach(Runnable::run);
                },
                RuntimeMetrics.NONE));
    }

    @AfterEach
    void tearDown() {
        embedded.finishAndReleaseAll();
    }

    private void send(String raw) {
        embedded.writeInbound(Unpooled.copiedBuffer(raw, StandardCharsets.ISO_8859_1));
    }

    private static String post(String path, String contentType, String signature, String body) {
        return "POST " + path + " HTTP/1.1\r\n"
                + "Host: localhost\r\n"
                + "Content-Type: " + contentType + "\r\n"
                + "X-Test-Signature: " + signature + "\r\n"
                + "Content-Length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\n"
                + "\r\n"
                + body;
    }

    private static String message(String sid, String from) {
        return post("/webhooks/test", FORM, "ok", FakeChannel.form(sid, from, "+15550000000", "hi"));
    }

    /** Decodes every response the server wrote so far. */
    private List<Response> responses() {
        EmbeddedChannel client = new EmbeddedChannel(new HttpResponseDecoder(), new HttpObjectAggregator(1 << 20));
        for (ByteBuf written; (written = embedded.readOutbound()) != null; ) {
            client.writeInbound(written);
        }
        List<Response> responses = new ArrayList<>();
        for (FullHttpResponse response; (response = client.readInbound()) != null; ) {
            Map<String, String> headers = new TreeMap<>();
            response.headers().forEach(h -> headers.put(h.getKey().toLowerCase(Locale.ROOT), h.getValue()));
            responses.add(new Response(
                    response.status().code(), headers, response.content().toString(StandardCharsets.UTF_8)));
            response.release();
        }
        client.finishAndReleaseAll();
        return responses;
    }

    private Response onlyResponse() {
        List<Response> responses = responses();
        assertThat(responses).hasSize(1);
        return responses.get(0);
    }

    @Test
    void answersAnUnknownPathWith404() {
        send(post("/nope", FORM, "ok", ""));

        Response response = onlyResponse();
        assertThat(response.status()).isEqualTo(404);
        assertThat(response.header("content-length"))
                .isEqualTo(String.valueOf(response.body().length()));
        assertThat(channel.handled()).isZero();
        assertThat(embedded.isOpen()).isTrue();
    }

    @Test
    void answersAWrongMethodWith405AndAllow() {
        send("GET /webhooks/test HTTP/1.1\r\nHost: localhost\r\n\r\n");

        Response response = onlyResponse();
        assertThat(response.status()).isEqualTo(405);
        assertThat(response.header("allow")).isEqualTo("POST");
        assertThat(channel.handled()).isZero();
    }

    @Test
    void answersAWrongMediaTypeWith415() {
        send(post("/webhooks/test", "text/plain", "ok", "MessageSid=SM1"));

        assertThat(onlyResponse().status()).isEqualTo(415);
        assertThat(channel.handled()).isZero();
    }

    @Test
    void acceptsAMediaTypeWithParameters() {
        send(post("/webhooks/test", FORM + "; charset=UTF-8", "ok", FakeChannel.form("SM1", "+15551230001", "+1", "")));

        assertThat(onlyResponse().status()).isEqualTo(200);
    }

    @Test
    void answersAMalformedRequestWith400AndCloses() {
        send("POST /webhooks/test HTTP/1.1\r\nHost: localhost\r\nContent-Length: nope\r\n\r\n");

        assertThat(onlyResponse().status()).isEqualTo(400);
        assertThat(channel.handled()).isZero();
        assertThat(embedded.isOpen()).isFalse();
    }

    @Test
    void answersABodyOneByteOverTheLimitWith413() {
        send(post("/webhooks/test", FORM, "ok", "x".repeat(LIMIT + 1)));

        Response response = onlyResponse();
        assertThat(response.status()).isEqualTo(413);
        assertThat(response.header("content-length")).isEqualTo("0");
        assertThat(channel.handled()).isZero();
    }

    @Test
    void acceptsABodyAtTheLimit() {
        String prefix = FakeChannel.form("SM1", "+15551230001", "+1", "");
        send(post("/webhooks/test", FORM, "ok", prefix + "x".repeat(LIMIT - prefix.length())));

        assertThat(onlyResponse().status()).isEqualTo(200);
        assertThat(channel.handled()).isEqualTo(1);
    }

    @Test
    void answersAChunkedBodyOverTheLimitWith413AndCloses() {
        send("POST /webhooks/test HTTP/1.1\r\nHost: localhost\r\nContent-Type: " + FORM
                + "\r\nTransfer-Encoding: chunked\r\n\r\n");
        String chunk = "x".repeat(LIMIT / 2);
        String hex = Integer.toHexString(chunk.length());
        send(hex + "\r\n" + chunk + "\r\n");
        send(hex + "\r\n" + chunk + "\r\n");
        send("1\r\nx\r\n0\r\n\r\n");

        assertThat(onlyResponse().status()).isEqualTo(413);
        assertThat(embedded.isOpen()).isFalse();
        assertThat(channel.handled()).isZero();
    }

    @Test
    void refusesAnAnnouncedOversizedBodyBeforeItIsSent() {
        send("POST /webhooks/test HTTP/1.1\r\nHost: localhost\r\nContent-Type: " + FORM
                + "\r\nExpect: 100-continue\r\nContent-Length: " + (LIMIT + 1) + "\r\n\r\n");

        assertThat(onlyResponse().status()).isEqualTo(413);
        assertThat(channel.handled()).isZero();
    }

    @Test
    void continuesAnAnnouncedBodyWithinTheLimit() {
        String body = FakeChannel.form("SM1", "+15551230001", "+1", "hi");
        send("POST /webhooks/test HTTP/1.1\r\nHost: localhost\r\nContent-Type: " + FORM
                + "\r\nX-Test-Signature: ok\r\nExpect: 100-continue\r\nContent-Length: " + body.length() + "\r\n\r\n");
        ByteBuf interim = embedded.readOutbound();
        String interimText = interim.toString(StandardCharsets.ISO_8859_1);
        interim.release();
        send(body);

        assertThat(interimText).startsWith("HTTP/1.1 100 Continue");
        assertThat(onlyResponse().status()).isEqualTo(200);
    }

    @Test
    void keepsAnHttp11ConnectionOpen() {
        send(message("SM1", "+15551230001"));

        Response response = onlyResponse();
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("<Response/>");
        assertThat(response.header("content-type")).isEqualTo("application/xml");
        assertThat(response.header("content-length")).isEqualTo("11");
        assertThat(embedded.isOpen()).isTrue();
    }

    @Test
    void closesAnHttp11ConnectionThatAsksForIt() {
        send(message("SM1", "+15551230001").replace("Host: localhost\r\n", "Host: localhost\r\nConnection: close\r\n"));

        assertThat(onlyResponse().header("connection")).isEqualTo("close");
        assertThat(embedded.isOpen()).isFalse();
    }

    @Test
    void closesAnHttp10Connection() {
        send(message("SM1", "+15551230001").replace("HTTP/1.1", "HTTP/1.0"));

        assertThat(onlyResponse().status()).isEqualTo(200);
        assertThat(embedded.isOpen()).isFalse();
    }

    @Test
    void keepsAnHttp10ConnectionThatAsksForIt() {
        send(message("SM1", "+15551230001")
                .replace("HTTP/1.1", "HTTP/1.0")
                .replace("Host: localhost\r\n", "Host: localhost\r\nConnection: keep-alive\r\n"));

        assertThat(onlyResponse().header("connection")).isEqualToIgnoringCase("keep-alive");
        assertThat(embedded.isOpen()).isTrue();
    }

    @Test
    void answersPipelinedRequestsInOrder() {
        send(post("/nope", FORM, "ok", "")
                + message("SM1", "+15551230001")
                + post("/webhooks/test", FORM, "bad", "")
                + message("SM2", "+15551230001"));

        assertThat(responses()).extracting(Response::status).containsExactly(404, 200, 403, 200);
        // Each takes its place as it is read; what follows the answers runs after the pass, in order.
        assertThat(events)
                .containsExactly(
                        "registered SM1",
                        "registered SM2",
                        "released SM1 after the answer",
                        "rejected 403",
                        "released SM2 after the answer");
    }

    @Test
    void handsOnWhatAPassAnsweredInOneGroup() {
        send(message("SM1", "+15551230001") + message("SM2", "+15551230002") + message("SM3", "+15551230003"));
        send(message("SM4", "+15551230004"));

        assertThat(responses()).extracting(Response::status).containsExactly(200, 200, 200, 200);
        // One group a pass, so that the runtime may wake one thread for all three.
        assertThat(passes).containsExactly(3, 1);
    }

    @Test
    void releasesAnInboundMessageOnlyAfterItsAnswerIsWritten() {
        send(message("SM1", "+15551230001"));

        assertThat(events).containsExactly("registered SM1", "released SM1 after the answer");
        assertThat(onlyResponse().status()).isEqualTo(200);
    }

    @Test
    void answersADuplicateLikeTheFirstAndGoesNoFurther() {
        send(message("SM1", "+15551230001"));
        send(message("SM1", "+15551230001"));

        List<Response> responses = responses();
        assertThat(responses).hasSize(2);
        assertThat(responses.get(1)).isEqualTo(responses.get(0));
        assertThat(events).containsExactly("registered SM1", "released SM1 after the answer", "dropped SM1 DUPLICATE");
    }

    @Test
    void acknowledgesAndDropsAnEcho() {
        send(message("SM1", "+15550000000"));

        assertThat(onlyResponse().status()).isEqualTo(200);
        assertThat(events).containsExactly("dropped SM1 ECHO");
    }

    @Test
    void doesNotRememberARejectedMessageId() {
        send(post("/webhooks/test", FORM, "forged", FakeChannel.form("SM1", "+15551230001", "+1", "")));
        send(message("SM1", "+15551230001"));

        assertThat(responses()).extracting(Response::status).containsExactly(403, 200);
        assertThat(events).contains("registered SM1");
    }

    @Test
    void handsOnAReceiptAfterTheAnswer() {
        send(post("/webhooks/test", FORM, "ok", "MessageSid=SM7&MessageStatus=sent&To=%2B15551230001"));

        assertThat(onlyResponse().status()).isEqualTo(200);
        assertThat(events).containsExactly("receipt SM7");
    }

    @Test
    void answers500WhenTheChannelsHandlerThrows() {
        send(post("/webhooks/test", FORM, "throw", ""));

        assertThat(onlyResponse().status()).isEqualTo(500);
        assertThat(embedded.isOpen()).isTrue();
    }

    @Test
    void answers500AndClosesOnAnUnexpectedError() {
        embedded.pipeline().fireExceptionCaught(new IllegalStateException("unexpected"));

        assertThat(onlyResponse().status()).isEqualTo(500);
        assertThat(embedded.isOpen()).isFalse();
    }

    @Test
    void closesAConnectionThatSendsHeadersThenNothing() {
        send("POST /webhooks/test HTTP/1.1\r\nHost: localhost\r\nContent-Type: " + FORM
                + "\r\nContent-Length: 10\r\n\r\n");

        embedded.advanceTimeBy(9, TimeUnit.SECONDS);
        embedded.runScheduledPendingTasks();
        assertThat(embedded.isOpen()).isTrue();
        embedded.advanceTimeBy(2, TimeUnit.SECONDS);
        embedded.runScheduledPendingTasks();

        assertThat(embedded.isOpen()).isFalse();
        assertThat(responses()).isEmpty();
        assertThat(channel.handled()).isZero();
    }

    @Test
    void splitsTheRequestTarget() {
        assertThat(WebhookHttpHandler.splitTarget("/a/b?x=1&y=%20")).containsExactly("/a/b", "x=1&y=%20");
        assertThat(WebhookHttpHandler.splitTarget("/a")).containsExactly("/a", "");
        assertThat(WebhookHttpHandler.splitTarget("/a?")).containsExactly("/a", "");
        assertThat(WebhookHttpHandler.splitTarget("http://example.com/a?q")).containsExactly("/a", "q");
        assertThat(WebhookHttpHandler.splitTarget("http://example.com")).containsExactly("/", "");
        assertThat(WebhookHttpHandler.splitTarget("*")).isNull();
    }
}
