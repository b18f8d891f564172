package dev.switchboard.runtime.internal;

import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * An executor whose tasks run on the thread that waits in {@link #driveUntil}: a caller that must
 * wait for a send (an agent's extra message) makes the send's attempts itself instead of holding a
 * second thread of a pool that may have none to spare. Once the waiting thread is interrupted, tasks
 * go to the fallback executor.
 */
final class DrivingExecutor implements Executor {

    private final Executor fallback;
    private final ArrayDeque<Runnable> tasks = new ArrayDeque<>(); // guarded by this
    private boolean handedOff; // guarded by this

    DrivingExecutor(Executor fallback) {
        this.fallback = fallback;
    }

    @Override
    public void execute(Runnable task) {
        synchronized (this) {
            if (!handedOff) {
                tasks.add(task);
                notifyAll();
                return;
            }
        }
        fallback.execute(task);
    }

    /** Runs the tasks given to this executor, on this thread, until {@code done} completes. */
    void driveUntil(CompletableFuture<?> done) {
        done.whenComplete((result, failure) -> {
            synchronized (this) {
                notifyAll();
            }
        });
        while (true) {
            Runnable task;
            synchronized (this) {
                try {
                    while (tasks.isEmpty() && !done.isDone()) {
                        wait();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    handedOff = true;
                    break;
                }
                task = tasks.poll();
                if (task == null) {
                    return;
                }
            }
            task.run();
        }
        ArrayDeque<Runnable> left;
        synchronized (this) {
            left = new ArrayDeque<>(tasks);
            tasks.clear();
        }
        for (Runnable task : left) {
            try {
                fallback.execute(task);
            } catch (RejectedExecutionException e) {
                // Nobody else will run it, and its text must still end: here, then.
                task.run();
            }
        }
    }
}
