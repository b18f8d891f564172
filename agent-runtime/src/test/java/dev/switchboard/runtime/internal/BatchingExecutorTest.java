package dev.switchboard.runtime.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class BatchingExecutorTest {

    private final List<String> ran = new CopyOnWriteArrayList<>();
    private final List<ExecutorService> executors = new ArrayList<>();

    @AfterEach
    void tearDown() {
        executors.forEach(ExecutorService::shutdownNow);
    }

    private BatchingExecutor batching(ExecutorService threads) {
        BatchingExecutor executor = new BatchingExecutor(threads, "test-watch");
        executors.add(executor);
        return executor;
    }

    private BatchingExecutor elastic() {
        return batching(RuntimeThreads.elasticPool("test-"));
    }

    private Runnable task(String name) {
        return () -> ran.add(name);
    }

    @Test
    void handsABurstToOneThreadThatRunsItInOrder() {
        HeldThreads threads = new HeldThreads();
        BatchingExecutor executor = batching(threads);

        for (String name : List.of("a", "b", "c", "d")) {
            executor.execute(task(name));
        }

        assertThat(threads.held).hasSize(1);
        assertThat(ran).isEmpty();
        threads.held.get(0).run();
        assertThat(ran).containsExactly("a", "b", "c", "d");
        assertThat(executor.queued()).isZero();
    }

    @Test
    void handsTheTasksOfAGroupOfActionsOverOnlyOnceAllHaveRun() {
        HeldThreads threads = new HeldThreads();
        BatchingExecutor executor = batching(threads);
        List<Integer> heldWhenRun = new ArrayList<>();

        executor.gathered(() -> WebhookServer.handOnEach(List.of(
                () -> executor.execute(task("a")),
                () -> heldWhenRun.add(threads.held.size()),
                () -> {
                    throw new IllegalStateException("one action fails");
                },
                () -> executor.execute(task("b")))));

        // No runner was started while the group ran: a woken one would have taken only the first.
        assertThat(heldWhenRun).containsExactly(0);
        assertThat(threads.held).hasSize(1);
        threads.held.get(0).run();
        assertThat(ran).containsExactly("a", "b");
    }

    @Test
    void aGroupThatGivesNoTaskStartsNoThread() {
        HeldThreads threads = new HeldThreads();
        BatchingExecutor executor = batching(threads);

        executor.gathered(() -> WebhookServer.handOnEach(List.of(() -> ran.add("ran"))));

        assertThat(ran).containsExactly("ran");
        assertThat(threads.held).isEmpty();
    }

    @Test
    void startsAnotherThreadForTasksQueuedAfterTheRunnerLeft() {
        HeldThreads threads = new HeldThreads();
        BatchingExecutor executor = batching(threads);

        executor.execute(task("a"));
        threads.held.get(0).run();
        executor.execute(task("b"));

        assertThat(threads.held).hasSize(2);
        threads.held.get(1).run();
        assertThat(ran).containsExactly("a", "b");
    }

    @Test
    void theTasksBehindABlockedOneRunWhileItIsBlocked() throws Exception {
        BatchingExecutor executor = elastic();
        CountDownLatch blocked = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch others = new CountDownLatch(3);

        executor.execute(() -> {
            blocked.countDown();
            awaitQuietly(release);
        });
        for (int i = 0; i < 3; i++) {
            executor.execute(others::countDown);
        }

        try {
            assertThat(blocked.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(others.await(10, TimeUnit.SECONDS)).isTrue();
        } finally {
            release.countDown();
        }
    }

    @Test
    void aBurstOfBlockingTasksAllRunAtOnce() throws Exception {
        BatchingExecutor executor = elastic();
        int count = 200;
        CountDownLatch started = new CountDownLatch(count);
        CountDownLatch release = new CountDownLatch(1);
        Set<Thread> threads = ConcurrentHashMap.newKeySet();

        for (int i = 0; i < count; i++) {
            executor.execute(() -> {
                threads.add(Thread.currentThread());
                started.countDown();
                awaitQuietly(release);
            });
        }

        try {
            // Every one of them holds its thread at the same time: none waits for another to end.
            assertThat(started.await(20, TimeUnit.SECONDS)).isTrue();
            assertThat(threads).hasSize(count);
        } finally {
            release.countDown();
        }
    }

    @Test
    void aTaskQueuedWhileTheOnlyRunnerIsBlockedStillRuns() throws Exception {
        BatchingExecutor executor = elastic();
        CountDownLatch blocked = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch later = new CountDownLatch(1);

        executor.execute(() -> {
            blocked.countDown();
            awaitQuietly(release);
        });
        assertThat(blocked.await(10, TimeUnit.SECONDS)).isTrue();
        // Submitted long after the watch last looked: it must wake up for this one.
        executor.execute(later::countDown);

        try {
            assertThat(later.await(10, TimeUnit.SECONDS)).isTrue();
        } finally {
            release.countDown();
        }
    }

    @Test
    void goesOnAfterATaskThrows() throws Exception {
        BatchingExecutor executor = elastic();
        CountDownLatch after = new CountDownLatch(2);

        executor.execute(() -> {
            throw new IllegalStateException("broken");
        });
        executor.execute(after::countDown);
        executor.execute(() -> {
            throw new AssertionError("an error escapes the runner");
        });
        executor.execute(after::countDown);

        assertThat(after.await(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void runsWhatIsQueuedAfterShutdownAndRefusesNewTasks() throws Exception {
        HeldThreads threads = new HeldThreads();
        BatchingExecutor executor = batching(threads);
        executor.execute(task("queued"));

        executor.shutdown();

        assertThatThrownBy(() -> executor.execute(task("late"))).isInstanceOf(RejectedExecutionException.class);
        assertThat(executor.awaitTermination(0, TimeUnit.MILLISECONDS)).isFalse();
        threads.held.get(0).run();
        assertThat(executor.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        assertThat(ran).containsExactly("queued");
    }

    @Test
    void shutdownNowHandsBackTheTasksNotStarted() {
        HeldThreads threads = new HeldThreads();
        BatchingExecutor executor = batching(threads);
        Runnable first = task("first");
        Runnable second = task("second");
        executor.execute(first);
        executor.execute(second);

        List<Runnable> unrun = executor.shutdownNow();

        assertThat(unrun).containsExactly(first, second);
        assertThat(executor.queued()).isZero();
        assertThat(threads.isShutdown()).isTrue();
    }

    @Test
    void shutdownNowInterruptsTheRunningTasks() throws Exception {
        BatchingExecutor executor = elastic();
        CountDownLatch blocked = new CountDownLatch(1);
        CountDownLatch interrupted = new CountDownLatch(1);
        executor.execute(() -> {
            blocked.countDown();
            try {
                new CountDownLatch(1).await();
            } catch (InterruptedException e) {
                interrupted.countDown();
            }
        });
        assertThat(blocked.await(10, TimeUnit.SECONDS)).isTrue();

        executor.shutdownNow();

        assertThat(interrupted.await(10, TimeUnit.SECONDS)).isTrue();
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Threads that start only when a test runs their task. */
    private static final class HeldThreads extends AbstractExecutorService {

        final List<Runnable> held = new CopyOnWriteArrayList<>();
        private volatile boolean shutdown;

        @Override
        public void execute(Runnable command) {
            if (shutdown) {
                throw new RejectedExecutionException("shut down");
            }
            held.add(command);
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
        public boolean awaitTermination(long timeout, TimeUnit unit) {
            return shutdown;
        }
    }
}
