package dev.switchboard.samples.jsonchannel;

import static dev.switchboard.samples.jsonchannel.JsonTestData.OURS;
import static dev.switchboard.samples.jsonchannel.JsonTestData.PERSON;
import static dev.switchboard.samples.jsonchannel.JsonTestData.SECRET;
import static dev.switchboard.samples.jsonchannel.JsonTestData.inbound;
import static dev.switchboard.samples.jsonchannel.JsonTestData.json;
import static dev.switchboard.samples.jsonchannel.JsonTestData.request;
import static dev.switchboard.samples.jsonchannel.JsonTestData.sign;
import static dev.switchboard.samples.jsonchannel.JsonTestData.signed;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.switchboard.channel.Address;
import dev.switchboard.channel.ChannelContext;
import dev.switchboard.channel.DeliveryStatus;
import dev.switchboard.channel.OutboundMessage;
import dev.switchboard.channel.PermanentChannelException;
import dev.switchboard.channel.RetriableChannelException;
import dev.switchboard.channel.Template;
import dev.switchboard.channel.WebhookRequest;
import dev.switchboard.channel.WebhookResult;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What the JSON channel does beyond the contract: its options, its refusals and its failures. */
class JsonWebhookChannelTest {

    private static final String INBOUND_PATH = JsonWebhookChannel.DEFAULT_WEBHOOK_PATH;
    private static final String DELIVERY_PATH = INBOUND_PATH + JsonWebhookChannel.DEFAULT_DELIVERY_SUFFIX;
    private static final Address TO = Address.of(PERSON);
    private static final Instant NOW = Instant.parse("2030-06-01T08:00:00Z");

    private final List<JsonWebhookChannel> channels = new ArrayList<>();
    private FakeJsonProvider provider;

    @BeforeEach
    void startProvider() throws IOException {
        provider = FakeJsonProvider.start();
    }

    @AfterEach
    void stop() {
        channels.forEach(JsonWebhookChannel::close);
        provider.close();
    }

    private JsonWebhookChannel channel(JsonWebhookChannel.Builder builder) {
        JsonWebhookChannel channel = builder.build();
        channels.add(channel);
        channel.start(context());
        return channel;
    }

    private JsonWebhookChannel channel() {
        return channel(JsonTestData.channel(provider.url()));
    }

    private static ChannelContext context() {
        return new ChannelContext() {
            @Override
            public Clock clock() {
                return Clock.fixed(NOW, ZoneOffset.UTC);
            }

            @Override
            public Executor executor() {
                return Runnable::run;
            }

            @Override
            public Optional<InetSocketAddress> listenAddress() {
                return Optional.of(new InetSocketAddress("127.0.0.1", 8080));
            }
        };
    }

    private static WebhookResult post(JsonWebhookChannel channel, WebhookRequest request) {
        return channel.routes().stream()
                .filter(route -> route.path().equals(request.path()))
                .findFirst()
                .orElseThrow()
                .handler()
                .handle(request);
    }

    private static String body(WebhookResult result) {
        return new String(result.response().body(), StandardCharsets.UTF_8);
    }

    // --- options ---

