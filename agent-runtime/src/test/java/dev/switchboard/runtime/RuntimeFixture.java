package dev.switchboard.runtime;

import dev.switchboard.channel.WebhookRequest;
import dev.switchboard.runtime.schedule.ManualScheduler;
import dev.switchboard.runtime.schedule.MutableClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A runtime without a listener socket over {@link FakeChannel#sms()}: time that moves only when a
 * test moves it, a recording listener, and every text the agent saw.
 */
final class RuntimeFixture {

    /** The channel's own number. */
    static final String SELF = "+15550000000";

    final MutableClock clock = new MutableClock(Instant.parse("2026-11-21T10:00:00Z"));
    final ManualScheduler timer = new ManualScheduler(clock);
    final FakeChannel channel = FakeChannel.sms();
    final RecordingListener listener = new RecordingListener();
    final List<String> agentSaw = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger sids = new AtomicInteger();

    /** A runtime builder with the fixture's channel, clock, scheduler and listener, around {@code agent}. */
    AgentRuntimeBuilder builder(Agent agent) {
        return AgentRuntime.builder()
                .channel(channel)
                .agent(turn -> {
                    agentSaw.add(turn.text());
                    return agent.respond(turn);
                })
                .listener(listener)
                .noWebhookServer()
                .clock(clock)
                .scheduler(timer)
                .shutdownTimeout(Duration.ofSeconds(5));
    }

    /** A fresh inbound message sid. */
    String nextSid() {
        return "SMin" + sids.incrementAndGet();
    }

    static Agent echo() {
        return turn -> Optional.of("echo: " + turn.text());
    }

    /** A form posted to the channel's route with a signature it accepts. */
    static WebhookRequest signed(String form) {
        return new WebhookRequest(
                "POST",
                "/webhooks/test",
                "",
                Map.of("Content-Type", "application/x-www-form-urlencoded", "X-Test-Signature", "ok"),
                form.getBytes(StandardCharsets.UTF_8));
    }
}
