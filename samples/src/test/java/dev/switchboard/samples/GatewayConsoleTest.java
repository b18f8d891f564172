package dev.switchboard.samples;

import static org.assertj.core.api.Assertions.assertThat;

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
 * The sandbox gateway's console over real sockets: its page, and the dev phone's API among the admin
 * port's extensions, through which a text reaches the agent.
 */
class GatewayConsoleTest {

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return http.send(request.timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theSandboxServesTheConsoleWithItsDevPhone() throws Exception {
        try (Gateway gateway = Gateway.start(
                Map.of("SMS_WEBHOOK_PORT", "0", "SWITCHBOARD_ADMIN_PORT", "0", "SWITCHBOARD_AGENT", "echo"),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8))) {
            String console = "http://127.0.0.1:" + gateway.runtime().adminPort() + "/";

            HttpResponse<String> page = send(HttpRequest.newBuilder(URI.create(console)));
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.body()).contains("<script src=\"/console/console.js\" defer></script>");
            HttpResponse<String> overview = send(HttpRequest.newBuilder(URI.create(console + "api/overview")));
            assertThat(overview.body()).contains("\"mode\":\"sandbox\"").contains("\"/api/devphone\"");
            HttpResponse<String> phone = send(HttpRequest.newBuilder(URI.create(console + "api/devphone")));
            assertThat(phone.statusCode()).isEqualTo(200);
            assertThat(phone.body()).contains("\"phone\":\"" + Gateway.SANDBOX_PHONE + "\"");

            HttpResponse<String> texted = send(HttpRequest.newBuilder(URI.create(console + "api/devphone/messages"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"channel\":\"sms\",\"text\":\"over HTTP\"}")));
            assertThat(texted.statusCode()).as(texted.body()).isEqualTo(200);
            assertThat(texted.body()).contains("\"webhookStatus\":200");
            HttpResponse<String> refused = send(HttpRequest.newBuilder(URI.create(console + "api/devphone/messages"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"channel\":\"fax\",\"text\":\"hi\"}")));
            assertThat(refused.statusCode()).isEqualTo(400);
            assertThat(refused.body()).contains("\"field\":\"channel\"");
        }
    }
}
