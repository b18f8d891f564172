package dev.switchboard.runtime;

import static dev.switchboard.runtime.FakeChannel.form;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.channel.AccessPolicy;
import dev.switchboard.channel.Address;
import dev.switchboard.channel.ConversationKey;
import dev.switchboard.channel.DeliveryStatus;
import dev.switchboard.channel.InboundMessage;
import dev.switchboard.channel.PermanentChannelException;
import dev.switchboard.channel.WebhookRequest;
import dev.switchboard.runtime.delivery.ReplyOutcome;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The runtime over real sockets on 127.0.0.1, with a fake channel. */
class AgentRuntimeTest {

    private static final String PATH = "/webhooks/test";
    private static final String ALICE = "+15551230001";
    private static final String BOB = "+15551230002";
    private static final String SELF = "+15550000000";

    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .build();
    private final FakeChannel channel = FakeChannel.sms();
    private final RecordingListener listener = new RecordingListener();
    private final BlockingQueue<String> turns = new LinkedBlockingQueue<>();
    private final List<AutoCloseable> toClose = new ArrayList<>();
    private AgentRuntime runtime;

    @AfterEach
    void tearDown() throws Exception {
        if (runtime != null) {
            runtime.close();
        }
        for (AutoCloseable closeable : toClose) {
            closeable.close();
        }
    }

    private AgentRuntimeBuilder builder(Agent agent) {
        return AgentRuntime.builder()
                .channel(channel)
                .agent(agent)
                .listener(listener)
                .webhookServer("127.0.0.1", 0);
    }

    private AgentRuntime start(Agent agent) {
        runtime = builder(agent).build().start();
        return runtime;
    }

    /** An agent that records each turn's text and answers with a fixed reply. */
    private Agent recording(Optional<String> reply) {
        return turn -> {
            turns.add(turn.text());
            return reply;
        };
    }

    private String nextTurn() throws InterruptedException {
        String text = turns.poll(10, TimeUnit.SECONDS);
        assertThat(text).as("a turn within 10 s").isNotNull();
        return text;
    }

    private HttpResponse<String> post(String path, String contentType, String signature, String body)
            throws IOException, InterruptedException {
        return FakeChannel.post(runtime, path, contentType, signature, body);
    }

    private HttpResponse<String> message(String sid, String from, String body) throws Exception {
        return post(PATH, "application/x-www-form-urlencoded", "ok", form(sid, from, SELF, body));
    }

    @Test
    void answersABodyOneByteOverTheLimitWith413AndOneAtTheLimitNormally() throws Exception {
        start(recording(Optional.empty()));
        String prefix = form("SM1", ALICE, SELF, "");
        String atLimit = prefix + "x".repeat(64 * 1024 - prefix.length());

        HttpResponse<String> over = post(PATH, "application/x-www-form-urlencoded", "ok", atLimit + "x");
        HttpResponse<String> at = post(PATH, "application/x-www-form-urlencoded", "ok", atLimit);

        assertThat(over.statusCode()).isEqualTo(413);
        assertThat(at.statusCode()).isEqualTo(200);
        assertThat(channel.handled()).isEqualTo(1);
    }

    @Test
    void answersTheChannelsRejectionWithoutCallingTheAgent() throws Exception {
        start(recording(Optional.empty()));

        HttpResponse<String> forged =
                post(PATH, "application/x-www-form-urlencoded", "forged", form("SM1", ALICE, SELF, "forged"));
        HttpResponse<String> genuine = message("SM2", ALICE, "genuine");

        assertThat(forged.statusCode()).isEqualTo(403);
        assertThat(genuine.statusCode()).isEqualTo(200);
        // Turns of one conversation run in arrival order: had the forged one reached the agent, it would be first.
        assertThat(nextTurn()).isEqualTo("genuine");
        assertThat(listener.next(RecordingListener.Rejected.class).response().status())
                .isEqualTo(403);
    }

    @Test
    void acknowledgesAndAnswersAMessage() throws Exception {
        start(recording(Optional.of("hello back")));

        HttpResponse<String> response = message("SM1", ALICE, "hello");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("<Response/>");
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/xml");
        assertThat(nextTurn()).isEqualTo("hello");
        RecordingListener.ReplySent sent = listener.next(RecordingListener.ReplySent.class);
        assertThat(sent.conversation()).isEqualTo(new ConversationKey("sms", Address.of(ALICE)));
        assertThat(sent.receipts()).hasSize(1);
        assertThat(channel.sent()).singleElement().satisfies(out -> {
            assertThat(out.to()).isEqualTo(Address.of(ALICE));
            assertThat(out.text()).isEqualTo("hello back");
        });
    }

