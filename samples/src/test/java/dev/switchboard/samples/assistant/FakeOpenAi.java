package dev.switchboard.samples.assistant;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An OpenAI-compatible API on {@code 127.0.0.1}: {@code POST /v1/chat/completions} answers the
 * scripted completions in order (JSON, as OpenAI's API gives them) and keeps every request.
 */
public final class FakeOpenAi implements AutoCloseable {

    /** A request as the server got it. */
    public record Request(String method, String path, String authorization, String body) {}

    private final HttpServer server;
    private final ConcurrentLinkedQueue<String> completions = new ConcurrentLinkedQueue<>();
    private final List<Request> requests = new CopyOnWriteArrayList<>();

    public FakeOpenAi() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            requests.add(new Request(
                    exchange.getRequestMethod(),
                    exchange.getRequestURI().getPath(),
                    exchange.getRequestHeaders().getFirst("Authorization"),
                    body));
            String completion =
                    exchange.getRequestURI().getPath().equals("/v1/chat/completions") ? completions.poll() : null;
            byte[] answer = (completion == null
                            ? "{\"error\":{\"message\":\"not scripted\",\"type\":\"invalid_request_error\"}}"
                            : completion)
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(completion == null ? 404 : 200, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        server.start();
    }

    /** The base URL of OpenAI's API here: {@code http://127.0.0.1:PORT/v1}. */
    public String apiUrl() {
        return root() + "/v1";
    }

    /** Where the server listens, as Ollama's base URL would be: {@code http://127.0.0.1:PORT}. */
    public String root() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Next, a completion that answers {@code text}. */
    public FakeOpenAi thenAnswers(String text) {
        completions.add(
                completion("{\"role\":\"assistant\",\"content\":\"" + text.replace("\"", "\\\"") + "\"}", "stop"));
        return this;
    }

    /** Next, a completion that calls the tool {@code name} with {@code arguments} (JSON). */
    public FakeOpenAi thenCalls(String name, String arguments) {
        String escaped = arguments.replace("\\", "\\\\").replace("\"", "\\\"");
        completions.add(completion(
                "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"call_1\",\"type\":\"function\","
                        + "\"function\":{\"name\":\"" + name + "\",\"arguments\":\"" + escaped + "\"}}]}",
                "tool_calls"));
        return this;
    }

    private static String completion(String message, String finishReason) {
        return "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"created\":1764741600,\"model\":\"gpt-4o-mini\","
                + "\"choices\":[{\"index\":0,\"message\":" + message + ",\"finish_reason\":\"" + finishReason + "\"}],"
                + "\"usage\":{\"prompt_tokens\":10,\"completion_tokens\":5,\"total_tokens\":15}}";
    }

    public List<Request> requests() {
        return List.copyOf(requests);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
