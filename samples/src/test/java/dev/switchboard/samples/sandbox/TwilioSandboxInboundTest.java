package dev.switchboard.samples.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import com.twilio.security.RequestValidator;
import dev.switchboard.twilio.TwilioSignature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The stand-in as the carrier of inbound messages: a phone's text is stored and listed as Twilio
 * lists it, SMS keywords are answered with Twilio's default replies and change who may be sent to,
 * and the number's webhook is posted to a recording gateway, signed as Twilio signs it.
 */
class TwilioSandboxInboundTest {

    private static final String NUMBER = "+15005550006";
    private static final String OTHER_NUMBER = "+15005550007";
    private static final String WHATSAPP_NUMBER = "whatsapp:+14155238886";
    private static final String PHONE = "+15557654321";
    private static final String PUBLIC_URL = "https://agent.example.com/webhooks/twilio";
    private static final String WHATSAPP_PUBLIC_URL = "https://agent.example.com/webhooks/twilio-whatsapp";
    private static final String STOP_ANSWER = "You have successfully been unsubscribed. You will not receive any more"
            + " messages from this number. Reply START to resubscribe.";
    private static final String START_ANSWER = "You have successfully been re-subscribed to messages from this"
            + " number. Reply HELP for help. Reply STOP to unsubscribe. Msg&Data Rates May Apply.";
    private static final String HELP_ANSWER = "Reply STOP to unsubscribe. Msg&Data Rates May Apply.";
    /** The fields of {@code api.v2010.account.message} in Twilio's OpenAPI spec for the 2010-04-01 API. */
    private static final Set<String> MESSAGE_FIELDS = Set.of(
            "body",
            "num_segments",
            "direction",
            "from",
            "to",
            "date_updated",
            "price",
            "error_message",
            "uri",
            "account_sid",
            "num_media",
            "status",
            "messaging_service_sid",
            "sid",
            "date_sent",
            "date_created",
            "error_code",
            "price_unit",
            "api_version",
            "subresource_uris");

    private final BlockingQueue<Webhook> webhooks = new LinkedBlockingQueue<>();
    private final List<SandboxMessage> shown = Collections.synchronizedList(new ArrayList<>());
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ObjectMapper json = new ObjectMapper();
    private HttpServer gateway;
    private TwilioSandbox sandbox;

    /** A webhook as the gateway received it, with what the phone had been shown by then. */
    private record Webhook(String path, String signature, Map<String, List<String>> params, int shownBefore) {

        String param(String name) {
            List<String> values = params.get(name);
            assertThat(values).as(name).hasSize(1);
            return values.get(0);
        }
    }

