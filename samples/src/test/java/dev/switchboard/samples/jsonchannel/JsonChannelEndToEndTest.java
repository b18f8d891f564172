package dev.switchboard.samples.jsonchannel;

import static dev.switchboard.samples.jsonchannel.JsonTestData.GUESSED_SECRET;
import static dev.switchboard.samples.jsonchannel.JsonTestData.OURS;
import static dev.switchboard.samples.jsonchannel.JsonTestData.PERSON;
import static dev.switchboard.samples.jsonchannel.JsonTestData.SECRET;
import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.channel.Address;
import dev.switchboard.channel.DeliveryReceipt;
import dev.switchboard.channel.WebhookRequest;
import dev.switchboard.channel.WebhookResponse;
import dev.switchboard.runtime.AgentRuntime;
import dev.switchboard.runtime.RuntimeListener;
import dev.switchboard.runtime.delivery.ReplyOutcome;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A conversation through the runtime on the JSON channel, over real sockets: a signed webhook in, the
 * agent's reply posted to the provider, a delivery report in, and the reply reported delivered; a
 * forged webhook refused before any agent hears of it.
 */
class JsonChannelEndToEndTest {

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<String> agentSaw = new CopyOnWriteArrayList<>();
    private final BlockingQueue<ReplyOutcome> outcomes = new LinkedBlockingQueue<>();
    private final BlockingQueue<DeliveryReceipt> receipts = new LinkedBlockingQueue<>();
    private final BlockingQueue<WebhookResponse> rejections = new LinkedBlockingQueue<>();
    private FakeJsonProvider provider;
    private AgentRuntime runtime;

    @BeforeEach
    void start() throws IOException {
        provider = FakeJsonProvider.start();
        JsonWebhookChannel channel = JsonWebhookChannel.builder()
                .sharedSecret(SECRET)
                .providerUrl(provider.url())
                .selfAddress(OURS)
                .allowedUsers(List.of(PERSON))
                .build();
        runtime = AgentRuntime.builder()
                .webhookServer("127.0.0.1", 0)
                .channel(channel)
                .agent(turn -> {
                    agentSaw.add(turn.text());
                    return Optional.of("You said **" + turn.text() + "**");
                })
                .listener(new RuntimeListener() {
                    @Override
                    public void onReplyOutcome(ReplyOutcome outcome) {
                        outcomes.add(outcome);
                    }

                    @Override
                    public void onReceipt(DeliveryReceipt receipt) {
                        receipts.add(receipt);
                    }

                    @Override
                    public void onWebhookRejected(WebhookRequest request, WebhookResponse response) {
                        rejections.add(response);
                    }
                })
                .build()
                .start();
    }

    @AfterEach
    void stop() {
        if (runtime != null) {
            runtime.close();
        }
        provider.close();
    }

    @Test
    void aConversationGoesInOutAndIsReportedDelivered() throws Exception {
        HttpResponse<String> forged =
                post("/webhooks/json", GUESSED_SECRET, JsonTestData.inbound("in-0", PERSON, OURS, "forged"));
        assertThat(forged.statusCode()).isEqualTo(403);
        assertThat(forged.body()).isEqualTo("invalid X-Signature-256");
        assertThat(next(rejections).status()).isEqualTo(403);

        String id = provider.acceptNext();
        HttpResponse<String> in = post("/webhooks/json", SECRET, JsonTestData.inbound("in-1", PERSON, OURS, "hello"));
        assertThat(in.statusCode()).isEqualTo(200);
        assertThat(in.body()).isEqualTo("{\"status\":\"received\"}");

        FakeJsonProvider.Received reply = provider.nextArrival();
        assertThat(reply.signedRight()).isTrue();
        assertThat(reply.from()).isEqualTo(OURS);
        assertThat(reply.to()).isEqualTo(PERSON);
        assertThat(reply.text()).as("markdown rendered as plain text").isEqualTo("You said hello");

        HttpResponse<String> report = post(
                "/webhooks/json/delivery", SECRET, JsonTestData.json("id", id, "to", PERSON, "status", "delivered"));
        assertThat(report.statusCode()).isEqualTo(200);

        assertThat(next(receipts).messageId()).isEqualTo(id);
        ReplyOutcome outcome = next(outcomes);
        assertThat(outcome.kind()).isEqualTo(ReplyOutcome.Kind.DELIVERED);
        assertThat(outcome.messageIds()).containsExactly(id);
        assertThat(outcome.conversation().counterpart()).isEqualTo(Address.of(PERSON));
        assertThat(agentSaw)
                .as("what the agent heard: never the forged webhook")
                .containsExactly("hello");
    }

    private HttpResponse<String> post(String path, String secret, byte[] body)
            throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + runtime.port() + path))
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .header(JsonTestData.HEADER, JsonTestData.sign(secret, body))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static <T> T next(BlockingQueue<T> queue) throws InterruptedException {
        T item = queue.poll(10, TimeUnit.SECONDS);
        assertThat(item).as("an event within 10 s").isNotNull();
        return item;
    }
}