    @Test
    void callsTheAgentOnceForADuplicateMessageSid() throws Exception {
        start(recording(Optional.empty()));

        HttpResponse<String> first = message("SM1", ALICE, "one");
        HttpResponse<String> again = message("SM1", ALICE, "one");
        message("SM2", ALICE, "two");

        assertThat(again.statusCode()).isEqualTo(first.statusCode());
        assertThat(again.body()).isEqualTo(first.body());
        assertThat(nextTurn()).isEqualTo("one");
        assertThat(nextTurn()).isEqualTo("two");
        assertThat(listener.next(RecordingListener.Dropped.class).reason()).isEqualTo(DropReason.DUPLICATE);
    }

    @Test
    void dropsAnEchoOfTheChannelsOwnAddress() throws Exception {
        ExecutorService single = Executors.newSingleThreadExecutor();
        runtime = builder(recording(Optional.empty()))
                .executor(single, true)
                .build()
                .start();

        HttpResponse<String> echo = message("SM1", SELF, "echo");
        RecordingListener.Dropped dropped = listener.next(RecordingListener.Dropped.class);
        message("SM2", ALICE, "after");

        assertThat(echo.statusCode()).isEqualTo(200);
        assertThat(dropped.reason()).isEqualTo(DropReason.ECHO);
        // One executor thread: the echo's work, had there been any, would have run before this turn.
        assertThat(nextTurn()).isEqualTo("after");
        assertThat(turns).isEmpty();
    }

    @Test
    void dropsAnUnknownSenderSilently() throws Exception {
        channel.policy(AccessPolicy.allowOnly(Set.of(Address.of(BOB))));
        start(recording(Optional.of("reply")));

        HttpResponse<String> response = message("SM1", ALICE, "let me in");
        RecordingListener.Dropped dropped = listener.next(RecordingListener.Dropped.class);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(dropped.reason()).isEqualTo(DropReason.NOT_ALLOWED);
        assertThat(dropped.message().from()).isEqualTo(Address.of(ALICE));
        // The access check and the turn are one task: once it reported the drop, it is done.
        assertThat(turns).isEmpty();
        assertThat(channel.sendCalls()).isZero();

        message("SM2", BOB, "allowed");
        assertThat(nextTurn()).isEqualTo("allowed");
    }

    @Test
    void acknowledgesBeforeASlowAgentFinishes() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch entered = new CountDownLatch(1);
        start(turn -> {
            entered.countDown();
            release.await(10, TimeUnit.SECONDS);
            return Optional.of("finally");
        });

