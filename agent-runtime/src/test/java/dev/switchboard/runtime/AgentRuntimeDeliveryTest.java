package dev.switchboard.runtime;

import static dev.switchboard.runtime.FakeChannel.encode;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.switchboard.channel.Address;
import dev.switchboard.channel.ConversationKey;
import dev.switchboard.channel.DeliveryStatus;
import dev.switchboard.channel.PermanentChannelException;
import dev.switchboard.channel.RetriableChannelException;
import dev.switchboard.channel.WebhookResponse;
import dev.switchboard.runtime.delivery.OptOutStore;
import dev.switchboard.runtime.delivery.PartStatus;
import dev.switchboard.runtime.delivery.ReplyOutcome;
import dev.switchboard.runtime.schedule.ManualScheduler;
import dev.switchboard.runtime.schedule.PushOutcome;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Delivery through the whole runtime, without a listener socket: compliance keywords, opt-outs,
 * retries that keep the conversation's order, and the outcome of each reply and the states of its
 * parts.
 */
class AgentRuntimeDeliveryTest {

    private static final String ALICE = "+15551230001";
    private static final String SELF = RuntimeFixture.SELF;
    private static final ConversationKey ALICE_SMS = new ConversationKey("sms", Address.of(ALICE));

    private final RuntimeFixture fixture = new RuntimeFixture();
    private final ManualScheduler timer = fixture.timer;
    private final FakeChannel channel = fixture.channel;
    private final RecordingListener listener = fixture.listener;
    private final List<String> agentSaw = fixture.agentSaw;
    private final OptOutStore optOuts = OptOutStore.inMemory();
    private AgentRuntime runtime;

    @AfterEach
    void tearDown() {
        if (runtime != null) {
            runtime.close();
        }
    }

    private AgentRuntimeBuilder builder(Agent agent) {
        return fixture.builder(agent).jitter(() -> Long.MIN_VALUE).optOutStore(optOuts);
    }

    private void start(Agent agent) {
        runtime = builder(agent).build().start();
    }

    private static Agent echo() {
        return RuntimeFixture.echo();
    }

    private WebhookResponse post(String form) {
        return runtime.handle(RuntimeFixture.signed(form));
    }

    private void text(String body) {
        assertThat(post(FakeChannel.form(fixture.nextSid(), ALICE, SELF, body)).status())
                .isEqualTo(200);
    }

    private void report(String messageId, String status, String errorCode) {
        String form = "MessageSid=" + messageId + "&To=" + encode(ALICE) + "&MessageStatus=" + status
                + (errorCode == null ? "" : "&ErrorCode=" + errorCode);
        assertThat(post(form).status()).isEqualTo(200);
    }

    private DropReason nextDrop() throws InterruptedException {
        return listener.next(RecordingListener.Dropped.class).reason();
    }

    private ReplyOutcome nextOutcome() throws InterruptedException {
        return listener.next(RecordingListener.Outcome.class).outcome();
    }

    @Test
    void stopOptsOutSoNeitherTheAgentNorAReplyNorAPushReachesThemUntilStart() throws Exception {
        start(echo());

        text("  Stop ");
        assertThat(nextDrop()).isEqualTo(DropReason.STOP_KEYWORD);
        text("are you there?");
        assertThat(nextDrop()).isEqualTo(DropReason.OPTED_OUT);
        PushOutcome push = runtime.send("sms", Address.of(ALICE), "news").get(10, TimeUnit.SECONDS);

        assertThat(optOuts.isOptedOut(ALICE_SMS)).isTrue();
        assertThat(push.kind()).isEqualTo(PushOutcome.Kind.FAILED);
        assertThat(push.reason()).contains("opted out");
        assertThat(channel.sendCalls()).isZero();

        text("START");
        assertThat(nextDrop()).isEqualTo(DropReason.START_KEYWORD);
        text("back again");
        listener.next(RecordingListener.ReplySent.class);

        assertThat(agentSaw).containsExactly("back again");
        assertThat(channel.sentTexts()).containsExactly("echo: back again");
        assertThat(optOuts.isOptedOut(ALICE_SMS)).isFalse();
    }

