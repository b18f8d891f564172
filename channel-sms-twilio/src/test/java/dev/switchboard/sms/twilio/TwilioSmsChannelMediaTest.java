package dev.switchboard.sms.twilio;

import static dev.switchboard.twilio.TwilioTestData.ACCOUNT_SID;
import static dev.switchboard.twilio.TwilioTestData.AUTH_TOKEN;
import static dev.switchboard.twilio.TwilioTestData.MMS_SID;
import static dev.switchboard.twilio.TwilioTestData.OUR_NUMBER;
import static dev.switchboard.twilio.TwilioTestData.PERSON;
import static dev.switchboard.twilio.TwilioTestData.signed;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.switchboard.channel.Attachment;
import dev.switchboard.channel.InboundMessage;
import dev.switchboard.channel.MediaContent;
import dev.switchboard.channel.PermanentChannelException;
import dev.switchboard.channel.RetriableChannelException;
import dev.switchboard.channel.WebhookResult;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Reading inbound media from Twilio's media URL over real sockets, and refusing every other URL. */
class TwilioSmsChannelMediaTest {

    private static final String PUBLIC_URL = "https://bot.example.com/webhooks/twilio";
    private static final String MEDIA_SID = "ME0123456789abcdef0123456789abcdef";
    private static final String BASIC = "Basic "
            + Base64.getEncoder().encodeToString((ACCOUNT_SID + ":" + AUTH_TOKEN).getBytes(StandardCharsets.UTF_8));

    /** One request a server saw. */
    record Seen(String path, String authorization) {}

    /** One scripted answer. */
    record Reply(int status, Map<String, String> headers, byte[] body) {}

    /** A server on 127.0.0.1, port 0, that records requests and answers from a script (404 when it runs out). */
    static final class Server implements AutoCloseable {
        final HttpServer http;
        final List<Seen> seen = new ArrayList<>();
        final Deque<Reply> script = new ArrayDeque<>();

        Server() throws IOException {
            http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            http.createContext("/", exchange -> {
                Reply reply;
                synchronized (this) {
                    seen.add(new Seen(
                            exchange.getRequestURI().getRawPath(),
                            exchange.getRequestHeaders().getFirst("Authorization")));
                    reply = script.isEmpty() ? new Reply(404, Map.of(), new byte[0]) : script.poll();
                }
                reply.headers().forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
                exchange.sendResponseHeaders(reply.status(), reply.body().length == 0 ? -1 : reply.body().length);
                if (reply.body().length > 0) {
                    exchange.getResponseBody().write(reply.body());
                }
                exchange.close();
            });
            http.start();
        }

        String origin() {
            return "http://127.0.0.1:" + http.getAddress().getPort();
        }

        synchronized Server then(int status, Map<String, String> headers, byte[] body) {
            script.add(new Reply(status, headers, body));
            return this;
        }

        synchronized List<Seen> seen() {
            return List.copyOf(seen);
        }

        @Override
        public void close() {
            http.stop(0);
        }
    }

    private Server api;
    private Server elsewhere;

    @BeforeEach
    void servers() throws IOException {
        api = new Server();
        elsewhere = new Server();
    }

    @AfterEach
    void stop() {
        api.close();
        elsewhere.close();
    }

    private String mediaPath(String account, String message, String media) {
        return "/2010-04-01/Accounts/" + account + "/Messages/" + message + "/Media/" + media;
    }

    private String mediaUrl() {
        return api.origin() + mediaPath(ACCOUNT_SID, MMS_SID, MEDIA_SID);
    }

    private TwilioSmsChannel.Builder channel() {
        return TwilioSmsChannel.builder()
                .accountSid(ACCOUNT_SID)
                .authToken(AUTH_TOKEN)
                .phoneNumber(OUR_NUMBER)
                .webhookUrl(PUBLIC_URL)
                .apiBaseUrl(api.origin())
                .mediaNotFoundRetries(3, Duration.ZERO);
    }

    /** The message the channel parses from a signed MMS webhook with one attachment at {@code url}. */
    private static InboundMessage mms(TwilioSmsChannel channel, String url, String type) {
        WebhookResult result = channel.routes()
                .get(0)
                .handler()
                .handle(signed(
                        AUTH_TOKEN,
                        PUBLIC_URL,
                        "/webhooks/twilio",
                        "",
                        "MessageSid",
                        MMS_SID,
                        "AccountSid",
                        ACCOUNT_SID,
                        "From",
                        PERSON,
                        "To",
                        OUR_NUMBER,
                        "Body",
                        "",
                        "NumMedia",
                        "1",
                        "MediaUrl0",
                        url,
                        "MediaContentType0",
                        type));
        return ((WebhookResult.Inbound) result).message();
    }

