package dev.switchboard.samples.spring;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.samples.sandbox.SandboxMessage;
import dev.switchboard.samples.sandbox.TwilioSandbox;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** What the application answered and sent, for the Spring sample's tests (signed webhooks: {@code SignedWebhooks}). */
final class Webhooks {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private Webhooks() {}

    /** GETs {@code url}. */
    static HttpResponse<String> get(URI url) throws IOException, InterruptedException {
        return HTTP.send(
                HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(15)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The JSON of a response's body. */
    static JsonNode json(HttpResponse<String> response) throws IOException {
        return JSON.readTree(response.body());
    }

    /**
     * Waits, 30 s at most, for the stand-in to be asked to send {@code body} to {@code to}: a message
     * already sent counts, and so does one sent while waiting.
     */
    static SandboxMessage awaitSent(TwilioSandbox sandbox, String to, String body) throws Exception {
        CompletableFuture<SandboxMessage> sent = new CompletableFuture<>();
        sandbox.onMessage(message -> {
            if (message.to().equals(to) && message.body().equals(body)) {
                sent.complete(message);
            }
        });
        sandbox.messages().stream()
                .filter(m -> m.to().equals(to) && m.body().equals(body))
                .findFirst()
                .ifPresent(sent::complete);
        try {
            return sent.get(30, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError(
                    "no message to " + to + " with body '" + body + "' among " + sandbox.messages(), e);
        }
    }

    /** Asserts that the stand-in was asked to send nothing to {@code to} with {@code body}. */
    static void assertNotSent(TwilioSandbox sandbox, String to, String body) {
        assertThat(sandbox.messages())
                .noneMatch(m -> m.to().equals(to) && m.body().equals(body));
    }
}