    @Test
    void everyStopWordOptsOutAndTheProvidersMarkerCountsToo() throws Exception {
        start(echo());

        for (String word : List.of("STOPALL", "unsubscribe", "Cancel", "end", "QUIT", "stop")) {
            optOuts.optIn(ALICE_SMS);
            text(word);
            assertThat(nextDrop()).as(word).isEqualTo(DropReason.STOP_KEYWORD);
            assertThat(optOuts.isOptedOut(ALICE_SMS)).as(word).isTrue();
        }
        optOuts.optIn(ALICE_SMS);
        post(FakeChannel.form("SMmarked", ALICE, SELF, "please no more") + "&OptOutType=STOP");
        assertThat(nextDrop()).isEqualTo(DropReason.STOP_KEYWORD);

        assertThat(optOuts.isOptedOut(ALICE_SMS)).isTrue();
        assertThat(agentSaw).isEmpty();
    }

    @Test
    void aStartWordFromSomeoneWhoNeverOptedOutIsAnAnswerForTheAgent() throws Exception {
        start(echo());

        text("Yes");
        listener.next(RecordingListener.ReplySent.class);
        text("unstop");
        listener.next(RecordingListener.ReplySent.class);

        assertThat(agentSaw).containsExactly("Yes", "unstop");
        assertThat(listener.seen(RecordingListener.Dropped.class)).isEmpty();
    }

    @Test
    void helpIsAnsweredWithTheChannelsTextAndNeverReachesTheAgent() throws Exception {
        runtime = builder(echo())
                .helpText("Generic help.")
                .helpText("sms", "Acme support bot. Reply STOP to opt out.")
                .build()
                .start();

        text("help");
        assertThat(nextDrop()).isEqualTo(DropReason.HELP_KEYWORD);
        listener.next(RecordingListener.ReplySent.class);
        text(" INFO");
        listener.next(RecordingListener.ReplySent.class);

        assertThat(channel.sentTexts())
                .containsExactly(
                        "Acme support bot. Reply STOP to opt out.", "Acme support bot. Reply STOP to opt out.");
        assertThat(agentSaw).isEmpty();
    }

    @Test
    void helpWithoutAHelpTextIsLeftToTheProvider() throws Exception {
        start(echo());

        text("HELP");
        assertThat(nextDrop()).isEqualTo(DropReason.HELP_KEYWORD);
        text("after");
        listener.next(RecordingListener.ReplySent.class);

        assertThat(channel.sentTexts()).containsExactly("echo: after");
        assertThat(agentSaw).containsExactly("after");
    }

    @Test
    void aRecipientTheProviderRefusesAsOptedOutIsOptedOut() throws Exception {
        channel.failSend(
                1,
                new PermanentChannelException(
                        "Twilio error 21610: unsubscribed",
                        "21610",
                        null,
                        PermanentChannelException.Reason.RECIPIENT_OPTED_OUT));
        start(echo());

        text("hello");
        ReplyOutcome outcome = nextOutcome();
        text("hello again");

        assertThat(outcome.kind()).isEqualTo(ReplyOutcome.Kind.FAILED);
        assertThat(outcome.providerCode()).contains("21610");
        assertThat(nextDrop()).isEqualTo(DropReason.OPTED_OUT);
        assertThat(optOuts.isOptedOut(ALICE_SMS)).isTrue();
        assertThat(channel.sendCalls()).isEqualTo(1);
        assertThat(agentSaw).containsExactly("hello");
    }

