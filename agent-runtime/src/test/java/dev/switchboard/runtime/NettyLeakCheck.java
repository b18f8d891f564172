package dev.switchboard.runtime;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.util.ResourceLeakDetector;
import java.lang.ref.PhantomReference;
import java.lang.ref.ReferenceQueue;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Runs a test class with Netty's leak detector at {@code PARANOID} (every buffer tracked) and fails
 * each test after which a buffer was found leaked, rather than only logging it as Netty does.
 *
 * <p>Netty reports a leak when a buffer that was never released has been garbage collected and the
 * next buffer is allocated. So after each test (and its {@code @AfterEach}, which should close the
 * server) this collects garbage until a reference of its own comes back, twice, allocates a
 * buffer, and fails the test with the leak records if any arrived.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final NettyLeakCheck leaks = new NettyLeakCheck();
 * }</pre>
 */
public final class NettyLeakCheck implements BeforeAllCallback, AfterEachCallback, AfterAllCallback {

    private final List<String> leaks = new CopyOnWriteArrayList<>();
    private ResourceLeakDetector.Level previous;

    @Override
    public void beforeAll(ExtensionContext context) {
        previous = ResourceLeakDetector.getLevel();
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        ByteBufUtil.setLeakListener((type, records) -> leaks.add(type + "\n" + records));
    }

    @Override
    public void afterEach(ExtensionContext context) throws InterruptedException {
        List<String> found = collect();
        if (!found.isEmpty()) {
            throw new AssertionError(found.size() + " Netty buffer(s) leaked:\n" + String.join("\n", found));
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        ByteBufUtil.setLeakListener(null);
        ResourceLeakDetector.setLevel(previous);
    }

    /** Collects garbage, lets the detector report, and returns (and forgets) the leaks reported so far. */
    public List<String> collect() throws InterruptedException {
        for (int round = 0; round < 2; round++) {
            collectGarbage();
            // The detector looks at what was collected when the next buffer is tracked.
            ByteBuf pooled = ByteBufAllocator.DEFAULT.buffer(8);
            pooled.release();
            ByteBuf unpooled = Unpooled.directBuffer(8);
            unpooled.release();
        }
        List<String> found = new ArrayList<>(leaks);
        leaks.removeAll(found);
        return found;
    }

    /** Runs a GC and waits until it has been processed far enough that a reference of ours came back. */
    private static void collectGarbage() throws InterruptedException {
        ReferenceQueue<Object> queue = new ReferenceQueue<>();
        PhantomReference<Object> sentinel = new PhantomReference<>(new Object(), queue);
        for (int i = 0; i < 50 && queue.poll() == null; i++) {
            System.gc();
            if (queue.remove(100) != null) {
                break;
            }
        }
        // Keeps the reference itself reachable until the GC has handed it back.
        sentinel.clear();
    }
}
