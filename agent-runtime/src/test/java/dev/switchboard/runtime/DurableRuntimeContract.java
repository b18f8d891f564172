package dev.switchboard.runtime;

import static dev.switchboard.runtime.FakeChannel.form;
import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.channel.Address;
import dev.switchboard.channel.ConversationKey;
import dev.switchboard.channel.InboundMessage;
import dev.switchboard.runtime.delivery.ReplyOutcome;
import dev.switchboard.runtime.schedule.PushOutcome;
import dev.switchboard.runtime.store.HistoryEntry;
import dev.switchboard.runtime.store.OutboxPart;
import dev.switchboard.runtime.store.Store;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What the runtime promises with a durable store, run over real sockets against each store: every
 * replica is a runtime of its own with its own webhook server, sharing one database.
 */
abstract class DurableRuntimeContract {

    static final String SELF = "+15550000000";
    static final String ALICE = "+15551230001";
    static final ConversationKey ALICE_SMS = new ConversationKey("sms", Address.of(ALICE));

    /** A new handle (a new pool) on the database this test uses, as a replica has. */
    abstract Store replicaStore();

    final List<AgentRuntime> runtimes = new ArrayList<>();
    final List<Store> stores = new ArrayList<>();
    final Map<String, CountDownLatch> gates = new ConcurrentHashMap<>();
    /**
     * What every replica tells its application: whichever replica commits a message, any may run its
     * turn (the one that takes the conversation's lease first, by offer or by poll).
     */
    final RecordingListener listener = new RecordingListener();

    final BlockingQueue<String> turns = new LinkedBlockingQueue<>();

    @AfterEach
    void closeReplicas() {
        gates.values().forEach(CountDownLatch::countDown);
        runtimes.forEach(AgentRuntime::close);
        stores.forEach(Store::close);
    }

    /** A replica: its own channel, listener and runtime on a store of the shared database. */
    final class Replica {
        final String name;
        final FakeChannel channel = FakeChannel.sms();
        final RecordingListener listener = DurableRuntimeContract.this.listener;
        final AgentRuntime runtime;

        Replica(String name, Agent agent, Duration shutdownTimeout) {
            this(name, agent, shutdownTimeout, builder -> {});
        }

        Replica(String name, Agent agent, Duration shutdownTimeout, Consumer<AgentRuntimeBuilder> options) {
            this.name = name;
            Store store = replicaStore();
            stores.add(store);
            AgentRuntimeBuilder builder = AgentRuntime.builder();
            options.accept(builder);
            this.runtime = builder.channel(channel)
                    .listener(listener)
                    .agent(agent)
                    .store(store)
                    .webhookServer("127.0.0.1", 0)
                    .storePollInterval(Duration.ofMillis(100))
                    .shutdownTimeout(shutdownTimeout)
                    .build()
                    .start();
            runtimes.add(runtime);
        }

        int text(String sid, String from, String body) throws Exception {
            return FakeChannel.post(runtime, form(sid, from, SELF, body));
        }

        void close() {
            runtime.close();
        }
    }

    Replica replica(String name, Agent agent) {
        return new Replica(name, agent, Duration.ofSeconds(5));
    }

    CountDownLatch gate(String text) {
        return gates.computeIfAbsent(text, t -> new CountDownLatch(1));
    }

    /** Records each turn as {@code replica:text}, waits for the text's gate, answers {@code re: text}. */
    Agent gated(String replica) {
        return turn -> {
            CountDownLatch gate = gate(turn.text());
            turns.add(replica + ":" + turn.text());
            if (!gate.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the test never opened the gate of " + turn.text());
            }
            return Optional.of("re: " + turn.text());
        };
    }

    Agent echo(String replica) {
        return turn -> {
            turns.add(replica + ":" + turn.text());
            return Optional.of("re: " + turn.text());
        };
    }

    String nextTurn() throws InterruptedException {
        String turn = turns.poll(10, TimeUnit.SECONDS);
        assertThat(turn).as("a turn within 10 s").isNotNull();
        return turn;
    }

