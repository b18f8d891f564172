package dev.switchboard.samples.jsonchannel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A provider that speaks the JSON channel's wire format, on 127.0.0.1 port 0: it checks each send's
 * signature (answering 401 {@code bad_signature} when wrong), records it, and answers from a script,
 * by default 201 with a new id.
 */
final class FakeJsonProvider implements AutoCloseable {

    /** A send as the provider received it. */
    record Received(String from, String to, String text, boolean signedRight, String contentType) {}

    /** A scripted answer. */
    record Answer(int status, Map<String, String> headers, String body, CountDownLatch holdUntil) {

        static Answer json(int status, String body) {
            return new Answer(status, Map.of("Content-Type", "application/json"), body, null);
        }

        static Answer error(int status, String code) {
            return json(status, "{\"code\":\"" + code + "\",\"message\":\"refused\"}");
        }

        Answer withHeader(String name, String value) {
            Map<String, String> more = new HashMap<>(headers);
            more.put(name, value);
            return new Answer(status, more, body, holdUntil);
        }

        /** This answer, sent only once {@code latch} opens (or after 30 s). */
        Answer heldUntil(CountDownLatch latch) {
            return new Answer(status, headers, body, latch);
        }
    }

    static final String PATH = "/v1/messages";

    private final ObjectMapper json = new ObjectMapper();
    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final BlockingQueue<Received> arrivals = new LinkedBlockingQueue<>();
    private final BlockingQueue<Answer> script = new LinkedBlockingQueue<>();
    private final AtomicInteger ids = new AtomicInteger();

    private FakeJsonProvider() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(executor);
        server.createContext(PATH, this::handle);
        server.start();
    }

    static FakeJsonProvider start() throws IOException {
        return new FakeJsonProvider();
    }

    /** Where the channel posts its sends. */
    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + PATH;
    }

    /** A new message id, as the provider gives them. */
    String newId() {
        return "msg-" + ids.incrementAndGet();
    }

    /** Scripts the answers to the next sends, in order. */
    FakeJsonProvider answer(Answer... answers) {
        script.addAll(List.of(answers));
        return this;
    }

    /** Scripts acceptance of the next send, and returns the id it will get. */
    String acceptNext() {
        String id = newId();
        answer(Answer.json(201, "{\"id\":\"" + id + "\",\"status\":\"queued\"}"));
        return id;
    }

    List<Received> received() {
        return List.copyOf(received);
    }

    /** Waits up to 10 seconds for the next send to arrive. */
    Received nextArrival() throws InterruptedException {
        Received next = arrivals.poll(10, TimeUnit.SECONDS);
        if (next == null) {
            throw new AssertionError("no send reached the provider within 10 s");
        }
        return next;
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body = exchange.getRequestBody().readAllBytes();
            String signature = exchange.getRequestHeaders().getFirst(JsonTestData.HEADER);
            boolean signedRight = JsonTestData.sign(JsonTestData.SECRET, body).equals(signature);
            JsonNode message = json.readTree(body);
            Received send = new Received(
                    message.path("from").asText(null),
                    message.path("to").asText(null),
                    message.path("text").asText(null),
                    signedRight,
                    exchange.getRequestHeaders().getFirst("Content-Type"));
            received.add(send);
            arrivals.add(send);
            Answer answer = signedRight ? script.poll() : Answer.error(401, "bad_signature");
            if (answer == null) {
                answer = Answer.json(201, "{\"id\":\"" + newId() + "\"}");
            }
            if (answer.holdUntil() != null) {
                answer.holdUntil().await(30, TimeUnit.SECONDS);
            }
            byte[] out = answer.body().getBytes(StandardCharsets.UTF_8);
            answer.headers()
                    .forEach((name, value) -> exchange.getResponseHeaders().add(name, value));
            exchange.sendResponseHeaders(answer.status(), out.length == 0 ? -1 : out.length);
            if (out.length > 0) {
                try (OutputStream stream = exchange.getResponseBody()) {
                    stream.write(out);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            // the client gave up waiting: nothing to answer
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
