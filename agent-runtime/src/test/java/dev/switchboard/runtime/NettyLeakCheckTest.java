package dev.switchboard.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The leak check itself: it must see a buffer that was never released, or it proves nothing. */
class NettyLeakCheckTest {

    @RegisterExtension
    static final NettyLeakCheck leaks = new NettyLeakCheck();

    @Test
    void findsABufferThatWasNeverReleased() throws Exception {
        leakOne();

        assertThat(leaks.collect()).singleElement().asString().contains("ByteBuf", "leakOne");
    }

    @Test
    void findsNothingWhenEveryBufferIsReleased() throws Exception {
        ByteBuf buffer = ByteBufAllocator.DEFAULT.buffer(64);
        buffer.writeLong(42);
        buffer.release();

        assertThat(leaks.collect()).isEmpty();
    }

    private static void leakOne() {
        ByteBuf buffer = ByteBufAllocator.DEFAULT.buffer(64);
        buffer.writeLong(42);
    }
}