    @Test
    void aReplyIsSettledDeliveredByItsReportsAndEachPartMovesOnceInOrder() throws Exception {
        start(turn -> Optional.of(IntStream.range(0, 400).mapToObj(i -> "w" + i).collect(Collectors.joining(" "))));

        text("go");
        RecordingListener.ReplySent sent = listener.next(RecordingListener.ReplySent.class);
        assertThat(sent.receipts()).hasSize(2);
        // Each report is handled before the next is posted, so that their order is the one written.
        report("SM2", "sent", null);
        listener.next(RecordingListener.Receipt.class);
        report("SM1", "delivered", null);
        listener.next(RecordingListener.Receipt.class);
        report("SM1", "sent", null);
        listener.next(RecordingListener.Receipt.class);
        report("SM1", "delivered", null);
        listener.next(RecordingListener.Receipt.class);
        report("SM2", "delivered", null);
        ReplyOutcome outcome = nextOutcome();
        // The outcome is reported before the receipt that settled it reaches the listener.
        listener.next(RecordingListener.Receipt.class);

        assertThat(outcome.kind()).isEqualTo(ReplyOutcome.Kind.DELIVERED);
        assertThat(outcome.messageIds()).containsExactly("SM1", "SM2");
        assertThat(outcome.reason()).isEqualTo("all 2 parts delivered");
        assertThat(listener.seen(RecordingListener.Part.class))
                .extracting(p -> p.status().messageId(), p -> p.status().part(), p -> p.status()
                        .status())
                .containsExactly(
                        tuple("SM2", 2, DeliveryStatus.SENT),
                        tuple("SM1", 1, DeliveryStatus.DELIVERED),
                        tuple("SM2", 2, DeliveryStatus.DELIVERED));
        assertThat(listener.seen(RecordingListener.Receipt.class)).hasSize(5);
        assertThat(listener.seen(RecordingListener.Outcome.class)).hasSize(1);
    }

    @Test
    void aPartReportedUndeliveredFailsTheReplyWithItsCode() throws Exception {
        start(echo());

        text("hi");
        listener.next(RecordingListener.ReplySent.class);
        report("SM1", "undelivered", "30003");
        ReplyOutcome outcome = nextOutcome();
        PartStatus part = listener.next(RecordingListener.Part.class).status();

        assertThat(outcome.kind()).isEqualTo(ReplyOutcome.Kind.FAILED);
        assertThat(outcome.failedPart()).isEqualTo(1);
        assertThat(outcome.providerCode()).contains("30003");
        assertThat(outcome.reason()).isEqualTo("undelivered (provider code 30003)");
        assertThat(part.errorCode()).contains("30003");
    }

    @Test
    void aReplyBeingRetriedKeepsTheConversationsLaterRepliesWaiting() throws Exception {
        channel.failSend(1, new RetriableChannelException("throttled", "20429", Duration.ofSeconds(2), false, null));
        List<Integer> sentBeforeTurn = Collections.synchronizedList(new ArrayList<>());
        start(turn -> {
            sentBeforeTurn.add(channel.sentTexts().size());
            return Optional.of("echo: " + turn.text());
        });

        text("first");
        assertThat(timer.awaitPending(1)).isTrue();
        text("second");
        assertThat(channel.sendCalls()).isEqualTo(1);
        timer.advance(Duration.ofSeconds(2));
        listener.next(RecordingListener.ReplySent.class);
        listener.next(RecordingListener.ReplySent.class);

        assertThat(channel.sentTexts()).containsExactly("echo: first", "echo: second");
        // The second turn ran only once the first reply had gone out.
        assertThat(sentBeforeTurn).containsExactly(0, 1);
        assertThat(channel.sendCalls()).isEqualTo(3);
    }

    @Test
    void anExtraMessageThatMustBeRetriedIsSentBeforeTheTurnGoesOn() throws Exception {
        channel.failSend(1, new RetriableChannelException("refused", null, null, false, null));
        start(turn -> {
            turn.send("working on it");
            return Optional.of("done");
        });

        text("job");
        assertThat(timer.awaitPending(1)).isTrue();
        assertThat(channel.sentTexts()).isEmpty();
        timer.advance(Duration.ofSeconds(1));
        listener.next(RecordingListener.ReplySent.class);
        listener.next(RecordingListener.ReplySent.class);

        assertThat(channel.sentTexts()).containsExactly("working on it", "done");
    }

    @Test
    void closingGivesUpAReplyWaitingToBeSentAgainAndReportsIt() throws Exception {
        channel.failSend(1, new RetriableChannelException("throttled", "20429", Duration.ofSeconds(30), false, null));
        runtime = builder(echo()).shutdownTimeout(Duration.ZERO).build().start();

        text("hi");
        assertThat(timer.awaitPending(1)).isTrue();
        runtime.close();

        ReplyOutcome outcome = nextOutcome();
        assertThat(outcome.kind()).isEqualTo(ReplyOutcome.Kind.FAILED);
        assertThat(outcome.reason()).startsWith("the runtime closed while it waited to be sent again");
        assertThat(outcome.providerCode()).contains("20429");
        assertThat(channel.sendCalls()).isEqualTo(1);
    }
}
