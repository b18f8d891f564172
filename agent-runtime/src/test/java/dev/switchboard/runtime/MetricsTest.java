package dev.switchboard.runtime;

import static dev.switchboard.runtime.FakeChannel.form;
import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.channel.RetriableChannelException;
import dev.switchboard.runtime.delivery.ReplyOutcome;
import dev.switchboard.runtime.store.JdbcStores;
import dev.switchboard.runtime.store.Store;
import dev.switchboard.runtime.store.StoreSettings;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.DoubleSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The runtime's meters, in a registry the application passed, as webhooks go through the real listener. */
class MetricsTest {

    private static final String PATH = "/webhooks/test";
    private static final String FORM = "application/x-www-form-urlencoded";
    private static final String ALICE = "+15551230001";
    private static final String BOB = "+15551230002";
    private static final String SELF = "+15550000000";

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final FakeChannel channel = FakeChannel.sms();
    private final RecordingListener listener = new RecordingListener();
    private final AtomicLong nanos = new AtomicLong();
    private AgentRuntime runtime;
    private Store store;

    @TempDir
    Path directory;

    @AfterEach
    void tearDown() {
        if (runtime != null) {
            runtime.close();
        }
        if (store != null) {
            store.close();
        }
    }

    private AgentRuntimeBuilder builder(Agent agent) {
        return AgentRuntime.builder()
                .channel(channel)
                .agent(agent)
                .listener(listener)
                .meterRegistry(registry)
                .webhookServer("127.0.0.1", 0);
    }

    private int post(String sid, String from, String body) throws Exception {
        return FakeChannel.post(runtime, form(sid, from, SELF, body));
    }

    private double webhooks(String channelId, String outcome) {
        return registry.get("switchboard.webhooks")
                .tag("channel", channelId)
                .tag("outcome", outcome)
                .counter()
                .count();
    }

    private double counter(String name, String... tags) {
        return registry.get(name).tags(tags).counter().count();
    }

    private long timerCount(String name, String... tags) {
        return registry.get(name).tags(tags).timer().count();
    }

    private double depth() {
        return registry.get("switchboard.inbox.depth").gauge().value();
    }

