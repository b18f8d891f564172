package dev.switchboard.runtime.schedule;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.concurrent.TimeUnit;

/**
 * A {@link TaskScheduler} that runs nothing until the test moves its clock. Tasks run on the thread
 * that moves it, in the order of their instants.
 */
public final class ManualScheduler implements TaskScheduler {

    private record Task(Instant at, long sequence, Runnable runnable) {}

    private final MutableClock clock;
    private final PriorityQueue<Task> tasks = new PriorityQueue<>((a, b) -> {
        int byTime = a.at().compareTo(b.at());
        return byTime != 0 ? byTime : Long.compare(a.sequence(), b.sequence());
    });
    private long sequence;

    public ManualScheduler(MutableClock clock) {
        this.clock = clock;
    }

    public MutableClock clock() {
        return clock;
    }

    @Override
    public synchronized Cancellable schedule(Runnable runnable, Instant at) {
        Task task = new Task(at, sequence++, runnable);
        tasks.add(task);
        notifyAll();
        return () -> {
            synchronized (this) {
                tasks.remove(task);
            }
        };
    }

    /**
     * Moves the clock forward to {@code to} the way time passes: each task due on the way runs with the
     * clock at its own instant.
     */
    public void advanceTo(Instant to) {
        while (true) {
            Task task;
            synchronized (this) {
                task = tasks.peek();
                if (task == null || task.at().isAfter(to)) {
                    break;
                }
                tasks.poll();
            }
            if (task.at().isAfter(clock.instant())) {
                clock.set(task.at());
            }
            task.runnable().run();
        }
        if (to.isAfter(clock.instant())) {
            clock.set(to);
        }
    }

    public void advance(Duration duration) {
        advanceTo(clock.instant().plus(duration));
    }

    /**
     * Sets the clock to {@code to} at once, as after a paused process or a clock jump, then runs the
     * tasks now due: they see the late time.
     */
    public void jumpTo(Instant to) {
        clock.set(to);
        runDue();
    }

    /** Runs the tasks due at the current time, including those they schedule for it. */
    public void runDue() {
        advanceTo(clock.instant());
    }

    /**
     * Runs every pending task now, whatever its instant, without moving the clock: a timer woken early
     * by the clock's measure (the clock was set back after the task was scheduled).
     */
    public void runAllNow() {
        List<Task> due;
        synchronized (this) {
            due = new ArrayList<>(tasks);
            tasks.clear();
        }
        due.sort(tasks.comparator());
        due.forEach(task -> task.runnable().run());
    }

    /** When the earliest pending task is due. */
    public synchronized Optional<Instant> nextDue() {
        return Optional.ofNullable(tasks.peek()).map(Task::at);
    }

    /** Waits up to 5 seconds until at least {@code count} tasks are pending; false if they never were. */
    public synchronized boolean awaitPending(int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (tasks.size() < count) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return true;
    }

    public synchronized List<Instant> pending() {
        List<Instant> all = new ArrayList<>();
        tasks.forEach(t -> all.add(t.at()));
        all.sort(null);
        return all;
    }
}
