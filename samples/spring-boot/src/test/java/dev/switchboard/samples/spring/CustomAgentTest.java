package dev.switchboard.samples.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.runtime.Agent;
import dev.switchboard.samples.Gateway;
import dev.switchboard.samples.sandbox.TwilioSandbox;
import dev.switchboard.samples.spring.app.SwitchboardApplication;
import dev.switchboard.samples.spring.autoconfigure.GatewayVariables;
import java.util.Locale;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;

/** The application's own {@code Agent} bean answers, in place of the one {@code switchboard.agent} names. */
@SpringBootTest(
        classes = {SwitchboardApplication.class, CustomAgentTest.ShoutingAgent.class},
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"switchboard.agent=echo", "switchboard.sandbox.dev-phone=false"})
class CustomAgentTest {

    @TestConfiguration(proxyBeanMethods = false)
    static class ShoutingAgent {
        @Bean
        Agent shoutingAgent() {
            return turn -> Optional.of(turn.messages().get(0).text().toUpperCase(Locale.ROOT));
        }
    }

    @Autowired
    GatewayVariables variables;

    @Test
    void theApplicationsAgentBeanReplacesTheSamples() throws Exception {
        TwilioSandbox sandbox = variables.sandbox().orElseThrow();

        sandbox.text(Gateway.SANDBOX_PHONE, Gateway.SANDBOX_GATEWAY_NUMBER, "quiet please");

        Webhooks.awaitSent(sandbox, Gateway.SANDBOX_PHONE, "QUIET PLEASE");
        assertThat(variables.variables()).containsEntry("SWITCHBOARD_AGENT", "echo");
    }
}
