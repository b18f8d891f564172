package dev.switchboard.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.channel.Address;
import dev.switchboard.channel.ChannelException;
import dev.switchboard.channel.PermanentChannelException;
import dev.switchboard.runtime.delivery.ReplyOutcome;
import dev.switchboard.runtime.schedule.LogCapture;
import dev.switchboard.runtime.schedule.ManualScheduler;
import dev.switchboard.runtime.schedule.PushOutcome;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The outbound guard through the whole runtime: an agent that answers every message, and pushes, are
 * stopped at the cap for one recipient and reported through the usual outcomes, while everyone else
 * is answered as before.
 */
class OutboundGuardRuntimeTest {

    private static final String ALICE = "+15551230001";
    private static final String BOB = "+15551230002";
    private static final String SELF = RuntimeFixture.SELF;
    /** Two GSM-7 segments. */
    private static final String TWO_SEGMENTS = "b".repeat(161);

    private final RuntimeFixture fixture = new RuntimeFixture();
    private final ManualScheduler timer = fixture.timer;
    private final FakeChannel channel = fixture.channel;
    private final RecordingListener listener = fixture.listener;
    private final List<String> agentSaw = fixture.agentSaw;
    private AgentRuntime runtime;

    @AfterEach
    void tearDown() {
        if (runtime != null) {
            runtime.close();
        }
    }

    /** Every message its own turn, so that each one asks for a reply of its own. */
    private AgentRuntimeBuilder builder(Agent agent) {
        return fixture.builder(agent).mergeBursts(false);
    }

    private static Agent echo() {
        return RuntimeFixture.echo();
    }

    private void text(String from, String body) {
        String form = FakeChannel.form(fixture.nextSid(), from, SELF, body);
        assertThat(runtime.handle(RuntimeFixture.signed(form)).status()).isEqualTo(200);
    }

    private ReplyOutcome nextFailure() throws InterruptedException {
        while (true) {
            ReplyOutcome outcome =
                    listener.next(RecordingListener.Outcome.class).outcome();
            if (outcome.kind() == ReplyOutcome.Kind.FAILED) {
                return outcome;
            }
        }
    }

    private PushOutcome push(String to, String markdown) throws Exception {
        return runtime.send("sms", Address.of(to), markdown).get(10, TimeUnit.SECONDS);
    }

    @Test
    void anAgentAnsweringEveryMessageSendsOneSenderNoMoreThanTheCapAndRefusesTheRestOutLoud() throws Exception {
        String logs;
        try (LogCapture log = LogCapture.start()) {
            runtime = builder(echo()).outboundSegmentCap(10).build().start();
            for (int i = 1; i <= 25; i++) {
                text(ALICE, "secret ping " + i);
            }
            List<ReplyOutcome> refused = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                listener.next(RecordingListener.ReplySent.class);
            }
            for (int i = 0; i < 15; i++) {
                refused.add(nextFailure());
            }

            assertThat(channel.sentTexts()).hasSize(10).allSatisfy(text -> assertThat(text)
                    .startsWith("echo: secret ping"));
            assertThat(channel.sendCalls()).isEqualTo(10);
            assertThat(agentSaw).hasSize(25);
            assertThat(refused).allSatisfy(outcome -> {
                assertThat(outcome.conversation().counterpart()).isEqualTo(Address.of(ALICE));
                assertThat(outcome.parts()).isEqualTo(1);
                assertThat(outcome.failedPart()).isEqualTo(1);
                assertThat(outcome.messageIds()).isEmpty();
                assertThat(outcome.providerCode()).isEmpty();
                assertThat(outcome.reason())
                        .isEqualTo("not sent: outbound guard: +1555***0001 already received 10 segments in the"
                                + " last hour (cap 10); not sending part 1/1. Raise or disable it with"
                                + " AgentRuntimeBuilder#outboundSegmentCap");
                assertThat(outcome.failure())
                        .get()
                        .isInstanceOf(PermanentChannelException.class)
                        .extracting(ChannelException::providerCode)
                        .isEqualTo(Optional.empty());
            });

            // Someone else is answered as ever; Alice's pushes are refused like her replies.
            text(BOB, "hello");
            listener.next(RecordingListener.ReplySent.class);
            assertThat(channel.sent().get(10).to()).isEqualTo(Address.of(BOB));
            PushOutcome push = push(ALICE, "news");
            assertThat(push.kind()).isEqualTo(PushOutcome.Kind.FAILED);
            assertThat(push.reason()).startsWith("not sent: outbound guard: +1555***0001 already received 10");
            assertThat(push(ALICE, "more news").kind()).isEqualTo(PushOutcome.Kind.FAILED);
            assertThat(channel.sendCalls()).isEqualTo(11);
            logs = log.text();
        }

