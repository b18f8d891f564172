package dev.switchboard.runtime.internal;

import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * Tells the application's listener of an outcome on the executor, counted in flight so that closing
 * waits for it; on this thread if the executor refuses, since every outcome must be heard.
 */
public final class Notifier {

    private final Executor executor;
    private final InFlight inFlight;

    public Notifier(Executor executor, InFlight inFlight) {
        this.executor = executor;
        this.inFlight = inFlight;
    }

    public void notify(Runnable call) {
        Notification notification = new Notification(call, inFlight);
        inFlight.begin();
        try {
            executor.execute(notification);
        } catch (RejectedExecutionException e) {
            notification.run();
        }
    }

    /**
     * Runs, on this thread, the notifications among {@code runnables}: the tasks an executor handed
     * back unrun when it was shut down.
     */
    public static void runUnrun(List<Runnable> runnables) {
        for (Runnable runnable : runnables) {
            if (runnable instanceof Notification notification) {
                notification.run();
            }
        }
    }

    private static final class Notification implements Runnable {

        private final Runnable call;
        private final InFlight inFlight;

        Notification(Runnable call, InFlight inFlight) {
            this.call = call;
            this.inFlight = inFlight;
        }

        @Override
        public void run() {
            try {
                call.run();
            } finally {
                inFlight.end();
            }
        }
    }
}
