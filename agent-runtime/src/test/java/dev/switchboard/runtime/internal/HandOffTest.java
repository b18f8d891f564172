package dev.switchboard.runtime.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HandOffTest {

    private final List<Runnable> submitted = new CopyOnWriteArrayList<>();
    private final List<List<Runnable>> refused = new CopyOnWriteArrayList<>();
    private final List<String> ran = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor();
    private final List<ExecutorService> pools = new ArrayList<>();

    @AfterEach
    void tearDown() {
        loop.shutdownNow();
        pools.forEach(ExecutorService::shutdownNow);
    }

    private Runnable task(String name) {
        return () -> ran.add(name);
    }

    @Test
    void givesTheTasksOfAPassToTheExecutorAsOneAndRunsThemInOrder() {
        HandOff handOff = new HandOff(submitted::add, refused::add);

        handOff.runGathered(
                List.of(() -> handOff.execute(task("a")), () -> handOff.execute(task("b")), () -> {
                    handOff.execute(task("c"));
                    handOff.execute(task("d"));
                }),
                loop);

        assertThat(submitted).hasSize(1);
        assertThat(ran).isEmpty();
        submitted.get(0).run();
        assertThat(ran).containsExactly("a", "b", "c", "d");
    }

    @Test
    void handsOnTasksOutsideAPassOneByOne() {
        HandOff handOff = new HandOff(submitted::add, refused::add);
        Runnable alone = task("alone");

        handOff.execute(alone);
        handOff.runGathered(List.of(() -> handOff.execute(task("only"))), loop);

        assertThat(submitted).hasSize(2).first().isSameAs(alone);
        submitted.get(1).run();
        assertThat(ran).containsExactly("only");
    }

    @Test
    void goesOnWithTheOtherActionsOfAPassWhenOneThrows() {
        HandOff handOff = new HandOff(submitted::add, refused::add);

        handOff.runGathered(
                List.of(
                        () -> handOff.execute(task("a")),
                        () -> {
                            throw new IllegalStateException("broken");
                        },
                        () -> handOff.execute(task("b"))),
                loop);

        submitted.forEach(Runnable::run);
        assertThat(ran).containsExactly("a", "b");
    }

    /** The latches of a batch run by {@link #runBlocking}. */
    private record Run(CountDownLatch blocked, CountDownLatch others, CountDownLatch release) {

        /** Waits for every blocking task to start, then for every other task to run; lets them go. */
        boolean othersRanWhileBlocked() throws InterruptedException {
            try {
                return blocked.await(10, TimeUnit.SECONDS) && others.await(10, TimeUnit.SECONDS);
            } finally {
                release.countDown();
            }
        }
    }

    /** Runs a batch of the given tasks, where each {@code true} blocks until released. */
    private Run runBlocking(HandOff handOff, ScheduledExecutorService watcher, boolean... blocks) {
        int blocking = 0;
        for (boolean block : blocks) {
            blocking += block ? 1 : 0;
        }
        Run run = new Run(
                new CountDownLatch(blocking), new CountDownLatch(blocks.length - blocking), new CountDownLatch(1));
        List<Runnable> actions = new ArrayList<>();
        for (boolean block : blocks) {
            actions.add(() -> handOff.execute(
                    block
                            ? () -> {
                                run.blocked().countDown();
                                awaitQuietly(run.release());
                            }
                            : run.others()::countDown));
        }
        handOff.runGathered(actions, watcher);
        return run;
    }

    private HandOff onPoolOf(int threads) {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        pools.add(pool);
        return new HandOff(pool, refused::add);
    }

    @Test
    void theOneTurnBehindABlockedOneRunsWhileItIsBlocked() throws Exception {
        assertThat(runBlocking(onPoolOf(2), loop, true, false).othersRanWhileBlocked())
                .isTrue();
    }

    @Test
    void theTurnsBehindABlockedOneRunWhileItIsBlocked() throws Exception {
        assertThat(runBlocking(onPoolOf(3), loop, true, false, false).othersRanWhileBlocked())
                .isTrue();
    }

    @Test
    void theTurnsBehindTwoBlockedOnesRunWhileTheyAreBlocked() throws Exception {
        assertThat(runBlocking(onPoolOf(4), loop, true, true, false, false).othersRanWhileBlocked())
                .isTrue();
    }

    @Test
    void releasingHandsTheWaitingTurnsOnWhenNothingWatchesAnyMore() throws Exception {
        // A watcher that is stuck never checks: like an event loop closed with its timers.
        ScheduledExecutorService stuck = Executors.newSingleThreadScheduledExecutor();
        CountDownLatch unstick = new CountDownLatch(1);
        stuck.execute(() -> awaitQuietly(unstick));
        HandOff handOff = onPoolOf(3);
        try {
            Run run = runBlocking(handOff, stuck, true, false, false);
            assertThat(run.blocked().await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(run.others().await(100, TimeUnit.MILLISECONDS))
                    .as("unwatched, the turns wait behind the blocked one")
                    .isFalse();

            handOff.releaseAll();

            assertThat(run.othersRanWhileBlocked())
                    .as("released, the waiting turns ran")
                    .isTrue();
        } finally {
            unstick.countDown();
            stuck.shutdownNow();
        }
    }

    @Test
    void aBatchNoLoopWillWatchHandsItsTurnsOnAtOnce() throws Exception {
        ScheduledExecutorService closed = Executors.newSingleThreadScheduledExecutor();
        closed.shutdown();

        assertThat(runBlocking(onPoolOf(3), closed, true, false, false).othersRanWhileBlocked())
                .isTrue();
    }

    @Test
    void handsABatchOverOnlyOnceWhileEveryThreadIsBusy() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(1);
        pools.add(pool);
        List<Runnable> handedOver = new CopyOnWriteArrayList<>();
        HandOff handOff = new HandOff(
                task -> {
                    handedOver.add(task);
                    pool.execute(task);
                },
                refused::add);
        CountDownLatch busy = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        pool.execute(() -> {
            busy.countDown();
            awaitQuietly(release);
        });
        assertThat(busy.await(10, TimeUnit.SECONDS)).isTrue();

        handOff.runGathered(
                List.of(() -> handOff.execute(task("a")), () -> handOff.execute(task("b")), () -> {
                    handOff.execute(task("c"));
                }),
                loop);
        // Long enough for dozens of watches at a millisecond each.
        Thread.sleep(100);

        assertThat(handedOver)
                .as("copies of the batch handed to a busy executor")
                .hasSize(1);
        release.countDown();
        pool.shutdown();
        assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        assertThat(ran).containsExactly("a", "b", "c");
    }

    @Test
    void handsARefusedBatchBackUnrun() {
        HandOff handOff = new HandOff(
                task -> {
                    throw new RejectedExecutionException("shut down");
                },
                refused::add);
        Runnable a = task("a");
        Runnable b = task("b");

        handOff.runGathered(List.of(() -> handOff.execute(a), () -> handOff.execute(b)), loop);
        handOff.runGathered(List.of(() -> handOff.execute(a)), loop);

        assertThat(refused).containsExactly(List.of(a, b), List.of(a));
        assertThat(ran).isEmpty();
    }

    @Test
    void unbatchesWhatAnExecutorHandedBackAndNeverRunsItAfterwards() {
        HandOff handOff = new HandOff(submitted::add, refused::add);
        Runnable a = task("a");
        Runnable b = task("b");
        Runnable other = task("other");

        handOff.runGathered(List.of(() -> handOff.execute(a), () -> handOff.execute(b)), loop);
        List<Runnable> unrun = HandOff.unbatch(List.of(submitted.get(0), other));

        assertThat(unrun).containsExactly(a, b, other);
        submitted.get(0).run();
        assertThat(ran).isEmpty();
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
