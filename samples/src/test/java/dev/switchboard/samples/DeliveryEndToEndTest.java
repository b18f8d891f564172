package dev.switchboard.samples;

import static dev.switchboard.samples.DeliveryRecorder.next;
import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.channel.DeliveryStatus;
import dev.switchboard.channel.SendReceipt;
import dev.switchboard.runtime.Agent;
import dev.switchboard.runtime.delivery.PartStatus;
import dev.switchboard.runtime.delivery.ReplyOutcome;
import dev.switchboard.runtime.schedule.ManualScheduler;
import dev.switchboard.runtime.schedule.MutableClock;
import dev.switchboard.samples.sandbox.SandboxFault;
import dev.switchboard.samples.sandbox.SandboxMessage;
import dev.switchboard.samples.sandbox.TwilioSandbox;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Delivery end to end, against the Twilio stand-in with faults injected: real sockets, the Twilio
 * SDK, signed status callbacks, and time that moves only when the test moves it, so that every
 * attempt is counted and no part is ever sent twice.
 */
class DeliveryEndToEndTest {

    private static final String GATEWAY = GatewayHarness.GATEWAY;
    private static final String ALICE = "+15551230001";
    private static final Instant T0 = Instant.parse("2026-11-21T10:00:00Z");

    private final MutableClock clock = new MutableClock(T0);
    private final ManualScheduler timer = new ManualScheduler(clock);
    private final DeliveryRecorder recorder = new DeliveryRecorder();
    private GatewayHarness gateway;
    private TwilioSandbox sandbox;
    private SignedWebhooks webhooks;
    private SignedWebhooks statusCallbacks;

