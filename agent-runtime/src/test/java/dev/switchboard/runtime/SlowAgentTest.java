package dev.switchboard.runtime;

import static dev.switchboard.runtime.FakeChannel.encode;
import static dev.switchboard.runtime.FakeChannel.form;
import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.channel.Address;
import dev.switchboard.channel.ConversationKey;
import dev.switchboard.channel.PermanentChannelException;
import dev.switchboard.runtime.delivery.ReplyOutcome;
import dev.switchboard.runtime.schedule.PushOutcome;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Agents that take their time: turns of different conversations never wait for each other, and the
 * runtime's bookkeeping never waits for any turn.
 */
class SlowAgentTest {

    private static final String SELF = "+15550000000";
    private static final String ALICE = "+15551230001";
    private static final String BOB = "+15551230002";

    private final FakeChannel channel = FakeChannel.sms();
    private final RecordingListener listener = new RecordingListener();
    // Each person's turns wait on their own gate until a test opens it.
    private final Map<String, CountDownLatch> gates = new ConcurrentHashMap<>();
    private final BlockingQueue<String> started = new LinkedBlockingQueue<>();
    private AgentRuntime runtime;

    @AfterEach
    void tearDown() {
        gates.values().forEach(CountDownLatch::countDown);
        if (runtime != null) {
            runtime.close();
        }
    }

    private CountDownLatch gate(String person) {
        return gates.computeIfAbsent(person, p -> new CountDownLatch(1));
    }

