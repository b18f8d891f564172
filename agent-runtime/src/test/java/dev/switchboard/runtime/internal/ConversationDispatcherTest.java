package dev.switchboard.runtime.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.channel.Address;
import dev.switchboard.channel.ConversationKey;
import dev.switchboard.runtime.DropReason;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ConversationDispatcherTest {

    private static final ConversationKey ALICE = new ConversationKey("sms", Address.of("+15551230001"));
    private static final ConversationKey BOB = new ConversationKey("sms", Address.of("+15551230002"));
    private static final CompletableFuture<Void> RELEASED = CompletableFuture.completedFuture(null);

    private final List<String> log = Collections.synchronizedList(new ArrayList<>());
    private final InFlight inFlight = new InFlight();
    private ExecutorService pool;

    @AfterEach
    void tearDown() {
        if (pool != null) {
            pool.shutdownNow();
        }
    }

    /** A task that records its runs and abandonment. */
    private ConversationDispatcher.Task task(String name, Runnable body) {
        return new ConversationDispatcher.Task() {
            @Override
            public CompletionStage<?> run() {
                body.run();
                log.add(name);
                return CompletableFuture.completedFuture(null);
            }

            @Override
            public void abandon(DropReason reason) {
                log.add(name + " " + reason);
            }
        };
    }

    private ConversationDispatcher.Task task(String name) {
        return task(name, () -> {});
    }

    /** An executor that runs tasks only when the test says so. */
    private static final class ManualExecutor implements java.util.concurrent.Executor {
        final Queue<Runnable> queued = new ArrayDeque<>();

        @Override
        public void execute(Runnable command) {
            queued.add(command);
        }

        void runNext() {
            queued.remove().run();
        }
    }

    @Test
    void runsTasksOfOneConversationInSubmissionOrderOneAtATime() throws Exception {
        pool = Executors.newFixedThreadPool(4);
        ConversationDispatcher dispatcher = new ConversationDispatcher(pool, inFlight);
        AtomicInteger active = new AtomicInteger();
        AtomicBoolean overlapped = new AtomicBoolean();
        CountDownLatch done = new CountDownLatch(200);

        for (int i = 0; i < 200; i++) {
            String name = "t" + i;
            dispatcher.submit(
                    ALICE,
                    task(name, () -> {
                        if (active.incrementAndGet() > 1) {
                            overlapped.set(true);
                        }
                        Thread.yield();
                        active.decrementAndGet();
                        done.countDown();
                    }),
                    RELEASED);
        }

        assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(inFlight.awaitIdle(Duration.ofSeconds(10))).isTrue();
        assertThat(overlapped).isFalse();
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            expected.add("t" + i);
        }
        assertThat(log).containsExactlyElementsOf(expected);
        assertThat(dispatcher.activeConversations()).isZero();
    }

    @Test
    void holdsTheConversationUntilATaskFinishesItsWorkWithoutAThread() throws Exception {
        ManualExecutor executor = new ManualExecutor();
        ConversationDispatcher dispatcher = new ConversationDispatcher(executor, inFlight);
        CompletableFuture<Void> retrying = new CompletableFuture<>();

        dispatcher.submit(
                ALICE,
                new ConversationDispatcher.Task() {
                    @Override
                    public CompletionStage<?> run() {
                        log.add("reply started");
                        return retrying;
                    }

                    @Override
                    public void abandon(DropReason reason) {
                        log.add("reply " + reason);
                    }
                },
                RELEASED);
        dispatcher.submit(ALICE, task("next reply"), RELEASED);
        dispatcher.submit(BOB, task("bob"), RELEASED);
        while (!executor.queued.isEmpty()) {
            executor.runNext();
        }

        // The first task returned, but its work goes on: the lane waits, and holds no thread.
        assertThat(log).containsExactlyInAnyOrder("reply started", "bob");
        assertThat(inFlight.count()).isEqualTo(2);
        retrying.complete(null);
        executor.runNext();

        assertThat(log).containsExactlyInAnyOrder("reply started", "bob", "next reply");
        assertThat(inFlight.count()).isZero();
        assertThat(dispatcher.activeConversations()).isZero();
    }

    @Test
    void runsDifferentConversationsInParallel() throws Exception {
        pool = Executors.newFixedThreadPool(2);
        ConversationDispatcher dispatcher = new ConversationDispatcher(pool, inFlight);
        CountDownLatch bobRan = new CountDownLatch(1);
        AtomicBoolean aliceSawBob = new AtomicBoolean();

        dispatcher.submit(ALICE, task("alice", () -> aliceSawBob.set(await(bobRan))), RELEASED);
        dispatcher.submit(BOB, task("bob", bobRan::countDown), RELEASED);

        assertThat(inFlight.awaitIdle(Duration.ofSeconds(10))).isTrue();
        assertThat(aliceSawBob).isTrue();
    }

    private static boolean await(CountDownLatch latch) {
        try {
            return latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Test
    void startsATaskOnlyOnceReleasedButKeepsItsPlace() {
        ConversationDispatcher dispatcher = new ConversationDispatcher(Runnable::run, inFlight);
        CompletableFuture<Void> firstAcked = new CompletableFuture<>();

        dispatcher.submit(ALICE, task("first"), firstAcked);
        dispatcher.submit(ALICE, task("second"), RELEASED);
        assertThat(log).isEmpty();
        assertThat(inFlight.count()).isEqualTo(2);

        firstAcked.complete(null);

        assertThat(log).containsExactly("first", "second");
        assertThat(inFlight.count()).isZero();
        assertThat(dispatcher.activeConversations()).isZero();
    }

    @Test
    void goesOnAfterATaskThrows() {
        ConversationDispatcher dispatcher = new ConversationDispatcher(Runnable::run, inFlight);

        dispatcher.submit(
                ALICE,
                task("broken", () -> {
                    throw new IllegalStateException("bug");
                }),
                RELEASED);
        dispatcher.submit(ALICE, task("next"), RELEASED);

        assertThat(log).containsExactly("next");
        assertThat(inFlight.count()).isZero();
    }

    @Test
    void abandonsTheConversationWhenTheExecutorRefuses() {
        ConversationDispatcher dispatcher = new ConversationDispatcher(
                command -> {
                    throw new RejectedExecutionException("full");
                },
                inFlight);

        dispatcher.submit(ALICE, task("refused"), RELEASED);

        assertThat(log).containsExactly("refused REJECTED");
        assertThat(inFlight.count()).isZero();
        assertThat(dispatcher.activeConversations()).isZero();
    }

    @Test
    void abandonsTasksSubmittedAfterClose() {
        ManualExecutor executor = new ManualExecutor();
        ConversationDispatcher dispatcher = new ConversationDispatcher(executor, inFlight);
        dispatcher.submit(ALICE, task("before"), RELEASED);

        dispatcher.close();
        dispatcher.submit(ALICE, task("after"), RELEASED);
        executor.runNext();

        assertThat(log).containsExactly("after SHUTDOWN", "before");
        assertThat(inFlight.count()).isZero();
    }

    @Test
    void dropsQueuedTasksOnceAbandoned() {
        ManualExecutor executor = new ManualExecutor();
        ConversationDispatcher dispatcher = new ConversationDispatcher(executor, inFlight);
        dispatcher.submit(ALICE, task("running"), RELEASED);
        dispatcher.submit(ALICE, task("queued"), RELEASED);

        dispatcher.abandonQueued();
        // A task behind a running one is dropped at once: the running one may never end.
        assertThat(log).containsExactly("queued SHUTDOWN");
        executor.runNext();

        assertThat(log).containsExactly("queued SHUTDOWN", "running SHUTDOWN");
        assertThat(inFlight.count()).isZero();
        assertThat(dispatcher.activeConversations()).isZero();
    }

    @Test
    void abandonsLanesAnExecutorHandsBackUnrun() {
        ManualExecutor executor = new ManualExecutor();
        ConversationDispatcher dispatcher = new ConversationDispatcher(executor, inFlight);
        dispatcher.submit(ALICE, task("a1"), RELEASED);
        dispatcher.submit(ALICE, task("a2"), RELEASED);
        dispatcher.submit(BOB, task("b1"), RELEASED);

        dispatcher.abandonUnrun(new ArrayList<>(executor.queued));

        assertThat(log).containsExactlyInAnyOrder("a1 SHUTDOWN", "a2 SHUTDOWN", "b1 SHUTDOWN");
        assertThat(inFlight.count()).isZero();
        assertThat(dispatcher.activeConversations()).isZero();
    }

    /** A task whose work goes on until the test completes its stage. */
    private ConversationDispatcher.Task pending(String name, CompletableFuture<Void> done) {
        return new ConversationDispatcher.Task() {
            @Override
            public CompletionStage<?> run() {
                log.add(name);
                return done;
            }

            @Override
            public void abandon(DropReason reason) {
                log.add(name + " " + reason);
            }
        };
    }

    @Test
    void runsAtMostTheBoundOfLanesAtOnceAndTheRestInTheOrderTheyBecameReady() {
        ManualExecutor executor = new ManualExecutor();
        ConversationDispatcher dispatcher = new ConversationDispatcher(executor, inFlight, 1);
        ConversationKey carol = new ConversationKey("sms", Address.of("+15551230003"));
        CompletableFuture<Void> aliceDone = new CompletableFuture<>();
        dispatcher.submit(ALICE, pending("a1", aliceDone), RELEASED);
        dispatcher.submit(ALICE, task("a2"), RELEASED);
        dispatcher.submit(BOB, task("b1"), RELEASED);
        dispatcher.submit(carol, task("c1"), RELEASED);

        assertThat(executor.queued).hasSize(1);
        executor.runNext();
        // a1's work goes on without a thread, and still holds the only slot.
        assertThat(executor.queued).isEmpty();
        assertThat(dispatcher.running()).isEqualTo(1);
        assertThat(dispatcher.waitingForSlot()).isEqualTo(2);

        aliceDone.complete(null);
        // Alice's next task goes behind the lanes that were waiting.
        while (!executor.queued.isEmpty()) {
            executor.runNext();
        }

        assertThat(log).containsExactly("a1", "b1", "c1", "a2");
        assertThat(dispatcher.running()).isZero();
        assertThat(inFlight.count()).isZero();
    }

    @Test
    void dropsTheLanesWaitingForASlotOnceAbandoned() {
        ManualExecutor executor = new ManualExecutor();
        ConversationDispatcher dispatcher = new ConversationDispatcher(executor, inFlight, 1);
        CompletableFuture<Void> aliceDone = new CompletableFuture<>();
        dispatcher.submit(ALICE, pending("a1", aliceDone), RELEASED);
        dispatcher.submit(BOB, task("b1"), RELEASED);
        executor.runNext();

        dispatcher.abandonQueued();

        assertThat(log).containsExactly("a1", "b1 SHUTDOWN");
        aliceDone.complete(null);
        assertThat(executor.queued).isEmpty();
        assertThat(inFlight.count()).isZero();
        assertThat(dispatcher.activeConversations()).isZero();
    }
}