    @Test
    void everyOptionIsCheckedWithAMessageNamingItAndTheValue() {
        JsonWebhookChannel.Builder builder = JsonWebhookChannel.builder();
        assertThatThrownBy(() -> builder.id("Json Channel"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("id must be lower-case letters, digits and '-', starting with a letter, at most 32"
                        + " characters: Json Channel");
        assertThatThrownBy(() -> builder.sharedSecret("short-secret"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("sharedSecret must be at least 16 bytes, and is 12: use a random value of 32 bytes or more")
                .hasMessageNotContaining("short-secret");
        assertThatThrownBy(() -> builder.providerUrl("provider.example.com/messages"))
                .hasMessage("providerUrl must be an absolute http(s) URL with a host and without a fragment:"
                        + " provider.example.com/messages");
        assertThatThrownBy(() -> builder.providerUrl("ftp://provider.example.com/messages"))
                .hasMessageStartingWith("providerUrl must be an absolute http(s) URL");
        assertThatThrownBy(() -> builder.providerUrl("https://provider.example.com/messages#top"))
                .hasMessageStartingWith("providerUrl must be an absolute http(s) URL");
        assertThatThrownBy(() -> builder.selfAddress(" ")).hasMessage("selfAddress cannot be blank");
        assertThatThrownBy(() -> builder.webhookPath("webhooks/json"))
                .hasMessage("webhookPath must start with / and have no query, fragment or whitespace: webhooks/json");
        assertThatThrownBy(() -> builder.deliveryPath("/json?x=1"))
                .hasMessage("deliveryPath must start with / and have no query, fragment or whitespace: /json?x=1");
        assertThatThrownBy(() -> builder.allowedUsers(List.of(PERSON, ""))).hasMessage("allowedUsers cannot be blank");
        assertThatThrownBy(() -> builder.home(PERSON, " ")).hasMessage("home's name cannot be blank");
        assertThatThrownBy(() -> builder.maxMessageLength(0)).hasMessage("maxMessageLength must be positive: 0");
        assertThatThrownBy(() -> builder.connectTimeout(Duration.ZERO))
                .hasMessage("connectTimeout must be positive: PT0S");
        assertThatThrownBy(() -> builder.readTimeout(Duration.ofSeconds(-1)))
                .hasMessage("readTimeout must be positive: PT-1S");
    }

    @Test
    void buildNamesTheMissingOption() {
        assertThatThrownBy(() -> JsonWebhookChannel.builder().build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("sharedSecret is not set");
        assertThatThrownBy(
                        () -> JsonWebhookChannel.builder().sharedSecret(SECRET).build())
                .hasMessageStartingWith("providerUrl is not set");
        assertThatThrownBy(() -> JsonWebhookChannel.builder()
                        .sharedSecret(SECRET)
                        .providerUrl(provider.url())
                        .build())
                .hasMessageStartingWith("selfAddress is not set");
        assertThatThrownBy(() -> JsonTestData.channel(provider.url())
                        .webhookPath("/in")
                        .deliveryPath("/in")
                        .build())
                .hasMessage("deliveryPath must differ from webhookPath: /in");
    }

    @Test
    void theDefaultsAreDocumentedOnes() {
        JsonWebhookChannel channel = JsonWebhookChannel.builder()
                .sharedSecret(SECRET)
                .providerUrl(provider.url())
                .selfAddress(OURS)
                .build();
        channels.add(channel);

        assertThat(channel.id()).isEqualTo("json");
        assertThat(channel.routes())
                .extracting(r -> r.path())
                .containsExactly("/webhooks/json", "/webhooks/json/delivery");
        assertThat(channel.capabilities().maxMessageLength()).isEqualTo(4096);
        assertThat(channel.accessPolicy().permits(TO)).isFalse();
        assertThat(channel.home()).isEmpty();
        assertThat(channel.selfAddresses()).containsExactly(Address.of(OURS));
    }

    @Test
    void theAccessPolicyAndHomeComeFromTheBuilder() {
        JsonWebhookChannel channel = channel(JsonWebhookChannel.builder()
                .sharedSecret(SECRET)
                .providerUrl(provider.url())
                .selfAddress(OURS)
                .allowedUsers(List.of(" " + PERSON + " "))
                .home("+15550001111", "ops phone")
                .webhookPath("/in")
                .id("acme-json"));

        assertThat(channel.id()).isEqualTo("acme-json");
        assertThat(channel.accessPolicy().permits(TO)).isTrue();
        assertThat(channel.accessPolicy().permits(Address.of("+15550002222"))).isFalse();
        assertThat(channel.home().orElseThrow().address()).isEqualTo(Address.of("+15550001111"));
        assertThat(channel.routes()).extracting(r -> r.path()).containsExactly("/in", "/in/delivery");
    }

    // --- webhooks ---

    @Test
    void eachSignatureProblemIsA403WithItsReason() {
        JsonWebhookChannel channel = channel();
        byte[] body = inbound("in-1", PERSON, OURS, "hi");

        WebhookResult missing = post(channel, request(INBOUND_PATH, null, body));
        WebhookResult malformed = post(channel, request(INBOUND_PATH, "sha1=abc", body));
        WebhookResult notHex = post(channel, request(INBOUND_PATH, "sha256=" + "z".repeat(64), body));
        WebhookResult wrong = post(channel, signed(JsonTestData.GUESSED_SECRET, INBOUND_PATH, body));
        WebhookResult upperCase =
                post(channel, request(INBOUND_PATH, sign(SECRET, body).toUpperCase(), body));

        assertThat(missing).isInstanceOf(WebhookResult.Rejected.class);
        assertThat(missing.response().status()).isEqualTo(403);
        assertThat(body(missing)).isEqualTo("missing X-Signature-256");
        assertThat(body(malformed)).isEqualTo("malformed X-Signature-256: expected sha256= and 64 hex digits");
        assertThat(body(notHex)).isEqualTo("malformed X-Signature-256: expected sha256= and 64 hex digits");
        assertThat(wrong.response().status()).isEqualTo(403);
        assertThat(body(wrong)).isEqualTo("invalid X-Signature-256");
        assertThat(upperCase).as("hex digits in either case").isInstanceOf(WebhookResult.Inbound.class);
    }

    @Test
    void aSignedBodyThatCannotBeReadIsA400ThatNeverQuotesIt() {
        JsonWebhookChannel channel = channel();

        WebhookResult notJson = post(channel, signed(SECRET, INBOUND_PATH, bytes("{\"text\": secret words")));
        WebhookResult array = post(channel, signed(SECRET, INBOUND_PATH, bytes("[1,2]")));
        WebhookResult trailing = post(
                channel,
                signed(SECRET, INBOUND_PATH, bytes("{\"id\":\"a\",\"from\":\"b\",\"to\":\"c\",\"text\":\"d\"} {}")));
        WebhookResult twice = post(
                channel,
                signed(
                        SECRET,
                        INBOUND_PATH,
                        bytes("{\"id\":\"a\",\"from\":\"b\",\"to\":\"c\",\"text\":\"d\",\"text\":\"e\"}")));
        WebhookResult noFrom = post(channel, signed(SECRET, INBOUND_PATH, json("id", "a", "to", OURS, "text", "hi")));
        WebhookResult blankId = post(channel, signed(SECRET, INBOUND_PATH, inbound(" ", PERSON, OURS, "hi")));
        WebhookResult longId =
                post(channel, signed(SECRET, INBOUND_PATH, inbound("x".repeat(257), PERSON, OURS, "hi")));
        WebhookResult blankFrom = post(channel, signed(SECRET, INBOUND_PATH, inbound("a", "", OURS, "hi")));

        assertThat(List.of(notJson, array, trailing, twice, noFrom, blankId, longId, blankFrom))
                .allSatisfy(result -> {
                    assertThat(result).isInstanceOf(WebhookResult.Rejected.class);
                    assertThat(result.response().status()).isEqualTo(400);
                });
        assertThat(body(notJson)).startsWith("malformed JSON at line 1, column").doesNotContain("secret");
        assertThat(body(array)).isEqualTo("the body must be a JSON object");
        assertThat(body(trailing)).startsWith("malformed JSON");
        assertThat(body(twice)).startsWith("malformed JSON");
        assertThat(body(noFrom)).isEqualTo("field \"from\" must be a string");
        assertThat(body(blankId)).isEqualTo("field \"id\" must be a non-blank string of at most 256 characters");
        assertThat(body(longId)).isEqualTo("field \"id\" must be a non-blank string of at most 256 characters");
        assertThat(body(blankFrom)).isEqualTo("field \"from\" must be a non-blank string");
    }

    @Test
    void anInboundMessageIsAcknowledgedWithJsonAndUnknownFieldsAreIgnored() {
        JsonWebhookChannel channel = channel();

        WebhookResult result = post(
                channel,
                signed(SECRET, INBOUND_PATH, json("id", "in-9", "from", PERSON, "to", OURS, "text", "", "lang", "en")));

        assertThat(result).isInstanceOf(WebhookResult.Inbound.class);
        assertThat(((WebhookResult.Inbound) result).message().text()).isEmpty();
        assertThat(result.response().status()).isEqualTo(200);
        assertThat(result.response().contentType()).isEqualTo("application/json");
        assertThat(body(result)).isEqualTo("{\"status\":\"received\"}");
    }

    @Test
    void aReportWithAnUnknownStatusIsIgnoredAndANumericCodeIsRead() {
        JsonWebhookChannel channel = channel();

        WebhookResult unknown =
                post(channel, signed(SECRET, DELIVERY_PATH, json("id", "m1", "to", PERSON, "status", "bounced")));
        WebhookResult numeric = post(
                channel,
                signed(
                        SECRET,
                        DELIVERY_PATH,
                        bytes("{\"id\":\"m1\",\"to\":\"" + PERSON + "\",\"status\":\"failed\",\"error_code\":4711}")));
        WebhookResult badCode = post(
                channel,
                signed(
                        SECRET,
                        DELIVERY_PATH,
                        bytes("{\"id\":\"m1\",\"to\":\"" + PERSON + "\",\"status\":\"failed\",\"error_code\":{}}")));

        assertThat(unknown).isInstanceOf(WebhookResult.Ignored.class);
        assertThat(unknown.response().status()).isEqualTo(200);
        assertThat(((WebhookResult.Receipt) numeric).receipt().errorCode()).contains("4711");
        assertThat(((WebhookResult.Receipt) numeric).receipt().status()).isEqualTo(DeliveryStatus.FAILED);
        assertThat(badCode.response().status()).isEqualTo(400);
        assertThat(body(badCode)).isEqualTo("field \"error_code\" must be a non-blank string or an integer");
    }

    @Test
    void anOptOutReportedLaterIsAnOptOut() {
        JsonWebhookChannel channel = channel();
        WebhookResult.Receipt report = (WebhookResult.Receipt) post(
                channel,
                signed(
                        SECRET,
                        DELIVERY_PATH,
                        json("id", "m1", "to", PERSON, "status", "failed", "error_code", "recipient_opted_out")));

        PermanentChannelException failure =
                channel.deliveryFailure(report.receipt()).orElseThrow();

        assertThat(failure.reason()).isEqualTo(PermanentChannelException.Reason.RECIPIENT_OPTED_OUT);
        assertThat(failure).hasMessageContaining("+1555***4321").hasMessageNotContaining(PERSON);
    }

    // --- sends ---

    @Test
    void aSendIsSignedJsonFromTheChannelsAddress() {
        JsonWebhookChannel channel = channel();
        String id = provider.acceptNext();

        assertThat(channel.send(OutboundMessage.text(TO, "héllo \"you\"")).messageId())
                .isEqualTo(id);

        FakeJsonProvider.Received sent = provider.received().get(0);
        assertThat(sent.signedRight()).as("signed with the shared secret").isTrue();
        assertThat(sent.contentType()).isEqualTo("application/json");
        assertThat(sent.from()).isEqualTo(OURS);
        assertThat(sent.to()).isEqualTo(PERSON);
        assertThat(sent.text()).isEqualTo("héllo \"you\"");
    }

    @Test
    void aProviderWithAnotherSecretIsAConfigurationError() throws IOException {
        try (FakeJsonProvider other = FakeJsonProvider.start()) {
            JsonWebhookChannel channel = channel(JsonWebhookChannel.builder()
                    .sharedSecret("some-other-secret-0123456789")
                    .providerUrl(other.url())
                    .selfAddress(OURS));

            PermanentChannelException e = catchThrowableOfType(
                    PermanentChannelException.class, () -> channel.send(OutboundMessage.text(TO, "hi")));

            assertThat(e.reason()).isEqualTo(PermanentChannelException.Reason.CONFIGURATION);
            assertThat(e.providerCode()).contains("bad_signature");
            assertThat(e).hasMessageContaining("sharedSecret");
        }
    }

    @Test
    void aThrottledSendCarriesRetryAfter() {
        JsonWebhookChannel channel = channel();
        provider.answer(FakeJsonProvider.Answer.error(429, "rate_limited").withHeader("Retry-After", "7"));

        RetriableChannelException e = catchThrowableOfType(
                RetriableChannelException.class, () -> channel.send(OutboundMessage.text(TO, "hi")));

        assertThat(e.retryAfter()).contains(Duration.ofSeconds(7));
        assertThat(e.mayHaveBeenProcessed()).isFalse();
        assertThat(e).hasMessageContaining("+1555***4321").hasMessageNotContaining(PERSON);
    }

    @Test
    void aRefusedConnectionSentNothing() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        JsonWebhookChannel channel = channel(JsonTestData.channel("http://127.0.0.1:" + closedPort + "/v1/messages"));

        RetriableChannelException e = catchThrowableOfType(
                RetriableChannelException.class, () -> channel.send(OutboundMessage.text(TO, "hi")));

        assertThat(e.mayHaveBeenProcessed()).isFalse();
        assertThat(e.providerCode()).isEmpty();
        assertThat(e).hasMessageStartingWith("could not connect to http://127.0.0.1:" + closedPort + "/v1/messages");
    }

    @Test
    void noAnswerInTimeMayHaveSent() {
        JsonWebhookChannel channel =
                channel(JsonTestData.channel(provider.url()).readTimeout(Duration.ofMillis(300)));
        CountDownLatch release = new CountDownLatch(1);
        provider.answer(FakeJsonProvider.Answer.json(201, "{\"id\":\"late\"}").heldUntil(release));
        try {
            RetriableChannelException e = catchThrowableOfType(
                    RetriableChannelException.class, () -> channel.send(OutboundMessage.text(TO, "hi")));

            assertThat(e.mayHaveBeenProcessed()).isTrue();
            assertThat(e).hasMessageStartingWith("no answer within 300 ms");
        } finally {
            release.countDown();
        }
    }

    @Test
    void anAcceptedSendWithoutAnIdMayHaveSent() {
        JsonWebhookChannel channel = channel();
        provider.answer(FakeJsonProvider.Answer.json(200, "{\"status\":\"queued\"}"));

        RetriableChannelException e = catchThrowableOfType(
                RetriableChannelException.class, () -> channel.send(OutboundMessage.text(TO, "hi")));

        assertThat(e.mayHaveBeenProcessed()).isTrue();
    }

    @Test
    void aRedirectIsNotFollowedAndNamesTheSetting() {
        JsonWebhookChannel channel = channel();
        provider.answer(FakeJsonProvider.Answer.json(302, "").withHeader("Location", "http://elsewhere.example.com/"));

        PermanentChannelException e = catchThrowableOfType(
                PermanentChannelException.class, () -> channel.send(OutboundMessage.text(TO, "hi")));

        assertThat(e).hasMessageContaining("HTTP 302").hasMessageContaining("providerUrl");
        assertThat(provider.received()).hasSize(1);
    }

    @Test
    void anOptedOutRecipientIsAnOptOut() {
        JsonWebhookChannel channel = channel();
        provider.answer(FakeJsonProvider.Answer.error(400, "recipient_opted_out"));

        PermanentChannelException e = catchThrowableOfType(
                PermanentChannelException.class, () -> channel.send(OutboundMessage.text(TO, "hi")));

        assertThat(e.reason()).isEqualTo(PermanentChannelException.Reason.RECIPIENT_OPTED_OUT);
        assertThat(e.providerCode()).contains("recipient_opted_out");
    }

    @Test
    void mediaTemplatesAndOverlongTextAreRefusedWithoutARequest() {
        JsonWebhookChannel channel =
                channel(JsonTestData.channel(provider.url()).maxMessageLength(10));
        Template template = new Template("welcome", Map.of());

        assertThatThrownBy(() -> channel.send(
                        OutboundMessage.text(TO, "see").withMedia(List.of(URI.create("https://example.com/a.png")))))
                .isInstanceOf(PermanentChannelException.class)
                .hasMessageContaining("text only");
        assertThatThrownBy(() -> channel.send(new OutboundMessage(TO, "", List.of(), Optional.of(template))))
                .isInstanceOf(PermanentChannelException.class)
                .hasMessageContaining("no templates");
        assertThatThrownBy(() -> channel.send(OutboundMessage.text(TO, "x".repeat(11))))
                .isInstanceOf(PermanentChannelException.class)
                .hasMessageContaining("11 characters");
        assertThat(provider.received()).isEmpty();
        channel.send(OutboundMessage.text(TO, "plain").withTemplate(template));
        assertThat(provider.received())
                .extracting(FakeJsonProvider.Received::text)
                .containsExactly("plain");
    }

    @Test
    void startsOnceAndNotAfterClose() {
        JsonWebhookChannel channel = channel();

        assertThatThrownBy(() -> channel.start(context()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("the json channel is already started");
        channel.close();
        JsonWebhookChannel closed = JsonTestData.channel(provider.url()).build();
        closed.close();
        assertThatThrownBy(() -> closed.start(context())).hasMessage("the json channel is closed");
    }

    // --- logs ---

    @Test
    void logsShowAddressesRedactedAndNoSecretsOrSignatures() {
        byte[] body = inbound("in-1", PERSON, OURS, "my secret text");
        String forgedSignature = sign(JsonTestData.GUESSED_SECRET, body);
        String logs;
        PrintStream original = System.err;
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        System.setErr(new PrintStream(buffer, true, StandardCharsets.UTF_8));
        try {
            JsonWebhookChannel channel = channel(JsonTestData.channel(provider.url() + "?token=abc123"));
            post(channel, request(INBOUND_PATH, forgedSignature, body));
            post(channel, signed(SECRET, INBOUND_PATH, bytes("{\"text\": \"my secret text\"")));
            System.err.flush();
            logs = buffer.toString(StandardCharsets.UTF_8);
            assertThat(channel.toString())
                    .doesNotContain(OURS)
                    .doesNotContain("abc123")
                    .doesNotContain(SECRET);
        } finally {
            System.setErr(original);
        }
        original.print(logs);

        assertThat(logs)
                .contains("[json] JSON webhooks on 127.0.0.1:8080 (/webhooks/json and /webhooks/json/delivery), sending"
                        + " to http://127.0.0.1:")
                .contains("/v1/messages?… as +1555***4567")
                .contains("refused a webhook on /webhooks/json: invalid X-Signature-256")
                .contains("refused a signed webhook on /webhooks/json: malformed JSON")
                .doesNotContain(OURS)
                .doesNotContain(PERSON)
                .doesNotContain("abc123")
                .doesNotContain(SECRET)
                .doesNotContain(forgedSignature.substring(7))
                .doesNotContain("my secret text");
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
