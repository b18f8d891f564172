package dev.switchboard.samples.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.samples.Gateway;
import dev.switchboard.samples.assistant.FakeOpenAi;
import dev.switchboard.samples.sandbox.TextOutcome;
import dev.switchboard.samples.sandbox.TwilioSandbox;
import dev.switchboard.samples.spring.app.SwitchboardApplication;
import dev.switchboard.samples.spring.autoconfigure.GatewayVariables;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * {@code SWITCHBOARD_AGENT=assistant} in the Spring sample, with the model the gateway's own variables
 * name ({@code OPENAI_API_KEY}, {@code OPENAI_BASE_URL}): a fake OpenAI-compatible API on loopback
 * answers, and the answer reaches the person through the servlet, the runtime and the stand-in.
 */
@SpringBootTest(
        classes = SwitchboardApplication.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"SWITCHBOARD_AGENT=assistant", "switchboard.sandbox.dev-phone=false"})
class AssistantApplicationTest {

    private static final FakeOpenAi OPEN_AI = new FakeOpenAi();

    @DynamicPropertySource
    static void model(DynamicPropertyRegistry registry) {
        registry.add("OPENAI_API_KEY", () -> "sk-test-spring-key");
        registry.add("OPENAI_BASE_URL", OPEN_AI::apiUrl);
    }

    @AfterAll
    static void stopModel() {
        OPEN_AI.close();
    }

    @Autowired
    GatewayVariables variables;

    @Test
    void theAssistantAnswersWithTheModelTheGatewaysVariablesName() throws Exception {
        OPEN_AI.thenAnswers("Hello from the model.");
        TwilioSandbox sandbox = variables.sandbox().orElseThrow();

        TextOutcome outcome = sandbox.text(Gateway.SANDBOX_PHONE, Gateway.SANDBOX_GATEWAY_NUMBER, "hi there");

        assertThat(outcome.webhookStatus()).isEqualTo(200);
        Webhooks.awaitSent(sandbox, Gateway.SANDBOX_PHONE, "Hello from the model.");
        assertThat(OPEN_AI.requests()).singleElement().satisfies(request -> {
            assertThat(request.path()).isEqualTo("/v1/chat/completions");
            assertThat(request.authorization()).isEqualTo("Bearer sk-test-spring-key");
            assertThat(request.body()).contains("hi there");
        });
    }
}
