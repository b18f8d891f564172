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

/** The gateway's admin server variables: defaults by mode, the start line, and refusals. */
class GatewayAdminTest {

    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .build();

    private static HttpResponse<String> get(int port, String path, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10));
        if (headers.length > 0) {
            request.headers(headers);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theSandboxRunsTheConsoleAndPrintsItsAddress() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (Gateway gateway = Gateway.start(
                Map.of("SMS_WEBHOOK_PORT", "0", "SWITCHBOARD_ADMIN_PORT", "0", "SWITCHBOARD_AGENT", "echo"),
                new PrintStream(out, true, StandardCharsets.UTF_8))) {
            int port = gateway.runtime().adminPort();
            assertThat(port).isNotEqualTo(gateway.runtime().port());
            assertThat(out.toString(StandardCharsets.UTF_8))
                    .contains("\nConsole: http://127.0.0.1:" + port + "/" + System.lineSeparator());
            assertThat(get(port, "/healthz").body()).isEqualTo("{\"status\":\"UP\"}");
            assertThat(get(port, "/readyz").statusCode()).isEqualTo(200);
            assertThat(get(port, "/api/overview").body())
                    .startsWith("{\"mode\":\"sandbox\",\"channels\":[{\"id\":\"sms\",\"addresses\":[\""
                            + Gateway.SANDBOX_GATEWAY_NUMBER + "\"],\"home\":\"" + Gateway.SANDBOX_PHONE + "\"}");
        }
    }

    @Test
    void theSandboxDefaultIs8081AndOffTurnsItOff() {
        assertThat(Gateway.admin(Map.of(), true))
                .contains(new Gateway.Admin("127.0.0.1", 8081, java.util.Optional.empty()));
        assertThat(Gateway.admin(Map.of("SWITCHBOARD_ADMIN_PORT", "off"), true)).isEmpty();
        assertThat(Gateway.admin(Map.of(), false)).isEmpty();
        assertThat(Gateway.admin(Map.of("SWITCHBOARD_ADMIN_PORT", " 9100 "), false))
                .contains(new Gateway.Admin("127.0.0.1", 9100, java.util.Optional.empty()));
    }

    @Test
    void twilioModeRunsNoConsoleUnlessAsked() throws Exception {
        try (Gateway gateway = Gateway.start(TwilioModeGateway.env(), TwilioModeGateway.CONSOLE)) {
            assertThatThrownBy(() -> gateway.runtime().adminPort()).isInstanceOf(IllegalStateException.class);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (Gateway gateway = Gateway.start(
                TwilioModeGateway.env("SWITCHBOARD_ADMIN_PORT", "0"),
                new PrintStream(out, true, StandardCharsets.UTF_8))) {
            int port = gateway.runtime().adminPort();
            assertThat(out.toString(StandardCharsets.UTF_8))
                    .isEqualTo("Console: http://127.0.0.1:" + port + "/" + System.lineSeparator());
            assertThat(get(port, "/api/overview").body()).startsWith("{\"mode\":\"twilio\",");
        }
    }

    @Test
    void offLoopbackTheTokenIsRequiredAndThenGuardsTheConsole() throws Exception {
        Map<String, String> open = TwilioModeGateway.env("SWITCHBOARD_ADMIN_HOST", "0.0.0.0");
        open.put("SWITCHBOARD_ADMIN_PORT", "0");
        assertThatThrownBy(() -> Gateway.start(open, TwilioModeGateway.CONSOLE))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("SWITCHBOARD_ADMIN_TOKEN")
                .hasMessageContaining("SWITCHBOARD_ADMIN_HOST=0.0.0.0");
        // With Twilio, a host without the port that turns the server on is refused, not ignored.
        assertThatThrownBy(() -> Gateway.start(
                        TwilioModeGateway.env("SWITCHBOARD_ADMIN_HOST", "0.0.0.0"), TwilioModeGateway.CONSOLE))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("SWITCHBOARD_ADMIN_PORT");
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
                .hasMessageContaining("SWITCHBOARD_ADMIN_TOKEN");

        String token = "0123456789abcdef0123456789abcdef";
        Map<String, String> env = TwilioModeGateway.env("SWITCHBOARD_ADMIN_PORT", "0");
        env.put("SWITCHBOARD_ADMIN_HOST", "0.0.0.0");
        env.put("SWITCHBOARD_ADMIN_TOKEN", token);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (Gateway gateway = Gateway.start(env, new PrintStream(out, true, StandardCharsets.UTF_8))) {
            int port = gateway.runtime().adminPort();
            assertThat(out.toString(StandardCharsets.UTF_8))
                    .startsWith("Console: http://127.0.0.1:" + port + "/ ")
                    .contains("/?token=<SWITCHBOARD_ADMIN_TOKEN>")
                    .doesNotContain(token);
            assertThat(get(port, "/api/overview").statusCode()).isEqualTo(401);
            assertThat(get(port, "/healthz").statusCode()).isEqualTo(200);
            assertThat(get(port, "/api/overview", "Authorization", "Bearer " + token)
                            .statusCode())
                    .isEqualTo(200);
        }
    }

    @Test
    void badValuesAreRefusedNamingTheVariable() {
        for (String bad : new String[] {"abc", "70000", "-1"}) {
            assertThatThrownBy(() -> Gateway.start(
                            TwilioModeGateway.env("SWITCHBOARD_ADMIN_PORT", bad), TwilioModeGateway.CONSOLE))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("SWITCHBOARD_ADMIN_PORT")
                    .hasMessageEndingWith(": " + bad);
        }
        assertThatThrownBy(() -> Gateway.start(
                        TwilioModeGateway.env("SWITCHBOARD_ADMIN_HOST", "not a host/"), TwilioModeGateway.CONSOLE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("SWITCHBOARD_ADMIN_HOST")
                .hasMessageContaining("not a host/");
        Map<String, String> badToken = TwilioModeGateway.env("SWITCHBOARD_ADMIN_TOKEN", "secret with spaces");
        badToken.put("SWITCHBOARD_ADMIN_PORT", "0");
        assertThatThrownBy(() -> Gateway.start(badToken, TwilioModeGateway.CONSOLE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("SWITCHBOARD_ADMIN_TOKEN")
                .hasMessageNotContaining("secret with spaces");
    }
}
