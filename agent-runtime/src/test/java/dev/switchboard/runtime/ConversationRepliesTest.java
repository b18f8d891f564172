package dev.switchboard.runtime;

import static dev.switchboard.runtime.FakeChannel.encode;
import static dev.switchboard.runtime.FakeChannel.form;
import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.channel.Address;
import dev.switchboard.channel.Attachment;
import dev.switchboard.channel.ChannelException;
import dev.switchboard.channel.OutboundMessage;
import dev.switchboard.runtime.schedule.MutableClock;
import dev.switchboard.runtime.schedule.PushOutcome;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What a conversation carries beyond one text each way, through the runtime over real sockets:
 * numbered choices, media both ways, several own numbers and routes.
 */
class ConversationRepliesTest {

    private static final String SELF = "+15550000000";
    private static final String SECOND = "+15550000001";
    private static final String ALICE = "+15551230001";
    private static final byte[] PNG = "not really a png".getBytes(StandardCharsets.UTF_8);
    private static final URI PUBLIC = URI.create("https://bot.example.com/switchboard-sms");

    private final RecordingListener listener = new RecordingListener();
    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-02T10:00:00Z"));
    private FakeChannel channel = FakeChannel.mms("image/png", "application/pdf");
    private AgentRuntime runtime;
    private int sid;
    private int seen;

    /** The demo agent's menu in small. */
    private final Agent agent = turn -> {
        if (turn.choice().isPresent()) {
            Choice choice = turn.choice().get();
            return Optional.of("you chose " + choice.number() + ": " + choice.label());
        }
        switch (turn.text()) {
            case "menu" -> {
                turn.send(Reply.text("What would you like?").withChoices("Pizza", "Pasta"));
                return Optional.empty();
            }
            case "chart" -> {
                turn.send(Reply.text("Here it is.").withMedia(Media.bytes("image/png", PNG)));
                return Optional.empty();
            }
            case "zip" -> {
                turn.send(Reply.text("").withMedia(Media.bytes("application/zip", PNG)));
                return Optional.empty();
            }
            case "link" -> {
                turn.send(Reply.text("")
                        .withMedia(Media.url(URI.create("https://cdn.example.com/a.pdf"), "application/pdf")));
                return Optional.empty();
            }
            default -> {
                String read = turn.message().attachments().stream()
                        .map(attachment -> read(turn, attachment))
                        .collect(Collectors.joining(","));
                return Optional.of("text: " + turn.text() + (read.isEmpty() ? "" : " [" + read + "]"));
            }
        }
    };

    private static String read(Turn turn, Attachment attachment) {
        try {
            return turn.read(attachment).size() + " bytes";
        } catch (ChannelException e) {
            return "unavailable";
        }
    }

    @AfterEach
    void tearDown() {
        if (runtime != null) {
            runtime.close();
        }
    }

    private void start(AgentRuntimeBuilder builder) {
        runtime = builder.channel(channel)
                .listener(listener)
                .agent(agent)
                .clock(clock)
                .webhookServer("127.0.0.1", 0)
                .shutdownTimeout(Duration.ofSeconds(5))
                .build()
                .start();
    }

    private void start() {
        start(AgentRuntime.builder().publicUrl(PUBLIC));
    }

    private void text(String to, String body, String... extra) throws Exception {
        String form = form("SM" + ++sid, ALICE, to, body) + String.join("", extra);
        assertThat(FakeChannel.post(runtime, form)).isEqualTo(200);
    }

    /** The next message the channel sent, once the runtime reported it sent. */
    private OutboundMessage nextSent() throws InterruptedException {
        listener.next(RecordingListener.ReplySent.class);
        assertThat(channel.sent()).hasSizeGreaterThan(seen);
        return channel.sent().get(seen++);
    }

    @Test
    void aReplyWithChoicesIsAnsweredByNumberOnceAndThenIsOrdinaryText() throws Exception {
        start();

        text(SELF, "menu");
        assertThat(nextSent().text()).contains("1. Pizza\n2. Pasta", "Reply with a number from 1 to 2.");
        text(SELF, "2");
        assertThat(nextSent().text()).isEqualTo("you chose 2: Pasta");
        text(SELF, "2");
        assertThat(nextSent().text()).isEqualTo("text: 2");
    }

    @Test
    void aChoiceAnsweredAfterItsExpiryIsOrdinaryText() throws Exception {
        start(AgentRuntime.builder().choiceTtl(Duration.ofMinutes(5)));

        text(SELF, "menu");
        nextSent();
        clock.advance(Duration.ofMinutes(5));
        text(SELF, "pizza");
        assertThat(nextSent().text()).isEqualTo("text: pizza");
    }

