package dev.switchboard.samples.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.samples.spring.app.SwitchboardApplication;
import dev.switchboard.samples.spring.autoconfigure.GatewayVariables;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/** Where each gateway variable comes from: its Spring property first, then its own name. */
class GatewayVariablesTest {

    /**
     * The variables an application (no web server) reads, in sandbox mode, given these environment
     * variables and these command-line arguments ({@code --name=value}).
     */
    private static Map<String, String> variables(Map<String, Object> environmentVariables, String... arguments) {
        StandardEnvironment environment = new StandardEnvironment();
        // Stands for the process environment, which Spring's relaxed binding reads by this kind and name.
        environment
                .getPropertySources()
                .addFirst(new SystemEnvironmentPropertySource("test-systemEnvironment", environmentVariables));
        try (ConfigurableApplicationContext context = new SpringApplicationBuilder(SwitchboardApplication.class)
                .web(WebApplicationType.NONE)
                .environment(environment)
                .properties("switchboard.sandbox.dev-phone=false")
                .run(arguments)) {
            return Map.copyOf(context.getBean(GatewayVariables.class).variables());
        }
    }

    @Test
    void theGatewaysVariableNamesAreReadAsTheyAre() {
        Map<String, String> variables = variables(Map.of(
                "SWITCHBOARD_AGENT", "echo",
                "SMS_ALLOWED_USERS", "+15550001111",
                "SWITCHBOARD_INBOUND_LIMIT", "0"));

        assertThat(variables)
                .containsEntry("SWITCHBOARD_AGENT", "echo")
                .containsEntry("SMS_ALLOWED_USERS", "+15550001111")
                .containsEntry("SWITCHBOARD_INBOUND_LIMIT", "0");
    }

    @Test
    void theAssistantsModelVariablesAreReadByTheirNamesToo() {
        Map<String, String> variables = variables(Map.of(
                "OPENAI_API_KEY", "sk-test-key",
                "OPENAI_MODEL", "gpt-test",
                "OLLAMA_MODEL", "llama-test",
                "UNRELATED_SETTING", "x"));

        assertThat(variables)
                .containsEntry("OPENAI_API_KEY", "sk-test-key")
                .containsEntry("OPENAI_MODEL", "gpt-test")
                .containsEntry("OLLAMA_MODEL", "llama-test")
                .doesNotContainKey("UNRELATED_SETTING");
    }

    @Test
    void aSwitchboardPropertyWinsOverItsVariable() {
        Map<String, String> variables = variables(
                Map.of("SMS_ALLOWED_USERS", "+15550001111", "SWITCHBOARD_AGENT", "demo"),
                "--switchboard.sms.allowed-users=+15550002222",
                "--switchboard.agent=recall");

        assertThat(variables)
                .containsEntry("SMS_ALLOWED_USERS", "+15550002222")
                .containsEntry("SWITCHBOARD_AGENT", "recall");
    }

    @Test
    void aSwitchboardPropertyFromTheEnvironmentInSpringsOwnFormWorksToo() {
        Map<String, String> variables = variables(Map.of("SWITCHBOARD_SMS_ALLOWEDUSERS", "+15550003333"));

        assertThat(variables).containsEntry("SMS_ALLOWED_USERS", "+15550003333");
    }
}
