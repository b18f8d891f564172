package dev.switchboard.samples.assistant;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.exception.RateLimitException;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.switchboard.channel.Address;
import dev.switchboard.channel.ConversationKey;
import dev.switchboard.runtime.AgentRuntime;
import dev.switchboard.runtime.memory.HistoryChatMemoryStore;
import dev.switchboard.runtime.schedule.MutableClock;
import dev.switchboard.runtime.store.JdbcStores;
import dev.switchboard.runtime.store.Store;
import dev.switchboard.runtime.store.StoreSettings;
import dev.switchboard.runtime.store.StoredRecord;
import dev.switchboard.samples.sandbox.SandboxMessage;
import dev.switchboard.samples.sandbox.TwilioSandbox;
import dev.switchboard.sms.twilio.TwilioSmsChannel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The assistant end to end with a scripted model: a person texts through the Twilio stand-in, a real
 * runtime on a SQLite store runs the turn, the model asks for the reminder tool, the answer goes back
 * by SMS, and the reminder is pushed from the store when the clock says it is due.
 */
class AssistantEndToEndTest {

    private static final String GATEWAY = "+15005550006";
    private static final String PERSON = "+15557654321";
    private static final Instant START = Instant.parse("2026-12-03T06:00:00Z");
    private static final String SMS_PATH = "/webhooks/twilio";

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(START);
    private final ScriptedChatModel model = new ScriptedChatModel();
    private final BlockingQueue<SandboxMessage> sent = new LinkedBlockingQueue<>();
    private TwilioSandbox sandbox;
    private Store store;
    private Reminders reminders;
    private AgentRuntime runtime;

    @BeforeEach
    void start() {
        sandbox = TwilioSandbox.builder()
                .senders(Set.of(GATEWAY))
                .callbackDelay(Duration.ofMillis(10))
                .build()
                .start();
        sandbox.onMessage(sent::add);
        int port = freeLoopbackPort();
        String publicUrl = "http://127.0.0.1:" + port + SMS_PATH;
        Map<String, String> env = Map.of(
                "TWILIO_ACCOUNT_SID",
                sandbox.accountSid(),
                "TWILIO_AUTH_TOKEN",
                sandbox.authToken(),
                "TWILIO_PHONE_NUMBER",
                GATEWAY,
                "TWILIO_API_BASE_URL",
                sandbox.baseUrl().toString(),
                "SMS_WEBHOOK_URL",
                publicUrl,
                "SMS_ALLOWED_USERS",
                PERSON);
        store = JdbcStores.open("jdbc:sqlite:" + dir.resolve("switchboard.db"), null, null, StoreSettings.defaults());
        reminders = new Reminders(store, clock);
        runtime = AgentRuntime.builder()
                .webhookServer("127.0.0.1", port)
                .channel(TwilioSmsChannel.fromEnv(env))
                .store(store)
                .agent(new AssistantAgent(model, new HistoryChatMemoryStore(store), reminders))
                .build()
                .start();
        sandbox.configureWebhook(GATEWAY, URI.create(publicUrl), publicUrl);
    }

    @AfterEach
    void stop() {
        if (runtime != null) {
            runtime.close();
        }
        if (store != null) {
            store.close();
        }
        if (sandbox != null) {
            sandbox.close();
        }
    }

    @Test
    void aReminderAskedForBySmsIsStoredAnsweredAndPushedOnceWhenDue() throws Exception {
        model.thenCalls("remindMe", "{\"delayMinutes\": 30, \"text\": \"call mum\"}")
                .thenAnswers("OK, I'll text you at 06:30 UTC to call mum.");

        sandbox.text(PERSON, GATEWAY, "Remind me in 30 minutes to call mum");

        SandboxMessage reply = nextSent();
        assertThat(reply.to()).isEqualTo(PERSON);
        assertThat(reply.from()).contains(GATEWAY);
        assertThat(reply.body()).isEqualTo("OK, I'll text you at 06:30 UTC to call mum.");
        assertThat(model.finished()).isTrue();

        // The tool really stored the reminder, in the runtime's store.
        List<StoredRecord> stored = store.records(Reminders.KIND, clock.instant());
        assertThat(stored).hasSize(1);
        Reminder reminder = Reminder.fromJson(stored.get(0).key(), stored.get(0).value());
        assertThat(reminder.channelId()).isEqualTo(TwilioSmsChannel.ID);
        assertThat(reminder.from().value()).isEqualTo(GATEWAY);
        assertThat(reminder.to().value()).isEqualTo(PERSON);
        assertThat(reminder.at()).isEqualTo(START.plus(Duration.ofMinutes(30)));
        assertThat(reminder.text()).isEqualTo("call mum");
        assertThat(stored.get(0).expiresAt()).contains(reminder.at().plus(Reminders.GRACE));

        // The model was given the system message, the person's text and the tool; then the tool's result.
        List<ChatRequest> requests = model.requests();
        assertThat(requests).hasSize(2);
        ChatRequest first = requests.get(0);
        assertThat(first.messages().get(0))
                .isInstanceOfSatisfying(SystemMessage.class, system -> assertThat(system.text())
                        .contains("people reach by SMS and WhatsApp")
                        .contains("plain text suitable for an SMS")
                        .contains("The time now is 2026-12-03T06:00:00Z (UTC)"));
        ChatMessage last = first.messages().get(first.messages().size() - 1);
        assertThat(last).isInstanceOfSatisfying(UserMessage.class, user -> assertThat(user.singleText())
                .isEqualTo("Remind me in 30 minutes to call mum"));
        assertThat(first.toolSpecifications()).hasSize(1);
        ToolSpecification tool = first.toolSpecifications().get(0);
        assertThat(tool.name()).isEqualTo("remindMe");
        assertThat(tool.description()).contains("one-off reminder");
        // Only what the model gives: the conversation and the gateway's number come from the turn.
        assertThat(tool.parameters().properties()).containsOnlyKeys("delayMinutes", "at", "text");
        assertThat(tool.parameters().required()).containsExactly("text");
        assertThat(requests.get(1).messages())
                .filteredOn(ToolExecutionResultMessage.class::isInstance)
                .singleElement()
                .satisfies(result -> assertThat(((ToolExecutionResultMessage) result).text())
                        .isEqualTo("Reminder set for 2026-12-03T06:30:00Z (UTC); it is now 2026-12-03T06:00:00Z."));

        // Not due a minute early; pushed once when due, by SMS from the number the person wrote to.
        clock.advance(Duration.ofMinutes(29));
        assertThat(reminders.sweep(runtime)).isEmpty();
        clock.advance(Duration.ofMinutes(1));
        assertThat(reminders.sweep(runtime)).extracting(Reminder::id).containsExactly(reminder.id());
        SandboxMessage pushed = nextSent();
        assertThat(pushed.to()).isEqualTo(PERSON);
        assertThat(pushed.from()).contains(GATEWAY);
        assertThat(pushed.body()).isEqualTo("Reminder: call mum");
        assertThat(store.records(Reminders.KIND, clock.instant())).isEmpty();
        assertThat(reminders.sweep(runtime)).isEmpty();
    }