    @Test
    void mediaAnAgentMadeIsServedAtAnUnguessableAddressUntilItExpires() throws Exception {
        start();

        text(SELF, "chart");
        OutboundMessage sent = nextSent();
        assertThat(sent.text()).isEqualTo("Here it is.");
        assertThat(sent.mediaUrls()).hasSize(1);
        URI url = sent.mediaUrls().get(0);
        assertThat(url.toString()).startsWith(PUBLIC + "/switchboard/media/");
        String token = url.getPath().substring(url.getPath().lastIndexOf('/') + 1);
        assertThat(token).hasSizeGreaterThanOrEqualTo(43);

        HttpResponse<byte[]> fetched = get("/switchboard/media/" + token, "GET");
        assertThat(fetched.statusCode()).isEqualTo(200);
        assertThat(fetched.headers().firstValue("Content-Type")).contains("image/png");
        assertThat(fetched.body()).isEqualTo(PNG);
        assertThat(get("/switchboard/media/" + token.substring(1), "GET").statusCode())
                .isEqualTo(404);
        assertThat(get("/switchboard/media/" + token, "POST").statusCode()).isEqualTo(405);

        clock.advance(Duration.ofMinutes(10));
        assertThat(get("/switchboard/media/" + token, "GET").statusCode()).isEqualTo(404);
    }

    @Test
    void mediaOfATypeTheChannelRefusesFailsTheTurnBeforeAnythingIsSent() throws Exception {
        start();

        text(SELF, "zip");
        RecordingListener.AgentFailed failed = listener.next(RecordingListener.AgentFailed.class);
        assertThat(failed.failure()).hasMessageContaining("application/zip");
        assertThat(channel.sent()).isEmpty();
    }

    @Test
    void agentMadeMediaWithoutAPublicUrlFailsSayingWhatToSet() throws Exception {
        start(AgentRuntime.builder());

        text(SELF, "chart");
        RecordingListener.AgentFailed failed = listener.next(RecordingListener.AgentFailed.class);
        assertThat(failed.failure()).hasMessageContaining("publicUrl");
        assertThat(channel.sent()).isEmpty();
    }

    @Test
    void mediaAtAPublicUrlGoesAloneWithoutText() throws Exception {
        start();

        text(SELF, "link");
        OutboundMessage sent = nextSent();
        assertThat(sent.text()).isEmpty();
        assertThat(sent.mediaUrls()).containsExactly(URI.create("https://cdn.example.com/a.pdf"));
    }

    @Test
    void anAgentReadsTheAttachmentsTheChannelCanFetchAndNoOthers() throws Exception {
        URI twilio = URI.create("https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1");
        channel.serve(twilio, PNG);
        start();

        text(SELF, "", "&MediaUrl0=" + encode(twilio.toString()), "&MediaUrl1=" + encode("https://evil.example/x.png"));
        assertThat(nextSent().text()).isEqualTo("text:  [16 bytes,unavailable]");
    }

    @Test
    void aReplyGoesOutFromTheNumberThePersonTexted() throws Exception {
        channel.alsoOwns(Address.of(SECOND));
        start();

        text(SECOND, "hello");
        assertThat(nextSent().from()).contains(Address.of(SECOND));
        text(SELF, "hello");
        assertThat(nextSent().from()).contains(Address.of(SELF));

        // Echo prevention covers every own number.
        assertThat(FakeChannel.post(runtime, form("SM99", SECOND, SELF, "echo")))
                .isEqualTo(200);
        assertThat(listener.next(RecordingListener.Dropped.class).reason()).isEqualTo(DropReason.ECHO);
    }

    @Test
    void aPushGoesFromTheFirstNumberOrTheOneChosen() throws Exception {
        channel.alsoOwns(Address.of(SECOND));
        start();

        var first = runtime.send("sms", Address.of(ALICE), "from the default");
        delivered("SM1");
        assertThat(first.get(10, java.util.concurrent.TimeUnit.SECONDS).kind()).isEqualTo(PushOutcome.Kind.DELIVERED);
        var second = runtime.send("sms", Address.of(SECOND), Address.of(ALICE), "from the second");
        delivered("SM2");
        assertThat(second.get(10, java.util.concurrent.TimeUnit.SECONDS).kind()).isEqualTo(PushOutcome.Kind.DELIVERED);

        assertThat(channel.sent())
                .extracting(OutboundMessage::from)
                .containsExactly(Optional.empty(), Optional.of(Address.of(SECOND)));
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> runtime.send("sms", Address.of("+15557777777"), Address.of(ALICE), "x"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("does not own");
    }

    @Test
    void routesDropWhatTheyLeaveOutAndSendRepliesWhereTheySay() throws Exception {
        channel.alsoOwns(Address.of(SECOND)).routeOnlyTo(Address.of(SELF)).replyTo(Address.of("+15559999999"));
        start();

        text(SECOND, "to the other number");
        assertThat(listener.next(RecordingListener.Dropped.class).reason()).isEqualTo(DropReason.NOT_ROUTED);
        text(SELF, "hello");
        OutboundMessage sent = nextSent();
        assertThat(sent.to()).isEqualTo(Address.of("+15559999999"));
        assertThat(sent.text()).isEqualTo("text: hello");
        assertThat(channel.sent()).hasSize(1);
    }

    /** Twilio's report that the channel's message {@code messageId} was delivered. */
    private void delivered(String messageId) throws Exception {
        assertThat(FakeChannel.post(
                        runtime, "MessageSid=" + messageId + "&To=" + encode(ALICE) + "&MessageStatus=delivered"))
                .isEqualTo(200);
    }

    private HttpResponse<byte[]> get(String path, String method) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + runtime.port() + path))
                .method(method, HttpRequest.BodyPublishers.noBody())
                .timeout(Duration.ofSeconds(10))
                .build();
        return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofByteArray());
    }
}