    @Test
    void aMediaOnlyMessageIsReadWithTheAccountsCredentials() {
        byte[] png = {(byte) 0x89, 'P', 'N', 'G', 1, 2, 3};
        api.then(200, Map.of("Content-Type", "image/png"), png);
        try (TwilioSmsChannel channel = channel().build()) {
            InboundMessage message = mms(channel, mediaUrl(), "image/png");
            Attachment attachment = message.attachments().get(0);

            assertThat(message.text()).isEmpty();
            assertThat(attachment.available()).isTrue();
            assertThat(channel.readAttachment(message, attachment)).isEqualTo(new MediaContent("image/png", png));
            assertThat(api.seen()).containsExactly(new Seen(mediaPath(ACCOUNT_SID, MMS_SID, MEDIA_SID), BASIC));
        }
    }

    @Test
    void aNotFoundIsTriedAgainUntilTheMediaIsStored() {
        api.then(404, Map.of(), new byte[0])
                .then(404, Map.of(), new byte[0])
                .then(200, Map.of("Content-Type", "image/jpeg"), new byte[] {1, 2});
        try (TwilioSmsChannel channel = channel().build()) {
            InboundMessage message = mms(channel, mediaUrl(), "image/jpeg");

            assertThat(channel.readAttachment(message, message.attachments().get(0))
                            .bytes())
                    .containsExactly(1, 2);
            assertThat(api.seen()).hasSize(3);
        }
    }

    @Test
    void aNotFoundAfterEveryRetryIsPermanent() {
        try (TwilioSmsChannel channel = channel().build()) {
            InboundMessage message = mms(channel, mediaUrl(), "image/jpeg");

            assertThatThrownBy(() -> channel.readAttachment(
                            message, message.attachments().get(0)))
                    .isInstanceOf(PermanentChannelException.class)
                    .hasMessageContaining("answered 404")
                    .hasMessageContaining("4 time(s)");
            assertThat(api.seen()).hasSize(4);
        }
    }

    @Test
    void aServerErrorAfterEveryRetryIsRetriable() {
        for (int i = 0; i < 2; i++) {
            api.then(503, Map.of(), new byte[0]);
        }
        try (TwilioSmsChannel channel =
                channel().mediaNotFoundRetries(1, Duration.ZERO).build()) {
            InboundMessage message = mms(channel, mediaUrl(), "image/jpeg");

            assertThatThrownBy(() -> channel.readAttachment(
                            message, message.attachments().get(0)))
                    .isInstanceOf(RetriableChannelException.class)
                    .hasMessageContaining("answered 503");
        }
    }

    @Test
    void aBodyOverTheLimitIsRefusedAtTheLimit() {
        api.then(200, Map.of("Content-Type", "image/png"), new byte[101]);
        try (TwilioSmsChannel channel = channel().mediaMaxBytes(100).build()) {
            InboundMessage message = mms(channel, mediaUrl(), "image/png");

            assertThatThrownBy(() -> channel.readAttachment(
                            message, message.attachments().get(0)))
                    .isInstanceOf(PermanentChannelException.class)
                    .hasMessageContaining("larger than the limit of 100 bytes")
                    .hasMessageContaining("SMS_MEDIA_MAX_BYTES");
        }
    }

    @Test
    void aBodyAtTheLimitIsRead() {
        api.then(200, Map.of("Content-Type", "image/png"), new byte[100]);
        try (TwilioSmsChannel channel = channel().mediaMaxBytes(100).build()) {
            InboundMessage message = mms(channel, mediaUrl(), "image/png");

            assertThat(channel.readAttachment(message, message.attachments().get(0))
                            .size())
                    .isEqualTo(100);
        }
    }

    @Test
    void aRedirectOnTheOriginKeepsTheCredentials() {
        String moved = mediaPath(ACCOUNT_SID, MMS_SID, MEDIA_SID) + "/Content";
        api.then(307, Map.of("Location", moved), new byte[0])
                .then(200, Map.of("Content-Type", "image/gif"), new byte[] {7});
        try (TwilioSmsChannel channel = channel().build()) {
            InboundMessage message = mms(channel, mediaUrl(), "image/gif");

            assertThat(channel.readAttachment(message, message.attachments().get(0))
                            .contentType())
                    .isEqualTo("image/gif");
            assertThat(api.seen())
                    .extracting(Seen::path, Seen::authorization)
                    .containsExactly(
                            org.assertj.core.groups.Tuple.tuple(mediaPath(ACCOUNT_SID, MMS_SID, MEDIA_SID), BASIC),
                            org.assertj.core.groups.Tuple.tuple(moved, BASIC));
        }
    }

