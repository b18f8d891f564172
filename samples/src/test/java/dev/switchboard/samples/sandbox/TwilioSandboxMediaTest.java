package dev.switchboard.samples.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.switchboard.channel.Address;
import dev.switchboard.channel.InboundMessage;
import dev.switchboard.channel.MediaContent;
import dev.switchboard.channel.OutboundMessage;
import dev.switchboard.channel.PermanentChannelException;
import dev.switchboard.channel.WebhookRequest;
import dev.switchboard.channel.WebhookResult;
import dev.switchboard.sms.twilio.TwilioSmsChannel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Media and several numbers through the stand-in, over real sockets, with the real SMS channel:
 * a texted picture is served with the account's basic auth and read by the channel, a foreign media
 * URL is never fetched, a reply from the second number goes out from it, and the media of a send
 * are fetched as Twilio fetches them.
 */
class TwilioSandboxMediaTest {

    private static final String FIRST = "+15551230001";
    private static final String SECOND = "+15551230002";
    private static final String PHONE = "+15557654321";
    private static final String PATH = "/webhooks/twilio";

    private final BlockingQueue<InboundMessage> received = new LinkedBlockingQueue<>();
    private TwilioSandbox sandbox;
    private TwilioSmsChannel channel;
    private HttpServer gateway;
    private HttpServer files;

    @BeforeEach
    void start() throws IOException {
        sandbox = TwilioSandbox.builder()
                .senders(Set.of(FIRST, SECOND))
                .automaticStatusCallbacks(false)
                .build()
                .start();
        gateway = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        String publicUrl = "http://127.0.0.1:" + gateway.getAddress().getPort() + PATH;
        channel = TwilioSmsChannel.builder()
                .accountSid(sandbox.accountSid())
                .authToken(sandbox.authToken())
                .phoneNumbers(FIRST, SECOND)
                .webhookUrl(publicUrl)
                .apiBaseUrl(sandbox.baseUrl().toString())
                .mediaNotFoundRetries(3, Duration.ZERO)
                .build();
        // The gateway hands each webhook to the channel's own route, signature check and all.
        gateway.createContext(PATH, exchange -> {
            try (exchange) {
                byte[] body = exchange.getRequestBody().readAllBytes();
                WebhookResult result = channel.routes()
                        .get(0)
                        .handler()
                        .handle(new WebhookRequest(
                                "POST",
                                PATH,
                                "",
                                Map.of(
                                        "Content-Type",
                                        "application/x-www-form-urlencoded",
                                        "X-Twilio-Signature",
                                        exchange.getRequestHeaders().getFirst("X-Twilio-Signature")),
                                body));
                if (result instanceof WebhookResult.Inbound inbound) {
                    received.add(inbound.message());
                }
                exchange.sendResponseHeaders(result.response().status(), -1);
            }
        });
        gateway.start();
        sandbox.configureWebhook(FIRST, URI.create(publicUrl), publicUrl);
        sandbox.configureWebhook(SECOND, URI.create(publicUrl), publicUrl);
    }

    @AfterEach
    void stop() {
        channel.close();
        gateway.stop(0);
        if (files != null) {
            files.stop(0);
        }
        sandbox.close();
    }

    private InboundMessage next() throws InterruptedException {
        InboundMessage message = received.poll(10, TimeUnit.SECONDS);
        assertThat(message).as("a webhook reached the channel").isNotNull();
        return message;
    }

    @Test
    void aTextedPictureReachesTheChannelAndIsReadWithTheAccountsCredentials() throws Exception {
        byte[] png = {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10};
        TextOutcome outcome = sandbox.textMedia(PHONE, FIRST, "", List.of(new MediaContent("image/png", png)));

        InboundMessage message = next();
        assertThat(outcome.message().sid()).startsWith("MM");
        assertThat(message.text()).isEmpty();
        assertThat(message.attachments()).singleElement().satisfies(a -> {
            assertThat(a.available()).isTrue();
            assertThat(a.contentType()).isEqualTo("image/png");
        });
        assertThat(channel.readAttachment(message, message.attachments().get(0)))
                .isEqualTo(new MediaContent("image/png", png));
    }

    @Test
    void theMediaIsServedOnlyWithTheAccountsBasicAuth() throws Exception {
        sandbox.textMedia(PHONE, FIRST, "look", List.of(new MediaContent("image/gif", new byte[] {1})));
        URI url = next().attachments().get(0).url();
        HttpClient http = HttpClient.newHttpClient();

        int anonymous = http.send(HttpRequest.newBuilder(url).GET().build(), HttpResponse.BodyHandlers.discarding())
                .statusCode();
        String wrong =
                Base64.getEncoder().encodeToString((sandbox.accountSid() + ":nope").getBytes(StandardCharsets.UTF_8));
        int wrongToken = http.send(
                        HttpRequest.newBuilder(url)
                                .header("Authorization", "Basic " + wrong)
                                .GET()
                                .build(),
                        HttpResponse.BodyHandlers.discarding())
                .statusCode();

        assertThat(anonymous).isEqualTo(401);
        assertThat(wrongToken).isEqualTo(401);
    }

    @Test
    void aMediaNotYetStoredIsReadOnARetry() throws Exception {
        sandbox.failMediaFetches(2);
        sandbox.textMedia(PHONE, FIRST, "", List.of(new MediaContent("image/jpeg", new byte[] {4, 5})));
        InboundMessage message = next();

        assertThat(channel.readAttachment(message, message.attachments().get(0)).bytes())
                .containsExactly(4, 5);
        assertThat(sandbox.mediaRequests()).isEqualTo(3);
    }

