package dev.switchboard.twilio.live;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The probe over real loopback sockets: an answer, a refused connection, a listener that never answers. */
class WebhookProbeTest {

    private final WebhookProbe probe = new WebhookProbe(Duration.ofMillis(300));

    @Test
    void anAnswerIsItsStatus() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            try (exchange) {
                exchange.sendResponseHeaders(405, -1);
            }
        });
        server.start();
        try {
            URI url = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/webhooks/twilio");
            assertThat(probe.get(url)).isEqualTo(new WebhookProbe.Answered(405));
        } finally {
            server.stop(0);
        }
    }

    @Test
    void aClosedPortIsRefused() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        assertThat(probe.get(URI.create("http://127.0.0.1:" + port + "/"))).isEqualTo(new WebhookProbe.Refused());
    }

    @Test
    void aListenerThatNeverAnswersTimesOut() throws Exception {
        // Connections queue in the backlog and are never read: the request goes unanswered.
        try (ServerSocket socket = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            URI url = URI.create("http://127.0.0.1:" + socket.getLocalPort() + "/");
            assertThat(probe.get(url)).isEqualTo(new WebhookProbe.TimedOut());
        }
    }
}
