package dev.switchboard.samples.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.channel.WebhookRequest;
import dev.switchboard.channel.WebhookResponse;
import dev.switchboard.samples.Gateway;
import dev.switchboard.samples.sandbox.TwilioSandbox;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The dev phone's API over the sample gateway in sandbox mode with the echo agent: a text from the
 * browser reaches the agent through the stand-in's signed webhook, and the reply's delivery is
 * published as it moves.
 */
class DevPhoneApiTest {

    /** The smallest PNG: one transparent pixel. */
    private static final byte[] PIXEL = Base64.getDecoder()
            .decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==");

    private final ObjectMapper json = new ObjectMapper();
    private final BlockingQueue<JsonNode> events = new LinkedBlockingQueue<>();
    private final List<JsonNode> seen = new ArrayList<>();
    private Gateway gateway;
    private DevPhoneApi api;

    @BeforeEach
    void start() {
        gateway = Gateway.start(
                Map.of("SMS_WEBHOOK_PORT", "0", "SWITCHBOARD_ADMIN_PORT", "0", "SWITCHBOARD_AGENT", "echo"),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        TwilioSandbox sandbox = gateway.sandbox().orElseThrow();
        api = new DevPhoneApi(
                sandbox,
                Gateway.SANDBOX_PHONE,
                List.of(Gateway.SANDBOX_GATEWAY_NUMBER),
                List.of(Gateway.SANDBOX_WHATSAPP_NUMBER));
        api.publishTo((type, data) -> {
            assertThat(type).isEqualTo(DevPhoneApi.EVENT);
            try {
                events.add(json.readTree(data));
            } catch (java.io.IOException e) {
                throw new AssertionError("an event that is not JSON: " + data, e);
            }
        });
    }

    @AfterEach
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
    }

    private WebhookResponse call(String method, String path, String body) {
        return api.handle(new WebhookRequest(
                method, path, "", Map.of("Content-Type", "application/json"), body.getBytes(StandardCharsets.UTF_8)));
    }

    private JsonNode read(WebhookResponse response) throws Exception {
        assertThat(response.contentType()).isEqualTo("application/json; charset=utf-8");
        return json.readTree(response.body());
    }

    private JsonNode post(String body) throws Exception {
        WebhookResponse response = call("POST", "/api/devphone/messages", body);
        assertThat(response.status())
                .as(new String(response.body(), StandardCharsets.UTF_8))
                .isEqualTo(200);
        return read(response);
    }

