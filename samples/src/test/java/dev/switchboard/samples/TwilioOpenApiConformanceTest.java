package dev.switchboard.samples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.samples.sandbox.SandboxExchange;
import dev.switchboard.samples.sandbox.SandboxFault;
import dev.switchboard.samples.sandbox.SandboxMessage;
import dev.switchboard.samples.sandbox.TwilioSandbox;
import dev.switchboard.twilio.live.LiveCheck;
import dev.switchboard.twilio.live.TwilioLive;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every REST call the library makes to the Twilio stand-in, and every answer the stand-in gives, held
 * against Twilio's OpenAPI description: the subsets of it in {@code twilio-openapi/} on the test class
 * path. The calls are the library's own (a reply sent through the gateway, the look-up after a lost
 * answer, {@link TwilioLive#doctor()} and {@link TwilioLive#configureWebhooks(boolean)}); the stand-in
 * records each one with its answer.
 */
class TwilioOpenApiConformanceTest {

    private static final String GATEWAY = GatewayHarness.GATEWAY;
    private static final String PHONE = "+15557654321";
    private static final String OLD_URL = "https://old.example.com/sms";
    private static final List<OpenApi> SPECS =
            List.of(OpenApi.load("api_v2010_subset.json"), OpenApi.load("messaging_v1_subset.json"));

    private GatewayHarness gateway;
    private TwilioSandbox sandbox;
    private String webhookUrl;

    @BeforeEach
    void start() {
        gateway = GatewayHarness.builder()
                .env("SMS_ALLOWED_USERS", PHONE)
                .runtime(runtime -> runtime.agent(new EchoAgent()))
                .start();
        sandbox = gateway.sandbox();
        webhookUrl = gateway.publicUrl();
        gateway.numberPointedHere();
    }

    @AfterEach
    void stop() {
        gateway.close();
    }

    @Test
    void aReplyAndTheLookUpAfterALostAnswerMatchTheSpec() throws Exception {
        SignedWebhooks webhooks = gateway.webhooks();
        assertThat(webhooks.post(webhooks.sms(SignedWebhooks.newSid(), PHONE, GATEWAY, "hello"))
                        .statusCode())
                .isEqualTo(200);
        SandboxMessage reply = gateway.nextSent();

        // A 500 after the message was created: the sender lists the messages sent to find it.
        sandbox.enqueueFault(SandboxFault.serverErrorAfterCreate());
        assertThat(webhooks.post(webhooks.sms(SignedWebhooks.newSid(), PHONE, GATEWAY, "again"))
                        .statusCode())
                .isEqualTo(200);
        gateway.nextSent();
        awaitExchange("GET", "/Messages.json");

        // The stand-in's fetch, which the library does not call, answers in the spec's shape too.
        assertThat(get("/2010-04-01/Accounts/" + sandbox.accountSid() + "/Messages/" + reply.sid() + ".json"))
                .isEqualTo(200);

        assertConforms(Set.of(
                "POST /2010-04-01/Accounts/{AccountSid}/Messages.json",
                "GET /2010-04-01/Accounts/{AccountSid}/Messages.json",
                "GET /2010-04-01/Accounts/{AccountSid}/Messages/{Sid}.json"));
    }

    @Test
    void doctorAndConfigureWebhooksMatchTheSpec() {
        sandbox.addFailedInbound(PHONE, GATEWAY, 11200);
        assertThat(doctor(env())).isNotEmpty();

        sandbox.numberSmsUrl(GATEWAY, OLD_URL);
        sandbox.numberSmsMethod(GATEWAY, "GET");
        configure(env());

        String service = sandbox.addMessagingService(Set.of(GATEWAY), null, false);
        Map<String, String> serviceEnv = env("TWILIO_PHONE_NUMBER", null, "TWILIO_MESSAGING_SERVICE_SID", service);
        assertThat(doctor(serviceEnv)).isNotEmpty();
        configure(serviceEnv);

        String deferring = sandbox.addMessagingService(Set.of(GATEWAY), "https://ignored.example.com/in", true);
        sandbox.numberSmsUrl(GATEWAY, OLD_URL);
        Map<String, String> deferringEnv = env("TWILIO_PHONE_NUMBER", null, "TWILIO_MESSAGING_SERVICE_SID", deferring);
        assertThat(doctor(deferringEnv)).isNotEmpty();
        configure(deferringEnv);

        assertConforms(Set.of(
                "GET /2010-04-01/Accounts/{Sid}.json",
                "GET /2010-04-01/Accounts/{AccountSid}/IncomingPhoneNumbers.json",
                "POST /2010-04-01/Accounts/{AccountSid}/IncomingPhoneNumbers/{Sid}.json",
                "GET /2010-04-01/Accounts/{AccountSid}/Messages.json",
                "GET /v1/Services/{Sid}",
                "POST /v1/Services/{Sid}",
                "GET /v1/Services/{ServiceSid}/PhoneNumbers"));
    }

    @Test
    void theCheckFindsEachKindOfMismatch() {
        String messages = "/2010-04-01/Accounts/AC00000000000000000000000000000000/Messages.json";
        List<String> violations = new ArrayList<>();
        check(
                new SandboxExchange(
                        "POST",
                        messages,
                        Map.of("Colour", List.of("red")),
                        Map.of("To", List.of(PHONE), "Shout", List.of("yes")),
                        201,
                        "{\"sid\":\"SM1\",\"colour\":\"red\"}"),
                violations);
        check(
                new SandboxExchange(
                        "GET",
                        messages,
                        Map.of("PageSize", List.of("20")),
                        Map.of(),
                        200,
                        "{\"page\":0,\"messages\":[{\"sid\":\"SM1\",\"mood\":\"fine\"}]}"),
                violations);
        check(new SandboxExchange("DELETE", "/v1/Services/MG1", Map.of(), Map.of(), 204, ""), violations);
        check(new SandboxExchange("GET", "/2010-04-01/Calls.json", Map.of(), Map.of(), 200, "{}"), violations);
        check(new SandboxExchange("GET", "/v1/Services/MG1", Map.of(), Map.of(), 202, "{}"), violations);

        assertThat(violations)
                .hasSize(7)
                .anySatisfy(v -> assertThat(v).contains("query parameter Colour"))
                .anySatisfy(v -> assertThat(v).contains("form parameter Shout"))
                .anySatisfy(v -> assertThat(v).contains("field colour"))
                .anySatisfy(v -> assertThat(v).contains("messages[0]: field mood"))
                .anySatisfy(v -> assertThat(v).contains("has no DELETE on /v1/Services/{Sid}"))
                .anySatisfy(v -> assertThat(v).contains("GET /2010-04-01/Calls.json: no path"))
                .anySatisfy(v -> assertThat(v).contains("status 202 is not a response"));
    }

    /**
     * Checks every exchange the stand-in recorded, and that those named in {@code expected} (as
     * {@code METHOD template}) were among them, so that the check is not vacuous.
     */
    private void assertConforms(Set<String> expected) {
        List<SandboxExchange> exchanges = sandbox.exchanges();
        List<String> violations = new ArrayList<>();
        Set<String> seen = new TreeSet<>();
        for (SandboxExchange exchange : exchanges) {
            seen.addAll(check(exchange, violations));
        }
        assertThat(violations)
                .as(
                        "%d exchanges against Twilio's OpenAPI description:%n%s",
                        exchanges.size(), String.join("\n", violations))
                .isEmpty();
        assertThat(seen).as("the operations exercised").containsAll(expected);
    }

    /** Adds the violations of {@code exchange} to {@code violations}; returns the operation it matched. */
    private static Set<String> check(SandboxExchange exchange, List<String> violations) {
        String call = exchange.method() + " " + exchange.path();
        for (OpenApi spec : SPECS) {
            String template = spec.template(exchange.path());
            if (template == null) {
                continue;
            }
            JsonNode operation =
                    spec.paths.path(template).path(exchange.method().toLowerCase(java.util.Locale.ROOT));
            if (operation.isMissingNode()) {
                violations.add(call + ": " + spec.name + " has no " + exchange.method() + " on " + template);
                return Set.of();
            }
            String where = call + " (" + exchange.method() + " " + template + ")";
            Set<String> declared = new TreeSet<>();
            for (JsonNode parameter :
                    concat(spec.paths.path(template).path("parameters"), operation.path("parameters"))) {
                parameter = spec.resolve(parameter);
                if ("query".equals(parameter.path("in").asText())) {
                    declared.add(parameter.path("name").asText());
                }
            }
            for (String name : exchange.query().keySet()) {
                if (!declared.contains(name)) {
                    violations.add(where + ": query parameter " + name + " is not declared; declared: " + declared);
                }
            }
            if (!exchange.form().isEmpty()) {
                JsonNode schema = spec.resolve(operation
                        .path("requestBody")
                        .path("content")
                        .path("application/x-www-form-urlencoded")
                        .path("schema"));
                if (schema.isMissingNode()) {
                    violations.add(where + ": form parameters "
                            + exchange.form().keySet() + " sent, but the operation takes no form body");
                } else {
                    for (String name : exchange.form().keySet()) {
                        if (!schema.path("properties").has(name)) {
                            violations.add(
                                    where + ": form parameter " + name + " is not a property of the request body");
                        }
                    }
                }
            }
            if (exchange.status() >= 200 && exchange.status() < 300) {
                checkAnswer(spec, operation, exchange, where, violations);
            }
            return Set.of(exchange.method() + " " + template);
        }
        violations.add(call + ": no path of " + SPECS.stream().map(s -> s.name).toList() + " matches");
        return Set.of();
    }

    private static void checkAnswer(
            OpenApi spec, JsonNode operation, SandboxExchange exchange, String where, List<String> violations) {
        JsonNode response = spec.resolve(operation.path("responses").path(Integer.toString(exchange.status())));
        if (response.isMissingNode()) {
            violations.add(where + ": status " + exchange.status() + " is not a response of the operation; responses: "
                    + fieldNames(operation.path("responses")));
            return;
        }
        JsonNode schema =
                spec.resolve(response.path("content").path("application/json").path("schema"));
        if (schema.isMissingNode()) {
            if (!exchange.responseBody().isEmpty()) {
                violations.add(where + ": the answer has a body but the spec's " + exchange.status() + " has no JSON");
            }
            return;
        }
        JsonNode body;
        try {
            body = OpenApi.JSON.readTree(exchange.responseBody());
        } catch (IOException e) {
            violations.add(where + ": the answer is not JSON: " + e.getMessage());
            return;
        }
        checkObject(spec, schema, body, where + " answer", violations);
    }

    /**
     * Each field of {@code value} is a property of {@code schema}; for an array property whose items
     * are objects with properties (a list answer's page), so is each field of each element.
     */
    private static void checkObject(
            OpenApi spec, JsonNode schema, JsonNode value, String where, List<String> violations) {
        if (!value.isObject()) {
            violations.add(where + ": not a JSON object");
            return;
        }
        JsonNode properties = schema.path("properties");
        for (Map.Entry<String, JsonNode> field : value.properties()) {
            if (!properties.has(field.getKey())) {
                violations.add(where + ": field " + field.getKey() + " is not a property of the response schema");
                continue;
            }
            JsonNode property = spec.resolve(properties.get(field.getKey()));
            if ("array".equals(property.path("type").asText())
                    && field.getValue().isArray()) {
                JsonNode items = spec.resolve(property.path("items"));
                if (items.has("properties")) {
                    int i = 0;
                    for (JsonNode element : field.getValue()) {
                        checkObject(spec, items, element, where + " " + field.getKey() + "[" + i++ + "]", violations);
                    }
                }
            }
        }
    }

    private static List<JsonNode> concat(JsonNode first, JsonNode second) {
        List<JsonNode> all = new ArrayList<>();
        first.forEach(all::add);
        second.forEach(all::add);
        return all;
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private void awaitExchange(String method, String pathEnd) throws InterruptedException {
        Instant deadline = Instant.now().plusSeconds(15);
        while (sandbox.exchanges().stream()
                .noneMatch(e -> e.method().equals(method) && e.path().endsWith(pathEnd))) {
            assertThat(Instant.now()).as("a %s …%s", method, pathEnd).isBefore(deadline);
            Thread.sleep(50);
        }
    }

    /** A GET of the stand-in with the account's credentials; returns the status. */
    private int get(String path) throws IOException, InterruptedException {
        String credentials = sandbox.accountSid() + ":" + sandbox.authToken();
        HttpRequest request = HttpRequest.newBuilder(sandbox.baseUrl().resolve(path))
                .timeout(Duration.ofSeconds(10))
                .header(
                        "Authorization",
                        "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8)))
                .GET()
                .build();
        return HttpClient.newHttpClient()
                .send(request, HttpResponse.BodyHandlers.discarding())
                .statusCode();
    }

    private Map<String, String> env(String... more) {
        return gateway.liveEnv(more);
    }

    private static List<LiveCheck> doctor(Map<String, String> env) {
        try (TwilioLive live = TwilioLive.fromEnv(env)) {
            return live.doctor();
        }
    }

    private static void configure(Map<String, String> env) {
        try (TwilioLive live = TwilioLive.fromEnv(env)) {
            live.configureWebhooks(false);
        }
    }

    /** One subset of Twilio's OpenAPI description, with its path templates as patterns. */
    private static final class OpenApi {

        static final ObjectMapper JSON = new ObjectMapper();

        final String name;
        final JsonNode root;
        final JsonNode paths;
        /** Each path template and the pattern of the paths it names; literal templates first. */
        final Map<String, Pattern> templates = new LinkedHashMap<>();

        private OpenApi(String name, JsonNode root) {
            this.name = name;
            this.root = root;
            this.paths = root.path("paths");
            List<String> all = fieldNames(paths);
            all.sort((a, b) -> Long.compare(
                    a.chars().filter(c -> c == '{').count(),
                    b.chars().filter(c -> c == '{').count()));
            for (String template : all) {
                StringBuilder regex = new StringBuilder();
                for (String part : template.split("(?=\\{)|(?<=\\})")) {
                    regex.append(part.startsWith("{") ? "[^/]+" : Pattern.quote(part));
                }
                templates.put(template, Pattern.compile(regex.toString()));
            }
        }

        static OpenApi load(String file) {
            String resource = "/twilio-openapi/" + file;
            try (InputStream in = TwilioOpenApiConformanceTest.class.getResourceAsStream(resource)) {
                if (in == null) {
                    throw new IllegalStateException("missing test resource " + resource);
                }
                return new OpenApi(file, JSON.readTree(in));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** The template {@code path} matches, or null. */
        String template(String path) {
            return templates.entrySet().stream()
                    .filter(e -> e.getValue().matcher(path).matches())
                    .map(Map.Entry::getKey)
                    .findFirst()
                    .orElse(null);
        }

        /** {@code node}, or what its {@code $ref} names, followed until it is no reference. */
        JsonNode resolve(JsonNode node) {
            for (int depth = 0; node.has("$ref"); depth++) {
                String ref = node.get("$ref").asText();
                if (!ref.startsWith("#/") || depth > 20) {
                    throw new IllegalStateException(name + ": cannot resolve " + ref);
                }
                node = root.at(ref.substring(1));
                if (node.isMissingNode()) {
                    throw new IllegalStateException(name + ": dangling " + ref);
                }
            }
            return node;
        }
    }
}
