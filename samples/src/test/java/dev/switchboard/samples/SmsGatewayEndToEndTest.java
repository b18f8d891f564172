package dev.switchboard.samples;

import static org.assertj.core.api.Assertions.assertThat;

import com.twilio.security.RequestValidator;
import dev.switchboard.runtime.Agent;
import dev.switchboard.runtime.AgentRuntime;
import dev.switchboard.samples.sandbox.SandboxMessage;
import dev.switchboard.samples.sandbox.TwilioSandbox;
import dev.switchboard.twilio.TwilioSignature;
import java.lang.reflect.Method;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The SMS gateway end to end over real sockets: signed webhooks into the Netty listener, the agent,
 * and REST calls out through the Twilio Java SDK to the stand-in.
 */
class SmsGatewayEndToEndTest {

    private static final String GATEWAY = GatewayHarness.GATEWAY;
    private static final String ALICE = "+15551230001";
    private static final String BOB = "+15551230002";
    private static final String STRANGER = "+15551239999";
    /** The public URL Twilio calls, as behind a tunnel: not the local one. */
    private static final String PUBLIC_URL = "https://agent.example.com/webhooks/twilio";

    private final List<String> agentSaw = Collections.synchronizedList(new ArrayList<>());
    private GatewayHarness gateway;
    private TwilioSandbox sandbox;
    private AgentRuntime runtime;
    private BlockingQueue<SandboxMessage> sent;
    private SignedWebhooks webhooks;