    /** Answers {@code re: text} once the sender's gate opens. */
    private final Agent gated = turn -> {
        String from = turn.message().from().value();
        // The gate exists before the test can see the turn started, so that opening every gate opens it.
        CountDownLatch gate = gate(from);
        started.add(from + ":" + turn.text());
        if (!gate.await(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException(
                    "the test never opened the gate of " + turn.message().from());
        }
        return Optional.of("re: " + turn.text());
    };

    private AgentRuntimeBuilder builder() {
        return AgentRuntime.builder()
                .channel(channel)
                .listener(listener)
                .webhookServer("127.0.0.1", 0)
                .shutdownTimeout(Duration.ofSeconds(5));
    }

    private int post(String body) throws Exception {
        return FakeChannel.post(runtime, body);
    }

    private void text(String sid, String from, String body) throws Exception {
        assertThat(post(form(sid, from, SELF, body))).isEqualTo(200);
    }

    private void report(String messageId, String to, String status) throws Exception {
        assertThat(post("MessageSid=" + messageId + "&To=" + encode(to) + "&MessageStatus=" + status))
                .isEqualTo(200);
    }

    private String nextStarted() throws InterruptedException {
        String turn = started.poll(10, TimeUnit.SECONDS);
        assertThat(turn).as("a turn within 10 s").isNotNull();
        return turn;
    }

    @Test
    void aSlowAgentInOneConversationMakesNoOtherWait() throws Exception {
        runtime = builder().agent(gated).build().start();
        gate(BOB).countDown();

        text("SM1", ALICE, "think hard");
        assertThat(nextStarted()).isEqualTo(ALICE + ":think hard");
        text("SM2", BOB, "quick one");

        // Bob's whole turn ends, reply sent, while Alice's agent is still thinking.
        RecordingListener.ReplySent sent = listener.next(RecordingListener.ReplySent.class);
        assertThat(sent.conversation()).isEqualTo(new ConversationKey("sms", Address.of(BOB)));
        assertThat(channel.sentTexts()).containsExactly("re: quick one");
        gate(ALICE).countDown();
        listener.next(RecordingListener.ReplySent.class);
        assertThat(channel.sentTexts()).containsExactly("re: quick one", "re: think hard");
    }

    @Test
    void manyBlockedTurnsAllRunAtOnceOnTheRuntimesOwnThreads() throws Exception {
        runtime = builder().agent(gated).inboundLimit(0).build().start();
        int people = 60;

        for (int i = 0; i < people; i++) {
            text("SM" + i, String.format("+1555999%04d", i), "hi");
        }

        // Every agent is blocked on its own gate at the same time: none waits for a thread.
        for (int i = 0; i < people; i++) {
            nextStarted();
        }
        gates.values().forEach(CountDownLatch::countDown);
        for (int i = 0; i < people; i++) {
            listener.next(RecordingListener.ReplySent.class);
        }
    }

    @Test
    void atMostMaxConcurrentTurnsRunAndTheOthersWaitTheirTurnInOrder() throws Exception {
        runtime = builder().agent(gated).maxConcurrentTurns(1).build().start();

        text("SM1", ALICE, "first");
        assertThat(nextStarted()).isEqualTo(ALICE + ":first");
        text("SM2", BOB, "second");
        text("SM3", "+15551230003", "third");

        assertThat(started.poll(200, TimeUnit.MILLISECONDS))
                .as("no second turn while the first holds the only slot")
                .isNull();
        gate(ALICE).countDown();
        assertThat(nextStarted()).isEqualTo(BOB + ":second");
        gate(BOB).countDown();
        assertThat(nextStarted()).isEqualTo("+15551230003:third");
        gate("+15551230003").countDown();
        for (int i = 0; i < 3; i++) {
            listener.next(RecordingListener.ReplySent.class);
        }
    }

    @Test
    void deliveryReportsSettleRepliesWhileEveryTurnThreadIsBlocked() throws Exception {
        ExecutorService one = Executors.newSingleThreadExecutor();
        runtime = builder()
                .agent(gated)
                .executor(one, true)
                .deliveryConfirmationTimeout(Duration.ofMinutes(5))
                .build()
                .start();
        gate(ALICE).countDown();
        text("SM1", ALICE, "hello");
        assertThat(nextStarted()).isEqualTo(ALICE + ":hello");
        String replyId = listener.next(RecordingListener.ReplySent.class)
                .receipts()
                .get(0)
                .messageId();

        // Bob's agent now holds the application's only thread.
        text("SM2", BOB, "block");
        assertThat(nextStarted()).isEqualTo(BOB + ":block");
        report(replyId, ALICE, "delivered");

        ReplyOutcome outcome = listener.next(RecordingListener.Outcome.class).outcome();
        assertThat(outcome.kind()).isEqualTo(ReplyOutcome.Kind.DELIVERED);
        assertThat(outcome.messageIds()).containsExactly(replyId);
        assertThat(gate(BOB).getCount()).as("Bob's turn still blocked").isEqualTo(1);
    }

    @Test
    void aStopCountsAtOnceEvenWhileThePersonsOwnTurnIsThinking() throws Exception {
        runtime = builder().agent(gated).build().start();

        text("SM1", ALICE, "hello");
        assertThat(nextStarted()).isEqualTo(ALICE + ":hello");
        text("SM2", ALICE, "STOP");

        RecordingListener.Dropped stop = listener.next(RecordingListener.Dropped.class);
        assertThat(stop.reason()).isEqualTo(DropReason.STOP_KEYWORD);
        assertThat(gate(ALICE).getCount()).as("the agent is still thinking").isEqualTo(1);
        gate(ALICE).countDown();

        // The reply the agent then gives is not sent to someone who opted out.
        ReplyOutcome outcome = listener.next(RecordingListener.Outcome.class).outcome();
        assertThat(outcome.kind()).isEqualTo(ReplyOutcome.Kind.FAILED);
        assertThat(outcome.failure()).get().isInstanceOfSatisfying(PermanentChannelException.class, e -> assertThat(
                        e.reason())
                .isEqualTo(PermanentChannelException.Reason.RECIPIENT_OPTED_OUT));
        assertThat(channel.sentTexts()).isEmpty();
    }

    @Test
    void aMessageAfterAStopNeverReachesTheAgent() throws Exception {
        runtime = builder().agent(gated).build().start();
        gate(ALICE).countDown();

        text("SM1", ALICE, "STOP");
        text("SM2", ALICE, "are you there?");

        assertThat(listener.next(RecordingListener.Dropped.class).reason()).isEqualTo(DropReason.STOP_KEYWORD);
        assertThat(listener.next(RecordingListener.Dropped.class).reason()).isEqualTo(DropReason.OPTED_OUT);
        assertThat(started).isEmpty();
    }

    @Test
    void aYesFromSomeoneNotOptedOutReachesTheAgentInItsPlace() throws Exception {
        runtime = builder().agent(gated).build().start();

        text("SM1", ALICE, "shall we?");
        assertThat(nextStarted()).isEqualTo(ALICE + ":shall we?");
        text("SM2", ALICE, "yes");
        text("SM3", ALICE, "and then?");
        gate(ALICE).countDown();

        assertThat(nextStarted()).isEqualTo(ALICE + ":yes");
        assertThat(nextStarted()).isEqualTo(ALICE + ":and then?");
    }

    @Test
    void aHelpIsAnsweredWhileThePersonsTurnIsThinking() throws Exception {
        runtime = builder().agent(gated).helpText("Text STOP to stop.").build().start();

        text("SM1", ALICE, "hello");
        assertThat(nextStarted()).isEqualTo(ALICE + ":hello");
        text("SM2", ALICE, "help");

        listener.next(RecordingListener.ReplySent.class);
        assertThat(channel.sentTexts()).containsExactly("Text STOP to stop.");
        assertThat(gate(ALICE).getCount()).isEqualTo(1);
    }

    @Test
    void theChannelHearsOfEachAcceptedMessageOnceOffTheIoThreads() throws Exception {
        runtime = builder()
                .agent(turn -> Optional.empty())
                .inboundLimit(1, 1)
                .build()
                .start();

        text("SM1", ALICE, "hi");
        text("SM1", ALICE, "hi");
        text("SM2", BOB, "STOP");
        assertThat(post(form("SM3", ALICE, SELF, "again"))).as("over the limit").isEqualTo(429);
        listener.next(RecordingListener.Dropped.class);
        listener.next(RecordingListener.Dropped.class);
        listener.next(RecordingListener.Dropped.class);

        assertThat(channel.accepted())
                .extracting(accepted -> accepted.message().id())
                .containsExactlyInAnyOrder("SM1", "SM2");
        assertThat(channel.accepted())
                .allSatisfy(accepted -> assertThat(accepted.thread()).doesNotStartWith("switchboard-http"));
    }

    @Test
    void anAsyncAgentsReplyGoesOutWhenItsStageCompletesAndTheNextTurnWaitsForIt() throws Exception {
        BlockingQueue<CompletableFuture<Optional<String>>> pending = new LinkedBlockingQueue<>();
        AtomicInteger calls = new AtomicInteger();
        runtime = builder()
                .asyncAgent(turn -> {
                    calls.incrementAndGet();
                    CompletableFuture<Optional<String>> answer = new CompletableFuture<>();
                    pending.add(answer);
                    return answer.thenApply(reply -> reply.map(text -> text + " to " + turn.text()));
                })
                .build()
                .start();

        text("SM1", ALICE, "one");
        text("SM2", ALICE, "two");
        CompletableFuture<Optional<String>> first = pending.poll(10, TimeUnit.SECONDS);
        assertThat(first).isNotNull();
        assertThat(pending.poll(200, TimeUnit.MILLISECONDS))
                .as("the second turn of the conversation waits for the first stage")
                .isNull();

        // Completed on a thread of the test's own, as a model client's I/O thread would.
        Executors.newSingleThreadExecutor(r -> new Thread(r, "model-client"))
                .submit(() -> first.complete(Optional.of("answer")))
                .get(10, TimeUnit.SECONDS);
        listener.next(RecordingListener.ReplySent.class);
        CompletableFuture<Optional<String>> second = pending.poll(10, TimeUnit.SECONDS);
        assertThat(second).isNotNull();
        second.complete(Optional.of("answer"));
        listener.next(RecordingListener.ReplySent.class);

        assertThat(channel.sentTexts()).containsExactly("answer to one", "answer to two");
        assertThat(calls).hasValue(2);
    }

    @Test
    void anAsyncAgentThatFailsOrAnswersNullIsReportedAndTheConversationGoesOn() throws Exception {
        BlockingQueue<String> texts = new LinkedBlockingQueue<>();
        runtime = builder()
                .asyncAgent(turn -> {
                    texts.add(turn.text());
                    switch (turn.text()) {
                        case "fail":
                            return CompletableFuture.failedFuture(new IllegalStateException("model down"));
                        case "null":
                            return CompletableFuture.completedFuture(null);
                        case "throw":
                            throw new IllegalArgumentException("bad prompt");
                        default:
                            return CompletableFuture.completedFuture(Optional.of("fine"));
                    }
                })
                .build()
                .start();

        text("SM1", ALICE, "fail");
        text("SM2", ALICE, "null");
        text("SM3", ALICE, "throw");
        text("SM4", ALICE, "ok");

        assertThat(listener.next(RecordingListener.AgentFailed.class).failure())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("model down");
        assertThat(listener.next(RecordingListener.AgentFailed.class).failure())
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("return Optional.empty() for no reply");
        assertThat(listener.next(RecordingListener.AgentFailed.class).failure())
                .isInstanceOf(IllegalArgumentException.class);
        listener.next(RecordingListener.ReplySent.class);
        assertThat(channel.sentTexts()).containsExactly("fine");
    }

    @Test
    void extraMessagesSentWithoutWaitingGoOutInOrderBeforeTheReply() throws Exception {
        runtime = builder()
                .asyncAgent(turn -> {
                    turn.sendAsync("first");
                    turn.sendAsync("second");
                    return CompletableFuture.supplyAsync(() -> Optional.of("reply"));
                })
                .build()
                .start();

        text("SM1", ALICE, "go");
        for (int i = 0; i < 3; i++) {
            listener.next(RecordingListener.ReplySent.class);
        }

        assertThat(channel.sentTexts()).containsExactly("first", "second", "reply");
    }

    @Test
    void whatWaitsBehindATurnThatNeverEndsIsSettledWhenCloseGivesUp() throws Exception {
        ExecutorService applications = Executors.newSingleThreadExecutor();
        runtime = builder()
                .agent(gated)
                .executor(applications, false)
                .shutdownTimeout(Duration.ofMillis(300))
                .build()
                .start();
        text("SM1", ALICE, "hold the line");
        nextStarted();
        text("SM2", ALICE, "are you still there?");
        CompletableFuture<PushOutcome> push = runtime.send("sms", Address.of(ALICE), "news");

        try {
            runtime.close();

            // The turn still runs on the application's thread, but nothing queued behind it is left hanging.
            PushOutcome outcome = push.get(10, TimeUnit.SECONDS);
            assertThat(outcome.kind()).isEqualTo(PushOutcome.Kind.FAILED);
            assertThat(outcome.reason()).contains("closed");
            assertThat(listener.seen(RecordingListener.Dropped.class))
                    .singleElement()
                    .satisfies(dropped -> {
                        assertThat(dropped.message().id()).isEqualTo("SM2");
                        assertThat(dropped.reason()).isEqualTo(DropReason.SHUTDOWN);
                    });
            assertThat(gate(ALICE).getCount()).isEqualTo(1);
        } finally {
            gate(ALICE).countDown();
            applications.shutdown();
        }
    }
}
