package dev.switchboard.runtime.internal;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The threads the runtime starts for itself: a virtual thread per task on a JVM that has them (21
 * and later, found at run time, since the build targets 17), otherwise a platform thread per task
 * from a pool that keeps idle threads for a minute. Either way no task waits for a thread: an agent
 * that blocks on a model for seconds holds one thread, never a slot other conversations need.
 */
public final class RuntimeThreads {

    private static final MethodHandle VIRTUAL_FACTORY = virtualFactory();

    private RuntimeThreads() {}

    /** Whether this JVM has virtual threads. */
    public static boolean virtual() {
        return VIRTUAL_FACTORY != null;
    }

    /**
     * A new executor that runs each task on a thread of its own at once, named {@code prefix} and a
     * number.
     */
    public static ExecutorService perTask(String prefix) {
        if (VIRTUAL_FACTORY != null) {
            try {
                return (ExecutorService) VIRTUAL_FACTORY.invoke(prefix);
            } catch (Throwable e) {
                throw new IllegalStateException("virtual threads are present but could not be started", e);
            }
        }
        return elasticPool(prefix);
    }

    /** The pool used where there are no virtual threads: a thread per task, idle ones kept a minute. */
    static ExecutorService elasticPool(String prefix) {
        AtomicLong count = new AtomicLong();
        ThreadFactory factory = task -> {
            Thread thread = new Thread(task, prefix + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
        return new ThreadPoolExecutor(0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS, new SynchronousQueue<>(), factory);
    }

    /**
     * {@code (String prefix) -> Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name(prefix,
     * 1).factory())}, or null where {@code Thread.ofVirtual} does not exist.
     */
    private static MethodHandle virtualFactory() {
        MethodHandles.Lookup lookup = MethodHandles.publicLookup();
        try {
            Class<?> builder = Class.forName("java.lang.Thread$Builder");
            Class<?> ofVirtual = Class.forName("java.lang.Thread$Builder$OfVirtual");
            MethodHandle newBuilder = lookup.findStatic(Thread.class, "ofVirtual", MethodType.methodType(ofVirtual));
            MethodHandle name =
                    lookup.findVirtual(builder, "name", MethodType.methodType(builder, String.class, long.class));
            MethodHandle factory = lookup.findVirtual(builder, "factory", MethodType.methodType(ThreadFactory.class));
            MethodHandle executor = lookup.findStatic(
                    Executors.class,
                    "newThreadPerTaskExecutor",
                    MethodType.methodType(ExecutorService.class, ThreadFactory.class));
            // (builder, prefix) -> builder.name(prefix, 1), then the builder from Thread.ofVirtual()
            MethodHandle named = MethodHandles.insertArguments(name, 2, 1L);
            MethodHandle fromPrefix =
                    MethodHandles.collectArguments(named, 0, newBuilder.asType(MethodType.methodType(builder)));
            return MethodHandles.filterReturnValue(MethodHandles.filterReturnValue(fromPrefix, factory), executor);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }
}
