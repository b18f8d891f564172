package dev.switchboard.whatsapp.twilio;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.switchboard.channel.Channel;
import dev.switchboard.channel.DeliveryReceipt;
import dev.switchboard.channel.InboundMessage;
import dev.switchboard.channel.WebhookRequest;
import dev.switchboard.channel.WebhookResponse;
import dev.switchboard.channel.WebhookResult;
import dev.switchboard.channel.WebhookRoute;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A minimal host on one port of 127.0.0.1: it answers every route of every channel it is given, by
 * exact path, method and media type, and keeps the events the handlers produce. Like the runtime, it
 * tells a channel of each inbound message it accepted ({@link Channel#accepted}) once the answer is
 * sent and before the message is handed on; it accepts every one, having no dedupe or limits. It
 * stands in for the runtime's listener, which this module does not depend on.
 */
final class OnePortHost implements AutoCloseable {

    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(2);
    private final Map<String, WebhookRoute> routes = new HashMap<>();
    private final Map<String, Channel> owners = new HashMap<>();
    private final BlockingQueue<InboundMessage> inbound = new LinkedBlockingQueue<>();
    private final BlockingQueue<DeliveryReceipt> receipts = new LinkedBlockingQueue<>();

    private OnePortHost(List<Channel> channels) throws IOException {
        for (Channel channel : channels) {
            for (WebhookRoute route : channel.routes()) {
                if (routes.putIfAbsent(route.path(), route) != null) {
                    throw new IllegalArgumentException("two channels claim " + route.path());
                }
                owners.put(route.path(), channel);
            }
        }
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(executor);
        server.createContext("/", this::serve);
        server.start();
    }

    static OnePortHost serving(Channel... channels) throws IOException {
        return new OnePortHost(List.of(channels));
    }

    InetSocketAddress address() {
        return server.getAddress();
    }

    String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    InboundMessage nextInbound() throws InterruptedException {
        return poll(inbound, "an inbound message");
    }

    DeliveryReceipt nextReceipt() throws InterruptedException {
        return poll(receipts, "a delivery receipt");
    }

    boolean nothingPending() {
        return inbound.isEmpty() && receipts.isEmpty();
    }

    private static <T> T poll(BlockingQueue<T> queue, String what) throws InterruptedException {
        T next = queue.poll(10, TimeUnit.SECONDS);
        if (next == null) {
            throw new AssertionError("no " + what + " within 10 s");
        }
        return next;
    }

    private void serve(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body = exchange.getRequestBody().readAllBytes();
            WebhookRoute route = routes.get(exchange.getRequestURI().getRawPath());
            WebhookResponse response;
            WebhookResult result = null;
            if (route == null) {
                response = WebhookResponse.text(404, "no route");
            } else if (!route.methods().contains(exchange.getRequestMethod())) {
                response = WebhookResponse.text(405, "method not allowed");
            } else {
                Map<String, String> headers = new HashMap<>();
                exchange.getRequestHeaders().forEach((name, values) -> headers.put(name, values.get(0)));
                String query = exchange.getRequestURI().getRawQuery();
                WebhookRequest request = new WebhookRequest(
                        exchange.getRequestMethod(),
                        exchange.getRequestURI().getRawPath(),
                        query == null ? "" : query,
                        headers,
                        body);
                if (!route.mediaTypes().contains(request.mediaType())) {
                    response = WebhookResponse.text(415, "unsupported media type");
                } else {
                    result = route.handler().handle(request);
                    response = result.response();
                }
            }
            exchange.getResponseHeaders().add("Content-Type", response.contentType());
            exchange.sendResponseHeaders(response.status(), response.body().length == 0 ? -1 : response.body().length);
            if (response.body().length > 0) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(response.body());
                }
            }
            if (result instanceof WebhookResult.Inbound in) {
                owners.get(route.path()).accepted(in.message());
                inbound.add(in.message());
            } else if (result instanceof WebhookResult.Receipt r) {
                receipts.add(r.receipt());
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