    @BeforeEach
    void start() throws IOException {
        gateway = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        gateway.createContext("/", exchange -> {
            try (exchange) {
                Map<String, List<String>> params =
                        TwilioSignature.decodeForm(exchange.getRequestBody().readAllBytes());
                webhooks.add(new Webhook(
                        exchange.getRequestURI().getPath(),
                        exchange.getRequestHeaders().getFirst("X-Twilio-Signature"),
                        params,
                        shown.size()));
                byte[] body = "<Response/>".getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "text/xml");
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
            }
        });
        gateway.start();
        sandbox = TwilioSandbox.builder()
                .senders(Set.of(NUMBER, OTHER_NUMBER, WHATSAPP_NUMBER))
                .build()
                .start();
        sandbox.onMessage(shown::add);
        String local = "http://127.0.0.1:" + gateway.getAddress().getPort();
        sandbox.configureWebhook(NUMBER, URI.create(local + "/webhooks/twilio"), PUBLIC_URL);
        sandbox.configureWebhook(OTHER_NUMBER, URI.create(local + "/webhooks/twilio"), PUBLIC_URL);
        sandbox.configureWebhook(WHATSAPP_NUMBER, URI.create(local + "/webhooks/twilio-whatsapp"), WHATSAPP_PUBLIC_URL);
    }

    @AfterEach
    void stop() {
        if (sandbox != null) {
            sandbox.close();
        }
        if (gateway != null) {
            gateway.stop(0);
        }
    }

    private Webhook nextWebhook() throws InterruptedException {
        Webhook webhook = webhooks.poll(10, TimeUnit.SECONDS);
        assertThat(webhook).as("a webhook posted to the gateway").isNotNull();
        return webhook;
    }

    private static Map<String, String> single(Map<String, List<String>> params) {
        Map<String, String> single = new HashMap<>();
        params.forEach((name, values) -> single.put(name, values.get(0)));
        return single;
    }

    /** Creates a message through the stand-in's REST API, as the application does. */
    private HttpResponse<String> send(Map<String, String> form) throws IOException, InterruptedException {
        String body = form.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                        + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        return http.send(
                authorised(URI.create(messagesUrl()))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> send(String from, String to) throws IOException, InterruptedException {
        return send(Map.of("From", from, "To", to, "Body", "news"));
    }

    private JsonNode get(String url) throws IOException, InterruptedException {
        HttpResponse<String> response =
                http.send(authorised(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return json.readTree(response.body());
    }

    private String messagesUrl() {
        return sandbox.baseUrl() + "/2010-04-01/Accounts/" + sandbox.accountSid() + "/Messages.json";
    }

    private HttpRequest.Builder authorised(URI uri) {
        String credentials = sandbox.accountSid() + ":" + sandbox.authToken();
        return HttpRequest.newBuilder(uri)
                .timeout(Duration.ofSeconds(15))
                .header(
                        "Authorization",
                        "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8)));
    }

    private static void assertRefusedAsUnsubscribed(HttpResponse<String> response) {
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("\"code\":21610");
    }

    @Test
    void aTextIsPostedToTheNumbersWebhookWithTwiliosParametersSignedForItsPublicUrl() throws Exception {
        TextOutcome outcome = sandbox.text(PHONE, NUMBER, "hello there");

        Webhook webhook = nextWebhook();
        assertThat(webhook.path()).isEqualTo("/webhooks/twilio");
        assertThat(webhook.params().keySet())
                .containsExactlyInAnyOrder(
                        "AccountSid",
                        "ApiVersion",
                        "Body",
                        "From",
                        "MessageSid",
                        "NumMedia",
                        "NumSegments",
                        "SmsMessageSid",
                        "SmsSid",
                        "SmsStatus",
                        "To");
        String sid = outcome.message().sid();
        assertThat(sid).matches("SM[0-9a-f]{32}");
        assertThat(single(webhook.params()))
                .containsEntry("AccountSid", sandbox.accountSid())
                .containsEntry("ApiVersion", "2010-04-01")
                .containsEntry("Body", "hello there")
                .containsEntry("From", PHONE)
                .containsEntry("To", NUMBER)
                .containsEntry("MessageSid", sid)
                .containsEntry("SmsMessageSid", sid)
                .containsEntry("SmsSid", sid)
                .containsEntry("SmsStatus", "received")
                .containsEntry("NumMedia", "0")
                .containsEntry("NumSegments", "1");
        // Checked by Twilio's own helper library, for the public URL and not the local one.
        RequestValidator validator = new RequestValidator(sandbox.authToken());
        assertThat(validator.validate(PUBLIC_URL, single(webhook.params()), webhook.signature()))
                .isTrue();
        assertThat(validator.validate(
                        "http://127.0.0.1:" + gateway.getAddress().getPort() + "/webhooks/twilio",
                        single(webhook.params()),
                        webhook.signature()))
                .isFalse();
        assertThat(outcome.webhookStatus()).isEqualTo(200);
        assertThat(outcome.webhookBody()).isEqualTo("<Response/>");
        assertThat(outcome.keywordAnswer()).isEmpty();
        assertThat(shown).as("nothing sent to the phone").isEmpty();
    }

    @Test
    void aWhatsAppTextCarriesTheProfileAndIsPostedToTheWhatsAppWebhook() throws Exception {
        sandbox.text("whatsapp:" + PHONE, WHATSAPP_NUMBER, "hello");

        Webhook webhook = nextWebhook();
        assertThat(webhook.path()).isEqualTo("/webhooks/twilio-whatsapp");
        assertThat(single(webhook.params()))
                .containsEntry("From", "whatsapp:" + PHONE)
                .containsEntry("To", WHATSAPP_NUMBER)
                .containsEntry("ProfileName", "Dev Phone")
                .containsEntry("WaId", PHONE.substring(1));
        assertThat(new RequestValidator(sandbox.authToken())
                        .validate(WHATSAPP_PUBLIC_URL, single(webhook.params()), webhook.signature()))
                .isTrue();
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "STOP|STOP",
                "stop|STOP",
                "' Stop '|STOP",
                "STOPALL|STOP",
                "unsubscribe|STOP",
                "Cancel|STOP",
                "END|STOP",
                "quit|STOP",
                "START|START",
                "yes|START",
                "Unstop|START",
                "help|HELP",
                "' HELP\t'|HELP",
                "info|HELP"
            })
    void eachKeywordIsAnsweredAsTwilioDoesBeforeTheWebhookWhichStillGoesOut(String text, String family)
            throws Exception {
        String expected =
                switch (family) {
                    case "STOP" -> STOP_ANSWER;
                    case "START" -> START_ANSWER;
                    default -> HELP_ANSWER;
                };

        TextOutcome outcome = sandbox.text(PHONE, NUMBER, text);

        assertThat(outcome.keywordAnswer()).hasValueSatisfying(answer -> {
            assertThat(answer.body()).isEqualTo(expected);
            assertThat(answer.direction()).isEqualTo(SandboxMessage.Direction.OUTBOUND_REPLY);
            assertThat(answer.from()).contains(NUMBER);
            assertThat(answer.to()).isEqualTo(PHONE);
        });
        assertThat(shown).containsExactly(outcome.keywordAnswer().orElseThrow());
        Webhook webhook = nextWebhook();
        assertThat(webhook.param("Body"))
                .as("the keyword reaches the gateway as sent")
                .isEqualTo(text);
        assertThat(webhook.shownBefore())
                .as("Twilio's answer went out before the webhook")
                .isEqualTo(1);
        assertThat(outcome.webhookStatus()).isEqualTo(200);
    }

    @ParameterizedTest
    @ValueSource(strings = {"stop please", "please help", "helpful", "", "STOP STOP", "yes please"})
    void aTextThatIsNotAKeywordAsAWholeIsNotAnswered(String text) throws Exception {
        TextOutcome outcome = sandbox.text(PHONE, NUMBER, text);

        assertThat(outcome.keywordAnswer()).isEmpty();
        assertThat(shown).isEmpty();
        assertThat(nextWebhook().param("Body")).isEqualTo(text);
        assertThat(send(NUMBER, PHONE).statusCode()).isEqualTo(201);
    }

    @Test
    void stopRefusesTheNumbersSendsWith21610UntilStart() throws Exception {
        sandbox.text(PHONE, NUMBER, "STOP");

        assertRefusedAsUnsubscribed(send(NUMBER, PHONE));
        assertRefusedAsUnsubscribed(
                send(Map.of("MessagingServiceSid", "MG" + "0".repeat(32), "To", PHONE, "Body", "through the service")));
        assertThat(send(OTHER_NUMBER, PHONE).statusCode())
                .as("the opt-out is from the number texted")
                .isEqualTo(201);
        assertThat(send(WHATSAPP_NUMBER, "whatsapp:" + PHONE).statusCode())
                .as("WhatsApp is not SMS")
                .isEqualTo(201);
        // Help is answered whatever the subscription; it changes nothing.
        assertThat(sandbox.text(PHONE, NUMBER, "HELP").keywordAnswer()).isPresent();
        assertRefusedAsUnsubscribed(send(NUMBER, PHONE));

        assertThat(sandbox.text(PHONE, NUMBER, "unstop").keywordAnswer())
                .hasValueSatisfying(a -> assertThat(a.body()).isEqualTo(START_ANSWER));

        assertThat(send(NUMBER, PHONE).statusCode()).isEqualTo(201);
    }

    @Test
    void startLiftsAnOptOutTwilioHadBeforeToo() throws Exception {
        sandbox.optOut(PHONE);
        assertRefusedAsUnsubscribed(send(NUMBER, PHONE));

        sandbox.text(PHONE, NUMBER, "START");

        assertThat(send(NUMBER, PHONE).statusCode()).isEqualTo(201);
    }

    @Test
    void keywordsOnWhatsAppAreNotTwiliosToAnswer() throws Exception {
        for (String text : List.of("help", "STOP", "start")) {
            TextOutcome outcome = sandbox.text("whatsapp:" + PHONE, WHATSAPP_NUMBER, text);

            assertThat(outcome.keywordAnswer()).as(text).isEmpty();
            assertThat(nextWebhook().param("Body")).isEqualTo(text);
        }
        assertThat(shown).isEmpty();
        assertThat(send(WHATSAPP_NUMBER, "whatsapp:" + PHONE).statusCode())
                .as("no opt-out on WhatsApp")
                .isEqualTo(201);
    }

    @Test
    void inboundMessagesAndTwiliosAnswersAreListedAsTwilioListsThem() throws Exception {
        TextOutcome outcome = sandbox.text(PHONE, NUMBER, "STOP");

        JsonNode page = get(messagesUrl());
        Iterator<JsonNode> listed = page.get("messages").elements();
        JsonNode answer = listed.next();
        JsonNode inbound = listed.next();
        assertThat(listed.hasNext()).isFalse();

        assertThat(fields(inbound)).isEqualTo(MESSAGE_FIELDS);
        assertThat(inbound.get("sid").asText()).isEqualTo(outcome.message().sid());
        assertThat(inbound.get("direction").asText()).isEqualTo("inbound");
        assertThat(inbound.get("status").asText()).isEqualTo("received");
        assertThat(inbound.get("from").asText()).isEqualTo(PHONE);
        assertThat(inbound.get("to").asText()).isEqualTo(NUMBER);
        assertThat(inbound.get("body").asText()).isEqualTo("STOP");
        assertThat(inbound.get("num_media").asText()).isEqualTo("0");
        assertThat(inbound.get("num_segments").asText()).isEqualTo("1");
        assertThat(inbound.get("error_code").isNull()).isTrue();
        assertThat(inbound.get("messaging_service_sid").isNull()).isTrue();

        assertThat(fields(answer)).isEqualTo(MESSAGE_FIELDS);
        assertThat(answer.get("direction").asText()).isEqualTo("outbound-reply");
        assertThat(answer.get("from").asText()).isEqualTo(NUMBER);
        assertThat(answer.get("to").asText()).isEqualTo(PHONE);
        assertThat(answer.get("body").asText()).isEqualTo(STOP_ANSWER);
        assertThat(answer.get("status").asText()).isEqualTo("delivered");

        JsonNode fetched = get(sandbox.baseUrl() + inbound.get("uri").asText());
        assertThat(fetched).isEqualTo(inbound);
        JsonNode toTheNumber = get(messagesUrl() + "?To=" + URLEncoder.encode(NUMBER, StandardCharsets.UTF_8));
        assertThat(toTheNumber.get("messages")).hasSize(1);
        assertThat(sandbox.messages())
                .extracting(SandboxMessage::direction)
                .containsExactly(SandboxMessage.Direction.INBOUND, SandboxMessage.Direction.OUTBOUND_REPLY);
    }

    private static Set<String> fields(JsonNode node) {
        Set<String> names = new TreeSet<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    @Test
    void aTextTheStandInCannotCarryIsRefusedSayingWhy() {
        assertThatThrownBy(() -> sandbox.text(PHONE, "+15005550099", "hi"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("to must be one of the sandbox's senders")
                .hasMessageNotContaining("+15005550099");
        assertThatThrownBy(() -> sandbox.text("whatsapp:" + PHONE, NUMBER, "hi"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("from must be a phone number in E.164 form");
        assertThatThrownBy(() -> sandbox.text(PHONE, WHATSAPP_NUMBER, "hi"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("with the whatsapp: prefix");
        assertThatThrownBy(() -> sandbox.text(PHONE, NUMBER, "x".repeat(1601)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("1601 characters");
        assertThatThrownBy(
                        () -> sandbox.configureWebhook("+15005550099", URI.create("http://127.0.0.1:1/"), PUBLIC_URL))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("number must be one of the sandbox's senders");
        assertThatThrownBy(() -> sandbox.configureWebhook(NUMBER, URI.create("/relative"), PUBLIC_URL))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("postTo must be an absolute http or https URL: /relative");
        assertThatThrownBy(() -> sandbox.configureWebhook(NUMBER, URI.create("http://127.0.0.1:1/"), "not a url"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("signedUrl must be an absolute http or https URL: not a url");
        assertThat(sandbox.messages()).isEmpty();
    }

    @Test
    void aNumberWithoutAWebhookIsRefusedNamingTheCallThatSetsIt() {
        TwilioSandbox bare =
                TwilioSandbox.builder().senders(Set.of(NUMBER)).build().start();
        try {
            assertThatThrownBy(() -> bare.text(PHONE, NUMBER, "STOP"))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("has no webhook")
                    .hasMessageContaining("configureWebhook");
            assertThat(bare.messages()).isEmpty();
        } finally {
            bare.close();
        }
    }

    @Test
    void aGatewayThatCannotBeReachedFailsTheTextButTwilioStillAnswersAndStoresIt() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        sandbox.configureWebhook(NUMBER, URI.create("http://127.0.0.1:" + closedPort + "/webhooks/twilio"), PUBLIC_URL);

        assertThatThrownBy(() -> sandbox.text(PHONE, NUMBER, "STOP"))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining("could not be posted")
                .hasMessageNotContaining(PHONE);

        assertThat(shown).extracting(SandboxMessage::body).containsExactly(STOP_ANSWER);
        assertThat(sandbox.messages()).hasSize(2);
        assertRefusedAsUnsubscribed(send(NUMBER, PHONE));
    }

    @Test
    void theListKeepsItsOrderWhenTheClockStandsStill() throws Exception {
        TwilioSandbox still = TwilioSandbox.builder()
                .senders(Set.of(NUMBER))
                .clock(Clock.fixed(Instant.parse("2026-11-20T09:00:00Z"), ZoneOffset.UTC))
                .build()
                .start();
        try {
            still.configureWebhook(
                    NUMBER,
                    URI.create("http://127.0.0.1:" + gateway.getAddress().getPort() + "/webhooks/twilio"),
                    PUBLIC_URL);
            for (String text : List.of("one", "HELP", "two", "three")) {
                still.text(PHONE, NUMBER, text);
            }

            assertThat(still.messages())
                    .extracting(SandboxMessage::body)
                    .containsExactly("one", "HELP", HELP_ANSWER, "two", "three");
        } finally {
            still.close();
        }
    }
}
