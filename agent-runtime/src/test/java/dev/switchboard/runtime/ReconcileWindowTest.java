package dev.switchboard.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.channel.Address;
import dev.switchboard.channel.DeliveryStatus;
import dev.switchboard.channel.OutboundMessage;
import dev.switchboard.channel.RetriableChannelException;
import dev.switchboard.channel.SendReceipt;
import dev.switchboard.runtime.schedule.ManualScheduler;
import dev.switchboard.runtime.schedule.MutableClock;
import dev.switchboard.runtime.schedule.PushOutcome;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The builder's reconcile window: its validation, and that the runtime's sends keep to it. */
class ReconcileWindowTest {

    private static final Instant T0 = Instant.parse("2026-11-21T10:00:00Z");
    private static final Address ALICE = Address.of("+15551230001");

    private final MutableClock clock = new MutableClock(T0);
    private final ManualScheduler timer = new ManualScheduler(clock);
    private final UnlistedChannel channel = new UnlistedChannel(clock);
    private AgentRuntime runtime;

    @AfterEach
    void tearDown() {
        if (runtime != null) {
            runtime.close();
        }
    }

    @Test
    void refusesAWindowThatIsNotPositiveNamingTheOptionAndTheValue() {
        AgentRuntimeBuilder builder = AgentRuntime.builder();

        assertThatThrownBy(() -> builder.reconcileWindow(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("reconcileWindow must be positive: PT0S");
        assertThatThrownBy(() -> builder.reconcileWindow(Duration.ofSeconds(-5)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("reconcileWindow must be positive: PT-5S");
        assertThatThrownBy(() -> builder.reconcileWindow(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("window");
    }

    @Test
    void aPushThatMayHaveBeenSentIsLookedUpOverTheConfiguredWindowBeforeItIsSentAgain() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        runtime = AgentRuntime.builder()
                .meterRegistry(registry)
                .channel(channel)
                .agent(turn -> Optional.empty())
                .noWebhookServer()
                .clock(clock)
                .scheduler(timer)
                .deliveryConfirmationTimeout(Duration.ZERO)
                .reconcileWindow(Duration.ofSeconds(3))
                .build()
                .start();

        CompletableFuture<PushOutcome> pushed = runtime.send("sms", ALICE, "the backup finished");
        // Each look-up runs on the runtime's executor, which then sets the timer of the next.
        for (Instant due : List.of(T0.plusSeconds(1), T0.plusSeconds(2), T0.plusSeconds(3))) {
            assertThat(timer.awaitPending(1))
                    .as("the timer of the look-up at %s", due)
                    .isTrue();
            assertThat(timer.nextDue()).contains(due);
            assertThat(channel.sends()).isEqualTo(1);
            timer.advanceTo(due);
        }
        PushOutcome outcome = pushed.get(10, TimeUnit.SECONDS);

        assertThat(outcome.kind()).isEqualTo(PushOutcome.Kind.SENT_UNCONFIRMED);
        assertThat(outcome.messageIds()).containsExactly("SM2");
        assertThat(channel.lookedUpAt()).containsExactly(T0.plusSeconds(1), T0.plusSeconds(2), T0.plusSeconds(3));
        assertThat(channel.sends()).isEqualTo(2);
        // Three look-ups found nothing; the second attempt was a retry, and was accepted.
        assertThat(registry.get("switchboard.sends.reconciles")
                        .tags("channel", "sms", "result", "not_found")
                        .counter()
                        .count())
                .isEqualTo(3);
        assertThat(registry.get("switchboard.sends.reconciles")
                        .tags("channel", "sms", "result", "found")
                        .counter()
                        .count())
                .isZero();
        assertThat(registry.get("switchboard.sends.retries")
                        .tags("channel", "sms")
                        .counter()
                        .count())
                .isEqualTo(1);
        assertThat(registry.get("switchboard.sends")
                        .tags("channel", "sms", "outcome", "retriable_failure")
                        .counter()
                        .count())
                .isEqualTo(1);
        assertThat(registry.get("switchboard.pushes")
                        .tags("outcome", "sent_unconfirmed")
                        .counter()
                        .count())
                .isEqualTo(1);
    }

    /** A channel whose first send may have reached the provider, which never lists it. */
    private static final class UnlistedChannel extends StubChannel {

        private final MutableClock clock;
        private final AtomicInteger sends = new AtomicInteger();
        private final List<Instant> lookedUpAt = Collections.synchronizedList(new ArrayList<>());

        UnlistedChannel(MutableClock clock) {
            super("sms", plain(true));
            this.clock = clock;
        }

        int sends() {
            return sends.get();
        }

        List<Instant> lookedUpAt() {
            return List.copyOf(lookedUpAt);
        }

        @Override
        public SendReceipt send(OutboundMessage message) {
            int call = sends.incrementAndGet();
            if (call == 1) {
                throw new RetriableChannelException("timed out after the request left", null, null, true, null);
            }
            return new SendReceipt("SM" + call, DeliveryStatus.QUEUED);
        }

        @Override
        public List<SendReceipt> findSent(OutboundMessage message, Instant notBefore) {
            lookedUpAt.add(clock.instant());
            return List.of();
        }
    }
}
