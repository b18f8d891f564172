package dev.switchboard.runtime.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.runtime.schedule.MutableClock;
import dev.switchboard.runtime.schedule.TaskScheduler;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class ExecutorTaskSchedulerTest {

    @Test
    void runsATaskWhenItIsDueOnItsOwnDaemonThread() throws Exception {
        try (ExecutorTaskScheduler scheduler = new ExecutorTaskScheduler(Clock.systemUTC())) {
            CountDownLatch ran = new CountDownLatch(1);
            AtomicReference<Thread> thread = new AtomicReference<>();

            scheduler.schedule(
                    () -> {
                        thread.set(Thread.currentThread());
                        ran.countDown();
                    },
                    Instant.now().plusMillis(20));

            assertThat(ran.await(1, TimeUnit.SECONDS)).isTrue();
            assertThat(thread.get().getName()).isEqualTo("switchboard-timer");
            assertThat(thread.get().isDaemon()).isTrue();
        }
    }

    @Test
    void runsATaskWhoseInstantHasPassedAtOnce() throws Exception {
        try (ExecutorTaskScheduler scheduler = new ExecutorTaskScheduler(Clock.systemUTC())) {
            CountDownLatch ran = new CountDownLatch(1);

            scheduler.schedule(ran::countDown, Instant.now().minusSeconds(3600));

            assertThat(ran.await(1, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void doesNotRunACancelledTask() throws Exception {
        try (ExecutorTaskScheduler scheduler = new ExecutorTaskScheduler(Clock.systemUTC())) {
            CountDownLatch cancelled = new CountDownLatch(1);
            CountDownLatch later = new CountDownLatch(1);

            TaskScheduler.Cancellable first =
                    scheduler.schedule(cancelled::countDown, Instant.now().plusMillis(30));
            first.cancel();
            // One thread runs tasks in instant order: once the later one ran, the first would have.
            scheduler.schedule(later::countDown, Instant.now().plusMillis(60));

            assertThat(later.await(1, TimeUnit.SECONDS)).isTrue();
            assertThat(cancelled.getCount()).isEqualTo(1);
        }
    }

    @Test
    void rereadsTheClockSoThatAJumpIsNoticedWithinTheLongestSleep() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2024-05-01T10:00:00Z"));
        try (ExecutorTaskScheduler scheduler = new ExecutorTaskScheduler(clock, Duration.ofMillis(10))) {
            CountDownLatch ran = new CountDownLatch(1);
            // An hour away by the clock: a plain delayed task would sleep an hour of real time.
            scheduler.schedule(ran::countDown, Instant.parse("2024-05-01T11:00:00Z"));
            CountDownLatch probe = new CountDownLatch(1);
            scheduler.schedule(probe::countDown, Instant.parse("2024-05-01T10:00:00Z"));
            assertThat(probe.await(1, TimeUnit.SECONDS)).isTrue();
            assertThat(ran.getCount()).as("not run before its instant").isEqualTo(1);

            clock.set(Instant.parse("2024-05-01T11:00:00Z"));

            assertThat(ran.await(1, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void runsNothingAfterClose() throws Exception {
        ExecutorTaskScheduler scheduler = new ExecutorTaskScheduler(Clock.systemUTC());
        CountDownLatch ran = new CountDownLatch(1);
        scheduler.schedule(ran::countDown, Instant.now().plusMillis(50));

        scheduler.close();
        scheduler.schedule(ran::countDown, Instant.now());

        assertThat(ran.await(200, TimeUnit.MILLISECONDS)).isFalse();
    }
}