    /** The next published message that matches, within 20 s. */
    private JsonNode awaitEvent(Predicate<JsonNode> wanted) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            JsonNode event = events.poll(100, TimeUnit.MILLISECONDS);
            if (event != null) {
                seen.add(event);
                if (wanted.test(event)) {
                    return event;
                }
            }
        }
        throw new AssertionError("no such event in " + seen);
    }

    private static Predicate<JsonNode> reply(String text, String status) {
        return e -> e.get("direction").asText().equals("outbound-api")
                && e.get("text").asText().equals(text)
                && e.get("status").asText().equals(status);
    }

    @Test
    void describesThePhoneAndTheNumbersItTexts() throws Exception {
        JsonNode overview = read(call("GET", "/api/devphone", ""));

        assertThat(overview.get("phone").asText()).isEqualTo(Gateway.SANDBOX_PHONE);
        assertThat(overview.at("/numbers/sms/0").asText()).isEqualTo(Gateway.SANDBOX_GATEWAY_NUMBER);
        assertThat(overview.at("/numbers/whatsapp/0").asText()).isEqualTo(Gateway.SANDBOX_WHATSAPP_NUMBER);
    }

    @Test
    void aTextReachesTheAgentAndItsReplyIsPublishedQueuedSentAndDelivered() throws Exception {
        JsonNode answer = post("{\"channel\":\"sms\",\"text\":\"hello\"}");

        assertThat(answer.get("sid").asText()).matches("SM[0-9a-f]{32}");
        assertThat(answer.get("webhookStatus").asInt()).isEqualTo(200);
        assertThat(answer.get("keywordAnswer").isNull()).isTrue();
        JsonNode sent =
                awaitEvent(e -> e.get("sid").asText().equals(answer.get("sid").asText()));
        assertThat(sent.get("direction").asText()).isEqualTo("inbound");
        assertThat(sent.get("from").asText()).isEqualTo(Gateway.SANDBOX_PHONE);
        assertThat(sent.get("to").asText()).isEqualTo(Gateway.SANDBOX_GATEWAY_NUMBER);
        assertThat(sent.get("status").asText()).isEqualTo("received");
        JsonNode queued = awaitEvent(reply("echo: hello", "queued"));
        awaitEvent(reply("echo: hello", "sent"));
        JsonNode delivered = awaitEvent(reply("echo: hello", "delivered"));
        assertThat(delivered.get("sid").asText()).isEqualTo(queued.get("sid").asText());
        assertThat(delivered.get("to").asText()).isEqualTo(Gateway.SANDBOX_PHONE);
        assertThat(delivered.get("channel").asText()).isEqualTo("sms");
        assertThat(delivered.get("errorCode").isNull()).isTrue();

        JsonNode listed = read(call("GET", "/api/devphone/messages", ""));
        assertThat(listed).hasSize(2);
        assertThat(listed.get(0).get("text").asText()).isEqualTo("hello");
        assertThat(listed.get(1).get("text").asText()).isEqualTo("echo: hello");
        assertThat(listed.get(1).get("status").asText()).isEqualTo("delivered");
    }

    @Test
    void aFailedReplyCarriesTwiliosErrorInWords() throws Exception {
        post("{\"channel\":\"sms\",\"text\":\"hello\"}");
        JsonNode delivered = awaitEvent(reply("echo: hello", "delivered"));

        // The carrier reports it undeliverable after all, as a late status callback can.
        gateway.sandbox()
                .orElseThrow()
                .sendStatusCallback(delivered.get("sid").asText(), "failed", java.util.Optional.of("30003"));

        JsonNode failed = awaitEvent(reply("echo: hello", "failed"));
        assertThat(failed.get("errorCode").asInt()).isEqualTo(30003);
        assertThat(failed.get("errorMessage").asText()).isEqualTo("Unreachable destination handset");
    }

    @Test
    void helpIsAnsweredAsTwilioAnswersIt() throws Exception {
        JsonNode answer =
                post("{\"channel\":\"sms\",\"to\":\"" + Gateway.SANDBOX_GATEWAY_NUMBER + "\",\"text\":\"help\"}");

        assertThat(answer.get("keywordAnswer").asText())
                .isEqualTo("Reply STOP to unsubscribe. Msg&Data Rates May Apply.");
        JsonNode twilio = awaitEvent(e -> e.get("direction").asText().equals("outbound-reply"));
        assertThat(twilio.get("text").asText())
                .isEqualTo(answer.get("keywordAnswer").asText());
        assertThat(twilio.get("status").asText()).isEqualTo("delivered");
    }

    @Test
    void whatsAppTextsGoToTheWhatsAppNumber() throws Exception {
        post("{\"channel\":\"whatsapp\",\"text\":\"hi there\"}");

        JsonNode delivered = awaitEvent(reply("echo: hi there", "delivered"));
        assertThat(delivered.get("channel").asText()).isEqualTo("whatsapp");
        assertThat(delivered.get("from").asText()).isEqualTo(Gateway.SANDBOX_WHATSAPP_NUMBER);
        assertThat(delivered.get("to").asText()).isEqualTo(Gateway.SANDBOX_PHONE);
    }

    @Test
    void aPictureIsTextedAndServedBackToThePage() throws Exception {
        String picture = Base64.getEncoder().encodeToString(PIXEL);
        JsonNode answer =
                post("{\"channel\":\"sms\",\"text\":\"look\",\"media\":[{\"contentType\":\"image/png\",\"base64\":\""
                        + picture + "\"}]}");

        assertThat(answer.get("sid").asText()).startsWith("MM");
        awaitEvent(reply("echo: look [media: 1, " + PIXEL.length + " bytes]", "delivered"));
        JsonNode texted = read(call("GET", "/api/devphone/messages", "")).get(0);
        assertThat(texted.at("/media/0/contentType").asText()).isEqualTo("image/png");
        assertThat(texted.at("/media/0/size").asInt()).isEqualTo(PIXEL.length);
        String url = texted.at("/media/0/url").asText();
        assertThat(url).isEqualTo("/api/devphone/media/" + answer.get("sid").asText() + "/0");
        WebhookResponse bytes = call("GET", url, "");
        assertThat(bytes.status()).isEqualTo(200);
        assertThat(bytes.contentType()).isEqualTo("image/png");
        assertThat(bytes.body()).isEqualTo(PIXEL);
        assertThat(call("GET", "/api/devphone/media/" + answer.get("sid").asText() + "/1", "")
                        .status())
                .isEqualTo(404);
    }

    @Test
    void badInputIsRefusedNamingTheField() throws Exception {
        assertRefused("{\"text\":\"hi\"}", "channel");
        assertRefused("{\"channel\":\"telegram\",\"text\":\"hi\"}", "channel");
        assertRefused("{\"channel\":\"sms\",\"to\":\"+15550000000\",\"text\":\"hi\"}", "to");
        assertRefused("{\"channel\":\"sms\",\"text\":\"" + "x".repeat(1601) + "\"}", "text");
        assertRefused("{\"channel\":\"sms\",\"text\":\"  \"}", "text");
        assertRefused("{\"channel\":\"sms\",\"text\":7}", "text");
        assertRefused("{\"channel\":\"sms\",\"text\":\"hi\",\"from\":\"+15551230001\"}", "from");
        assertRefused("{\"channel\":\"sms\",\"media\":{}}", "media");
        assertRefused("{\"channel\":\"sms\",\"media\":[{\"contentType\":\"text/html\",\"base64\":\"AA==\"}]}", "media");
        assertRefused(
                "{\"channel\":\"sms\",\"media\":[{\"contentType\":\"image/png\",\"base64\":\"not base64!\"}]}",
                "media");

        WebhookResponse notJson = call("POST", "/api/devphone/messages", "hello");
        assertThat(notJson.status()).isEqualTo(400);
        assertThat(read(notJson).get("error").asText()).startsWith("the body is not JSON");
        WebhookResponse form = api.handle(new WebhookRequest(
                "POST",
                "/api/devphone/messages",
                "",
                Map.of("Content-Type", "application/x-www-form-urlencoded"),
                "text=hi".getBytes(StandardCharsets.UTF_8)));
        assertThat(form.status()).isEqualTo(415);
        assertThat(gateway.sandbox().orElseThrow().messages())
                .as("nothing texted")
                .isEmpty();
    }

    private void assertRefused(String body, String field) throws Exception {
        WebhookResponse response = call("POST", "/api/devphone/messages", body);
        assertThat(response.status()).as(body).isEqualTo(400);
        JsonNode error = read(response);
        assertThat(error.get("field").asText()).as(body).isEqualTo(field);
        assertThat(error.get("error").asText()).as(body).contains(field);
    }

    @Test
    void unknownPathsAndMethodsAreRefused() throws Exception {
        WebhookResponse missing = call("GET", "/api/devphone/nothing", "");
        assertThat(missing.status()).isEqualTo(404);
        assertThat(read(missing).get("error").asText()).contains("/api/devphone/nothing");
        assertThat(call("DELETE", "/api/devphone/messages", "").status()).isEqualTo(405);
        assertThat(call("POST", "/api/devphone", "{}").status()).isEqualTo(405);
    }
}
