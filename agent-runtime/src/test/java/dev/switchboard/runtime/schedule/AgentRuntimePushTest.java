package dev.switchboard.runtime.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.channel.Address;
import dev.switchboard.channel.DeliveryStatus;
import dev.switchboard.channel.PermanentChannelException;
import dev.switchboard.channel.WebhookRequest;
import dev.switchboard.channel.WebhookResponse;
import dev.switchboard.runtime.AgentRuntime;
import dev.switchboard.runtime.AgentRuntimeBuilder;
import dev.switchboard.runtime.FakeChannel;
import dev.switchboard.runtime.schedule.PushOutcome.Kind;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Pushes sent now: the same path as replies, and one settled outcome each. */
class AgentRuntimePushTest {

    private static final String HOME = "+15550001111";
    private static final String OTHER = "+15550002222";

    private final MutableClock clock = new MutableClock(Instant.parse("2024-05-01T10:00:00Z"));
    private final ManualScheduler timer = new ManualScheduler(clock);
    private final OutcomeRecorder outcomes = new OutcomeRecorder();
    private AgentRuntime runtime;

    @AfterEach
    void tearDown() {
        if (runtime != null) {
            runtime.close();
        }
    }

    private AgentRuntimeBuilder builder(PushChannel... channels) {
        AgentRuntimeBuilder builder = AgentRuntime.builder()
                .agent(turn -> Optional.empty())
                .noWebhookServer()
                .clock(clock)
                .scheduler(timer)
                .listener(outcomes);
        for (PushChannel channel : channels) {
            builder.channel(channel);
        }
        return builder;
    }

    private AgentRuntime start(PushChannel... channels) {
        runtime = builder(channels).build().start();
        return runtime;
    }

    private static <T> T await(CompletableFuture<T> future) throws Exception {
        return future.get(5, TimeUnit.SECONDS);
    }

    private void report(PushChannel channel, String messageId, String to, String status, String code) {
        WebhookResponse response = runtime.handle(channel.status(messageId, to, status, code));
        assertThat(response.status()).isEqualTo(200);
    }

    @Test
    void sendsThroughTheRuntimesFormatterAndSplitterInOrderAndSettlesOnDeliveryReports() throws Exception {
        PushChannel sms = new PushChannel("sms", 20).home(HOME);
        runtime = builder(sms).build().start();

        CompletableFuture<PushOutcome> pushed =
                runtime.send("sms", Address.of(OTHER), "**Backup** finished at four. All twelve volumes are fine.");
        awaitTracked();

        assertThat(sms.sent().size()).isGreaterThan(1);
        assertThat(sms.sentTexts())
                .allSatisfy(
                        part -> assertThat(part).hasSizeLessThanOrEqualTo(20).doesNotContain("**"));
        assertThat(String.join(" ", sms.sentTexts()))
                .isEqualTo("Backup finished at four. All twelve volumes are fine.");
        assertThat(sms.sent()).allSatisfy(s -> assertThat(s.message().to()).isEqualTo(Address.of(OTHER)));
        for (int part = 1; part <= sms.sent().size(); part++) {
            assertThat(pushed).as("settled only once every part is reported").isNotDone();
            report(sms, "sms-" + part, OTHER, "delivered", null);
        }
        PushOutcome outcome = await(pushed);

        assertThat(outcome.kind()).isEqualTo(Kind.DELIVERED);
        assertThat(outcome.messageIds()).hasSize(sms.sent().size()).first().isEqualTo("sms-1");
        assertThat(outcome.channelId()).contains("sms");
        assertThat(outcome.to()).contains(Address.of(OTHER));
        assertThat(outcome.schedule()).isEmpty();
        assertThat(outcome.settledAt()).isEqualTo(clock.instant());
        assertThat(outcomes.next()).isEqualTo(outcome);
    }

