package dev.switchboard.twilio;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.switchboard.twilio.internal.FormParameters;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A stand-in for Twilio's REST API on 127.0.0.1, port 0: it records every request and answers
 * with scripted responses, by default a 201 with a queued message.
 */
public final class FakeTwilioApi implements AutoCloseable {

    /** One request as the server received it. */
    public record Recorded(
            String method, String path, String rawQuery, Map<String, List<String>> headers, FormParameters form) {

        /** The first value of a form field, or null. */
        public String field(String name) {
            return form.first(name).orElse(null);
        }

        public String header(String name) {
            return headers.entrySet().stream()
                    .filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(e -> e.getValue().get(0))
                    .findFirst()
                    .orElse(null);
        }
    }

    /** A scripted answer. */
    public record Answer(int status, Map<String, String> headers, String body, CountDownLatch holdUntil) {

        public static Answer json(int status, String body) {
            return new Answer(status, Map.of("Content-Type", "application/json"), body, null);
        }

        /** Twilio's JSON error answer for {@code code}. */
        public static Answer twilioError(int status, int code) {
            return json(
                    status,
                    "{\"code\":" + code + ",\"message\":\"refused\",\"more_info\":"
                            + "\"https://www.twilio.com/docs/errors/" + code + "\",\"status\":" + status + "}");
        }

        public Answer withHeader(String name, String value) {
            Map<String, String> more = new java.util.HashMap<>(headers);
            more.put(name, value);
            return new Answer(status, more, body, holdUntil);
        }

        /** This answer, sent only once {@code latch} opens (or after 30 s). */
        public Answer heldUntil(CountDownLatch latch) {
            return new Answer(status, headers, body, latch);
        }
    }

    public static final String CREATED_SID = "SMaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final List<Recorded> requests = new CopyOnWriteArrayList<>();
    private final BlockingQueue<Answer> script = new LinkedBlockingQueue<>();

    private FakeTwilioApi() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    public static FakeTwilioApi start() throws IOException {
        return new FakeTwilioApi();
    }

    /** The base URL to configure as {@code TWILIO_API_BASE_URL}. */
    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Queues the answers for the next requests, in order. */
    public FakeTwilioApi answer(Answer... answers) {
        script.addAll(List.of(answers));
        return this;
    }

    public List<Recorded> requests() {
        return List.copyOf(requests);
    }

    /** The one request received so far; fails the test if there were none or several. */
    public Recorded only() {
        List<Recorded> all = requests();
        if (all.size() != 1) {
            throw new AssertionError("expected exactly one request to Twilio, got " + all.size());
        }
        return all.get(0);
    }

    public static String createdMessage(String sid, String status) {
        return "{\"sid\":\"" + sid + "\",\"status\":\"" + status + "\",\"account_sid\":\"" + TwilioTestData.ACCOUNT_SID
                + "\",\"num_segments\":\"1\",\"direction\":\"outbound-api\"}";
    }

    /** A page of Twilio's message list ({@code GET Messages.json}) holding {@code messages}. */
    public static String messagePage(String... messages) {
        return "{\"messages\":[" + String.join(",", messages) + "],\"end\":" + Math.max(0, messages.length - 1)
                + ",\"first_page_uri\":\"/x\",\"next_page_uri\":null,\"page\":0,\"page_size\":50"
                + ",\"previous_page_uri\":null,\"start\":0,\"uri\":\"/x\"}";
    }

    /**
     * One message as Twilio lists it.
     *
     * @param dateCreated in RFC 2822 form, as Twilio writes it ({@code Thu, 21 Nov 2026 10:00:00 +0000})
     * @param service the Messaging Service SID, or null
     */
    public static String listedMessage(
            String sid,
            String direction,
            String to,
            String from,
            String service,
            String body,
            int numMedia,
            String dateCreated,
            String status) {
        return "{\"sid\":\"" + sid + "\",\"account_sid\":\"" + TwilioTestData.ACCOUNT_SID + "\",\"direction\":\""
                + direction + "\",\"to\":\"" + to + "\",\"from\":" + (from == null ? "null" : "\"" + from + "\"")
                + ",\"messaging_service_sid\":" + (service == null ? "null" : "\"" + service + "\"") + ",\"body\":\""
                + body + "\",\"num_media\":\"" + numMedia + "\",\"date_created\":\"" + dateCreated
                + "\",\"date_sent\":null,\"status\":\"" + status + "\"}";
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body = exchange.getRequestBody().readAllBytes();
            requests.add(new Recorded(
                    exchange.getRequestMethod(),
                    exchange.getRequestURI().getRawPath(),
                    exchange.getRequestURI().getRawQuery(),
                    Map.copyOf(exchange.getRequestHeaders()),
                    FormParameters.parse(body)));
            Answer answer = script.poll();
            if (answer == null) {
                answer = Answer.json(201, createdMessage(CREATED_SID, "queued"));
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