    @Test
    void aRedeliveryToAnotherReplicaIsAcknowledgedAndAnsweredOnce() throws Exception {
        Replica a = replica("a", echo("a"));
        Replica b = replica("b", echo("b"));

        assertThat(a.text("SM1", ALICE, "hello")).isEqualTo(200);
        assertThat(b.text("SM1", ALICE, "hello")).isEqualTo(200);

        assertThat(listener.next(RecordingListener.Dropped.class).reason()).isEqualTo(DropReason.DUPLICATE);
        listener.next(RecordingListener.ReplySent.class);
        assertThat(sentTexts(a, b)).containsExactly("re: hello");
        assertThat(turns).hasSize(1);
    }

    /** What the replicas sent, together, in each one's order. */
    static List<String> sentTexts(Replica... replicas) {
        List<String> texts = new ArrayList<>();
        for (Replica replica : replicas) {
            texts.addAll(replica.channel.sentTexts());
        }
        return texts;
    }

    @Test
    void aConversationAlternatingReplicasHasOneTurnAtATimeInOrder() throws Exception {
        Replica a = replica("a", gated("a"));
        Replica b = replica("b", gated("b"));

        assertThat(a.text("SM1", ALICE, "one")).isEqualTo(200);
        String first = nextTurn();
        assertThat(first).endsWith(":one");
        Replica holder = first.startsWith("a:") ? a : b;
        // While the holder's agent thinks, the next messages land on b and then on a.
        assertThat(b.text("SM2", ALICE, "two")).isEqualTo(200);
        assertThat(a.text("SM3", ALICE, "three")).isEqualTo(200);
        assertThat(turns.poll(300, TimeUnit.MILLISECONDS))
                .as("no second turn while the first runs")
                .isNull();

        gates.values().forEach(CountDownLatch::countDown);
        gate("two\nthree").countDown();
        // The holder runs the messages that arrived during the first turn as one turn, in the order
        // they were accepted.
        assertThat(nextTurn()).isEqualTo(holder.name + ":two\nthree");
        for (int i = 0; i < 2; i++) {
            listener.next(RecordingListener.ReplySent.class);
        }
        assertThat(holder.channel.sentTexts()).containsExactly("re: one", "re: two\nthree");
        assertThat(sentTexts(a, b)).hasSize(2);
        assertThat(turns).isEmpty();
    }

    @Test
    void aMessageAcknowledgedBeforeAReplicaStoppedIsAnsweredByTheNextOne() throws Exception {
        Replica a = new Replica("a", gated("a"), Duration.ofMillis(200));
        assertThat(a.text("SM1", ALICE, "hold on")).isEqualTo(200);
        assertThat(a.text("SM2", ALICE, "still there?")).isEqualTo(200);
        assertThat(nextTurn()).isEqualTo("a:hold on");
        // a stops before its agent answers: the first turn is cut short, the second never started.
        a.close();

        gate("hold on").countDown();
        Replica b = replica("b", echo("b"));
        // The turn under way runs again (at least once), then the message that never started: in one
        // turn when both wait by the time b's turn begins, else in two, in order either way.
        List<String> answered = new ArrayList<>();
        while (!String.join("\n", answered).endsWith("still there?")) {
            String turn = nextTurn();
            assertThat(turn).startsWith("b:");
            answered.add(turn.substring(2));
        }
        assertThat(String.join("\n", answered)).isEqualTo("hold on\nstill there?");
        for (int i = 0; i < answered.size(); i++) {
            listener.next(RecordingListener.ReplySent.class);
        }
        assertThat(b.channel.sentTexts())
                .isEqualTo(answered.stream().map(text -> "re: " + text).toList());
    }

    @Test
    void aDeadReplicasConversationIsTakenOverOnceItsLeaseRunsOut() throws Exception {
        // A replica that died holding Alice's conversation, with her message accepted and not run.
        Store dead = replicaStore();
        stores.add(dead);
        Instant now = Instant.now();
        dead.accept(
                List.of(new InboundMessage(
                        "SM9", "sms", Address.of(ALICE), Address.of(SELF), "anyone?", List.of(), now, Map.of())),
                now);
        assertThat(dead.lease(ALICE_SMS, "dead-replica", now, Duration.ofSeconds(1)))
                .isTrue();

        Replica b = replica("b", echo("b"));
        assertThat(nextTurn()).isEqualTo("b:anyone?");
        assertThat(Instant.now())
                .as("not before the dead replica's lease ran out")
                .isAfter(now.plusSeconds(1));
        listener.next(RecordingListener.ReplySent.class);
        assertThat(b.channel.sentTexts()).containsExactly("re: anyone?");
    }