    @Test
    void usesTheSameFormatterAsReplies() throws Exception {
        PushChannel sms = PushChannel.sms().home(HOME);
        runtime = builder(sms)
                .formatter((markdown, capabilities) -> List.of("1:" + markdown, "2:" + markdown))
                .deliveryConfirmationTimeout(Duration.ZERO)
                .build()
                .start();

        PushOutcome outcome = await(runtime.sendHome("sms", "hi"));

        assertThat(sms.sentTexts()).containsExactly("1:hi", "2:hi");
        assertThat(outcome.kind()).isEqualTo(Kind.SENT_UNCONFIRMED);
        assertThat(outcome.messageIds()).containsExactly("sms-1", "sms-2");
    }

    @Test
    void settlesFailedWithTheCodeWhenADeliveryReportSaysUndelivered() throws Exception {
        PushChannel sms = PushChannel.sms().home(HOME);
        start(sms);

        CompletableFuture<PushOutcome> pushed = runtime.sendHome("sms", "disk nearly full");
        awaitTracked();
        report(sms, "sms-1", HOME, "undelivered", "30003");

        PushOutcome outcome = await(pushed);
        assertThat(outcome.kind()).isEqualTo(Kind.FAILED);
        assertThat(outcome.providerCode()).contains("30003");
        assertThat(outcome.reason()).isEqualTo("undelivered (provider code 30003)");
        assertThat(outcome.messageIds()).containsExactly("sms-1");
    }

    @Test
    void settlesSentButUnconfirmedWhenNoReportArrivesInTime() throws Exception {
        PushChannel sms = PushChannel.sms().home(HOME);
        runtime = builder(sms)
                .deliveryConfirmationTimeout(Duration.ofSeconds(90))
                .build()
                .start();

        CompletableFuture<PushOutcome> pushed = runtime.sendHome("sms", "nightly report");
        awaitTracked();
        report(sms, "sms-1", HOME, "sent", null);
        assertThat(outcomes.nextReceipt().status()).isEqualTo(DeliveryStatus.SENT);
        timer.advance(Duration.ofSeconds(89));
        assertThat(pushed).isNotDone();
        timer.advance(Duration.ofSeconds(1));

        PushOutcome outcome = await(pushed);
        assertThat(outcome.kind()).isEqualTo(Kind.SENT_UNCONFIRMED);
        assertThat(outcome.kind().isFailure()).isFalse();
        assertThat(outcome.reason()).isEqualTo("accepted; no final delivery report within 1m30s (last status: sent)");
    }

    @Test
    void failsWithTheTwilioCodeForAnOptedOutHomeAndLogsItRedactedAtWarn() throws Exception {
        PushChannel sms = PushChannel.sms()
                .home(HOME)
                .failSend(
                        1,
                        new PermanentChannelException(
                                "Twilio error 21610: the recipient replied STOP and is unsubscribed", "21610", null));
        start(sms);

        String logs;
        PushOutcome outcome;
        try (LogCapture log = LogCapture.start()) {
            outcome = await(runtime.sendHome("sms", "secret quarterly numbers"));
            logs = log.text();
        }

        assertThat(outcome.kind()).isEqualTo(Kind.FAILED);
        assertThat(outcome.providerCode()).contains("21610");
        assertThat(outcome.reason())
                .isEqualTo(
                        "refused: Twilio error 21610: the recipient replied STOP and is unsubscribed (provider code 21610)");
        assertThat(outcome.failure()).containsInstanceOf(PermanentChannelException.class);
        assertThat(outcome.messageIds()).isEmpty();
        assertThat(logs)
                .contains("WARN")
                .contains("push to sms:" + Address.of(HOME).redacted() + " FAILED")
                .contains("21610")
                .doesNotContain(HOME)
                .doesNotContain("secret quarterly numbers");
    }

    @Test
    void failsWithTheTwilioCodeForAnInvalidNumber() throws Exception {
        PushChannel sms = PushChannel.sms()
                .failSend(1, new PermanentChannelException("Twilio error 21211: invalid 'To' number", "21211", null));
        start(sms);

        PushOutcome outcome = await(runtime.send("sms", Address.of("+1555"), "hello"));

        assertThat(outcome.kind()).isEqualTo(Kind.FAILED);
        assertThat(outcome.providerCode()).contains("21211");
    }

