package dev.switchboard.runtime.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.runtime.AgentRuntime;
import dev.switchboard.runtime.RawHttp;
import dev.switchboard.sms.twilio.TwilioSmsChannel;
import dev.switchboard.twilio.TwilioSignature;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Twilio's real SMS channel behind {@link SwitchboardServlet} in an embedded Jetty, reached at an
 * address that is not its public one (as behind a proxy): a signature is checked against the public
 * URL the channel is configured with, never against the request's {@code Host} or the container's
 * own address.
 */
class SwitchboardServletTwilioTest {

    private static final String ACCOUNT_SID = "AC" + "0123456789abcdef".repeat(2);
    private static final String TOKEN = "servlet-test-token";
    private static final String GATEWAY = "+15005550006";
    private static final String ALICE = "+15551230001";
    private static final String PUBLIC_URL = "https://agent.example.com/webhooks/twilio";
    private static final String CONTEXT = "/gateway";

    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .build();
    private final BlockingQueue<String> turns = new LinkedBlockingQueue<>();
    private AgentRuntime runtime;
    private Server jetty;
    private int port;

    @BeforeEach
    void start() throws Exception {
        TwilioSmsChannel sms = TwilioSmsChannel.builder()
                .accountSid(ACCOUNT_SID)
                .authToken(TOKEN)
                .phoneNumber(GATEWAY)
                .webhookUrl(PUBLIC_URL)
                .allowedUsers(List.of(ALICE))
                // The agent never answers, so nothing is sent; were it to, it would fail here, fast.
                .apiBaseUrl("http://127.0.0.1:9")
                .build();
        runtime = AgentRuntime.builder()
                .noWebhookServer()
                .channel(sms)
                .agent(turn -> {
                    turns.add(turn.message().id() + " " + turn.text());
                    return Optional.empty();
                })
                .build()
                .start();
        jetty = new Server();
        ServerConnector connector = new ServerConnector(jetty);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        jetty.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler(CONTEXT);
        ServletHolder holder = new ServletHolder("switchboard", new SwitchboardServlet(runtime));
        holder.setAsyncSupported(true);
        context.addServlet(holder, "/webhooks/*");
        jetty.setHandler(context);
        jetty.start();
        port = connector.getLocalPort();
    }

    @AfterEach
    void stop() throws Exception {
        jetty.stop();
        runtime.close();
    }

    private static Map<String, List<String>> sms(String sid, String body) {
        Map<String, List<String>> params = new LinkedHashMap<>();
        params.put("MessageSid", List.of(sid));
        params.put("SmsSid", List.of(sid));
        params.put("AccountSid", List.of(ACCOUNT_SID));
        params.put("From", List.of(ALICE));
        params.put("To", List.of(GATEWAY));
        params.put("Body", List.of(body));
        params.put("NumMedia", List.of("0"));
        return params;
    }

    private static String form(Map<String, List<String>> params) {
        return params.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                        + URLEncoder.encode(e.getValue().get(0), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
    }

    private String localUrl() {
        return "http://127.0.0.1:" + port + CONTEXT + "/webhooks/twilio";
    }

    private HttpResponse<String> post(Map<String, List<String>> params, String signature) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(localUrl()))
                        .timeout(Duration.ofSeconds(10))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .header(TwilioSignature.HEADER, signature)
                        .POST(HttpRequest.BodyPublishers.ofString(form(params)))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void acceptsASignatureOverTheConfiguredPublicUrlThoughTheRequestCameElsewhere() throws Exception {
        Map<String, List<String>> params = sms("SM" + "1".repeat(32), "hello");

        HttpResponse<String> response = post(params, TwilioSignature.sign(TOKEN, PUBLIC_URL, params));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(turns.poll(10, TimeUnit.SECONDS)).isEqualTo("SM" + "1".repeat(32) + " hello");
    }

    @Test
    void refusesASignatureOverTheUrlTheRequestWasSentTo() throws Exception {
        Map<String, List<String>> params = sms("SM" + "2".repeat(32), "spoofed");

        HttpResponse<String> response = post(params, TwilioSignature.sign(TOKEN, localUrl(), params));

        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(turns).isEmpty();
    }

    @Test
    void refusesASignatureOverAUrlMadeFromAForgedHostHeader() throws Exception {
        Map<String, List<String>> params = sms("SM" + "3".repeat(32), "spoofed");
        String body = form(params);
        String hostUrl = "https://attacker.example/webhooks/twilio";
        RawHttp.Response forgedHost;
        RawHttp.Response publicHost;
        try (RawHttp connection = new RawHttp(port)) {
            forgedHost = connection
                    .send(request("attacker.example", body, TwilioSignature.sign(TOKEN, hostUrl, params)))
                    .read();
            // The right signature passes whatever the Host says.
            publicHost = connection
                    .send(request("attacker.example", body, TwilioSignature.sign(TOKEN, PUBLIC_URL, params)))
                    .read();
        }

        assertThat(forgedHost.status()).isEqualTo(403);
        assertThat(publicHost.status()).isEqualTo(200);
        assertThat(turns.poll(10, TimeUnit.SECONDS)).isEqualTo("SM" + "3".repeat(32) + " spoofed");
    }

    private static String request(String host, String body, String signature) {
        return "POST " + CONTEXT + "/webhooks/twilio HTTP/1.1\r\n"
                + "Host: " + host + "\r\n"
                + "X-Forwarded-Host: " + host + "\r\n"
                + "X-Forwarded-Proto: https\r\n"
                + "Content-Type: application/x-www-form-urlencoded\r\n"
                + TwilioSignature.HEADER + ": " + signature + "\r\n"
                + "Content-Length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\n"
                + "\r\n"
                + body;
    }
}