    /** Waits up to 10 s for {@code value} to read {@code expected}: meters moved on another thread. */
    private static void await(String what, DoubleSupplier value, double expected) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (value.getAsDouble() != expected && System.nanoTime() < deadline) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
        assertThat(value.getAsDouble()).as(what).isEqualTo(expected);
    }

    @Test
    void countsEachWebhookOnceByChannelAndOutcome() throws Exception {
        runtime = builder(turn -> Optional.empty())
                .ticker(nanos::get)
                .inboundLimit(2, 2)
                .maxBodyBytes(1024)
                .build()
                .start();

        assertThat(post("SM1", ALICE, "hello")).isEqualTo(200);
        assertThat(post("SM1", ALICE, "hello")).as("a redelivery").isEqualTo(200);
        assertThat(FakeChannel.post(runtime, PATH, FORM, "forged", form("SM2", ALICE, SELF, "hi"))
                        .statusCode())
                .isEqualTo(403);
        assertThat(FakeChannel.post(runtime, PATH, FORM, "ok", "Body=no+sid").statusCode())
                .isEqualTo(400);
        assertThat(FakeChannel.post(runtime, "/elsewhere", FORM, "ok", "").statusCode())
                .isEqualTo(404);
        assertThat(FakeChannel.post(runtime, PATH, FORM, "ok", "Body=" + "x".repeat(2000))
                        .statusCode())
                .isEqualTo(413);
        assertThat(post("SM3", BOB, "one")).isEqualTo(200);
        assertThat(post("SM4", BOB, "two")).isEqualTo(200);
        assertThat(post("SM5", BOB, "three")).as("over the limit").isEqualTo(429);
        assertThat(post("SM6", SELF, "my own")).as("an echo").isEqualTo(200);
        assertThat(post("SM7", ALICE, "")).isEqualTo(200);
        HttpResponse<String> report = FakeChannel.post(
                runtime, PATH, FORM, "ok", "MessageSid=SM99&To=%2B15551230001&MessageStatus=delivered");
        assertThat(report.statusCode()).isEqualTo(200);

        assertThat(webhooks("sms", "accepted")).isEqualTo(4);
        assertThat(webhooks("sms", "duplicate")).isEqualTo(1);
        assertThat(webhooks("sms", "forbidden")).isEqualTo(1);
        assertThat(webhooks("sms", "malformed")).isEqualTo(1);
        assertThat(webhooks("none", "malformed")).as("404 and 413").isEqualTo(2);
        assertThat(webhooks("sms", "limited")).isEqualTo(1);
        assertThat(webhooks("sms", "echo")).isEqualTo(1);
        assertThat(webhooks("sms", "receipt")).isEqualTo(1);
        assertThat(registry.get("switchboard.webhooks").counters().stream()
                        .mapToDouble(c -> c.count())
                        .sum())
                .as("every request counted once")
                .isEqualTo(12);
    }

    @Test
    void timesATurnAndCountsItsSendsRetryAndReplyOutcome() throws Exception {
        channel.failSend(1, new RetriableChannelException("connection refused", null, null, false, null));
        runtime = builder(turn -> Optional.of("echo: " + turn.text()))
                .retryBackoff(Duration.ofMillis(1), Duration.ofMillis(5))
                .build()
                .start();

        assertThat(post("SMa", ALICE, "hello")).isEqualTo(200);
        assertThat(channel.nextSent().text()).isEqualTo("echo: hello");
        // The second call was the one accepted, as SM2.
        FakeChannel.post(runtime, PATH, FORM, "ok", "MessageSid=SM2&To=%2B15551230001&MessageStatus=delivered");
        ReplyOutcome outcome = listener.next(RecordingListener.Outcome.class).outcome();
        assertThat(outcome.kind()).isEqualTo(ReplyOutcome.Kind.DELIVERED);

        assertThat(counter("switchboard.replies", "outcome", "delivered")).isEqualTo(1);
        assertThat(counter("switchboard.sends", "channel", "sms", "outcome", "retriable_failure"))
                .isEqualTo(1);
        assertThat(counter("switchboard.sends", "channel", "sms", "outcome", "accepted"))
                .isEqualTo(1);
        assertThat(counter("switchboard.sends", "channel", "sms", "outcome", "permanent_failure"))
                .isZero();
        assertThat(counter("switchboard.sends.retries", "channel", "sms")).isEqualTo(1);
        assertThat(counter("switchboard.segments.sent", "channel", "sms")).isEqualTo(1);
        await("turns timed", () -> timerCount("switchboard.turns", "channel", "sms"), 1);
        assertThat(timerCount("switchboard.turns.wait", "channel", "sms")).isEqualTo(1);
        assertThat(registry.get("switchboard.turns")
                        .tag("channel", "sms")
                        .timer()
                        .totalTime(TimeUnit.NANOSECONDS))
                .isPositive();
        assertThat(counter("switchboard.turns.failed", "channel", "sms")).isZero();
        await("inbox depth once the turn is done", this::depth, 0);
    }

    @Test
    void countsATurnWhoseAgentFailed() throws Exception {
        runtime = builder(turn -> {
                    throw new IllegalStateException("model unavailable");
                })
                .build()
                .start();

        assertThat(post("SMa", ALICE, "hello")).isEqualTo(200);
        listener.next(RecordingListener.AgentFailed.class);

        assertThat(counter("switchboard.turns.failed", "channel", "sms")).isEqualTo(1);
        assertThat(counter("switchboard.sends", "channel", "sms", "outcome", "accepted"))
                .isZero();
    }

    @Test
    void countsOptOutsAndOptIns() throws Exception {
        runtime = builder(turn -> Optional.empty()).build().start();

        assertThat(post("SMa", ALICE, "STOP")).isEqualTo(200);
        assertThat(listener.next(RecordingListener.Dropped.class).reason()).isEqualTo(DropReason.STOP_KEYWORD);
        assertThat(counter("switchboard.opt_outs", "channel", "sms", "change", "opted_out"))
                .isEqualTo(1);

        assertThat(post("SMb", ALICE, "START")).isEqualTo(200);
        assertThat(listener.next(RecordingListener.Dropped.class).reason()).isEqualTo(DropReason.START_KEYWORD);
        assertThat(counter("switchboard.opt_outs", "channel", "sms", "change", "opted_in"))
                .isEqualTo(1);
    }

    @Test
    void theInboxDepthCountsMessagesWaitingForOrInTheirTurn() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        runtime = builder(turn -> {
                    try {
                        release.await(10, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return Optional.empty();
                })
                .mergeBursts(false)
                .build()
                .start();

        assertThat(post("SMa", ALICE, "first")).isEqualTo(200);
        assertThat(post("SMb", ALICE, "second")).isEqualTo(200);
        assertThat(post("SMc", BOB, "third")).isEqualTo(200);
        await("two turns running, one waiting for its conversation", this::depth, 3);

        release.countDown();
        await("every turn done", this::depth, 0);
        await("the wait of every turn", () -> timerCount("switchboard.turns.wait", "channel", "sms"), 3);
    }

    @Test
    void timesTheOperationsOfADurableStore() throws Exception {
        store = JdbcStores.open(
                "jdbc:sqlite:" + directory.resolve("switchboard.db"), null, null, StoreSettings.defaults());
        runtime = builder(turn -> Optional.of("noted")).store(store).build().start();

        assertThat(post("SMa", ALICE, "hello")).isEqualTo(200);
        assertThat(channel.nextSent().text()).isEqualTo("noted");

        assertThat(timerCount("switchboard.store.operations", "operation", "accept"))
                .isEqualTo(1);
        await("the turn's entry settled", () -> timerCount("switchboard.store.operations", "operation", "settle"), 1);
        // The message's own line of history was written by accept, in the same transaction.
        await(
                "the reply's line of history",
                () -> timerCount("switchboard.store.operations", "operation", "record"),
                1);
        assertThat(registry.get("switchboard.store.operations").timers().stream()
                        .map(timer -> timer.getId().getTag("operation"))
                        .toList())
                .contains("accept", "settle", "record", "lease", "part_accepted");
        assertThat(runtime.store()).as("the application's own store").isSameAs(store);
    }

    @Test
    void closingRemovesTheDepthGaugeSoThatALaterRuntimeRegistersItsOwn() throws Exception {
        runtime = builder(turn -> Optional.empty()).build().start();
        runtime.close();
        runtime = null;

        assertThat(registry.find("switchboard.inbox.depth").meters()).isEmpty();
        runtime = builder(turn -> Optional.empty()).build().start();
        assertThat(registry.find("switchboard.inbox.depth").meters())
                .extracting(Meter::getId)
                .hasSize(1);
    }
}