        List<String> warnings =
                logs.lines().filter(line -> line.contains(" WARN ")).toList();
        assertThat(warnings)
                .filteredOn(line -> line.contains("outbound guard engaged for sms:+1555***0001"))
                .hasSize(1);
        assertThat(warnings).noneMatch(line -> line.contains("reply to") || line.contains("push to"));
        assertThat(logs).doesNotContain("secret").doesNotContain(ALICE);
    }

    @Test
    void theHourRollsOverAndTheRecipientIsAnsweredAgain() throws Exception {
        runtime = builder(echo()).outboundSegmentCap(2).build().start();
        for (int i = 1; i <= 3; i++) {
            text(ALICE, "ping " + i);
        }
        listener.next(RecordingListener.ReplySent.class);
        listener.next(RecordingListener.ReplySent.class);
        assertThat(nextFailure().reason()).contains("outbound guard");

        timer.advance(Duration.ofMinutes(59));
        text(ALICE, "too soon");
        assertThat(nextFailure().reason()).contains("outbound guard");
        timer.advance(Duration.ofMinutes(1));
        text(ALICE, "an hour later");
        listener.next(RecordingListener.ReplySent.class);

        assertThat(channel.sentTexts()).containsExactly("echo: ping 1", "echo: ping 2", "echo: an hour later");
    }

    @Test
    void theAcceptedPartsOfAReplyStayAcceptedAndTheOutcomeNamesThePartRefused() throws Exception {
        runtime = builder(turn -> Optional.of("one|two|three"))
                .formatter((markdown, capabilities) -> List.of(markdown.split("\\|")))
                .outboundSegmentCap(2)
                .build()
                .start();

        text(ALICE, "go");
        ReplyOutcome outcome = nextFailure();

        assertThat(outcome.parts()).isEqualTo(3);
        assertThat(outcome.failedPart()).isEqualTo(3);
        assertThat(outcome.messageIds()).containsExactly("SM1", "SM2");
        assertThat(outcome.reason())
                .startsWith("part 3/3 not sent: outbound guard: +1555***0001 already received 2 segments in the"
                        + " last hour (cap 2); not sending part 3/3.");
        assertThat(channel.sentTexts()).containsExactly("one", "two");
        assertThat(channel.sendCalls()).isEqualTo(2);
    }

    @Test
    void theDefaultCapsARecipientAtTwoHundredSegmentsAnHour() throws Exception {
        runtime = builder(echo())
                .deliveryConfirmationTimeout(Duration.ZERO)
                .build()
                .start();

        List<PushOutcome> outcomes = pushes(ALICE, 101, TWO_SEGMENTS);

        assertThat(outcomes.subList(0, 100))
                .allSatisfy(outcome -> assertThat(outcome.kind()).isEqualTo(PushOutcome.Kind.SENT_UNCONFIRMED));
        assertThat(outcomes.get(100).kind()).isEqualTo(PushOutcome.Kind.FAILED);
        assertThat(outcomes.get(100).reason())
                .contains("already received 200 segments in the last hour, and part 1/1" + " costs 2 (cap 200)");
        assertThat(channel.sendCalls()).isEqualTo(100);
    }

    @Test
    void zeroTurnsTheGuardOff() throws Exception {
        runtime = builder(echo())
                .outboundSegmentCap(0)
                .deliveryConfirmationTimeout(Duration.ZERO)
                .build()
                .start();

        List<PushOutcome> outcomes = pushes(ALICE, 150, TWO_SEGMENTS);

        assertThat(outcomes)
                .allSatisfy(outcome -> assertThat(outcome.kind()).isEqualTo(PushOutcome.Kind.SENT_UNCONFIRMED));
        assertThat(channel.sendCalls()).isEqualTo(150);
    }

    @Test
    void aNegativeCapIsRefusedNamingTheOption() {
        assertThatThrownBy(() -> AgentRuntime.builder().outboundSegmentCap(-1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("outboundSegmentCap must be 0 (off) or a number of segments per recipient per hour: -1");
    }

    private List<PushOutcome> pushes(String to, int count, String markdown) throws Exception {
        List<CompletableFuture<PushOutcome>> futures = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            futures.add(runtime.send("sms", Address.of(to), markdown));
        }
        List<PushOutcome> outcomes = new ArrayList<>();
        for (CompletableFuture<PushOutcome> future : futures) {
            outcomes.add(future.get(10, TimeUnit.SECONDS));
        }
        return outcomes;
    }
}