    @AfterEach
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
    }

    private void start(boolean automaticCallbacks, Agent agent) {
        gateway = GatewayHarness.builder()
                .automaticStatusCallbacks(automaticCallbacks)
                .clock(clock)
                .env("SMS_ALLOWED_USERS", ALICE)
                .runtime(runtime -> runtime.agent(agent)
                        .listener(recorder)
                        .clock(clock)
                        .scheduler(timer)
                        // Every backoff is half its cap: 0.5 s, then 1 s, 2 s…
                        .jitter(() -> Long.MIN_VALUE)
                        .shutdownTimeout(Duration.ofSeconds(5)))
                .start();
        sandbox = gateway.sandbox();
        webhooks = gateway.webhooks();
        statusCallbacks = gateway.webhooks(GatewayHarness.SMS_PATH + "/status", gateway.publicUrl() + "/status");
    }

    private void start() {
        start(true, turn -> Optional.of("echo: " + turn.text()));
    }

    private void text(String body) throws Exception {
        assertThat(webhooks.post(webhooks.sms(SignedWebhooks.newSid(), ALICE, GATEWAY, body))
                        .statusCode())
                .isEqualTo(200);
    }

    private SandboxMessage nextSent() throws InterruptedException {
        return next(gateway.sent());
    }

    /** Waits for the runtime to set a timer, and returns when it is due. */
    private Instant awaitTimer() throws InterruptedException {
        assertThat(timer.awaitPending(1)).as("a backoff timer").isTrue();
        return timer.nextDue().orElseThrow();
    }

    private ReplyOutcome nextOutcome() throws InterruptedException {
        return next(recorder.outcomes);
    }

    /**
     * Posts a signed status callback and waits until the runtime has handled it: it answers Twilio
     * first and handles the report after, so reports posted one after another could be handled in
     * another order.
     */
    private void callback(String sid, String status, String errorCode) throws InterruptedException {
        assertThat(sandbox.sendStatusCallback(sid, status, Optional.ofNullable(errorCode)))
                .as(status)
                .isEqualTo(200);
        assertThat(next(recorder.receipts).messageId()).isEqualTo(sid);
    }

    @Test
    void throttledTwiceThenAcceptedIsOneMessageAfterTheBackoff() throws Exception {
        start();
        sandbox.enqueueFault(SandboxFault.tooManyRequests(Duration.ofSeconds(2)));
        sandbox.enqueueFault(SandboxFault.tooManyRequests(Duration.ofSeconds(2)));

        text("hello");
        assertThat(awaitTimer()).as("Retry-After is honoured").isEqualTo(T0.plusSeconds(2));
        assertThat(sandbox.createRequests()).isEqualTo(1);
        timer.advance(Duration.ofSeconds(2));
        assertThat(awaitTimer()).isEqualTo(T0.plusSeconds(4));
        assertThat(sandbox.createRequests()).isEqualTo(2);
        assertThat(sandbox.messages()).isEmpty();
        timer.advance(Duration.ofSeconds(2));

        SandboxMessage message = nextSent();
        assertThat(message.body()).isEqualTo("echo: hello");
        ReplyOutcome outcome = nextOutcome();
        assertThat(outcome.kind()).isEqualTo(ReplyOutcome.Kind.DELIVERED);
        assertThat(outcome.messageIds()).containsExactly(message.sid());
        assertThat(sandbox.createRequests()).isEqualTo(3);
        assertThat(sandbox.messages()).hasSize(1);
    }

    @Test
    void aRefusedConnectionIsSentAgainAndArrivesOnce() throws Exception {
        start();
        sandbox.refuseConnections();

        text("hello");
        assertThat(awaitTimer()).isEqualTo(T0.plusMillis(500));
        assertThat(sandbox.createRequests()).isZero();
        sandbox.acceptConnections();
        timer.advance(Duration.ofMillis(500));

        assertThat(nextSent().body()).isEqualTo("echo: hello");
        assertThat(nextOutcome().kind()).isEqualTo(ReplyOutcome.Kind.DELIVERED);
        assertThat(sandbox.createRequests()).isEqualTo(1);
        assertThat(sandbox.messages()).hasSize(1);
    }

    @Test
    void aServerErrorAfterTheMessageWasCreatedIsReconciledAndNotSentAgain() throws Exception {
        start();
        sandbox.enqueueFault(SandboxFault.serverErrorAfterCreate());

        text("hello");
        SandboxMessage created = nextSent();
        // The look-up waits the base backoff, so that Twilio has listed the message.
        assertThat(awaitTimer()).isEqualTo(T0.plusSeconds(1));
        timer.advance(Duration.ofSeconds(1));

        List<SendReceipt> accepted = next(recorder.replies);
        assertThat(accepted).extracting(SendReceipt::messageId).containsExactly(created.sid());
        assertThat(nextOutcome().kind()).isEqualTo(ReplyOutcome.Kind.DELIVERED);
        assertThat(sandbox.createRequests()).isEqualTo(1);
        assertThat(sandbox.messages()).hasSize(1);
    }

    @Test
    void aLostAnswerAfterTheMessageWasCreatedIsReconciledAndNotSentAgain() throws Exception {
        start();
        sandbox.enqueueFault(SandboxFault.noAnswerAfterCreate());

        text("hello");
        SandboxMessage created = nextSent();
        awaitTimer();
        timer.advance(Duration.ofSeconds(1));

        assertThat(next(recorder.replies)).extracting(SendReceipt::messageId).containsExactly(created.sid());
        assertThat(sandbox.createRequests()).isEqualTo(1);
        assertThat(sandbox.messages()).hasSize(1);
    }

    @Test
    void aServerErrorWithNothingCreatedIsSentOnceMore() throws Exception {
        start();
        sandbox.enqueueFault(SandboxFault.serverError());

        text("hello");
        // Twilio's list may lag behind a create, so it is looked up over the whole reconcile window
        // (1, 2, 4, 8 and 16 s after the failure) before the part is sent again.
        for (int second : List.of(1, 2, 4, 8, 16)) {
            assertThat(awaitTimer()).isEqualTo(T0.plusSeconds(second));
            assertThat(sandbox.messages()).isEmpty();
            timer.advanceTo(T0.plusSeconds(second));
        }

        SandboxMessage message = nextSent();
        assertThat(message.body()).isEqualTo("echo: hello");
        assertThat(next(recorder.replies)).extracting(SendReceipt::messageId).containsExactly(message.sid());
        assertThat(sandbox.createRequests()).isEqualTo(2);
        assertThat(sandbox.messages()).hasSize(1);
    }

    @Test
    void aThreePartReplyWhoseSecondPartIsRefusedNeverSendsTheFirstAgainAndNamesPartTwo() throws Exception {
        String longReply = IntStream.range(0, 600).mapToObj(i -> "word" + i).collect(Collectors.joining(" "));
        start(true, turn -> Optional.of(turn.text().equals("long") ? longReply : "echo: " + turn.text()));
        AtomicBoolean first = new AtomicBoolean(true);
        sandbox.onMessage(message -> {
            if (first.getAndSet(false)) {
                sandbox.enqueueFault(SandboxFault.error(400, 21614, "'To' number is not a valid mobile number"));
            }
        });

        text("long");
        ReplyOutcome outcome = nextOutcome();
        SandboxMessage part1 = nextSent();
        text("after");
        SandboxMessage after = nextSent();

        assertThat(outcome.kind()).isEqualTo(ReplyOutcome.Kind.FAILED);
        assertThat(outcome.parts()).isEqualTo(3);
        assertThat(outcome.failedPart()).isEqualTo(2);
        assertThat(outcome.messageIds()).containsExactly(part1.sid());
        assertThat(outcome.providerCode()).contains("21614");
        assertThat(outcome.reason())
                .startsWith("part 2/3 refused: Twilio error 21614")
                .doesNotContain(ALICE);
        assertThat(after.body()).isEqualTo("echo: after");
        assertThat(sandbox.messages())
                .extracting(SandboxMessage::sid)
                .containsExactlyInAnyOrder(part1.sid(), after.sid());
        // Part 1, the refused part 2, the next reply: part 1 was never sent again, part 3 never tried.
        assertThat(sandbox.createRequests()).isEqualTo(3);
        assertThat(timer.pending()).allSatisfy(due -> assertThat(due).isAfter(T0.plusSeconds(60)));
    }

    @Test
    void repeatedAndOutOfOrderStatusCallbacksMoveEachPartOnceAndForward() throws Exception {
        start(false, turn -> Optional.of("echo: " + turn.text()));

        text("hello");
        String sid = next(recorder.replies).get(0).messageId();
        for (String status : List.of("delivered", "sent", "delivered", "sending", "queued")) {
            callback(sid, status, null);
        }
        ReplyOutcome outcome = nextOutcome();
        callback(sid, "undelivered", "30003");
        callback(sid, "read", null);

        assertThat(outcome.kind()).isEqualTo(ReplyOutcome.Kind.DELIVERED);
        assertThat(outcome.messageIds()).containsExactly(sid);
        assertThat(recorder.parts(sid))
                .extracting(PartStatus::status)
                .containsExactly(DeliveryStatus.DELIVERED, DeliveryStatus.READ);
        assertThat(recorder.outcomes).isEmpty();
    }

    @Test
    void aStatusCallbackThatReportsAFailureFailsTheReplyWithTheCodeAndWhatItMeans() throws Exception {
        start(false, turn -> Optional.of("echo: " + turn.text()));

        text("hello");
        String sid = next(recorder.replies).get(0).messageId();
        callback(sid, "sent", null);
        callback(sid, "undelivered", "30003");
        ReplyOutcome outcome = nextOutcome();

        assertThat(outcome.kind()).isEqualTo(ReplyOutcome.Kind.FAILED);
        assertThat(outcome.failedPart()).isEqualTo(1);
        assertThat(outcome.providerCode()).contains("30003");
        assertThat(outcome.reason())
                .startsWith("undelivered: Twilio error 30003: the handset of +1555***0001 is unreachable")
                .doesNotContain(ALICE);
    }

    @Test
    void aForgedStatusCallbackIsRefusedWith403AndChangesNothing() throws Exception {
        start(false, turn -> Optional.of("echo: " + turn.text()));
        text("hello");
        String sid = next(recorder.replies).get(0).messageId();
        Map<String, List<String>> forged = new HashMap<>();
        forged.put("MessageSid", List.of(sid));
        forged.put("MessageStatus", List.of("failed"));
        forged.put("ErrorCode", List.of("30007"));
        forged.put("To", List.of(ALICE));
        forged.put("From", List.of(GATEWAY));
        forged.put("AccountSid", List.of(sandbox.accountSid()));

        assertThat(statusCallbacks.post(forged, "bm90IGEgc2lnbmF0dXJl").statusCode())
                .isEqualTo(403);
        assertThat(statusCallbacks.post(forged, null).statusCode()).isEqualTo(403);
        callback(sid, "delivered", null);

        ReplyOutcome outcome = nextOutcome();
        assertThat(outcome.kind()).isEqualTo(ReplyOutcome.Kind.DELIVERED);
        assertThat(recorder.parts(sid)).extracting(PartStatus::status).containsExactly(DeliveryStatus.DELIVERED);
        assertThat(recorder.receipts).as("the forged reports went no further").isEmpty();
    }
}