        HttpResponse<String> response = message("SM1", ALICE, "slow please");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(channel.sent()).isEmpty();
        release.countDown();
        listener.next(RecordingListener.ReplySent.class);
        assertThat(channel.sentTexts()).containsExactly("finally");
    }

    @Test
    void keepsOrderWithinAConversationUnderConcurrentWebhooks() throws Exception {
        int senders = 6;
        int perSender = 10;
        AtomicInteger active = new AtomicInteger();
        AtomicBoolean overlapped = new AtomicBoolean();
        List<String> order = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch done = new CountDownLatch(senders * perSender);
        start(turn -> {
            if (active.incrementAndGet() > 1) {
                overlapped.set(true);
            }
            // Messages that arrived during a turn come in the next one together, still in order.
            for (InboundMessage message : turn.messages()) {
                order.add(message.text());
                done.countDown();
            }
            Thread.yield();
            active.decrementAndGet();
            return Optional.empty();
        });
        ExecutorService clients = Executors.newFixedThreadPool(senders);
        toClose.add(clients::shutdownNow);

        List<Future<?>> sending = new ArrayList<>();
        for (int s = 0; s < senders; s++) {
            int sender = s;
            sending.add(clients.submit(() -> {
                for (int i = 0; i < perSender; i++) {
                    assertThat(message("SM" + sender + "-" + i, ALICE, sender + ":" + i)
                                    .statusCode())
                            .isEqualTo(200);
                }
                return null;
            }));
        }
        for (Future<?> future : sending) {
            future.get(30, TimeUnit.SECONDS);
        }

        assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(overlapped).isFalse();
        assertThat(order).hasSize(senders * perSender);
        Map<String, List<Integer>> bySender = order.stream()
                .map(text -> text.split(":"))
                .collect(Collectors.groupingBy(
                        parts -> parts[0],
                        Collectors.mapping(parts -> Integer.parseInt(parts[1]), Collectors.toList())));
        assertThat(bySender).hasSize(senders);
        List<Integer> expected = IntStream.range(0, perSender).boxed().toList();
        bySender.values().forEach(seqs -> assertThat(seqs).containsExactlyElementsOf(expected));
    }

    @Test
    void runsTwoConversationsInParallel() throws Exception {
        CountDownLatch bobStarted = new CountDownLatch(1);
        start(turn -> {
            if (turn.conversation().counterpart().equals(Address.of(ALICE))) {
                // Alice's turn can only finish while Bob's runs beside it.
                return Optional.of(bobStarted.await(10, TimeUnit.SECONDS) ? "saw bob" : "alone");
            }
            bobStarted.countDown();
            return Optional.of("bob");
        });

        message("SM1", ALICE, "first");
        message("SM2", BOB, "second");

        listener.next(RecordingListener.ReplySent.class);
        listener.next(RecordingListener.ReplySent.class);
        assertThat(channel.sentTexts()).containsExactlyInAnyOrder("saw bob", "bob");
    }

    @Test
    void goesOnAfterAnAgentThrows() throws Exception {
        start(turn -> {
            if (turn.text().equals("boom")) {
                throw new IllegalStateException("agent broke");
            }
            return Optional.of("fine");
        });

        message("SM1", ALICE, "boom");
        message("SM2", ALICE, "again");

        RecordingListener.AgentFailed failed = listener.next(RecordingListener.AgentFailed.class);
        assertThat(failed.conversation().counterpart()).isEqualTo(Address.of(ALICE));
        assertThat(failed.failure()).isInstanceOf(IllegalStateException.class).hasMessage("agent broke");
        listener.next(RecordingListener.ReplySent.class);
        assertThat(channel.sentTexts()).containsExactly("fine");
    }

    @Test
    void reportsAnAgentThatReturnsNull() throws Exception {
        start(turn -> null);

        message("SM1", ALICE, "hi");

        assertThat(listener.next(RecordingListener.AgentFailed.class).failure())
                .isInstanceOf(NullPointerException.class);
    }

    @Test
    void sendsALongReplyAsSeveralPartsWithinTheLimitInOrder() throws Exception {
        String reply = IntStream.range(0, 600).mapToObj(i -> "word" + i).collect(Collectors.joining(" "));
        start(recording(Optional.of(reply)));

        message("SM1", ALICE, "tell me everything");

        RecordingListener.ReplySent sent = listener.next(RecordingListener.ReplySent.class);
        List<String> parts = channel.sentTexts();
        assertThat(reply.length()).isGreaterThan(3200);
        assertThat(parts).hasSizeGreaterThanOrEqualTo(3);
        assertThat(sent.receipts()).hasSize(parts.size());
        // Plain ASCII travels in GSM-7: 153 characters a segment once a part is longer than 160.
        assertThat(sent.segments())
                .isEqualTo(
                        parts.stream().mapToInt(p -> (p.length() + 152) / 153).sum());
        assertThat(parts).allSatisfy(part -> assertThat(part.length()).isLessThanOrEqualTo(1600));
        assertThat(String.join(" ", parts)).isEqualTo(reply);
    }

    @Test
    void reportsAFailedPartAndSendsNoneAfterIt() throws Exception {
        channel.failSend(2, new PermanentChannelException("the number is invalid", "21211", null));
        String reply = IntStream.range(0, 600).mapToObj(i -> "word" + i).collect(Collectors.joining(" "));
        start(turn -> Optional.of(turn.text().equals("long") ? reply : "short"));

        message("SM1", ALICE, "long");
        ReplyOutcome failed = listener.next(RecordingListener.Outcome.class).outcome();
        message("SM2", ALICE, "next");
        listener.next(RecordingListener.ReplySent.class);

        assertThat(failed.kind()).isEqualTo(ReplyOutcome.Kind.FAILED);
        assertThat(failed.conversation().counterpart()).isEqualTo(Address.of(ALICE));
        assertThat(failed.failedPart()).isEqualTo(2);
        assertThat(failed.parts()).isEqualTo(3);
        assertThat(failed.messageIds()).containsExactly("SM1");
        assertThat(failed.providerCode()).hasValue("21211");
        assertThat(failed.reason()).isEqualTo("part 2/3 refused: the number is invalid (provider code 21211)");
        // Part 1, the failed part 2, then the next reply: part 3 was never tried.
        assertThat(channel.sendCalls()).isEqualTo(3);
        assertThat(channel.sentTexts()).hasSize(2).last().isEqualTo("short");
        assertThat(listener.seen(RecordingListener.ReplySent.class)).hasSize(1);
    }

    @Test
    void sendsExtraMessagesThroughTheTurnBeforeTheReply() throws Exception {
        start(turn -> {
            turn.send("working on it");
            return Optional.of("done");
        });

        message("SM1", ALICE, "job");

        listener.next(RecordingListener.ReplySent.class);
        listener.next(RecordingListener.ReplySent.class);
        assertThat(channel.sentTexts()).containsExactly("working on it", "done");
    }

    @Test
    void survivesAListenerThatThrows() throws Exception {
        CountDownLatch replies = new CountDownLatch(2);
        runtime = AgentRuntime.builder()
                .channel(channel)
                .agent(turn -> Optional.of("reply to " + turn.text()))
                .webhookServer("127.0.0.1", 0)
                .listener(new RuntimeListener() {
                    @Override
                    public void onReplySent(
                            ConversationKey conversation, List<dev.switchboard.channel.SendReceipt> r, int segments) {
                        replies.countDown();
                        throw new IllegalStateException("listener broke");
                    }
                })
                .build()
                .start();

        message("SM1", ALICE, "one");
        message("SM2", ALICE, "two");

        assertThat(replies.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(channel.sentTexts()).containsExactly("reply to one", "reply to two");
    }

    @Test
    void handsDeliveryReceiptsToTheListener() throws Exception {
        start(recording(Optional.empty()));

        HttpResponse<String> response = post(
                PATH,
                "application/x-www-form-urlencoded",
                "ok",
                "MessageSid=SM9&MessageStatus=delivered&To=" + FakeChannel.encode(ALICE));

        assertThat(response.statusCode()).isEqualTo(200);
        RecordingListener.Receipt receipt = listener.next(RecordingListener.Receipt.class);
        assertThat(receipt.receipt().messageId()).isEqualTo("SM9");
        assertThat(receipt.receipt().status()).isEqualTo(DeliveryStatus.DELIVERED);
    }

    @Test
    void closeWaitsForATurnInFlight() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean agentFinished = new AtomicBoolean();
        start(turn -> {
            entered.countDown();
            release.await(10, TimeUnit.SECONDS);
            agentFinished.set(true);
            return Optional.of("last words");
        });
        message("SM1", ALICE, "bye");
        assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();

        CompletableFuture<Boolean> closing = CompletableFuture.supplyAsync(() -> {
            runtime.close();
            return agentFinished.get();
        });
        awaitClosing();
        release.countDown();

        assertThat(closing.get(10, TimeUnit.SECONDS))
                .as("the agent finished before close returned")
                .isTrue();
        assertThat(channel.sentTexts()).containsExactly("last words");
        assertThat(channel.closed()).isTrue();
    }

    @Test
    void closeGivesUpOnATurnAfterTheShutdownTimeout() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch never = new CountDownLatch(1);
        toClose.add(never::countDown);
        runtime = builder(turn -> {
                    entered.countDown();
                    never.await();
                    return Optional.of("too late");
                })
                .shutdownTimeout(Duration.ofMillis(200))
                .build()
                .start();
        message("SM1", ALICE, "stuck");
        message("SM2", ALICE, "queued");
        assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();

        CompletableFuture.runAsync(runtime::close).get(10, TimeUnit.SECONDS);

        // The runtime owns the executor: the stuck turn is interrupted, the queued one dropped.
        assertThat(listener.next(RecordingListener.AgentFailed.class).failure())
                .isInstanceOf(InterruptedException.class);
        RecordingListener.Dropped dropped = listener.next(RecordingListener.Dropped.class);
        assertThat(dropped.reason()).isEqualTo(DropReason.SHUTDOWN);
        assertThat(dropped.message().id()).isEqualTo("SM2");
        assertThat(channel.closed()).isTrue();
    }

    /** Waits until close() has begun: from then on the runtime answers 503. */
    private void awaitClosing() {
        WebhookRequest probe = new WebhookRequest("POST", PATH, "", Map.of(), new byte[0]);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (runtime.handle(probe).status() != 503) {
            assertThat(System.nanoTime()).as("close() began within 10 s").isLessThan(deadline);
            Thread.onSpinWait();
        }
    }

    @Test
    void closeIsIdempotent() throws Exception {
        start(recording(Optional.empty()));
        int port = runtime.port();

        runtime.close();
        runtime.close();

        assertThat(channel.closed()).isTrue();
        assertThatThrownBy(() -> new java.net.Socket("127.0.0.1", port).close()).isInstanceOf(IOException.class);
    }

    @Test
    void reportsTheBoundPortAndHandsItToTheChannels() {
        start(recording(Optional.empty()));

        assertThat(runtime.port()).isPositive();
        assertThat(runtime.localAddress().getPort()).isEqualTo(runtime.port());
        assertThat(channel.context().listenAddress()).contains(runtime.localAddress());
        assertThat(channel.context().clock()).isNotNull();
    }

    @Test
    void failsClearlyWhenThePortIsTaken() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            AgentRuntime blocked = AgentRuntime.builder()
                    .channel(channel)
                    .agent(recording(Optional.empty()))
                    .webhookServer("127.0.0.1", taken.getLocalPort())
                    .build();

            assertThatThrownBy(blocked::start)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("cannot listen on 127.0.0.1:" + taken.getLocalPort());
            assertThat(channel.context())
                    .as("channels start only once the listener is bound")
                    .isNull();
            assertThat(channel.closed()).isTrue();
            assertThatThrownBy(blocked::start).isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void closesEverythingWhenAChannelRefusesToStart() {
        FakeChannel other = new FakeChannel("other", "/webhooks/other", Address.of("+15550000009"))
                .failStart(new IllegalStateException("no public webhook URL"));
        AgentRuntime failing =
                builder(recording(Optional.empty())).channel(other).build();

        assertThatThrownBy(failing::start).hasMessage("no public webhook URL");
        assertThat(channel.closed()).isTrue();
        assertThat(other.closed()).isTrue();
        assertThatThrownBy(failing::port).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void servesEveryChannelOnOnePort() throws Exception {
        FakeChannel other = new FakeChannel("whatsapp", "/webhooks/other", Address.of("+15550000009"));
        runtime = builder(turn -> Optional.of(turn.conversation().channelId()))
                .channel(other)
                .build()
                .start();

        message("SM1", ALICE, "via sms");
        post("/webhooks/other", "application/x-www-form-urlencoded", "ok", form("SM1", ALICE, SELF, "via other"));

        listener.next(RecordingListener.ReplySent.class);
        listener.next(RecordingListener.ReplySent.class);
        assertThat(channel.sentTexts()).containsExactly("sms");
        assertThat(other.sentTexts()).containsExactly("whatsapp");
    }

    @Test
    void handlesRequestsFromAnotherServerWithoutAWebhookServer() throws Exception {
        runtime = AgentRuntime.builder()
                .channel(channel)
                .agent(recording(Optional.of("pong")))
                .listener(listener)
                .noWebhookServer()
                .build();
        Map<String, String> headers = new HashMap<>();
        headers.put("Content-Type", "application/x-www-form-urlencoded");
        headers.put("X-Test-Signature", "ok");
        WebhookRequest request = new WebhookRequest(
                "POST", PATH, "", headers, form("SM1", ALICE, SELF, "ping").getBytes(StandardCharsets.UTF_8));

        assertThat(runtime.handle(request).status()).as("before start").isEqualTo(503);
        runtime.start();
        assertThat(runtime.handle(request).status()).isEqualTo(200);
        assertThat(nextTurn()).isEqualTo("ping");
        listener.next(RecordingListener.ReplySent.class);
        assertThat(channel.sentTexts()).containsExactly("pong");
        assertThatThrownBy(runtime::port).hasMessageContaining("without a webhook server");
        assertThat(channel.context().listenAddress()).isEmpty();
        runtime.close();
        assertThat(runtime.handle(request).status()).as("after close").isEqualTo(503);
    }
}