    @AfterEach
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
    }

    private void startGateway(Agent agent) {
        startGateway(agent, true);
    }

    private void startGateway(Agent agent, boolean mergeBursts) {
        Agent recording = turn -> {
            agentSaw.add(turn.text());
            return agent.respond(turn);
        };
        gateway = GatewayHarness.builder()
                .publicUrl(PUBLIC_URL)
                .env("SMS_ALLOWED_USERS", ALICE + ", " + BOB)
                .runtime(runtime -> runtime.agent(recording).mergeBursts(mergeBursts))
                .start();
        sandbox = gateway.sandbox();
        runtime = gateway.runtime();
        sent = gateway.sent();
        webhooks = gateway.webhooks();
    }

    private void startEchoGateway() {
        startGateway(new EchoAgent());
    }

    private SandboxMessage nextSent() throws InterruptedException {
        return gateway.nextSent();
    }

    /** Texts {@code body} from {@code from} and waits for the echo: everything before it was handled. */
    private void barrier(String from, String body) throws Exception {
        assertThat(webhooks.post(webhooks.sms(SignedWebhooks.newSid(), from, GATEWAY, body))
                        .statusCode())
                .isEqualTo(200);
        SandboxMessage reply = nextSent();
        assertThat(reply.body()).isEqualTo("echo: " + body);
    }

    @Test
    void signedWebhookIsAckedAndTheReplyGoesOutThroughTwilio() throws Exception {
        startEchoGateway();

        HttpResponse<String> response = webhooks.post(webhooks.sms(SignedWebhooks.newSid(), ALICE, GATEWAY, "hello"));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type"))
                .hasValueSatisfying(t -> assertThat(t).contains("xml"));
        assertThat(response.body()).contains("<Response/>");
        SandboxMessage reply = nextSent();
        assertThat(reply.to()).isEqualTo(ALICE);
        assertThat(reply.from()).contains(GATEWAY);
        assertThat(reply.body()).isEqualTo("echo: hello");
        assertThat(reply.statusCallback()).contains(PUBLIC_URL + "/status");
        assertThat(sandbox.createRequests()).isEqualTo(1);
    }

    @Test
    void markdownFromTheAgentArrivesAsCleanText() throws Exception {
        startEchoGateway();

        webhooks.post(webhooks.sms(
                SignedWebhooks.newSid(),
                ALICE,
                GATEWAY,
                "**Total**: 2*3*4 = 24, see [docs](https://example.com/d) `snake_case`"));

        assertThat(nextSent().body()).isEqualTo("echo: Total: 2*3*4 = 24, see docs (https://example.com/d) snake_case");
    }

    @Test
    void aLongEchoGoesOutAsTwoOrderedPartsWithinTheLimit() throws Exception {
        startEchoGateway();
        StringBuilder words = new StringBuilder();
        for (int i = 0; words.length() < 1600; i++) {
            words.append("word").append(i).append(' ');
        }
        String text = words.substring(0, 1600).strip()
                + "x".repeat(1600 - words.substring(0, 1600).strip().length());
        assertThat(("echo: " + text)).hasSize(1606);

        assertThat(webhooks.post(webhooks.sms(SignedWebhooks.newSid(), ALICE, GATEWAY, text))
                        .statusCode())
                .isEqualTo(200);

        SandboxMessage first = nextSent();
        SandboxMessage second = nextSent();
        assertThat(first.body().length()).isLessThanOrEqualTo(1600);
        assertThat(second.body().length()).isLessThanOrEqualTo(1600);
        assertThat(first.createdAt()).isBeforeOrEqualTo(second.createdAt());
        assertThat((first.body() + " " + second.body()).replaceAll("\\s+", " "))
                .isEqualTo(("echo: " + text).replaceAll("\\s+", " "));
        assertThat(sandbox.createRequests()).isEqualTo(2);
    }

    @Test
    void webhookSignedByTwilioHelperLibraryForThePublicUrlIsAnswered() throws Exception {
        startEchoGateway();
        String sid = SignedWebhooks.newSid();
        Map<String, String> single = new HashMap<>();
        webhooks.sms(sid, ALICE, GATEWAY, "signed by twilio-java").forEach((k, v) -> single.put(k, v.get(0)));
        // twilio-java computes signatures only inside RequestValidator; its own code signs here.
        Method sign = RequestValidator.class.getDeclaredMethod("getValidationSignature", String.class, Map.class);
        sign.setAccessible(true);
        String signature = (String) sign.invoke(new RequestValidator(sandbox.authToken()), PUBLIC_URL, single);

        HttpResponse<String> response =
                webhooks.post(webhooks.sms(sid, ALICE, GATEWAY, "signed by twilio-java"), signature);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(nextSent().body()).isEqualTo("echo: signed by twilio-java");
    }

    @Test
    void forgedSignatureIsRefusedAndNeverReachesTheAgent() throws Exception {
        startEchoGateway();
        Map<String, List<String>> params = webhooks.sms(SignedWebhooks.newSid(), ALICE, GATEWAY, "forged");
        String signedForOtherBody = TwilioSignature.sign(
                sandbox.authToken(), PUBLIC_URL, webhooks.sms(SignedWebhooks.newSid(), ALICE, GATEWAY, "x"));

        assertThat(webhooks.post(params, signedForOtherBody).statusCode()).isEqualTo(403);
        assertThat(webhooks.post(params, null).statusCode()).isEqualTo(403);
        assertThat(webhooks.post(params, "").statusCode()).isEqualTo(403);

        barrier(ALICE, "after");
        assertThat(agentSaw).containsExactly("after");
    }

    @Test
    void retriedMessageSidReachesTheAgentOnce() throws Exception {
        startEchoGateway();
        Map<String, List<String>> params = webhooks.sms(SignedWebhooks.newSid(), ALICE, GATEWAY, "once");

        HttpResponse<String> first = webhooks.post(params);
        HttpResponse<String> retry = webhooks.post(params);

        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(retry.statusCode()).isEqualTo(200);
        assertThat(retry.body()).isEqualTo(first.body());
        assertThat(nextSent().body()).isEqualTo("echo: once");
        barrier(ALICE, "after");
        assertThat(agentSaw).containsExactly("once", "after");
    }

    @Test
    void echoesAndUnknownSendersGetNoReply() throws Exception {
        startEchoGateway();

        assertThat(webhooks.post(webhooks.sms(SignedWebhooks.newSid(), GATEWAY, GATEWAY, "my own echo"))
                        .statusCode())
                .isEqualTo(200);
        assertThat(webhooks.post(webhooks.sms(SignedWebhooks.newSid(), STRANGER, GATEWAY, "who am i"))
                        .statusCode())
                .isEqualTo(200);

        barrier(ALICE, "after");
        assertThat(agentSaw).containsExactly("after");
        assertThat(sandbox.messages()).extracting(SandboxMessage::to).containsExactly(ALICE);
    }

    @Test
    void oversizedBodyIsRefusedWith413() throws Exception {
        startEchoGateway();
        String body = "Body=" + "a".repeat(64 * 1024 - 4);

        HttpResponse<String> response = webhooks.postRaw(body, "irrelevant");

        assertThat(body.length()).isEqualTo(64 * 1024 + 1);
        assertThat(response.statusCode()).isEqualTo(413);
        barrier(ALICE, "still serving");
    }

    @Test
    void orderIsKeptWithinAConversationWhileOthersRunInParallel() throws Exception {
        CountDownLatch aliceMayGo = new CountDownLatch(1);
        // Every message its own turn, so that the order of the answers shows the order of the turns.
        startGateway(
                turn -> {
                    if (turn.text().equals("a0")) {
                        // Alice's first turn holds her conversation until Bob's has been answered.
                        aliceMayGo.await(10, TimeUnit.SECONDS);
                    }
                    return Optional.of("echo: " + turn.text());
                },
                false);
        int count = 20;
        ExecutorService clients = Executors.newFixedThreadPool(4);
        try {
            assertThat(webhooks.post(webhooks.sms(SignedWebhooks.newSid(), ALICE, GATEWAY, "a0"))
                            .statusCode())
                    .isEqualTo(200);
            // Bob's conversation is not held up by Alice's blocked turn.
            Future<HttpResponse<String>> bob =
                    clients.submit(() -> webhooks.post(webhooks.sms(SignedWebhooks.newSid(), BOB, GATEWAY, "b0")));
            assertThat(bob.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
            SandboxMessage bobReply = nextSent();
            assertThat(bobReply.to()).isEqualTo(BOB);
            // Alice's next messages arrive one after another, interleaved with a burst from Bob.
            List<CompletableFuture<Void>> noise = new ArrayList<>();
            for (int i = 1; i < 5; i++) {
                String text = "b" + i;
                noise.add(CompletableFuture.runAsync(() -> postQuietly(BOB, text), clients));
            }
            for (int i = 1; i < count; i++) {
                assertThat(webhooks.post(webhooks.sms(SignedWebhooks.newSid(), ALICE, GATEWAY, "a" + i))
                                .statusCode())
                        .isEqualTo(200);
            }
            aliceMayGo.countDown();
            CompletableFuture.allOf(noise.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
            List<String> toAlice = new ArrayList<>();
            while (toAlice.size() < count) {
                SandboxMessage message = nextSent();
                if (message.to().equals(ALICE)) {
                    toAlice.add(message.body());
                }
            }
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                expected.add("echo: a" + i);
            }
            assertThat(toAlice).containsExactlyElementsOf(expected);
            assertThat(agentSaw.stream().filter(t -> t.startsWith("a")).toList())
                    .containsExactlyElementsOf(
                            expected.stream().map(e -> e.substring(6)).toList());
        } finally {
            clients.shutdownNow();
        }
    }

    @Test
    void closeWaitsForTheTurnInFlight() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        startGateway(turn -> {
            entered.countDown();
            release.await(10, TimeUnit.SECONDS);
            return Optional.of("finished " + turn.text());
        });
        assertThat(webhooks.post(webhooks.sms(SignedWebhooks.newSid(), ALICE, GATEWAY, "slow"))
                        .statusCode())
                .isEqualTo(200);
        assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();

        CompletableFuture<Void> closing = CompletableFuture.runAsync(runtime::close);
        assertThat(closing).isNotDone();
        release.countDown();
        closing.get(15, TimeUnit.SECONDS);

        // close() returned only after the turn had finished and its reply had gone out.
        SandboxMessage reply = sent.poll();
        assertThat(reply).isNotNull();
        assertThat(reply.body()).isEqualTo("finished slow");
        runtime.close(); // idempotent
    }

    private void postQuietly(String from, String text) {
        try {
            webhooks.post(webhooks.sms(SignedWebhooks.newSid(), from, GATEWAY, text));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
