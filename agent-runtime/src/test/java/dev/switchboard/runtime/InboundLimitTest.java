package dev.switchboard.runtime;

import static dev.switchboard.runtime.FakeChannel.form;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.channel.InboundMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Per-sender inbound limits through the real listener: 429, nothing for the agent, and back after. */
class InboundLimitTest {

    private static final String PATH = "/webhooks/test";
    private static final String ALICE = "+15551230001";
    private static final String BOB = "+15551230002";
    private static final String SELF = "+15550000000";

    private final FakeChannel channel = FakeChannel.sms();
    private final AtomicLong nanos = new AtomicLong();
    private final BlockingQueue<String> turns = new LinkedBlockingQueue<>();
    private final BlockingQueue<String> dropped = new LinkedBlockingQueue<>();
    private AgentRuntime runtime;

    @AfterEach
    void tearDown() {
        if (runtime != null) {
            runtime.close();
        }
    }

    private AgentRuntimeBuilder builder() {
        return AgentRuntime.builder()
                .channel(channel)
                .webhookServer("127.0.0.1", 0)
                .ticker(nanos::get)
                .agent(turn -> {
                    // Messages that arrived during a turn come in the next one together.
                    turn.messages().forEach(message -> turns.add(message.id()));
                    return Optional.empty();
                })
                .listener(new RuntimeListener() {
                    @Override
                    public void onDropped(InboundMessage message, DropReason reason) {
                        dropped.add(message.id() + " " + reason);
                    }
                });
    }

    private int post(String sid, String from) throws Exception {
        return FakeChannel.post(runtime, form(sid, from, SELF, "hi"));
    }

    private String next(BlockingQueue<String> queue) throws InterruptedException {
        String item = queue.poll(10, TimeUnit.SECONDS);
        assertThat(item).as("an event within 10 s").isNotNull();
        return item;
    }

    @Test
    void answers429OverTheLimitAndLetsTheMessageThroughOnceTheSenderSlowsDown() throws Exception {
        runtime = builder().inboundLimit(2, 2).build().start();

        assertThat(post("SM1", ALICE)).isEqualTo(200);
        assertThat(post("SM2", ALICE)).isEqualTo(200);
        assertThat(post("SM3", ALICE)).isEqualTo(429);
        assertThat(post("SM4", BOB)).isEqualTo(200);

        assertThat(next(dropped)).isEqualTo("SM3 RATE_LIMITED");
        List<String> seen = new ArrayList<>(List.of(next(turns), next(turns), next(turns)));
        assertThat(seen).containsExactlyInAnyOrder("SM1", "SM2", "SM4");

        // Refused, so not remembered: the same message once the sender has its allowance back is new.
        nanos.addAndGet(Duration.ofSeconds(30).toNanos());
        assertThat(post("SM3", ALICE)).isEqualTo(200);
        assertThat(next(turns)).isEqualTo("SM3");
        assertThat(post("SM3", ALICE)).isEqualTo(200);
        assertThat(next(dropped)).isEqualTo("SM3 DUPLICATE");
        assertThat(turns).isEmpty();
    }

    @Test
    void aDuplicateOrAnEchoDoesNotCountAgainstTheLimit() throws Exception {
        runtime = builder().inboundLimit(1, 1).build().start();

        assertThat(post("SM1", ALICE)).isEqualTo(200);
        assertThat(post("SM1", ALICE)).isEqualTo(200);
        assertThat(post("SM2", SELF)).isEqualTo(200);
        assertThat(post("SM3", SELF)).isEqualTo(200);

        assertThat(List.of(next(dropped), next(dropped), next(dropped)))
                .containsExactlyInAnyOrder("SM1 DUPLICATE", "SM2 ECHO", "SM3 ECHO");
        assertThat(post("SM4", ALICE)).isEqualTo(429);
    }

    @Test
    void isGenerousByDefault() throws Exception {
        runtime = builder().build().start();

        for (int i = 0; i < 100; i++) {
            assertThat(post("SM" + i, ALICE)).isEqualTo(200);
        }
        assertThat(post("SM100", ALICE)).isEqualTo(429);
    }

    @Test
    void zeroTurnsTheLimitOff() throws Exception {
        runtime = builder().inboundLimit(0).build().start();

        for (int i = 0; i < 300; i++) {
            assertThat(post("SM" + i, ALICE)).isEqualTo(200);
        }
        for (int i = 0; i < 300; i++) {
            next(turns);
        }
        assertThat(dropped).isEmpty();
    }

    @Test
    void refusesAnImpossibleLimit() {
        AgentRuntimeBuilder builder = AgentRuntime.builder();

        assertThatThrownBy(() -> builder.inboundLimit(-1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("inbound limit must be 0 (off) or a number of messages a minute: -1");
        assertThatThrownBy(() -> builder.inboundLimit(200_000))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("inbound limit must be at most 100000 messages a minute: 200000");
        assertThatThrownBy(() -> builder.inboundLimit(10, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("inbound burst must be from 1 to 100000: 0");
        builder.inboundLimit(0, 0);
    }
}