    @Test
    void aDeliveryReportThatReachesAnotherReplicaSettlesTheReplyOnTheOneThatSentIt() throws Exception {
        Replica a = replica("a", echo("a"));
        Replica b = replica("b", echo("b"));
        assertThat(a.text("SM1", ALICE, "hello")).isEqualTo(200);
        String sid = listener.next(RecordingListener.ReplySent.class)
                .receipts()
                .get(0)
                .messageId();
        Replica other = a.channel.sentTexts().isEmpty() ? a : b;

        // The provider calls the other replica with the report of the reply.
        assertThat(FakeChannel.post(
                        other.runtime,
                        "MessageSid=" + sid + "&To=" + FakeChannel.encode(ALICE) + "&MessageStatus=delivered"))
                .isEqualTo(200);

        ReplyOutcome outcome = listener.next(RecordingListener.Outcome.class).outcome();
        assertThat(outcome.kind()).isEqualTo(ReplyOutcome.Kind.DELIVERED);
        assertThat(outcome.messageIds()).containsExactly(sid);
        assertThat(listener.seen(RecordingListener.Outcome.class))
                .as("one outcome")
                .hasSize(1);
    }

    /** What a replica that died in the middle of Alice's turn left: her message, and the turn's outbox. */
    long diedDuringTurn(String text) {
        Store dead = replicaStore();
        stores.add(dead);
        Instant now = Instant.now();
        return dead.accept(
                        List.of(new InboundMessage(
                                "SM7", "sms", Address.of(ALICE), Address.of(SELF), text, List.of(), now, Map.of())),
                        now)
                .get(0)
                .orElseThrow()
                .sequence();
    }

    @Test
    void aTurnWhoseReplyWasPartlySentBeforeItsReplicaDiedSendsTheRestOnlyAndAsksNoAgent() throws Exception {
        long entry = diedDuringTurn("tell me");
        Store dead = stores.get(stores.size() - 1);
        dead.recordParts(entry, OutboxPart.REPLY, List.of("part one", "part two"));
        dead.partSending(entry, OutboxPart.REPLY, 0, Instant.now());
        dead.partAccepted(entry, OutboxPart.REPLY, 0, "SMdead1");

        Replica b = replica("b", echo("b"));
        RecordingListener.ReplySent sent = listener.next(RecordingListener.ReplySent.class);
        assertThat(sent.receipts()).hasSize(2);
        assertThat(sent.receipts().get(0).messageId()).isEqualTo("SMdead1");
        assertThat(b.channel.sentTexts()).containsExactly("part two");
        assertThat(turns).as("the agent had answered: it is not asked again").isEmpty();
        assertThat(listener.seen(RecordingListener.Dropped.class)).isEmpty();
    }

    @Test
    void aPartWhoseRequestMayHaveLeftBeforeItsReplicaDiedIsNotSentBlindly() throws Exception {
        long entry = diedDuringTurn("tell me");
        Store dead = stores.get(stores.size() - 1);
        dead.recordParts(entry, OutboxPart.REPLY, List.of("only part"));
        dead.partSending(entry, OutboxPart.REPLY, 0, Instant.now());

        Replica b = replica("b", echo("b"));
        // The test channel cannot look its messages up, so a part that may have gone out is not sent
        // again, and the reply fails saying so.
        ReplyOutcome outcome = listener.next(RecordingListener.Outcome.class).outcome();
        assertThat(outcome.kind()).isEqualTo(ReplyOutcome.Kind.FAILED);
        assertThat(outcome.reason()).contains("may have been sent");
        assertThat(b.channel.sentTexts()).isEmpty();
        assertThat(turns).isEmpty();
    }

    @Test
    void aTurnThatHadOnlySentAnExtraMessageAsksTheAgentAgainAndSendsTheExtraOnce() throws Exception {
        long entry = diedDuringTurn("think");
        Store dead = stores.get(stores.size() - 1);
        dead.recordParts(entry, 0, List.of("one moment"));
        dead.partSending(entry, 0, 0, Instant.now());
        dead.partAccepted(entry, 0, 0, "SMdead2");

        Replica b = replica("b", echo("b"));
        assertThat(nextTurn()).isEqualTo("b:think");
        listener.next(RecordingListener.ReplySent.class);
        listener.next(RecordingListener.ReplySent.class);
        assertThat(b.channel.sentTexts()).containsExactly("re: think");
    }