    @Test
    void aForeignMediaUrlIsNeverFetched() throws Exception {
        String elsewhere = sandbox.baseUrl().toString().replace("127.0.0.1", "localhost");
        sandbox.textMediaUrl(
                PHONE,
                FIRST,
                "",
                URI.create(elsewhere + "/2010-04-01/Accounts/" + sandbox.accountSid() + "/Messages/MM" + "0".repeat(32)
                        + "/Media/ME" + "0".repeat(32)),
                "image/png");
        InboundMessage message = next();

        assertThat(message.attachments().get(0).available()).isFalse();
        assertThatThrownBy(() ->
                        channel.readAttachment(message, message.attachments().get(0)))
                .isInstanceOf(PermanentChannelException.class);
        assertThat(sandbox.mediaRequests()).isZero();
    }

    @Test
    void aReplyToTheSecondNumberGoesOutFromIt() throws Exception {
        sandbox.text(PHONE, SECOND, "hello second");
        InboundMessage message = next();

        assertThat(message.to()).isEqualTo(Address.of(SECOND));
        assertThat(channel.unrouted(message)).isEmpty();
        channel.send(OutboundMessage.text(message.from(), "from the second").withFrom(message.to()));

        assertThat(sandbox.messages())
                .filteredOn(m -> m.direction() == SandboxMessage.Direction.OUTBOUND_API)
                .singleElement()
                .satisfies(m -> assertThat(m.from()).contains(SECOND));
    }

    @Test
    void theMediaOfASendAreFetchedAsTwilioFetchesThem() throws Exception {
        files = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        byte[] picture = new byte[1234];
        files.createContext("/moved", exchange -> {
            try (exchange) {
                exchange.getResponseHeaders().set("Location", "/picture.png");
                exchange.sendResponseHeaders(302, -1);
            }
        });
        files.createContext("/picture.png", exchange -> {
            try (exchange) {
                assertThat(exchange.getRequestHeaders().getFirst("Authorization"))
                        .isNull();
                exchange.getResponseHeaders().set("Content-Type", "image/png");
                exchange.sendResponseHeaders(200, picture.length);
                exchange.getResponseBody().write(picture);
            }
        });
        files.start();
        String origin = "http://127.0.0.1:" + files.getAddress().getPort();
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        new DevPhone(PHONE, FIRST, Optional.empty(), sandbox, new PrintStream(console, true, StandardCharsets.UTF_8));

        channel.send(new OutboundMessage(
                Address.of(PHONE), "here", List.of(URI.create(origin + "/moved")), Optional.empty()));

        SandboxMessage sent = sandbox.messages().stream()
                .filter(m -> m.direction() == SandboxMessage.Direction.OUTBOUND_API)
                .findFirst()
                .orElseThrow();
        assertThat(sent.media())
                .containsExactly(new SandboxMedia(origin + "/moved", "image/png", 1234, Optional.empty()));
        assertThat(console.toString(StandardCharsets.UTF_8)).contains("agent> here [media: image/png, 1234 bytes]");
    }

    @Test
    void aMediaUrlTheSandboxCannotReachFailsTheMessageWith11200() throws Exception {
        channel.send(new OutboundMessage(
                Address.of(PHONE), "", List.of(URI.create("https://media.example.com/a.png")), Optional.empty()));

        SandboxMessage sent = sandbox.messages().get(0);
        assertThat(sent.media()).singleElement().satisfies(m -> assertThat(m.fetched())
                .isFalse());
        HttpResponse<String> listed = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(sandbox.baseUrl() + "/2010-04-01/Accounts/"
                                        + sandbox.accountSid() + "/Messages/" + sent.sid() + ".json"))
                                .header(
                                        "Authorization",
                                        "Basic "
                                                + Base64.getEncoder()
                                                        .encodeToString(
                                                                (sandbox.accountSid() + ":" + sandbox.authToken())
                                                                        .getBytes(StandardCharsets.UTF_8)))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(listed.body()).contains("\"error_code\":11200");
    }

    @Test
    void theDevPhoneSendsAPictureAndTextsAnotherNumber(@TempDir Path dir) throws Exception {
        Path picture = dir.resolve("cat.png");
        Files.write(picture, new byte[] {1, 2, 3});
        Path unknown = dir.resolve("notes.exe");
        Files.write(unknown, new byte[] {1});
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        DevPhone phone = new DevPhone(
                PHONE, FIRST, Optional.empty(), sandbox, new PrintStream(console, true, StandardCharsets.UTF_8));
        String input = "img: " + picture + "\nimg: " + unknown + "\nimg: " + dir.resolve("missing.png") + "\nto "
                + SECOND + "\nhi second\nto +15550000000\n";

        phone.run(new java.io.ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)));

        InboundMessage picked = next();
        assertThat(picked.to()).isEqualTo(Address.of(FIRST));
        assertThat(picked.attachments()).singleElement().satisfies(a -> assertThat(a.contentType())
                .isEqualTo("image/png"));
        InboundMessage text = next();
        assertThat(text.to()).isEqualTo(Address.of(SECOND));
        assertThat(text.text()).isEqualTo("hi second");
        assertThat(received).isEmpty();
        assertThat(console.toString(StandardCharsets.UTF_8))
                .contains("cannot send notes.exe: its type is not one of")
                .contains("cannot read " + dir.resolve("missing.png"))
                .contains("(texting +1555***0002 from now on)")
                .contains("the sandbox has no number +1555***0000 with a webhook to text");
        assertThat(phone.smsNumber()).isEqualTo(SECOND);
    }
}
