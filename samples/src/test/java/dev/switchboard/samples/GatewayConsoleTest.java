package dev.switchboard.samples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The gateway's admin port: the sandbox serves the console with its dev phone and prints its
 * address, and bad admin variables refuse to start, naming them.
 */
class GatewayConsoleTest {

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private HttpResponse<String> get(String url) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(url))
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theSandboxPrintsTheConsolesAddressAndServesItsDevPhone() throws Exception {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        try (Gateway gateway = Gateway.start(
                Map.of("SMS_WEBHOOK_PORT", "0", "SWITCHBOARD_AGENT", "echo"),
                new PrintStream(printed, true, StandardCharsets.UTF_8))) {
            String console = "http://127.0.0.1:" + gateway.runtime().adminPort() + "/";
            assertThat(printed.toString(StandardCharsets.UTF_8)).contains("Console: " + console + " ");
            assertThat(gateway.runtime().adminPort())
                    .isNotEqualTo(8081)
                    .isNotEqualTo(gateway.runtime().port());

            HttpResponse<String> page = get(console);
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.body()).contains("<script src=\"/console/console.js\" defer></script>");
            HttpResponse<String> overview = get(console + "api/overview");
            assertThat(overview.body()).contains("\"mode\":\"sandbox\"").contains("\"/api/devphone\"");
            HttpResponse<String> phone = get(console + "api/devphone");
            assertThat(phone.statusCode()).isEqualTo(200);
            assertThat(phone.body()).contains("\"phone\":\"" + Gateway.SANDBOX_PHONE + "\"");
        }
    }

    @Test
    void twilioModeHasNoAdminPortUnlessAsked() throws Exception {
        try (Gateway gateway = Gateway.start(TwilioModeGateway.env(), TwilioModeGateway.CONSOLE)) {
            assertThatThrownBy(() -> gateway.runtime().adminPort()).isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void aBadAdminPortIsRefusedNamingTheVariable() {
        assertThatThrownBy(() -> Gateway.start(
                        Map.of("SMS_WEBHOOK_PORT", "0", "SWITCHBOARD_ADMIN_PORT", "console"),
                        TwilioModeGateway.CONSOLE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("SWITCHBOARD_ADMIN_PORT must be a port number (0-65535): console");
        assertThatThrownBy(() -> Gateway.start(
                        TwilioModeGateway.env("SWITCHBOARD_ADMIN_PORT", "70000"), TwilioModeGateway.CONSOLE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("SWITCHBOARD_ADMIN_PORT must be a port number (0-65535): 70000");
    }

    @Test
    void anAdminPortOffLoopbackNeedsAToken() {
        assertThatThrownBy(() -> Gateway.start(
                        Map.of(
                                "SMS_WEBHOOK_PORT",
                                "0",
                                "SWITCHBOARD_ADMIN_PORT",
                                "0",
                                "SWITCHBOARD_ADMIN_HOST",
                                "0.0.0.0"),
                        TwilioModeGateway.CONSOLE))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("SWITCHBOARD_ADMIN_HOST=0.0.0.0")
                .hasMessageContaining("set SWITCHBOARD_ADMIN_TOKEN");
        assertThatThrownBy(() -> Gateway.start(
                        Map.of("SMS_WEBHOOK_PORT", "0", "SWITCHBOARD_ADMIN_TOKEN", "not a token!"),
                        TwilioModeGateway.CONSOLE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("SWITCHBOARD_ADMIN_TOKEN may hold only")
                .hasMessageNotContaining("not a token!");
    }
}
