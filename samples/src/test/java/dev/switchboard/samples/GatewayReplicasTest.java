package dev.switchboard.samples;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.samples.sandbox.SandboxMessage;
import dev.switchboard.samples.sandbox.TwilioSandbox;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two sample gateways in processes of their own on one PostgreSQL database, behind one public URL as
 * behind a load balancer, behave as one gateway: a retry on the other replica is a duplicate, a
 * conversation is answered one turn at a time and in order whichever replica took each message, the
 * history and the opt-outs are shared, and a schedule's fire time sends once.
 *
 * <p>Two pairs run for the whole class, each on a database of its own: an echo agent that takes a
 * second (with a heartbeat every second) and the recall agent. Every scenario has a sender of its
 * own, so that they never meet in a conversation. Webhooks are signed for the public URL and posted
 * to the replica a scenario picks, as the load balancer would.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GatewayReplicasTest {

    private static final String GATEWAY = "+15005550006";
    /** The URL Twilio is given, which it signs for, whichever replica the load balancer picks. */
    private static final String PUBLIC_URL = "https://agent.example.com/webhooks/twilio";

    private static final Duration ECHO_DELAY = Duration.ofMillis(1000);
    private static final Duration REPLY_TIMEOUT = Duration.ofSeconds(20);

    // One sender per scenario.
    private static final String RETRIER = "+15551230101";
    private static final String ALTERNATOR = "+15551230102";
    private static final String REMEMBERER = "+15551230103";
    private static final String QUITTER = "+15551230104";
    /** Where the echo pair's heartbeat goes; it never texts. */
    private static final String HOME = "+15551230199";

    private static final String ECHO_DATABASE = "replicas_echo";
    private static final String RECALL_DATABASE = "replicas_recall";

    @TempDir
    static Path workDir;

    private EmbeddedPostgres postgres;
    private TwilioSandbox twilio;
    /** What the gateways sent, by recipient, as the sandbox accepted it. */
    private final Map<String, BlockingQueue<SandboxMessage>> sentTo = new ConcurrentHashMap<>();

    private final List<Replica> replicas = new ArrayList<>();
    private Replica echoA;
    private Replica echoB;
    private Replica recallA;
    private Replica recallB;

    @RegisterExtension
    final TestWatcher logsOnFailure = new TestWatcher() {
        @Override
        public void testFailed(ExtensionContext context, Throwable cause) {
            for (Replica replica : replicas) {
                System.out.println("----- log of " + replica.name + " -----");
                System.out.println(replica.log());
            }
        }
    };

    @BeforeAll
    void startPostgresTwilioAndFourGateways() throws Exception {
        long started = System.nanoTime();
        postgres = EmbeddedPostgres.start();
        try (Connection connection = postgres.getPostgresDatabase().getConnection();
                Statement statement = connection.createStatement()) {
            statement.execute("CREATE DATABASE " + ECHO_DATABASE);
            statement.execute("CREATE DATABASE " + RECALL_DATABASE);
        }
        twilio = TwilioSandbox.builder().senders(Set.of(GATEWAY)).build().start();
        twilio.onMessage(message -> {
            if (message.direction() != SandboxMessage.Direction.INBOUND) {
                sentTo(message.to()).add(message);
            }
        });

        Map<String, String> echo = env(ECHO_DATABASE, "echo");
        echo.put("SWITCHBOARD_ECHO_DELAY_MS", Long.toString(ECHO_DELAY.toMillis()));
        echo.put("SWITCHBOARD_HEARTBEAT_CRON", "* * * * * *");
        echo.put("SMS_HOME_CHANNEL", HOME);
        // Each replica says who it is in its heartbeat, so that the sandbox shows which one sent it;
        // the fire times are claimed by the schedule's name, the same on both.
        echoA = launch("echo-A", echo, Map.of("SWITCHBOARD_HEARTBEAT_TEXT", "heartbeat from A"));
        echoB = launch("echo-B", echo, Map.of("SWITCHBOARD_HEARTBEAT_TEXT", "heartbeat from B"));
        Map<String, String> recall = env(RECALL_DATABASE, "recall");
        recallA = launch("recall-A", recall, Map.of());
        recallB = launch("recall-B", recall, Map.of());
        // The echo pair registers its heartbeat just after its runtime started.
        echoA.awaitLogged("schedule 'heartbeat' registered");
        echoB.awaitLogged("schedule 'heartbeat' registered");
        recallA.awaitLogged("runtime started");
        recallB.awaitLogged("runtime started");
        System.out.printf(
                "GatewayReplicasTest: PostgreSQL and four gateways up in %d ms%n",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    }

    @AfterAll
    void stopEverything() throws Exception {
        for (Replica replica : replicas) {
            replica.process.destroy();
        }
        for (Replica replica : replicas) {
            if (!replica.process.waitFor(20, TimeUnit.SECONDS)) {
                replica.process.destroyForcibly();
            }
        }
        if (twilio != null) {
            twilio.close();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    /** 1. Twilio retries a webhook it got no answer to in time; this time the load balancer picks B. */
    @Test
    void aRetryOnTheOtherReplicaIsAcknowledgedAndNotAnsweredAgain() throws Exception {
        Map<String, List<String>> webhook = echoA.webhooks.sms(SignedWebhooks.newSid(), RETRIER, GATEWAY, "only once");
        assertThat(echoA.post(webhook)).isEqualTo(200);
        // While A's turn is still under way (the agent takes a second).
        assertThat(echoB.post(webhook)).as("the retry on B").isEqualTo(200);
        assertThat(awaitSentTo(RETRIER).body()).isEqualTo("echo: only once");
        // And after the answer, on either replica.
        assertThat(echoB.post(webhook)).isEqualTo(200);
        assertThat(echoA.post(webhook)).isEqualTo(200);

        // The conversation's next message is answered after any turn a retry could have had.
        assertThat(echoB.text(RETRIER, "and then")).isEqualTo(200);
        assertThat(awaitSentTo(RETRIER).body()).isEqualTo("echo: and then");
        assertThat(bodiesSentTo(RETRIER)).containsExactly("echo: only once", "echo: and then");
    }

    /**
     * 2. One person's messages reach A and B by turns, faster than the agent answers: one turn at a
     * time across the replicas, in the order they were accepted, each once.
     */
    @Test
    void aConversationAlternatingReplicasIsAnsweredOneTurnAtATimeInOrder() throws Exception {
        Replica[] via = {echoA, echoB, echoA, echoB};
        for (int i = 0; i < via.length; i++) {
            assertThat(via[i].text(ALTERNATOR, Integer.toString(i + 1)))
                    .as("message %d to %s", i + 1, via[i].name)
                    .isEqualTo(200);
        }
        // Messages that arrive while the conversation's turn runs are answered together by its next
        // turn (the echo agent joins them with " / "): collect answers until every message has one.
        List<SandboxMessage> replies = new ArrayList<>();
        List<String> answered = new ArrayList<>();
        while (answered.size() < via.length) {
            SandboxMessage reply = awaitSentTo(ALTERNATOR);
            replies.add(reply);
            assertThat(reply.body()).startsWith("echo: ");
            answered.addAll(List.of(reply.body().substring("echo: ".length()).split(" / ")));
        }
        System.out.println("GatewayReplicasTest: alternating conversation answered "
                + replies.stream()
                        .map(reply -> reply.body() + " at " + time(reply))
                        .toList());

        assertThat(answered).containsExactly("1", "2", "3", "4");
        // Two turns at once (one on each replica) would answer within moments of each other; one at a
        // time, each answer comes an agent's delay after the one before.
        for (int i = 1; i < replies.size(); i++) {
            assertThat(Duration.between(
                            replies.get(i - 1).createdAt(), replies.get(i).createdAt()))
                    .as(
                            "between %s and %s",
                            replies.get(i - 1).body(), replies.get(i).body())
                    .isGreaterThanOrEqualTo(ECHO_DELAY.dividedBy(2));
        }
        // Nothing was answered twice.
        assertThat(bodiesSentTo(ALTERNATOR))
                .containsExactlyElementsOf(
                        replies.stream().map(SandboxMessage::body).toList());
    }

    /** 3. What one replica was told, the other remembers. */
    @Test
    void theHistoryIsSharedByTheReplicas() throws Exception {
        assertThat(recallA.text(REMEMBERER, "the first")).isEqualTo(200);
        assertThat(awaitSentTo(REMEMBERER).body()).isEqualTo("recall: (none)");
        assertThat(recallB.text(REMEMBERER, "the second")).isEqualTo(200);
        assertThat(awaitSentTo(REMEMBERER).body()).isEqualTo("recall: the first");
        assertThat(recallA.text(REMEMBERER, "the third")).isEqualTo(200);
        assertThat(awaitSentTo(REMEMBERER).body()).isEqualTo("recall: the second");
        assertThat(bodiesSentTo(REMEMBERER))
                .containsExactly("recall: (none)", "recall: the first", "recall: the second");
    }

    /**
     * 4. STOP through A, then a message through B: B does not answer. The STOP is posted straight to
     * A, so the sandbox does not refuse sends to the person as Twilio would: only the replicas'
     * shared opt-out keeps B quiet.
     */
    @Test
    void aStopThroughOneReplicaSilencesTheOther() throws Exception {
        // B has answered the person before the STOP.
        assertThat(echoB.text(QUITTER, "hello")).isEqualTo(200);
        assertThat(awaitSentTo(QUITTER).body()).isEqualTo("echo: hello");

        assertThat(echoA.text(QUITTER, "STOP")).isEqualTo(200);
        assertThat(echoB.text(QUITTER, "are you still there?")).isEqualTo(200);
        // The turn starts at once (the conversation is idle) and an answer would follow an agent's
        // delay later: wait well past that.
        SandboxMessage answered = sentTo(QUITTER).poll(ECHO_DELAY.plusSeconds(3).toMillis(), MILLISECONDS);
        assertThat(answered)
                .as("a message sent to a person who texted STOP to the other replica")
                .isNull();
        // And the silence is the turn's, not a message still waiting for one: the store has the
        // message in the conversation's history (a turn began) and nothing left in its inbox.
        assertThat(inboundHistory(ECHO_DATABASE, QUITTER)).containsExactly("hello", "STOP", "are you still there?");
        assertThat(waitingMessages(ECHO_DATABASE, QUITTER)).isZero();
        assertThat(bodiesSentTo(QUITTER)).containsExactly("echo: hello");
    }

    /**
     * 5. Both echo replicas run the heartbeat every second: each fire time sends one heartbeat, from
     * whichever replica claimed it. Over a window of whole seconds, no second has two, no two come
     * within half a second of each other (the replicas' timers fire at the same instant, so a fire
     * time sent twice would be sent twice within moments), and there are about as many as fire times.
     */
    @Test
    void eachFireTimeOfTheScheduleOnBothReplicasSendsOnce() throws Exception {
        assertThat(echoA.logged("schedule 'heartbeat' registered")).isTrue();
        assertThat(echoB.logged("schedule 'heartbeat' registered")).isTrue();
        int seconds = 6;
        Instant from = Instant.now().truncatedTo(ChronoUnit.SECONDS).plusSeconds(1);
        Instant until = from.plusSeconds(seconds);
        // A heartbeat a second past the window: every fire time in the window was sent before it.
        Instant fence = until.plusSeconds(1);
        BlockingQueue<SandboxMessage> beats = sentTo(HOME);
        long deadline = System.nanoTime()
                + Duration.between(Instant.now(), fence).plusSeconds(15).toNanos();
        while (true) {
            SandboxMessage beat = beats.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            assertThat(beat).as("a heartbeat after %s", fence).isNotNull();
            if (!beat.createdAt().isBefore(fence)) {
                break;
            }
        }
        List<SandboxMessage> inWindow = twilio.messages().stream()
                .filter(m -> m.direction() == SandboxMessage.Direction.OUTBOUND_API && m.to().equals(HOME))
                .filter(m -> !m.createdAt().isBefore(from) && m.createdAt().isBefore(until))
                .toList();
        // What the store says each replica claimed, to tell a fire time sent twice from two fire times.
        String shown =
                "sent " + inWindow.stream().map(m -> time(m) + " " + m.body()).collect(Collectors.joining(", "))
                        + "; claimed " + claims(ECHO_DATABASE, "heartbeat", from, until);
        System.out.println("GatewayReplicasTest: heartbeats from " + time(from) + " to " + time(until) + ": " + shown);

        assertThat(inWindow)
                .as("heartbeats in %d seconds: %s", seconds, shown)
                .hasSizeBetween(seconds - 2, seconds + 1);
        Set<Instant> secondsSeen = new HashSet<>();
        for (SandboxMessage beat : inWindow) {
            assertThat(secondsSeen.add(beat.createdAt().truncatedTo(ChronoUnit.SECONDS)))
                    .as("one heartbeat in the second of %s: %s", time(beat), shown)
                    .isTrue();
        }
        for (int i = 1; i < inWindow.size(); i++) {
            assertThat(Duration.between(
                            inWindow.get(i - 1).createdAt(), inWindow.get(i).createdAt()))
                    .as(
                            "between the heartbeats at %s and %s: %s",
                            time(inWindow.get(i - 1)), time(inWindow.get(i)), shown)
                    .isGreaterThanOrEqualTo(Duration.ofMillis(500));
        }
    }

    // ---- helpers

    private BlockingQueue<SandboxMessage> sentTo(String to) {
        return sentTo.computeIfAbsent(to, k -> new LinkedBlockingQueue<>());
    }

    private SandboxMessage awaitSentTo(String to) throws InterruptedException {
        SandboxMessage message = sentTo(to).poll(REPLY_TIMEOUT.toMillis(), MILLISECONDS);
        assertThat(message).as("a message to %s within %s", to, REPLY_TIMEOUT).isNotNull();
        return message;
    }

    /** The bodies of everything sent to {@code to} so far, oldest first. */
    private List<String> bodiesSentTo(String to) {
        return twilio.messages().stream()
                .filter(m -> m.direction() != SandboxMessage.Direction.INBOUND && m.to().equals(to))
                .map(SandboxMessage::body)
                .toList();
    }

    private static String time(SandboxMessage message) {
        return time(message.createdAt());
    }

    private static String time(Instant instant) {
        return LocalTime.ofInstant(instant, ZoneId.systemDefault()).toString();
    }

    private List<String> inboundHistory(String database, String counterpart) throws SQLException {
        List<String> bodies = new ArrayList<>();
        try (Connection connection = postgres.getDatabase("postgres", database).getConnection();
                PreparedStatement select = connection.prepareStatement(
                        "SELECT body FROM sb_history WHERE counterpart = ? AND direction = 'INBOUND' ORDER BY id")) {
            select.setString(1, counterpart);
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    bodies.add(rows.getString(1));
                }
            }
        }
        return bodies;
    }

    /** The fire times of {@code schedule} claimed in {@code [from, until)}, each with the replica that did. */
    private List<String> claims(String database, String schedule, Instant from, Instant until) throws SQLException {
        List<String> claims = new ArrayList<>();
        try (Connection connection = postgres.getDatabase("postgres", database).getConnection();
                PreparedStatement select = connection.prepareStatement("SELECT fire_time, owner FROM sb_schedule_claim"
                        + " WHERE schedule_id = ? AND fire_time >= ? AND fire_time < ? ORDER BY fire_time")) {
            select.setString(1, schedule);
            select.setLong(2, from.minusSeconds(1).toEpochMilli());
            select.setLong(3, until.toEpochMilli());
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    String owner = rows.getString(2);
                    String replica = replicas.stream()
                            .filter(r -> owner.equals(r.owner))
                            .map(r -> r.name)
                            .findFirst()
                            .orElse(owner);
                    claims.add(time(Instant.ofEpochMilli(rows.getLong(1))) + " by " + replica);
                }
            }
        }
        return claims;
    }

    private int waitingMessages(String database, String counterpart) throws SQLException {
        try (Connection connection = postgres.getDatabase("postgres", database).getConnection();
                PreparedStatement select =
                        connection.prepareStatement("SELECT count(*) FROM sb_inbox WHERE counterpart = ?")) {
            select.setString(1, counterpart);
            try (ResultSet rows = select.executeQuery()) {
                rows.next();
                return rows.getInt(1);
            }
        }
    }

    /** What every replica of a pair is given: Twilio mode against the sandbox, on {@code database}. */
    private Map<String, String> env(String database, String agent) {
        Map<String, String> env = new HashMap<>();
        env.put("TWILIO_ACCOUNT_SID", twilio.accountSid());
        env.put("TWILIO_AUTH_TOKEN", twilio.authToken());
        env.put("TWILIO_PHONE_NUMBER", GATEWAY);
        env.put("TWILIO_API_BASE_URL", twilio.baseUrl().toString());
        env.put("SMS_WEBHOOK_URL", PUBLIC_URL);
        env.put("SMS_WEBHOOK_HOST", "127.0.0.1");
        env.put("SMS_ALLOWED_USERS", String.join(",", RETRIER, ALTERNATOR, REMEMBERER, QUITTER));
        env.put("SWITCHBOARD_AGENT", agent);
        env.put("SWITCHBOARD_DATABASE_URL", "jdbc:postgresql://localhost:" + postgres.getPort() + "/" + database);
        env.put("SWITCHBOARD_DATABASE_USER", "postgres");
        return env;
    }

    private Replica launch(String name, Map<String, String> env, Map<String, String> own) throws IOException {
        int port = Gateway.freeLoopbackPort();
        ProcessBuilder builder = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        Gateway.class.getName())
                .directory(workDir.toFile())
                .redirectErrorStream(true);
        builder.environment()
                .keySet()
                .removeIf(k -> k.startsWith("TWILIO_")
                        || k.startsWith("SMS_")
                        || k.startsWith("WHATSAPP_")
                        || k.startsWith("SWITCHBOARD_"));
        builder.environment().putAll(env);
        builder.environment().putAll(own);
        builder.environment().put("SMS_WEBHOOK_PORT", Integer.toString(port));
        SignedWebhooks webhooks = new SignedWebhooks(
                URI.create("http://127.0.0.1:" + port + "/webhooks/twilio"),
                PUBLIC_URL,
                twilio.accountSid(),
                twilio.authToken());
        Replica replica = new Replica(name, builder.start(), webhooks);
        replicas.add(replica);
        return replica;
    }

    /** One gateway process: where to post its webhooks, and its log. */
    private static final class Replica {

        final String name;
        final Process process;
        final SignedWebhooks webhooks;
        private final List<String> log = new ArrayList<>(); // guarded by itself
        private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        /** Its name in the store's leases and claims, from its log. */
        volatile String owner;

        Replica(String name, Process process, SignedWebhooks webhooks) throws IOException {
            this.name = name;
            this.process = process;
            this.webhooks = webhooks;
            process.getOutputStream().close();
            Thread reader = new Thread(
                    () -> {
                        try (BufferedReader in = new BufferedReader(
                                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                            for (String line = in.readLine(); line != null; line = in.readLine()) {
                                synchronized (log) {
                                    log.add(line);
                                }
                                lines.add(line);
                            }
                        } catch (IOException e) {
                            lines.add("(read failed: " + e + ")");
                        }
                    },
                    name + "-log");
            reader.setDaemon(true);
            reader.start();
        }

        /** Waits for the start's last line, {@code fragment}; remembers the replica's name in the store. */
        void awaitLogged(String fragment) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < deadline) {
                String line = lines.poll(1, TimeUnit.SECONDS);
                if (line != null && line.contains("this replica is ")) {
                    assertThat(line).as("%s's store", name).contains("store postgresql://");
                    owner = line.substring(line.indexOf("this replica is ") + "this replica is ".length())
                            .strip();
                }
                if (line != null && line.contains(fragment)) {
                    assertThat(owner).as("%s's name in the store", name).isNotNull();
                    return;
                }
                if (line == null && !process.isAlive()) {
                    break;
                }
            }
            throw new AssertionError(name + " did not start:\n" + log());
        }

        /** Posts a webhook signed for the public URL to this replica; its HTTP status. */
        int post(Map<String, List<String>> params) throws IOException, InterruptedException {
            return webhooks.post(params).statusCode();
        }

        /** Texts {@code body} from {@code from} through this replica, as a new message. */
        int text(String from, String body) throws IOException, InterruptedException {
            return post(webhooks.sms(SignedWebhooks.newSid(), from, GATEWAY, body));
        }

        boolean logged(String fragment) {
            synchronized (log) {
                return log.stream().anyMatch(line -> line.contains(fragment));
            }
        }

        String log() {
            synchronized (log) {
                return String.join("\n", log);
            }
        }
    }
}