    @Test
    void failsWhenWhatsAppRefusesFreeTextOutsideTheWindow() throws Exception {
        PushChannel whatsapp = PushChannel.whatsapp()
                .home(HOME)
                .failSend(
                        1,
                        new PermanentChannelException(
                                "Twilio error 63016: WhatsApp's 24-hour window is closed and no template is configured",
                                "63016",
                                null));
        start(whatsapp);

        PushOutcome outcome = await(runtime.sendHome("whatsapp", "morning digest"));

        assertThat(outcome.kind()).isEqualTo(Kind.FAILED);
        assertThat(outcome.providerCode()).contains("63016");
        assertThat(outcome.channelId()).contains("whatsapp");
        assertThat(outcome.reason()).contains("24-hour window");
    }

    @Test
    void reportsTheMessageIdsOfPartsSentBeforeOneWasRefused() throws Exception {
        PushChannel sms = new PushChannel("sms", 10)
                .home(HOME)
                .failSend(2, new PermanentChannelException("Twilio error 21610: unsubscribed", "21610", null));
        start(sms);

        PushOutcome outcome = await(runtime.sendHome("sms", "first part, second part"));

        assertThat(outcome.kind()).isEqualTo(Kind.FAILED);
        assertThat(outcome.messageIds()).containsExactly("sms-1");
        assertThat(outcome.reason()).startsWith("part 2/");
    }

    @Test
    void failsLoudlyWhenNoChannelHasAHome() throws Exception {
        start(PushChannel.sms(), PushChannel.whatsapp());

        String logs;
        List<PushOutcome> pushed;
        try (LogCapture log = LogCapture.start()) {
            pushed = await(runtime.sendHome("anyone there?"));
            logs = log.text();
        }

        assertThat(pushed).singleElement().satisfies(outcome -> {
            assertThat(outcome.kind()).isEqualTo(Kind.FAILED);
            assertThat(outcome.channelId()).isEmpty();
            assertThat(outcome.to()).isEmpty();
            assertThat(outcome.reason()).contains("SMS_HOME_CHANNEL").contains("WHATSAPP_HOME_CHANNEL");
        });
        assertThat(outcomes.next()).isEqualTo(pushed.get(0));
        assertThat(logs).contains("WARN").contains("no channel has a home address");
    }

    @Test
    void failsLoudlyWhenTheChannelHasNoHome() throws Exception {
        start(PushChannel.sms().home(HOME), PushChannel.whatsapp());

        PushOutcome outcome = await(runtime.sendHome("whatsapp", "hello"));

        assertThat(outcome.kind()).isEqualTo(Kind.FAILED);
        assertThat(outcome.channelId()).contains("whatsapp");
        assertThat(outcome.reason()).startsWith("channel whatsapp has no home address");
    }

    @Test
    void sendsToEveryHome() throws Exception {
        PushChannel sms = PushChannel.sms().home(HOME);
        PushChannel whatsapp = PushChannel.whatsapp().home(OTHER);
        runtime = builder(sms, whatsapp)
                .deliveryConfirmationTimeout(Duration.ZERO)
                .build()
                .start();

        List<PushOutcome> pushed = await(runtime.sendHome("deploy done"));

        assertThat(pushed).extracting(o -> o.channelId().orElseThrow()).containsExactly("sms", "whatsapp");
        assertThat(pushed).extracting(PushOutcome::kind).containsOnly(Kind.SENT_UNCONFIRMED);
        assertThat(sms.sent())
                .singleElement()
                .satisfies(s -> assertThat(s.message().to()).isEqualTo(Address.of(HOME)));
        assertThat(whatsapp.sent())
                .singleElement()
                .satisfies(s -> assertThat(s.message().to()).isEqualTo(Address.of(OTHER)));
    }