    @Test
    void aRedirectToPlainHttpElsewhereIsNotFollowed() {
        api.then(302, Map.of("Location", elsewhere.origin() + "/stolen"), new byte[0]);
        try (TwilioSmsChannel channel = channel().build()) {
            InboundMessage message = mms(channel, mediaUrl(), "image/png");

            assertThatThrownBy(() -> channel.readAttachment(
                            message, message.attachments().get(0)))
                    .isInstanceOf(PermanentChannelException.class)
                    .hasMessageContaining("redirected to http://127.0.0.1");
            assertThat(elsewhere.seen()).isEmpty();
        }
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "OTHER_PORT",
                "OTHER_HOST",
                "OTHER_ACCOUNT",
                "OTHER_MESSAGE",
                "HTTPS_INSTEAD",
                "DOT_DOT",
                "NOT_MEDIA",
                "QUERY",
                "USER_INFO"
            })
    void aForeignMediaUrlIsUnavailableAndNeverFetched(String kind) {
        String path = mediaPath(ACCOUNT_SID, MMS_SID, MEDIA_SID);
        String url =
                switch (kind) {
                    case "OTHER_PORT" -> elsewhere.origin() + path;
                    case "OTHER_HOST" ->
                        "http://localhost:" + api.http.getAddress().getPort() + path;
                    case "OTHER_ACCOUNT" -> api.origin() + mediaPath("AC" + "f".repeat(32), MMS_SID, MEDIA_SID);
                    case "OTHER_MESSAGE" -> api.origin() + mediaPath(ACCOUNT_SID, "MM" + "0".repeat(32), MEDIA_SID);
                    case "HTTPS_INSTEAD" ->
                        "https://127.0.0.1:" + api.http.getAddress().getPort() + path;
                    case "DOT_DOT" -> api.origin() + mediaPath(ACCOUNT_SID, MMS_SID, "../../Messages.json");
                    case "NOT_MEDIA" -> api.origin() + "/2010-04-01/Accounts/" + ACCOUNT_SID + "/Messages.json";
                    case "QUERY" -> mediaUrl() + "?redirect=elsewhere";
                    case "USER_INFO" ->
                        "http://user@127.0.0.1:" + api.http.getAddress().getPort() + path;
                    default -> throw new IllegalArgumentException(kind);
                };
        try (TwilioSmsChannel channel = channel().build()) {
            InboundMessage message = mms(channel, url, "image/png");
            Attachment attachment = message.attachments().get(0);

            assertThat(attachment.available()).isFalse();
            assertThatThrownBy(() -> channel.readAttachment(message, attachment))
                    .isInstanceOf(PermanentChannelException.class)
                    .hasMessageContaining("is unavailable");
            // Even an attachment that claims to be available is checked against the message again.
            Attachment claimed = new Attachment(attachment.url(), attachment.contentType(), true);
            InboundMessage forged = new InboundMessage(
                    message.id(),
                    message.channelId(),
                    message.from(),
                    message.to(),
                    "",
                    List.of(claimed),
                    message.receivedAt(),
                    Map.of());
            assertThatThrownBy(() -> channel.readAttachment(forged, claimed))
                    .isInstanceOf(PermanentChannelException.class);
            assertThat(api.seen()).isEmpty();
            assertThat(elsewhere.seen()).isEmpty();
        }
    }

    @Test
    void onTwilitsOwnOriginOnlyItsMediaUrlIsAvailable() {
        try (TwilioSmsChannel channel = TwilioSmsChannel.builder()
                .accountSid(ACCOUNT_SID)
                .authToken(AUTH_TOKEN)
                .phoneNumber(OUR_NUMBER)
                .webhookUrl(PUBLIC_URL)
                .build()) {
            String path = mediaPath(ACCOUNT_SID, MMS_SID, MEDIA_SID);

            assertThat(mms(channel, "https://api.twilio.com" + path, "image/png")
                            .attachments()
                            .get(0)
                            .available())
                    .isTrue();
            assertThat(mms(channel, "https://api.twilio.com:443" + path, "image/png")
                            .attachments()
                            .get(0)
                            .available())
                    .isTrue();
            assertThat(mms(channel, "http://api.twilio.com" + path, "image/png")
                            .attachments()
                            .get(0)
                            .available())
                    .isFalse();
            assertThat(mms(channel, "https://api.twilio.com.evil.example" + path, "image/png")
                            .attachments()
                            .get(0)
                            .available())
                    .isFalse();
        }
    }

    @Test
    void acceptsTheMediaTypesTwilioTakesOverMms() {
        try (TwilioSmsChannel channel = channel().build()) {
            assertThat(channel.acceptsMediaType("image/png")).isTrue();
            assertThat(channel.acceptsMediaType("IMAGE/JPEG; charset=binary")).isTrue();
            assertThat(channel.acceptsMediaType("application/pdf")).isTrue();
            assertThat(channel.acceptsMediaType("application/x-msdownload")).isFalse();
            assertThat(channel.acceptsMediaType("image/webp")).isFalse();
        }
    }

    @Test
    void theUrlOfAnAttachmentIsKeptEvenWhenUnavailable() {
        try (TwilioSmsChannel channel = channel().build()) {
            InboundMessage message = mms(channel, "https://media.example.com/1.png", "image/png");

            assertThat(message.attachments())
                    .containsExactly(new Attachment(URI.create("https://media.example.com/1.png"), "image/png", false));
        }
    }
}