    @Test
    void replicasShareEachPersonsOutboundCap() throws Exception {
        Consumer<AgentRuntimeBuilder> capOfThree =
                builder -> builder.outboundSegmentCap(3).deliveryConfirmationTimeout(Duration.ZERO);
        Replica a = new Replica("a", echo("a"), Duration.ofSeconds(5), capOfThree);
        Replica b = new Replica("b", echo("b"), Duration.ofSeconds(5), capOfThree);
        assertThat(a.text("SM1", ALICE, "one")).isEqualTo(200);
        listener.next(RecordingListener.ReplySent.class);
        assertThat(a.text("SM2", ALICE, "two")).isEqualTo(200);
        listener.next(RecordingListener.ReplySent.class);

        // Two segments went out; b may send one more, not two.
        PushOutcome third = b.runtime.send("sms", Address.of(ALICE), "three").get(10, TimeUnit.SECONDS);
        assertThat(third.kind()).isNotEqualTo(PushOutcome.Kind.FAILED);
        PushOutcome fourth = b.runtime.send("sms", Address.of(ALICE), "four").get(10, TimeUnit.SECONDS);
        assertThat(fourth.kind()).isEqualTo(PushOutcome.Kind.FAILED);
        assertThat(fourth.reason()).contains("outbound guard").contains("3 segments");
        assertThat(sentTexts(a, b)).containsExactlyInAnyOrder("re: one", "re: two", "three");
    }

    @Test
    void aStopOnOneReplicaStopsPushesFromAnother() throws Exception {
        Replica a = replica("a", echo("a"));
        Replica b = replica("b", echo("b"));

        assertThat(a.text("SM1", ALICE, "STOP")).isEqualTo(200);
        assertThat(listener.next(RecordingListener.Dropped.class).reason()).isEqualTo(DropReason.STOP_KEYWORD);

        PushOutcome outcome = b.runtime.send("sms", Address.of(ALICE), "news").get(10, TimeUnit.SECONDS);
        assertThat(outcome.kind()).isEqualTo(PushOutcome.Kind.FAILED);
        assertThat(b.channel.sentTexts()).isEmpty();
    }

    @Test
    void aMessageFromAPersonWhoStoppedOnAnotherReplicaReachesNoAgent() throws Exception {
        Replica a = replica("a", echo("a"));
        Replica b = replica("b", echo("b"));

        assertThat(a.text("SM1", ALICE, "STOP")).isEqualTo(200);
        assertThat(listener.next(RecordingListener.Dropped.class).reason()).isEqualTo(DropReason.STOP_KEYWORD);
        assertThat(b.text("SM2", ALICE, "hello")).isEqualTo(200);

        assertThat(listener.next(RecordingListener.Dropped.class).reason()).isEqualTo(DropReason.OPTED_OUT);
        assertThat(turns).isEmpty();
        assertThat(a.channel.sentTexts()).isEmpty();
        assertThat(b.channel.sentTexts()).isEmpty();
    }

    @Test
    void theHistoryATurnSeesSpansReplicas() throws Exception {
        BlockingQueue<List<HistoryEntry>> seen = new LinkedBlockingQueue<>();
        Agent recall = turn -> {
            seen.add(turn.history());
            return Optional.of("re: " + turn.text());
        };
        Replica a = replica("a", recall);
        Replica b = replica("b", recall);

        assertThat(a.text("SM1", ALICE, "my name is Alice")).isEqualTo(200);
        assertThat(seen.poll(10, TimeUnit.SECONDS)).isEmpty();
        listener.next(RecordingListener.ReplySent.class);

        assertThat(b.text("SM2", ALICE, "what is my name?")).isEqualTo(200);
        List<HistoryEntry> history = seen.poll(10, TimeUnit.SECONDS);
        assertThat(history).isNotNull();
        assertThat(history)
                .extracting(HistoryEntry::direction, HistoryEntry::text)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(HistoryEntry.Direction.INBOUND, "my name is Alice"),
                        org.assertj.core.groups.Tuple.tuple(HistoryEntry.Direction.OUTBOUND, "re: my name is Alice"));
    }
}
