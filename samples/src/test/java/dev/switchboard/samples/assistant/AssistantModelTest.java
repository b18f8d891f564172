package dev.switchboard.samples.assistant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.samples.Gateway;
import dev.switchboard.samples.sandbox.SandboxMessage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The assistant's model from the environment: OpenAI's client pointed at a fake OpenAI-compatible API
 * on {@code 127.0.0.1} (as {@code OPENAI_BASE_URL} or {@code OLLAMA_BASE_URL}), no network and no
 * real key; and the gateway's refusals when the model is missing or badly configured.
 */
class AssistantModelTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String KEY = "sk-test-0123456789abcdef";

    private final FakeOpenAi api = new FakeOpenAi();
    private final ByteArrayOutputStream consoleBytes = new ByteArrayOutputStream();
    private final PrintStream console = new PrintStream(consoleBytes, true, StandardCharsets.UTF_8);
    private Gateway gateway;

    @AfterEach
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
        api.close();
    }

    @Test
    void openAiApiKeyAndBaseUrlConfigureTheOpenAiModel() throws Exception {
        api.thenAnswers("Hello from the fake model.");
        AssistantModel model =
                AssistantModel.fromEnv(Map.of("OPENAI_API_KEY", KEY, "OPENAI_BASE_URL", api.apiUrl() + "/"));

        assertThat(model.model().chat("hi")).isEqualTo("Hello from the fake model.");

        assertThat(model.description())
                .isEqualTo("gpt-4o-mini at " + api.apiUrl())
                .doesNotContain(KEY);
        FakeOpenAi.Request request = api.requests().get(0);
        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.path()).isEqualTo("/v1/chat/completions");
        assertThat(request.authorization()).isEqualTo("Bearer " + KEY);
        JsonNode body = JSON.readTree(request.body());
        assertThat(body.path("model").asText()).isEqualTo("gpt-4o-mini");
        assertThat(body.path("messages").get(0).path("content").asText()).isEqualTo("hi");
    }

    @Test
    void openAiModelNamesTheModel() throws Exception {
        api.thenAnswers("ok");
        AssistantModel model = AssistantModel.fromEnv(
                Map.of("OPENAI_API_KEY", KEY, "OPENAI_BASE_URL", api.apiUrl(), "OPENAI_MODEL", "gpt-4.1-nano"));
        model.model().chat("hi");
        assertThat(JSON.readTree(api.requests().get(0).body()).path("model").asText())
                .isEqualTo("gpt-4.1-nano");
    }

    @Test
    void ollamaBaseUrlTalksToItsOpenAiCompatibleApiUnderV1() throws Exception {
        api.thenAnswers("Hello from Ollama.");
        AssistantModel model = AssistantModel.fromEnv(Map.of("OLLAMA_BASE_URL", api.root(), "OLLAMA_MODEL", "qwen2.5"));

        assertThat(model.model().chat("hi")).isEqualTo("Hello from Ollama.");

        assertThat(model.description()).isEqualTo("qwen2.5 at " + api.root() + "/v1");
        assertThat(api.requests().get(0).path()).isEqualTo("/v1/chat/completions");
        assertThat(JSON.readTree(api.requests().get(0).body()).path("model").asText())
                .isEqualTo("qwen2.5");
    }

    @Test
    void withNeitherKeyNorOllamaTheGatewayRefusesToStartNamingBoth() {
        Map<String, String> env = sandboxEnv();
        assertThatThrownBy(() -> Gateway.start(env, console))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("SWITCHBOARD_AGENT=assistant needs a language model: set OPENAI_API_KEY")
                .hasMessageContaining("or OLLAMA_BASE_URL (such as http://localhost:11434");
        env.put("OPENAI_API_KEY", "  ");
        assertThatThrownBy(() -> Gateway.start(env, console))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("OPENAI_API_KEY");
        assertThat(consoleBytes.toString(StandardCharsets.UTF_8))
                .as("refused before anything started")
                .isEmpty();
    }

    @Test
    void aMalformedUrlIsRefusedNamingTheVariableAndTheValueNeverTheKey() {
        for (String bad :
                List.of("localhost:11434", "ftp://example.com/v1", "http://", "http://h/v1?x=1", "not a url")) {
            assertThatThrownBy(() -> AssistantModel.fromEnv(Map.of("OPENAI_API_KEY", KEY, "OPENAI_BASE_URL", bad)))
                    .as(bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("OPENAI_BASE_URL must be an absolute http or https URL")
                    .hasMessageEndingWith(": " + bad)
                    .hasMessageNotContaining(KEY);
            assertThatThrownBy(() -> AssistantModel.fromEnv(Map.of("OLLAMA_BASE_URL", bad)))
                    .as(bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("OLLAMA_BASE_URL must be an absolute http or https URL")
                    .hasMessageContaining("such as http://localhost:11434")
                    .hasMessageEndingWith(": " + bad);
        }
        assertThatThrownBy(() -> AssistantModel.fromEnv(Map.of("OLLAMA_BASE_URL", "http://user:secret@h:11434")))
                .hasMessageEndingWith(": http://***@h:11434");
    }

    @Test
    void theSandboxGatewayTextsTheRealModelPathAndTheToolSetsAReminderInItsStore() throws Exception {
        api.thenCalls("remindMe", "{\"delayMinutes\": 10, \"text\": \"stretch\"}")
                .thenAnswers("Done: I'll remind you in 10 minutes.");
        Map<String, String> env = sandboxEnv();
        env.put("OPENAI_API_KEY", KEY);
        env.put("OPENAI_BASE_URL", api.apiUrl());
        gateway = Gateway.start(env, console);
        BlockingQueue<SandboxMessage> sent = new LinkedBlockingQueue<>();
        gateway.sandbox().orElseThrow().onMessage(sent::add);

        gateway.devPhone().orElseThrow().text("remind me to stretch in 10 minutes");

        SandboxMessage reply = sent.poll(20, TimeUnit.SECONDS);
        assertThat(reply).as("the assistant's reply").isNotNull();
        assertThat(reply.to()).isEqualTo(Gateway.SANDBOX_PHONE);
        assertThat(reply.body()).isEqualTo("Done: I'll remind you in 10 minutes.");
        assertThat(api.requests()).hasSize(2).allSatisfy(request -> {
            assertThat(request.path()).isEqualTo("/v1/chat/completions");
            assertThat(request.authorization()).isEqualTo("Bearer " + KEY);
        });
        JsonNode first = JSON.readTree(api.requests().get(0).body());
        assertThat(first.path("messages").get(0).path("role").asText()).isEqualTo("system");
        assertThat(first.path("messages").get(1).path("content").asText())
                .isEqualTo("remind me to stretch in 10 minutes");
        assertThat(first.path("tools").get(0).path("function").path("name").asText())
                .isEqualTo("remindMe");
        JsonNode second = JSON.readTree(api.requests().get(1).body());
        assertThat(second.path("messages").get(3).path("role").asText()).isEqualTo("tool");
        assertThat(second.path("messages").get(3).path("content").asText()).startsWith("Reminder set for ");

        List<Reminder> pending = new Reminders(gateway.runtime().store(), java.time.Clock.systemUTC()).pending();
        assertThat(pending).singleElement().satisfies(reminder -> {
            assertThat(reminder.to().value()).isEqualTo(Gateway.SANDBOX_PHONE);
            assertThat(reminder.from().value()).isEqualTo(Gateway.SANDBOX_GATEWAY_NUMBER);
            assertThat(reminder.text()).isEqualTo("stretch");
        });
        assertThat(consoleBytes.toString(StandardCharsets.UTF_8))
                .contains("agent: assistant")
                .doesNotContain(KEY);
    }

    private static Map<String, String> sandboxEnv() {
        Map<String, String> env = new HashMap<>();
        env.put("SWITCHBOARD_AGENT", "assistant");
        env.put("SMS_WEBHOOK_PORT", "0");
        env.put("SWITCHBOARD_ADMIN_PORT", "off");
        return env;
    }
}
