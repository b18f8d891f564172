package dev.switchboard.runtime;

import static dev.switchboard.runtime.FakeChannel.form;
import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.channel.InboundMessage;
import dev.switchboard.runtime.schedule.ManualScheduler;
import dev.switchboard.runtime.schedule.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Bursts: the messages of a conversation that arrive while its turn runs go to its next turn
 * together, and a quiet period, when set, holds a turn until the conversation stops typing.
 */
class BurstTest {

    private static final String SELF = "+15550000000";
    private static final String ALICE = "+15551230001";

    private final FakeChannel channel = FakeChannel.sms();
    private final RecordingListener listener = new RecordingListener();
    private final CountDownLatch firstTurn = new CountDownLatch(1);
    private final BlockingQueue<List<String>> turns = new LinkedBlockingQueue<>();
    private AgentRuntime runtime;

    /** Records each turn's messages; the first turn waits until the test opens its gate. */
    private final Agent agent = turn -> {
        boolean first = turns.isEmpty() && firstTurn.getCount() > 0;
        turns.add(turn.messages().stream().map(InboundMessage::text).toList());
        if (first && !firstTurn.await(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the test never let the first turn end");
        }
        return Optional.of("re: " + turn.text());
    };

    @AfterEach
    void tearDown() {
        firstTurn.countDown();
        if (runtime != null) {
            runtime.close();
        }
    }

    private AgentRuntimeBuilder builder() {
        return AgentRuntime.builder()
                .channel(channel)
                .listener(listener)
                .agent(agent)
                .webhookServer("127.0.0.1", 0)
                .shutdownTimeout(Duration.ofSeconds(5));
    }

    private void text(String sid, String body) throws Exception {
        assertThat(FakeChannel.post(runtime, form(sid, ALICE, SELF, body))).isEqualTo(200);
    }

    private List<String> nextTurn() throws InterruptedException {
        List<String> turn = turns.poll(10, TimeUnit.SECONDS);
        assertThat(turn).as("a turn within 10 s").isNotNull();
        return turn;
    }

    @Test
    void messagesThatArriveDuringASlowTurnGoToTheNextTurnTogether() throws Exception {
        runtime = builder().build().start();

        text("SM1", "first");
        assertThat(nextTurn()).containsExactly("first");
        text("SM2", "second");
        text("SM3", "third");
        firstTurn.countDown();

        assertThat(nextTurn()).containsExactly("second", "third");
        listener.next(RecordingListener.ReplySent.class);
        listener.next(RecordingListener.ReplySent.class);
        assertThat(channel.sentTexts()).containsExactly("re: first", "re: second\nthird");
        assertThat(turns).isEmpty();
    }

    @Test
    void aKeywordEndsTheBurstSoThatItIsHandledInItsPlace() throws Exception {
        runtime = builder().helpText("Help is here.").build().start();

        text("SM1", "first");
        assertThat(nextTurn()).containsExactly("first");
        text("SM2", "second");
        text("SM3", "HELP");
        text("SM4", "third");
        firstTurn.countDown();

        assertThat(nextTurn()).containsExactly("second");
        assertThat(nextTurn()).containsExactly("third");
        // Three replies and the answer to HELP.
        for (int i = 0; i < 4; i++) {
            listener.next(RecordingListener.ReplySent.class);
        }
        assertThat(channel.sentTexts()).containsSubsequence("re: first", "re: second", "re: third");
        assertThat(channel.sentTexts()).contains("Help is here.");
    }

    @Test
    void withMergingOffEveryMessageHasATurnOfItsOwn() throws Exception {
        runtime = builder().mergeBursts(false).build().start();

        text("SM1", "first");
        assertThat(nextTurn()).containsExactly("first");
        text("SM2", "second");
        text("SM3", "third");
        firstTurn.countDown();

        assertThat(nextTurn()).containsExactly("second");
        assertThat(nextTurn()).containsExactly("third");
    }

    @Test
    void aQuietPeriodHoldsTheTurnUntilTheConversationStopsTyping() throws Exception {
        Instant start = Instant.parse("2026-12-02T10:00:00Z");
        MutableClock clock = new MutableClock(start);
        ManualScheduler scheduler = new ManualScheduler(clock);
        firstTurn.countDown();
        runtime = builder()
                .clock(clock)
                .scheduler(scheduler)
                .debounce(Duration.ofSeconds(2))
                .build()
                .start();

        text("SM1", "one");
        awaitDue(scheduler, start.plusSeconds(2));
        text("SM2", "two");
        clock.set(start.plusSeconds(1));
        text("SM3", "three");

        // Two seconds after the first message the conversation has been quiet one: no turn yet.
        scheduler.advanceTo(start.plusSeconds(2));
        awaitDue(scheduler, start.plusSeconds(3));
        assertThat(turns).isEmpty();

        scheduler.advanceTo(start.plusSeconds(3));
        assertThat(nextTurn()).containsExactly("one", "two", "three");
        listener.next(RecordingListener.ReplySent.class);
        assertThat(channel.sentTexts()).containsExactly("re: one\ntwo\nthree");
    }

    private static void awaitDue(ManualScheduler scheduler, Instant due) throws InterruptedException {
        for (int pending = 1; !scheduler.pending().contains(due); pending++) {
            assertThat(scheduler.awaitPending(pending))
                    .as("a wake-up at " + due)
                    .isTrue();
        }
    }
}