    @Test
    void skipsABlankText() throws Exception {
        PushChannel sms = PushChannel.sms().home(HOME);
        start(sms);

        PushOutcome outcome = await(runtime.sendHome("sms", "  \n"));

        assertThat(outcome.kind()).isEqualTo(Kind.SKIPPED);
        assertThat(sms.sent()).isEmpty();
    }

    @Test
    void sendsOnTheExecutorNotOnTheCallersThread() throws Exception {
        PushChannel sms = PushChannel.sms().home(HOME);
        runtime =
                builder(sms).deliveryConfirmationTimeout(Duration.ZERO).build().start();

        await(runtime.sendHome("sms", "hi"));

        assertThat(sms.sent()).singleElement().satisfies(s -> assertThat(s.thread())
                .startsWith("switchboard-worker-"));
    }

    @Test
    void refusesToSendBeforeStartAndToAnUnknownChannel() {
        PushChannel sms = PushChannel.sms().home(HOME);
        AgentRuntime notStarted = builder(sms).build();
        try {
            assertThatThrownBy(() -> notStarted.sendHome("hi"))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("start()");
        } finally {
            notStarted.close();
        }
        start(PushChannel.sms().home(HOME));
        assertThatThrownBy(() -> runtime.send("telegram", Address.of(HOME), "hi"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("no channel with id telegram; the channels are [sms]");
    }

    @Test
    void reportsAPushAfterCloseAsFailed() throws Exception {
        PushChannel sms = PushChannel.sms().home(HOME);
        start(sms);
        runtime.close();

        PushOutcome outcome = await(runtime.sendHome("sms", "too late"));

        assertThat(outcome.kind()).isEqualTo(Kind.FAILED);
        assertThat(outcome.reason()).isEqualTo("the runtime closed before the push was sent");
        assertThat(sms.sent()).isEmpty();
    }

    @Test
    void reportsPushesAwaitingDeliveryReportsWhenClosing() throws Exception {
        PushChannel sms = PushChannel.sms().home(HOME);
        start(sms);
        CompletableFuture<PushOutcome> pushed = runtime.sendHome("sms", "hi");
        awaitTracked();

        runtime.close();

        PushOutcome outcome = await(pushed);
        assertThat(outcome.kind()).isEqualTo(Kind.SENT_UNCONFIRMED);
        assertThat(outcome.reason()).contains("the runtime closed");
        assertThat(timer.pending()).isEmpty();
    }

    @Test
    void waitsForTheConversationsReplyInProgressSoThatPartsNeverInterleave() throws Exception {
        FakeChannel channel = FakeChannel.sms();
        CountDownLatch turnStarted = new CountDownLatch(1);
        CountDownLatch releaseTurn = new CountDownLatch(1);
        runtime = AgentRuntime.builder()
                .channel(channel)
                .agent(turn -> {
                    turnStarted.countDown();
                    releaseTurn.await(5, TimeUnit.SECONDS);
                    return Optional.of("the reply");
                })
                .noWebhookServer()
                .clock(clock)
                .scheduler(timer)
                .deliveryConfirmationTimeout(Duration.ZERO)
                .build()
                .start();
        runtime.handle(new WebhookRequest(
                "POST",
                "/webhooks/test",
                "",
                Map.of("Content-Type", "application/x-www-form-urlencoded", "X-Test-Signature", "ok"),
                FakeChannel.form("SM100", OTHER, "+15550000000", "hello").getBytes(StandardCharsets.UTF_8)));
        assertThat(turnStarted.await(5, TimeUnit.SECONDS)).isTrue();

        CompletableFuture<PushOutcome> pushed = runtime.send("sms", Address.of(OTHER), "the push");
        releaseTurn.countDown();

        assertThat(await(pushed).kind()).isEqualTo(Kind.SENT_UNCONFIRMED);
        assertThat(channel.sentTexts()).containsExactly("the reply", "the push");
    }

    /** Waits until the push's parts are out and it awaits its reports: its timeout is armed. */
    private void awaitTracked() throws InterruptedException {
        assertThat(timer.awaitPending(1)).as("the push is tracked within 5 s").isTrue();
    }
}
