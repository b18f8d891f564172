package dev.switchboard.runtime.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.channel.WebhookResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The listener over real sockets, for what an HTTP client library will not send. */
class WebhookServerTest {

    private final AtomicInteger exchanges = new AtomicInteger();
    private final WebhookServer server = WebhookServer.start("127.0.0.1", 0, 1024, Duration.ofMillis(300), request -> {
        exchanges.incrementAndGet();
        return Exchange.of(WebhookResponse.text(200, "ok"));
    });

    @AfterEach
    void tearDown() {
        server.close(Duration.ofSeconds(5));
    }

    private Socket connect() throws IOException {
        Socket socket = new Socket("127.0.0.1", server.localAddress().getPort());
        socket.setSoTimeout(10_000);
        return socket;
    }

    /** Reads until the server closes the connection. */
    private static String readToEnd(InputStream in) throws IOException {
        ByteArrayOutputStream read = new ByteArrayOutputStream();
        in.transferTo(read);
        return read.toString(StandardCharsets.ISO_8859_1);
    }

    @Test
    void closesAConnectionThatSendsHeadersThenNothing() throws Exception {
        try (Socket socket = connect()) {
            OutputStream out = socket.getOutputStream();
            out.write("POST /x HTTP/1.1\r\nHost: localhost\r\nContent-Length: 10\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();

            assertThat(readToEnd(socket.getInputStream())).isEmpty();
        }
        assertThat(exchanges).hasValue(0);
    }

    @Test
    void answersAChunkedBodyOverTheLimitWith413() throws Exception {
        try (Socket socket = connect()) {
            OutputStream out = socket.getOutputStream();
            out.write(("POST /x HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n" + "400\r\n"
                            + "x".repeat(1024) + "\r\n1\r\nx\r\n0\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();

            assertThat(readToEnd(socket.getInputStream())).startsWith("HTTP/1.1 413");
        }
        assertThat(exchanges).hasValue(0);
    }

    @Test
    void answersKeepAliveRequestsOnOneConnectionAndClosesAnHttp10One() throws Exception {
        try (Socket socket = connect()) {
            OutputStream out = socket.getOutputStream();
            String request = "POST /x HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\n\r\n";
            out.write(
                    (request + request + request.replace("HTTP/1.1", "HTTP/1.0")).getBytes(StandardCharsets.US_ASCII));
            out.flush();

            String answers = readToEnd(socket.getInputStream());
            assertThat(answers.split("HTTP/1\\.[01] 200 OK", -1)).hasSize(4);
            assertThat(answers).endsWith("ok");
        }
        assertThat(exchanges).hasValue(3);
    }
}