    @Test
    void startedRemindersAreSweptOnTheirOwnUntilClosed() throws Exception {
        reminders.add(TwilioSmsChannel.ID, Address.of(GATEWAY), Address.of(PERSON), START.plusSeconds(60), "stretch");
        reminders.start(runtime);
        try {
            clock.advance(Duration.ofSeconds(60));
            SandboxMessage pushed = nextSent();
            assertThat(pushed.to()).isEqualTo(PERSON);
            assertThat(pushed.body()).isEqualTo("Reminder: stretch");
            assertThat(reminders.pending()).isEmpty();
        } finally {
            reminders.close();
        }
    }

    @Test
    void theConversationIsRememberedBetweenTurns() throws Exception {
        model.thenAnswers("Hi Ada!").thenAnswers("You are Ada.");

        sandbox.text(PERSON, GATEWAY, "I am Ada");
        assertThat(nextSent().body()).isEqualTo("Hi Ada!");
        // The memory is the store's history: the reply is in it once the runtime recorded it as sent.
        awaitHistoryLines(2);
        sandbox.text(PERSON, GATEWAY, "Who am I?");
        assertThat(nextSent().body()).isEqualTo("You are Ada.");

        List<ChatMessage> second = model.requests().get(1).messages();
        assertThat(second).hasSize(4);
        assertThat(second.get(0)).isInstanceOf(SystemMessage.class);
        assertThat(((UserMessage) second.get(1)).singleText()).isEqualTo("I am Ada");
        assertThat(((AiMessage) second.get(2)).text()).isEqualTo("Hi Ada!");
        assertThat(((UserMessage) second.get(3)).singleText()).isEqualTo("Who am I?");
    }

    private void awaitHistoryLines(int lines) throws InterruptedException {
        ConversationKey conversation = new ConversationKey("sms", Address.of(PERSON));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (store.history(conversation, 10).size() < lines) {
            assertThat(System.nanoTime()).as("history lines recorded in time").isLessThan(deadline);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
    }

    @Test
    void whenTheModelFailsThePersonGetsAnApologyAndNoReminderIsSet() throws Exception {
        model.thenFails(new RateLimitException("429 from the model's API"));

        sandbox.text(PERSON, GATEWAY, "Remind me in 5 minutes to check the oven");

        SandboxMessage reply = nextSent();
        assertThat(reply.to()).isEqualTo(PERSON);
        assertThat(reply.body()).isEqualTo(AssistantAgent.APOLOGY);
        assertThat(store.records(Reminders.KIND, clock.instant())).isEmpty();
    }

    @Test
    void aReminderTheModelGotWrongIsExplainedToItAndNotStored() throws Exception {
        model.thenCalls("remindMe", "{\"at\": \"2026-12-03T05:00:00Z\", \"text\": \"call mum\"}")
                .thenAnswers("That time has passed: when should I remind you?");

        sandbox.text(PERSON, GATEWAY, "Remind me at 5 to call mum");

        assertThat(nextSent().body()).isEqualTo("That time has passed: when should I remind you?");
        assertThat(store.records(Reminders.KIND, clock.instant())).isEmpty();
        assertThat(model.requests().get(1).messages())
                .filteredOn(ToolExecutionResultMessage.class::isInstance)
                .singleElement()
                .satisfies(result -> assertThat(((ToolExecutionResultMessage) result).text())
                        .startsWith("Not set: 2026-12-03T05:00:00Z is in the past"));
    }

    private SandboxMessage nextSent() throws InterruptedException {
        SandboxMessage message = sent.poll(15, TimeUnit.SECONDS);
        assertThat(message).as("a message sent through the REST stand-in").isNotNull();
        return message;
    }

    private static int freeLoopbackPort() {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
