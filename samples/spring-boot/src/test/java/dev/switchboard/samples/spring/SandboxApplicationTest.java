package dev.switchboard.samples.spring;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.runtime.AgentRuntime;
import dev.switchboard.samples.Gateway;
import dev.switchboard.samples.SignedWebhooks;
import dev.switchboard.samples.sandbox.TextOutcome;
import dev.switchboard.samples.sandbox.TwilioSandbox;
import dev.switchboard.samples.spring.app.SwitchboardApplication;
import dev.switchboard.samples.spring.autoconfigure.GatewayVariables;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The sample in sandbox mode on a random port, as its users start it: {@code SWITCHBOARD_AGENT=echo}
 * by the gateway's own variable name, webhooks through Tomcat and the servlet, replies out through
 * the Twilio stand-in, the health component and the application's meters.
 */
@SpringBootTest(
        classes = SwitchboardApplication.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"SWITCHBOARD_AGENT=echo", "switchboard.sandbox.dev-phone=false"})
class SandboxApplicationTest {

    @LocalServerPort
    int port;

    @Autowired
    GatewayVariables variables;

    @Autowired
    AgentRuntime runtime;

    @Autowired
    MeterRegistry meterRegistry;

    private TwilioSandbox sandbox() {
        return variables.sandbox().orElseThrow();
    }

    private URI local(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    @Test
    void aSignedWebhookOnTheApplicationsPortIsAnsweredAndTheEchoGoesOutThroughTheSandbox() throws Exception {
        String signedUrl = variables.variables().get("SMS_WEBHOOK_URL");
        assertThat(signedUrl).isEqualTo("http://127.0.0.1:" + port + "/webhooks/twilio");

        SignedWebhooks webhooks = new SignedWebhooks(
                local("/webhooks/twilio"),
                signedUrl,
                sandbox().accountSid(),
                sandbox().authToken());
        HttpResponse<String> answer = webhooks.post(webhooks.sms(
                SignedWebhooks.newSid(), Gateway.SANDBOX_PHONE, Gateway.SANDBOX_GATEWAY_NUMBER, "signed by hand"));

        assertThat(answer.statusCode()).isEqualTo(200);
        Webhooks.awaitSent(sandbox(), Gateway.SANDBOX_PHONE, "echo: signed by hand");
    }

    @Test
    void theSandboxCarriesAPhonesTextToTheApplicationAndItsReplyBack() throws Exception {
        TextOutcome outcome = sandbox().text(Gateway.SANDBOX_PHONE, Gateway.SANDBOX_GATEWAY_NUMBER, "through Tomcat");

        assertThat(outcome.webhookStatus()).isEqualTo(200);
        Webhooks.awaitSent(sandbox(), Gateway.SANDBOX_PHONE, "echo: through Tomcat");
    }

    @Test
    void aForgedSignatureIsRefusedWith403AndNothingIsSent() throws Exception {
        // Signed with another token than the account's.
        SignedWebhooks forger = new SignedWebhooks(
                local("/webhooks/twilio"),
                variables.variables().get("SMS_WEBHOOK_URL"),
                sandbox().accountSid(),
                "0".repeat(32));
        HttpResponse<String> answer = forger.post(
                forger.sms(SignedWebhooks.newSid(), Gateway.SANDBOX_PHONE, Gateway.SANDBOX_GATEWAY_NUMBER, "forged"));

        assertThat(answer.statusCode()).isEqualTo(403);
        // A webhook after it is answered and sent, and the conversation's order holds: the forged one
        // would have been sent before it.
        sandbox().text(Gateway.SANDBOX_PHONE, Gateway.SANDBOX_GATEWAY_NUMBER, "after the forgery");
        Webhooks.awaitSent(sandbox(), Gateway.SANDBOX_PHONE, "echo: after the forgery");
        Webhooks.assertNotSent(sandbox(), Gateway.SANDBOX_PHONE, "echo: forged");
    }

    @Test
    void healthShowsTheSwitchboardComponentUpWithTheRuntimesChecks() throws Exception {
        HttpResponse<String> health = Webhooks.get(local("/actuator/health"));

        assertThat(health.statusCode()).isEqualTo(200);
        JsonNode switchboard = Webhooks.json(health).path("components").path("switchboard");
        assertThat(switchboard.path("status").asText()).isEqualTo("UP");
        assertThat(switchboard.path("details").path("listener").asText()).isEqualTo("NOT_USED");
        assertThat(switchboard.path("details").path("store").asText()).isEqualTo("UP");
        assertThat(switchboard.path("details").path("runtime").asText()).isEqualTo("UP");
    }

    @Test
    void theRuntimeCountsInTheApplicationsMeterRegistry() throws Exception {
        sandbox().text(Gateway.SANDBOX_PHONE, Gateway.SANDBOX_GATEWAY_NUMBER, "counted");
        Webhooks.awaitSent(sandbox(), Gateway.SANDBOX_PHONE, "echo: counted");

        assertThat(meterRegistry.find("switchboard.webhooks").counters())
                .anySatisfy(counter -> assertThat(counter.count()).isPositive());
        HttpResponse<String> metric = Webhooks.get(local("/actuator/metrics/switchboard.webhooks"));
        assertThat(metric.statusCode()).isEqualTo(200);
        assertThat(Webhooks.json(metric)
                        .path("measurements")
                        .get(0)
                        .path("value")
                        .asDouble())
                .isPositive();
    }

    @Test
    void theGatewaysVariableNamesConfigureItAndSandboxModeFillsInTheAccount() {
        assertThat(variables.sandboxMode()).isTrue();
        assertThat(variables.variables())
                .containsEntry("SWITCHBOARD_AGENT", "echo")
                .containsEntry("TWILIO_ACCOUNT_SID", sandbox().accountSid())
                .containsEntry("TWILIO_API_BASE_URL", sandbox().baseUrl().toString());
    }
}
