package dev.switchboard.whatsapp.twilio;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.switchboard.twilio.FormParameters;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Twilio's Messages endpoint on 127.0.0.1, port 0: every request is recorded, and answered with the
 * next scripted answer or, by default, a 201 with a queued message.
 */
final class FakeTwilioRest implements AutoCloseable {

    /** One request: its path and its decoded form. */
    record Recorded(String path, FormParameters form) {

        String field(String name) {
            return form.first(name).orElse(null);
        }
    }

    static final String CREATED_SID = "SMaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

    private record Answer(int status, String body) {}

    private final HttpServer server;
    private final ExecutorService executor = Executors.newSingleThreadExecutor();
    private final List<Recorded> requests = new CopyOnWriteArrayList<>();
    private final Queue<Answer> script = new ConcurrentLinkedQueue<>();

    private FakeTwilioRest() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(executor);
        server.createContext("/", this::answer);
        server.start();
    }

    static FakeTwilioRest start() throws IOException {
        return new FakeTwilioRest();
    }

    /** What to set as {@code TWILIO_API_BASE_URL}. */
    String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Answers the next request with a Twilio error. */
    FakeTwilioRest failNext(int status, int code) {
        script.add(new Answer(
                status,
                "{\"code\":" + code + ",\"message\":\"refused\",\"more_info\":\"https://www.twilio.com/docs/errors/"
                        + code + "\",\"status\":" + status + "}"));
        return this;
    }

    List<Recorded> requests() {
        return List.copyOf(requests);
    }

    Recorded only() {
        if (requests.size() != 1) {
            throw new AssertionError("expected exactly one request to Twilio, got " + requests.size());
        }
        return requests.get(0);
    }

    private void answer(HttpExchange exchange) throws IOException {
        try (exchange) {
            requests.add(new Recorded(
                    exchange.getRequestURI().getRawPath(),
                    FormParameters.parse(exchange.getRequestBody().readAllBytes())));
            Answer answer = script.poll();
            if (answer == null) {
                answer = new Answer(
                        201,
                        "{\"sid\":\"" + CREATED_SID + "\",\"status\":\"queued\",\"account_sid\":\""
                                + Fixtures.ACCOUNT_SID + "\",\"direction\":\"outbound-api\"}");
            }
            byte[] body = answer.body().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(answer.status(), body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
