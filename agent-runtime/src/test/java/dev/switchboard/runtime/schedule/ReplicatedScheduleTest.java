package dev.switchboard.runtime.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.runtime.AgentRuntime;
import dev.switchboard.runtime.store.DurableTestStore;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A schedule on several replicas sharing a durable store runs each fire time once. */
class ReplicatedScheduleTest {

    private static final String HOME = "+15550001111";

    private final MutableClock clock = new MutableClock(Instant.parse("2024-05-01T08:00:00Z"));
    private final DurableTestStore database = DurableTestStore.create();
    private final OutcomeRecorder outcomes = new OutcomeRecorder();
    private final AtomicInteger runs = new AtomicInteger();
    private final List<AgentRuntime> replicas = new ArrayList<>();
    private final List<ManualScheduler> timers = new ArrayList<>();
    private final List<PushChannel> channels = new ArrayList<>();

    @AfterEach
    void tearDown() {
        replicas.forEach(AgentRuntime::close);
    }

    private void replica() {
        ManualScheduler timer = new ManualScheduler(clock);
        PushChannel sms = PushChannel.sms().home(HOME);
        AgentRuntime runtime = AgentRuntime.builder()
                .channel(sms)
                .agent(turn -> Optional.empty())
                .noWebhookServer()
                .clock(clock)
                .scheduler(timer)
                .store(database.handle())
                // Suppliers run on the thread that moves the timer: each fire time is claimed, and run
                // or given up, before the timer's advance returns.
                .executor(new CallerRuns(), true)
                .deliveryConfirmationTimeout(Duration.ZERO)
                .listener(outcomes)
                .build()
                .start();
        runtime.schedule("heartbeat", "0 9 * * *", ZoneOffset.UTC, () -> Optional.of("beat " + runs.incrementAndGet()));
        replicas.add(runtime);
        timers.add(timer);
        channels.add(sms);
    }

    /** An executor that runs each task on the caller's thread. */
    private static final class CallerRuns extends java.util.concurrent.AbstractExecutorService {
        private volatile boolean shutdown;

        @Override
        public void execute(Runnable command) {
            if (shutdown) {
                throw new java.util.concurrent.RejectedExecutionException("shut down");
            }
            command.run();
        }

        @Override
        public void shutdown() {
            shutdown = true;
        }

        @Override
        public List<Runnable> shutdownNow() {
            shutdown = true;
            return List.of();
        }

        @Override
        public boolean isShutdown() {
            return shutdown;
        }

        @Override
        public boolean isTerminated() {
            return shutdown;
        }

        @Override
        public boolean awaitTermination(long timeout, java.util.concurrent.TimeUnit unit) {
            return true;
        }
    }

    @Test
    void eachFireTimeRunsOnOneReplicaOnly() throws Exception {
        replica();
        replica();
        replica();

        timers.forEach(timer -> timer.advanceTo(Instant.parse("2024-05-01T09:00:00Z")));
        assertThat(database.awaitClaims(3))
                .as("every replica claimed the fire time")
                .isTrue();
        assertThat(outcomes.next().kind()).isEqualTo(PushOutcome.Kind.SENT_UNCONFIRMED);
        assertThat(runs).hasValue(1);

        timers.forEach(timer -> timer.advanceTo(Instant.parse("2024-05-02T09:00:00Z")));
        assertThat(database.awaitClaims(6)).isTrue();
        assertThat(outcomes.next().kind()).isEqualTo(PushOutcome.Kind.SENT_UNCONFIRMED);
        assertThat(runs).hasValue(2);
        assertThat(channels.stream().mapToInt(channel -> channel.sent().size()).sum())
                .isEqualTo(2);
    }
}
