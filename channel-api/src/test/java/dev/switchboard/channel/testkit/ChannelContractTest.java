package dev.switchboard.channel.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.tuple;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.switchboard.channel.Address;
import dev.switchboard.channel.Attachment;
import dev.switchboard.channel.Channel;
import dev.switchboard.channel.ChannelCapabilities;
import dev.switchboard.channel.ChannelContext;
import dev.switchboard.channel.ChannelException;
import dev.switchboard.channel.DeliveryReceipt;
import dev.switchboard.channel.DeliveryStatus;
import dev.switchboard.channel.InboundMessage;
import dev.switchboard.channel.MessageIdShape;
import dev.switchboard.channel.OutboundMessage;
import dev.switchboard.channel.PermanentChannelException;
import dev.switchboard.channel.RetriableChannelException;
import dev.switchboard.channel.SendReceipt;
import dev.switchboard.channel.WebhookRequest;
import dev.switchboard.channel.WebhookResult;
import dev.switchboard.channel.WebhookRoute;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The contract every {@link Channel} must keep, as tests: extend this class once per channel
 * implementation and supply a {@link ChannelFixture}, and the channel is checked the way a host will
 * use it.
 *
 * <h2>Using it</h2>
 *
 * <p>The kit ships in the {@code test-jar} of {@code channel-api}. A channel's module adds it, with
 * JUnit 5 and AssertJ, as test dependencies:
 *
 * <pre>{@code
 * <dependency>
 *   <groupId>dev.switchboard</groupId>
 *   <artifactId>channel-api</artifactId>
 *   <version>${switchboard.version}</version>
 *   <type>test-jar</type>
 *   <scope>test</scope>
 * </dependency>
 * <dependency>
 *   <groupId>org.junit.jupiter</groupId>
 *   <artifactId>junit-jupiter</artifactId>
 *   <scope>test</scope>
 * </dependency>
 * <dependency>
 *   <groupId>org.assertj</groupId>
 *   <artifactId>assertj-core</artifactId>
 *   <scope>test</scope>
 * </dependency>
 * }</pre>
 *
 * <p>and one test class:
 *
 * <pre>{@code
 * class TelegramChannelContractTest extends ChannelContractTest {
 *     @Override
 *     protected ChannelFixture createFixture() throws Exception {
 *         FakeTelegramApi api = FakeTelegramApi.start(); // an HTTP server on 127.0.0.1, port 0
 *         TelegramChannel channel = TelegramChannel.builder()
 *                 .apiBaseUrl(api.baseUrl())
 *                 .secretToken(FakeTelegramApi.SECRET)
 *                 .build();
 *         return new TelegramFixture(api, channel); // implements ChannelFixture
 *     }
 * }
 * }</pre>
 *
 * <p>Each test gets a fresh fixture from {@link #createFixture()}, and so a fresh channel and fake
 * provider; the kit starts the channel when the test needs it started (with a {@link
 * ChannelContext} of its own, whose clock stands still at {@link #T0} until the kit moves it), closes
 * the channel after the test, then closes the fixture. The fixture's methods say what each must
 * return. Tests are public so that a channel for which one cannot apply may override it, annotated
 * {@code @Test @Disabled("why")}, and say why in the test report. A subclass may add tests of its
 * own with the helpers {@link #fixture()}, {@link #started()}, {@link #deliver(WebhookRequest)}
 * and {@link #receive(InboundWebhook)}.
 *
 * <h2>What it checks</h2>
 *
 * <ul>
 *   <li><b>Routes</b>: at least one; each path starts with {@code /} and is used once; methods are
 *       upper case; a route that takes a body ({@code POST}, {@code PUT}, {@code PATCH}) declares
 *       its media types; the routes are the same before and after start (a host reads them first).
 *       Every webhook the fixture makes must reach a route that accepts its method and media type,
 *       as a host's 404, 405 and 415 would otherwise stop it.
 *   <li><b>Authentication</b>: a forged, an unauthenticated and a tampered request (inbound or
 *       delivery report) are a {@link WebhookResult.Rejected} with a 4xx status, never an {@link
 *       WebhookResult.Inbound} or a {@link WebhookResult.Receipt}, and the refusal's body echoes
 *       neither the text nor the raw address. A handler answers every request and never throws.
 *   <li><b>Inbound parsing</b>: the id the provider gave (of the {@linkplain
 *       ChannelCapabilities#messageIds() declared shape} unless opaque), {@code channelId} equal to
 *       {@link Channel#id()}, the sender and the channel's address, the text to the last code unit
 *       (Unicode, newlines, characters the provider's format escapes), attachments in order, and
 *       {@code receivedAt} read from the context's clock at each request; a 2xx answer. A provider's
 *       retry of a webhook is parsed again with the same id: dropping duplicates is the host's job.
 *   <li><b>Sending</b>: an accepted send returns the provider's id (of the declared shape) with a
 *       status that is not a failure, and the provider receives the recipient and the exact text; a
 *       text of {@link ChannelCapabilities#maxMessageLength()} code units is sent whole; media go
 *       out, with text or alone, when the capabilities say the channel carries them; sends made at once from several
 *       threads each get their own id.
 *   <li><b>Errors</b>: a failure that certainly sent nothing is a {@link
 *       RetriableChannelException} with {@link RetriableChannelException#mayHaveBeenProcessed()}
 *       false; one that may have sent the message, the same with it true; a refusal, a {@link
 *       PermanentChannelException}; each carrying the provider's error code, and the channel sends
 *       again normally afterwards.
 *   <li><b>Delivery reports</b>: each {@linkplain ChannelFixture#reportedStatuses() reported status}
 *       becomes a {@link DeliveryReceipt} with that status, the message id, the recipient, the
 *       provider's error code for a failure (none otherwise) and {@code receivedAt} from the clock; a
 *       repeated report is parsed again. {@link Channel#deliveryFailure(DeliveryReceipt)} is empty
 *       for a receipt that reports no failure, and carries the receipt's code when it describes one.
 *   <li><b>Privacy</b>: neither the person's nor the channel's raw address (nor its digits without
 *       {@code +}) appears in the {@code toString()} of the channel, its routes, or anything it
 *       returns, nor in the message of any exception it throws or of their causes.
 *   <li><b>Lifecycle</b>: {@link Channel#accepted(InboundMessage)} never throws, before start,
 *       after and after close; {@link Channel#close()} is idempotent, also without a start; a
 *       closed channel refuses a send with {@link IllegalStateException} and sends nothing.
 *   <li><b>Identity</b>: {@link Channel#id()} is non-blank without whitespace, and it and the
 *       capabilities do not change on start; the other accessors return values, and {@link
 *       Channel#webhookServerAddress(Map)} of an empty environment does not throw.
 * </ul>
 *
 * <p>Log output is not checked: a channel's own tests should check that its logs carry only
 * redacted addresses and never a text, token or signature.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public abstract class ChannelContractTest {

    /** Where the kit's clock stands when a test begins. */
    protected static final Instant T0 = Instant.parse("2031-05-17T10:15:30Z");

    /**
     * A text with what tends to break an encoding: non-ASCII letters, an emoji (a surrogate pair), a
     * newline, and characters that forms and JSON escape.
     */
    protected static final String AWKWARD_TEXT = "Grüße & 100% = \"ok\" + <b>done</b>?\nLine two: ¿qué? \\ 😀";

    private static final Set<String> BODY_METHODS = Set.of("POST", "PUT", "PATCH");

    private ChannelFixture fixture;
    private Channel channel;
    private ContractClock clock;
    private ExecutorService executor;
    private boolean started;

    /**
     * A new fixture for one test: a fake provider, started, and a channel built against it, not
     * started.
     *
     * @throws Exception if the fake provider cannot start; the test then fails
     */
    protected abstract ChannelFixture createFixture() throws Exception;

    /** Makes this test's fixture and clock; JUnit calls it before each test. */
    @BeforeEach
    public final void openFixture() throws Exception {
        clock = new ContractClock(T0);
        executor = Executors.newCachedThreadPool();
        fixture = createFixture();
        assertThat(fixture).as("createFixture()").isNotNull();
        channel = fixture.channel();
        assertThat(channel).as("the fixture's channel()").isNotNull();
        assertThat(fixture.person().value())
                .as("the fixture's person() must have a raw address of 10 characters or more, so that its redacted"
                        + " form hides part of it")
                .hasSizeGreaterThanOrEqualTo(10);
    }

    /** Closes the channel, then the fixture; JUnit calls it after each test. */
    @AfterEach
    public final void closeFixture() throws Exception {
        try {
            if (channel != null) {
                channel.close();
            }
        } finally {
            try {
                if (fixture != null) {
                    fixture.close();
                }
            } finally {
                executor.shutdownNow();
            }
        }
    }

    /** This test's fixture. */
    protected final ChannelFixture fixture() {
        return fixture;
    }

    /** The kit's clock: {@link #T0} until a test moves it. */
    protected final Clock clock() {
        return clock;
    }

    /** The channel, started with the kit's context the first time this is called. */
    protected final Channel started() {
        if (!started) {
            channel.start(context());
            started = true;
        }
        return channel;
    }

    /**
     * Hands {@code request} to the route of the channel whose path it was sent to, as a host would:
     * fails if no route has that path, if the route does not accept its method or its media type
     * (a host would answer 405 or 415), or if the handler throws instead of answering.
     */
    protected final WebhookResult deliver(WebhookRequest request) {
        List<WebhookRoute> routes = channel.routes();
        WebhookRoute route = routes.stream()
                .filter(r -> r.path().equals(request.path()))
                .findFirst()
                .orElseThrow(() -> new AssertionError("the fixture's request went to " + request.path()
                        + ", which no route of the channel has; its routes are "
                        + routes.stream().map(WebhookRoute::path).toList()));
        assertThat(route.methods())
                .as("the methods of route %s, for the fixture's %s request", route.path(), request.method())
                .contains(request.method());
        if (!route.mediaTypes().isEmpty()) {
            assertThat(route.mediaTypes())
                    .as("the media types of route %s, for the fixture's request", route.path())
                    .contains(request.mediaType());
        }
        WebhookResult result;
        try {
            result = route.handler().handle(request);
        } catch (RuntimeException e) {
            throw new AssertionError(
                    "the handler of " + route.path() + " threw instead of answering; a handler answers every"
                            + " request, a bad one with a 4xx WebhookResult.Rejected",
                    e);
        }
        assertThat(result).as("the result of the handler of %s", route.path()).isNotNull();
        assertThat(result.response())
                .as("the response of the handler of %s", route.path())
                .isNotNull();
        return result;
    }

    /** Delivers {@code webhook} and returns the inbound message it carried; fails if it was not one. */
    protected final InboundMessage receive(InboundWebhook webhook) {
        WebhookResult result = deliver(webhook.request());
        assertThat(result)
                .as("the result of an authentic inbound webhook (%s)", result)
                .isInstanceOf(WebhookResult.Inbound.class);
        assertThat(result.response().status())
                .as("the answer to an authentic inbound webhook")
                .isBetween(200, 299);
        return ((WebhookResult.Inbound) result).message();
    }

    // --- routes and identity ---

    @Test
    public void routesAreDeclaredCompletely() {
        List<WebhookRoute> routes = channel.routes();
        assertThat(routes).as("routes()").isNotEmpty();
        Set<String> paths = new LinkedHashSet<>();
        for (WebhookRoute route : routes) {
            String path = route.path();
            assertThat(path).as("a route's path").startsWith("/").doesNotContainAnyWhitespaces();
            assertThat(path)
                    .as("the path %s, which is matched exactly, without query", path)
                    .doesNotContain("?")
                    .doesNotContain("#");
            assertThat(paths.add(path))
                    .as("the path %s is used by one route only", path)
                    .isTrue();
            assertThat(route.methods()).as("the methods of route %s", path).isNotEmpty();
            if (route.methods().stream().anyMatch(BODY_METHODS::contains)) {
                assertThat(route.mediaTypes())
                        .as("the media types of route %s, which takes a body", path)
                        .isNotEmpty()
                        .allSatisfy(type -> assertThat(type)
                                .as("a media type of route %s, without parameters", path)
                                .matches("[a-z0-9!#$&^_.+-]+/[a-z0-9!#$&^_.+-]+"));
            }
        }
        started();
        assertThat(channel.routes())
                .extracting(WebhookRoute::path)
                .as("the paths after start(); a host reads them before")
                .containsExactlyElementsOf(paths);
    }

    @Test
    public void identityAndCapabilitiesAreStable() {
        String id = channel.id();
        assertThat(id).as("id()").isNotBlank().doesNotContainAnyWhitespaces();
        ChannelCapabilities capabilities = channel.capabilities();
        assertThat(capabilities).as("capabilities()").isNotNull();
        assertThat(channel.selfAddresses()).as("selfAddresses()").isNotNull();
        assertThat(channel.accessPolicy()).as("accessPolicy()").isNotNull();
        assertThat(channel.home()).as("home()").isNotNull();
        assertThat(channel.webhookServerAddress(Map.of()))
                .as("webhookServerAddress() of an empty environment")
                .isNotNull();

        started();

        assertThat(channel.id()).as("id() after start").isEqualTo(id);
        assertThat(channel.capabilities()).as("capabilities() after start").isEqualTo(capabilities);
    }

    // --- inbound messages ---

    @Test
    public void anAuthenticInboundMessageIsParsed() {
        started();
        Address person = fixture.person();
        InboundWebhook webhook = fixture.inbound(person, "hello");

        InboundMessage message = receive(webhook);

        assertThat(message.id()).as("the message id").isEqualTo(webhook.messageId());
        assertHasDeclaredShape("the inbound message's id", message.id());
        assertThat(message.channelId())
                .as("channelId, which must be the channel's id()")
                .isEqualTo(channel.id());
        assertThat(message.from()).as("from").isEqualTo(person);
        assertThat(message.to()).as("to").isEqualTo(fixture.channelAddress());
        assertThat(message.text()).as("text").isEqualTo("hello");
        assertThat(message.attachments()).as("attachments of a text message").isEmpty();
        assertThat(message.receivedAt())
                .as("receivedAt, from the context's clock")
                .isEqualTo(T0);
    }

    @Test
    public void theHostClockStampsEachMessageAsItArrives() {
        started();
        InboundMessage first = receive(fixture.inbound(fixture.person(), "one"));
        clock.advance(Duration.ofSeconds(90));
        InboundMessage second = receive(fixture.inbound(fixture.person(), "two"));

        assertThat(first.receivedAt()).as("receivedAt of the first message").isEqualTo(T0);
        assertThat(second.receivedAt())
                .as("receivedAt of a message 90 s later, by the context's clock read at each request")
                .isEqualTo(T0.plusSeconds(90));
        assertThat(second.id()).as("a new message's id").isNotEqualTo(first.id());
    }

    @Test
    public void theTextArrivesExactlyAsWritten() {
        started();

        InboundMessage message = receive(fixture.inbound(fixture.person(), AWKWARD_TEXT));

        assertThat(message.text())
                .as("text with Unicode, a newline and escaped characters")
                .isEqualTo(AWKWARD_TEXT);
    }

    @Test
    public void attachmentsArriveInOrder() {
        started();
        List<Attachment> attachments = List.of(
                new Attachment(URI.create("https://media.example.com/contract/1.jpg"), "image/jpeg"),
                new Attachment(URI.create("https://media.example.com/contract/2.ogg"), "audio/ogg"));
        Optional<InboundWebhook> webhook = fixture.inboundWithAttachments(fixture.person(), "look", attachments);
        assumeThat(webhook).as("the provider's inbound messages carry media").isPresent();

        InboundMessage message = receive(webhook.get());

        assertThat(message.id()).as("the message id").isEqualTo(webhook.get().messageId());
        assertThat(message.text()).as("text").isEqualTo("look");
        // Where and what each is; whether the channel would fetch it from there is its own rule.
        assertThat(message.attachments())
                .as("attachments, in order")
                .extracting(Attachment::url, Attachment::contentType)
                .containsExactly(attachments.stream()
                        .map(a -> tuple(a.url(), a.contentType()))
                        .toArray(Tuple[]::new));
        for (Attachment attachment : message.attachments()) {
            if (!attachment.available()) {
                assertThatThrownBy(() -> channel.readAttachment(message, attachment))
                        .as("reading an attachment the channel marked unavailable")
                        .isInstanceOf(PermanentChannelException.class);
            }
        }
    }

    @Test
    public void aRetriedWebhookIsParsedAgainWithTheSameId() {
        started();
        InboundWebhook webhook = fixture.inbound(fixture.person(), "again");

        InboundMessage first = receive(webhook);
        InboundMessage second = receive(webhook);

        assertThat(second.id())
                .as("the id of a provider's retry; dropping it is the host's job")
                .isEqualTo(first.id());
    }

    // --- authentication ---

    @Test
    public void aForgedInboundIsRefused() {
        started();
        String text = "forged: send me the codes";

        assertRefused("a forged inbound webhook", fixture.forgedInbound(fixture.person(), text), text);
    }

    @Test
    public void anUnauthenticatedInboundIsRefused() {
        started();
        String text = "unsigned: send me the codes";
        WebhookRequest authentic = fixture.inbound(fixture.person(), text).request();

        assertRefused("an inbound webhook without authentication", fixture.unauthenticated(authentic), text);
    }

    @Test
    public void aTamperedInboundIsRefused() {
        started();
        String text = "tampered: send me the codes";
        WebhookRequest authentic = fixture.inbound(fixture.person(), text).request();
        assumeThat(authentic.body())
                .as("the inbound webhook has a body to tamper with")
                .isNotEmpty();

        assertRefused("an inbound webhook whose body changed after it was signed", tampered(authentic), text);
    }

    @Test
    public void unauthenticatedOrTamperedDeliveryReportsAreRefused() {
        started();
        WebhookRequest authentic =
                fixture.deliveryReport(sentMessageId(), fixture.person(), DeliveryStatus.DELIVERED, Optional.empty());

        assertRefused("a delivery report without authentication", fixture.unauthenticated(authentic), "");
        if (authentic.body().length > 0) {
            assertRefused("a delivery report whose body changed after it was signed", tampered(authentic), "");
        }
    }

    // --- sending ---

    @Test
    public void anAcceptedSendReturnsTheProvidersId() {
        started();
        personWrote();
        String id = fixture.acceptNextSend();

        SendReceipt receipt = channel.send(OutboundMessage.text(fixture.person(), AWKWARD_TEXT));

        assertThat(receipt).as("send()'s receipt").isNotNull();
        assertThat(receipt.messageId())
                .as("the provider's id for the new message")
                .isEqualTo(id);
        assertHasDeclaredShape("the sent message's id", receipt.messageId());
        assertThat(receipt.status().isFailure())
                .as("the status of an accepted send (%s) is a failure", receipt.status())
                .isFalse();
        assertThat(fixture.sentToProvider())
                .as("what the provider received")
                .last()
                .isEqualTo(new ProviderSend(fixture.person(), AWKWARD_TEXT));
    }

    @Test
    public void aTextOfTheMaximumLengthIsSentWhole() {
        started();
        personWrote();
        int max = channel.capabilities().maxMessageLength();
        String text = "x".repeat(max);
        String id = fixture.acceptNextSend();

        SendReceipt receipt = channel.send(OutboundMessage.text(fixture.person(), text));

        assertThat(receipt.messageId()).isEqualTo(id);
        assertThat(fixture.sentToProvider())
                .as("what the provider received for a text of maxMessageLength (%s)", max)
                .last()
                .isEqualTo(new ProviderSend(fixture.person(), text));
    }

    @Test
    public void mediaAreSentWhereTheCapabilitiesSaySo() {
        started();
        assumeThat(channel.capabilities().supportsMedia())
                .as("capabilities().supportsMedia()")
                .isTrue();
        personWrote();
        List<URI> media = List.of(URI.create("https://media.example.com/contract/chart.png"));
        String id = fixture.acceptNextSend();

        SendReceipt receipt =
                channel.send(OutboundMessage.text(fixture.person(), "see").withMedia(media));

        assertThat(receipt.messageId()).isEqualTo(id);
        assertThat(fixture.sentToProvider())
                .as("what the provider received for a message with media")
                .last()
                .isEqualTo(new ProviderSend(fixture.person(), "see", media));

        String mediaOnly = fixture.acceptNextSend();
        assertThat(channel.send(new OutboundMessage(fixture.person(), "", media, Optional.empty()))
                        .messageId())
                .isEqualTo(mediaOnly);
        assertThat(fixture.sentToProvider())
                .as("what the provider received for media without text")
                .last()
                .isEqualTo(new ProviderSend(fixture.person(), "", media));
    }

    @Test
    public void concurrentSendsEachGetTheirOwnId() throws Exception {
        started();
        personWrote();
        int sends = 8;
        Set<String> scripted = new LinkedHashSet<>();
        for (int i = 0; i < sends; i++) {
            scripted.add(fixture.acceptNextSend());
        }
        ExecutorService senders = Executors.newFixedThreadPool(sends);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<SendReceipt>> receipts = new ArrayList<>();
            for (int i = 0; i < sends; i++) {
                String text = "concurrent " + i;
                receipts.add(senders.submit(() -> {
                    go.await();
                    return channel.send(OutboundMessage.text(fixture.person(), text));
                }));
            }
            go.countDown();
            Set<String> ids = new LinkedHashSet<>();
            for (Future<SendReceipt> receipt : receipts) {
                ids.add(receipt.get(30, TimeUnit.SECONDS).messageId());
            }

            assertThat(ids)
                    .as("the ids of %s sends made at once, each its own", sends)
                    .containsExactlyInAnyOrderElementsOf(scripted);
            assertThat(fixture.sentToProvider())
                    .as("what the provider received")
                    .extracting(ProviderSend::text)
                    .filteredOn(text -> text.startsWith("concurrent "))
                    .hasSize(sends)
                    .doesNotHaveDuplicates();
        } finally {
            senders.shutdownNow();
        }
    }

    @Test
    public void aFailureThatSentNothingIsRetriableAndSafeToRepeat() {
        started();
        personWrote();
        Optional<String> code = fixture.failNextSendRetriably(false);

        RetriableChannelException e = sendFailing(RetriableChannelException.class);

        assertThat(e.mayHaveBeenProcessed())
                .as("mayHaveBeenProcessed() of a failure that certainly sent nothing")
                .isFalse();
        assertThat(e.providerCode()).as("the provider's code").isEqualTo(code);
        assertSendsAgain();
    }

    @Test
    public void aFailureThatMayHaveSentIsRetriableAndSaysSo() {
        started();
        personWrote();
        Optional<String> code = fixture.failNextSendRetriably(true);

        RetriableChannelException e = sendFailing(RetriableChannelException.class);

        assertThat(e.mayHaveBeenProcessed())
                .as("mayHaveBeenProcessed() of a failure after which the message may exist")
                .isTrue();
        assertThat(e.providerCode()).as("the provider's code").isEqualTo(code);
        assertSendsAgain();
    }

    @Test
    public void aRefusalIsPermanentWithTheProvidersCode() {
        started();
        personWrote();
        String code = fixture.failNextSendPermanently();

        PermanentChannelException e = sendFailing(PermanentChannelException.class);

        assertThat(e.providerCode()).as("the provider's code").contains(code);
        assertThat(e.reason()).as("reason()").isNotNull();
        assertSendsAgain();
    }

    // --- delivery reports ---

    @Test
    public void everyReportedStatusBecomesAReceipt() {
        started();
        String id = sentMessageId();
        assertThat(fixture.reportedStatuses())
                .as("the fixture's reportedStatuses()")
                .isNotEmpty();

        for (DeliveryStatus status : fixture.reportedStatuses()) {
            clock.advance(Duration.ofSeconds(1));
            Optional<String> error = status.isFailure() ? Optional.of(fixture.deliveryErrorCode()) : Optional.empty();

            WebhookResult result = deliver(fixture.deliveryReport(id, fixture.person(), status, error));

            assertThat(result).as("the result of a report of %s", status).isInstanceOf(WebhookResult.Receipt.class);
            assertThat(result.response().status())
                    .as("the answer to a report of %s", status)
                    .isBetween(200, 299);
            DeliveryReceipt receipt = ((WebhookResult.Receipt) result).receipt();
            assertThat(receipt)
                    .as("the receipt for a report of %s", status)
                    .isEqualTo(new DeliveryReceipt(id, channel.id(), fixture.person(), status, error, clock.instant()));
            Optional<PermanentChannelException> failure = channel.deliveryFailure(receipt);
            assertThat(failure)
                    .as("deliveryFailure() of a receipt of %s", status)
                    .isNotNull();
            if (!status.isFailure()) {
                assertThat(failure)
                        .as("deliveryFailure() of a receipt of %s, which is no failure", status)
                        .isEmpty();
            }
            failure.ifPresent(e -> {
                assertThat(e.providerCode())
                        .as("the code of deliveryFailure() for a report of %s", status)
                        .isEqualTo(error);
                assertThat(e.getMessage())
                        .as("the message of deliveryFailure()")
                        .isNotBlank();
            });
        }
    }

    @Test
    public void aRepeatedReportIsParsedAgain() {
        started();
        String id = sentMessageId();
        WebhookRequest report =
                fixture.deliveryReport(id, fixture.person(), DeliveryStatus.DELIVERED, Optional.empty());

        WebhookResult first = deliver(report);
        WebhookResult second = deliver(report);

        assertThat(first).as("a report").isInstanceOf(WebhookResult.Receipt.class);
        assertThat(second)
                .as("the same report again; reports repeat and the host absorbs them")
                .isInstanceOf(WebhookResult.Receipt.class);
        assertThat(((WebhookResult.Receipt) second).receipt()).isEqualTo(((WebhookResult.Receipt) first).receipt());
    }

    // --- privacy ---

    @Test
    public void noRawAddressInWhatTheChannelShowsOrThrows() {
        Address person = fixture.person();
        Map<String, String> shown = new LinkedHashMap<>();
        shown.put("the channel's toString() before start", channel.toString());
        started();
        shown.put("the channel's toString() after start", channel.toString());
        channel.routes().forEach(route -> shown.put("route " + route.path(), route.toString()));

        WebhookResult inbound = deliver(fixture.inbound(person, "hello").request());
        shown.put("an inbound webhook's result", inbound.toString());
        WebhookResult forged = deliver(fixture.forgedInbound(person, "hello"));
        shown.put("a forged webhook's result", forged.toString());
        shown.put("a forged webhook's answer", new String(forged.response().body(), StandardCharsets.UTF_8));
        if (inbound instanceof WebhookResult.Inbound accepted) {
            channel.accepted(accepted.message());
        }

        String id = fixture.acceptNextSend();
        shown.put(
                "a send's receipt",
                channel.send(OutboundMessage.text(person, "hi")).toString());
        fixture.failNextSendRetriably(false);
        shown.put("a failure that sent nothing", thrownBy(() -> channel.send(OutboundMessage.text(person, "hi"))));
        fixture.failNextSendRetriably(true);
        shown.put("a failure that may have sent", thrownBy(() -> channel.send(OutboundMessage.text(person, "hi"))));
        fixture.failNextSendPermanently();
        shown.put("a refusal", thrownBy(() -> channel.send(OutboundMessage.text(person, "hi"))));

        WebhookResult report = deliver(fixture.deliveryReport(
                id, person, DeliveryStatus.UNDELIVERED, Optional.of(fixture.deliveryErrorCode())));
        shown.put("a delivery report's result", report.toString());
        if (report instanceof WebhookResult.Receipt receipt) {
            channel.deliveryFailure(receipt.receipt())
                    .ifPresent(failure -> shown.put("deliveryFailure() of a failed report", describe(failure)));
        }

        List<String> raw = rawForms(person, fixture.channelAddress());
        shown.forEach((what, text) -> assertThat(text)
                .as("%s, which must show addresses redacted", what)
                .doesNotContain(raw));
    }

    // --- lifecycle ---

    @Test
    public void acceptedNeverThrows() {
        Address stranger = Address.of("+19995550123");
        InboundMessage unknown = new InboundMessage(
                "contract-unknown-id", channel.id(), stranger, fixture.channelAddress(), "", List.of(), T0, Map.of());
        assertThatCode(() -> channel.accepted(unknown))
                .as("accepted() before start")
                .doesNotThrowAnyException();
        started();
        InboundMessage message = receive(fixture.inbound(fixture.person(), "hello"));

        assertThatCode(() -> channel.accepted(message)).as("accepted()").doesNotThrowAnyException();
        assertThatCode(() -> channel.accepted(message)).as("accepted() again").doesNotThrowAnyException();
        assertThatCode(() -> channel.accepted(unknown))
                .as("accepted() of a message the provider never sent")
                .doesNotThrowAnyException();
        channel.close();
        assertThatCode(() -> channel.accepted(message))
                .as("accepted() after close")
                .doesNotThrowAnyException();
    }

    @Test
    public void closingTwiceIsHarmlessEvenWithoutAStart() {
        assertThatCode(() -> {
                    channel.close();
                    channel.close();
                })
                .as("close() twice without start()")
                .doesNotThrowAnyException();
    }

    @Test
    public void aClosedChannelSendsNothing() {
        started();
        personWrote();
        channel.close();
        assertThatCode(channel::close).as("close() again").doesNotThrowAnyException();
        int before = fixture.sentToProvider().size();

        Throwable thrown = catchThrowable(() -> channel.send(OutboundMessage.text(fixture.person(), "too late")));

        assertThat(thrown).as("send() after close()").isInstanceOf(IllegalStateException.class);
        assertThat(fixture.sentToProvider())
                .as("what the provider received after close()")
                .hasSize(before);
    }

    // --- helpers ---

    private ChannelContext context() {
        InetSocketAddress listen = new InetSocketAddress(InetAddress.getLoopbackAddress(), 8080);
        return new ChannelContext() {
            @Override
            public Clock clock() {
                return clock;
            }

            @Override
            public ExecutorService executor() {
                return executor;
            }

            @Override
            public Optional<InetSocketAddress> listenAddress() {
                return Optional.of(listen);
            }

            @Override
            public String toString() {
                return "ContractContext[" + T0 + "]";
            }
        };
    }

    /**
     * The person writes to the channel first, through its route, and the host accepts the message,
     * as before any reply: a channel with a reply window (WhatsApp's 24 hours) then has it open.
     */
    private void personWrote() {
        channel.accepted(receive(fixture.inbound(fixture.person(), "hi")));
    }

    /** The id of a message the channel sent to the person, after they wrote. */
    private String sentMessageId() {
        personWrote();
        String id = fixture.acceptNextSend();
        assertThat(channel.send(OutboundMessage.text(fixture.person(), "tracked"))
                        .messageId())
                .as("the id of an accepted send")
                .isEqualTo(id);
        return id;
    }

    private void assertHasDeclaredShape(String what, String id) {
        MessageIdShape shape = channel.capabilities().messageIds();
        if (!shape.isOpaque()) {
            assertThat(shape.matches(id))
                    .as("%s %s has the shape capabilities().messageIds() declares, %s", what, id, shape)
                    .isTrue();
        }
    }

    private void assertRefused(String what, WebhookRequest request, String text) {
        WebhookResult result = deliver(request);
        assertThat(result)
                .as("the result of %s, which must be refused", what)
                .isInstanceOf(WebhookResult.Rejected.class);
        assertThat(result.response().status())
                .as("the status refusing %s", what)
                .isBetween(400, 499);
        String body = new String(result.response().body(), StandardCharsets.UTF_8);
        assertThat(body)
                .as("the answer refusing %s, which must echo neither address nor text", what)
                .doesNotContain(rawForms(fixture.person(), fixture.channelAddress()));
        if (!text.isEmpty()) {
            assertThat(body).as("the answer refusing %s", what).doesNotContain(text);
        }
    }

    private <E extends ChannelException> E sendFailing(Class<E> type) {
        Throwable thrown = catchThrowable(() -> channel.send(OutboundMessage.text(fixture.person(), "hello")));
        assertThat(thrown).as("what send() threw").isInstanceOf(type);
        assertThat(thrown.getMessage()).as("the failure's message").isNotBlank();
        return type.cast(thrown);
    }

    private void assertSendsAgain() {
        String id = fixture.acceptNextSend();
        assertThat(channel.send(OutboundMessage.text(fixture.person(), "after the failure"))
                        .messageId())
                .as("the id of the next send, after the failure")
                .isEqualTo(id);
    }

    private String thrownBy(Runnable action) {
        Throwable thrown = catchThrowable(action::run);
        assertThat(thrown).as("what send() threw").isInstanceOf(ChannelException.class);
        return describe(thrown);
    }

    // Everything a log line of the failure, with its stack trace, would show.
    private static String describe(Throwable failure) {
        StringBuilder text = new StringBuilder();
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            text.append(t).append('\n');
        }
        return text.toString();
    }

    private static List<String> rawForms(Address... addresses) {
        List<String> forms = new ArrayList<>();
        for (Address address : addresses) {
            String raw = address.value();
            if (raw.length() >= 10) {
                forms.add(raw);
                if (raw.startsWith("+")) {
                    forms.add(raw.substring(1));
                }
            }
        }
        return forms;
    }

    private static WebhookRequest tampered(WebhookRequest authentic) {
        byte[] body = authentic.body().clone();
        body[body.length - 1] ^= 1;
        return new WebhookRequest(
                authentic.method(), authentic.path(), authentic.rawQuery(), authentic.headers(), body);
    }
}
