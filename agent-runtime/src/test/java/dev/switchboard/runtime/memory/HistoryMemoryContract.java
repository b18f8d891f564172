package dev.switchboard.runtime.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.langchain4j.agent.tool.P;
import dev.langchain4j.agent.tool.Tool;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.memory.chat.MessageWindowChatMemory;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.service.AiServices;
import dev.langchain4j.service.MemoryId;
import dev.switchboard.channel.Address;
import dev.switchboard.channel.ConversationKey;
import dev.switchboard.channel.InboundMessage;
import dev.switchboard.runtime.store.HistoryEntry;
import dev.switchboard.runtime.store.Store;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.client.advisor.MessageChatMemoryAdvisor;
import org.springframework.ai.chat.memory.ChatMemory;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.chat.model.Generation;
import org.springframework.ai.chat.prompt.Prompt;

/**
 * What a model remembers through {@link HistoryChatMemoryStore} (LangChain4j's {@code AiServices})
 * and {@link HistoryChatMemoryRepository} (Spring AI's {@code ChatClient}) over each store, the
 * history written as the runtime writes it: inbound lines by {@link Store#accept} before the turn
 * runs, a reply's line by {@link Store#record} once it is sent.
 */
abstract class HistoryMemoryContract {

    static final String SELF = "+15550000000";
    static final String ADA = "+15551230001";
    static final ConversationKey ADA_SMS = new ConversationKey("sms", Address.of(ADA));
    static final String ID = "sms:" + ADA;
    static final String SYSTEM = "You answer by text message.";

    /** A new handle on the test's store, as after a restart (a store in memory gives the same one). */
    abstract Store openStore();

    Store store;
    private final List<Store> opened = new ArrayList<>();
    private Instant clock = Instant.parse("2026-11-21T10:00:00Z");
    private int sids;

    @BeforeEach
    void open() {
        store = openStore();
        opened.add(store);
    }

    @AfterEach
    void closeStores() {
        opened.forEach(Store::close);
    }

    /** A restart: the store opened again (when it is durable) and nothing of this process kept. */
    void restart() {
        if (store.durable()) {
            store.close();
            store = openStore();
            opened.add(store);
        }
    }

    private Instant tick() {
        clock = clock.plusSeconds(7);
        return clock;
    }

    /** The person's message, accepted as the runtime accepts it (its history line written then). */
    void inbound(String text) {
        InboundMessage message = new InboundMessage(
                "SMin" + ++sids, "sms", Address.of(ADA), Address.of(SELF), text, List.of(), tick(), Map.of());
        assertThat(store.accept(List.of(message), clock)).allMatch(Optional::isPresent);
    }

    /** A reply's line, written as the runtime writes it once the provider took the message. */
    void sent(String text) {
        store.record(new HistoryEntry(
                ADA_SMS,
                HistoryEntry.Direction.OUTBOUND,
                text,
                tick(),
                Optional.of("SMout" + ++sids),
                Optional.of("queued")));
    }

    // ---------------------------------------------------------------- LangChain4j

    interface Assistant {
        @dev.langchain4j.service.SystemMessage(SYSTEM)
        String chat(@MemoryId String conversation, @dev.langchain4j.service.UserMessage String text);
    }

    /** A model that answers from a script and keeps every request's messages. */
    static final class ScriptedModel implements ChatModel {
        final Deque<AiMessage> script = new ArrayDeque<>();
        final List<List<ChatMessage>> requests = new CopyOnWriteArrayList<>();

        ScriptedModel then(AiMessage answer) {
            script.add(answer);
            return this;
        }

        ScriptedModel then(String answer) {
            return then(AiMessage.from(answer));
        }

        @Override
        public ChatResponse doChat(ChatRequest request) {
            requests.add(List.copyOf(request.messages()));
            AiMessage answer = script.poll();
            if (answer == null) {
                throw new AssertionError("the model was not expected to be called again: " + request.messages());
            }
            return ChatResponse.builder().aiMessage(answer).build();
        }

        List<String> lastRequest() {
            return lc(requests.get(requests.size() - 1));
        }
    }

    /** A tool; compiled without parameter names, its argument is {@code arg0}. */
    static final class Orders {
        final List<String> looked = new CopyOnWriteArrayList<>();
        Runnable whileLooking = () -> {};

        @Tool("Looks an order up by its number")
        String lookUp(@P("the order's number") String number) {
            whileLooking.run();
            looked.add(number);
            return "order " + number + " shipped on Monday";
        }
    }

    static Assistant assistant(ChatModel model, HistoryChatMemoryStore memory, Object... tools) {
        AiServices<Assistant> builder = AiServices.builder(Assistant.class)
                .chatModel(model)
                .chatMemoryProvider(id -> MessageWindowChatMemory.builder()
                        .id(id)
                        .maxMessages(20)
                        .chatMemoryStore(memory)
                        .build());
        if (tools.length > 0) {
            builder.tools(tools);
        }
        return builder.build();
    }

    /** LangChain4j messages as {@code KIND: text}, to compare. */
    static List<String> lc(List<ChatMessage> messages) {
        List<String> out = new ArrayList<>();
        for (ChatMessage message : messages) {
            if (message instanceof SystemMessage system) {
                out.add("SYSTEM: " + system.text());
            } else if (message instanceof UserMessage user) {
                out.add("USER: " + user.singleText());
            } else if (message instanceof AiMessage ai && ai.hasToolExecutionRequests()) {
                out.add("TOOL CALL: " + ai.toolExecutionRequests().get(0).name());
            } else if (message instanceof AiMessage ai) {
                out.add("AI: " + ai.text());
            } else if (message instanceof ToolExecutionResultMessage result) {
                out.add("TOOL RESULT: " + result.text());
            } else {
                out.add(message.type() + ": " + message);
            }
        }
        return out;
    }

    @Test
    void anAssistantRemembersThePreviousTurnAfterARestartWithTheCurrentMessageOnce() {
        ScriptedModel model = new ScriptedModel().then("Hello Ada!");
        Assistant assistant = assistant(model, new HistoryChatMemoryStore(store));
        inbound("Hi, I'm Ada");
        assertThat(assistant.chat(ID, "Hi, I'm Ada")).isEqualTo("Hello Ada!");
        sent("Hello Ada!");
        assertThat(model.lastRequest()).containsExactly("SYSTEM: " + SYSTEM, "USER: Hi, I'm Ada");

        restart();
        model = new ScriptedModel().then("You are Ada.");
        assistant = assistant(model, new HistoryChatMemoryStore(store));
        inbound("What's my name?");
        assertThat(assistant.chat(ID, "What's my name?")).isEqualTo("You are Ada.");

        assertThat(model.lastRequest())
                .containsExactly("SYSTEM: " + SYSTEM, "USER: Hi, I'm Ada", "AI: Hello Ada!", "USER: What's my name?");
    }

    @Test
    void aBurstOfTextsIsOneUserMessageAndATemplatedMessageTakesItsPlace() {
        inbound("Hi");
        sent("Hello!");
        inbound("I need");
        inbound("a table for two");
        ScriptedModel model = new ScriptedModel().then("For when?");
        Assistant assistant = assistant(model, new HistoryChatMemoryStore(store));

        // The turn's text of a burst is its lines joined; the agent may wrap it in a template.
        assistant.chat(ID, "The person wrote: I need\na table for two");

        assertThat(model.lastRequest())
                .containsExactly(
                        "SYSTEM: " + SYSTEM,
                        "USER: Hi",
                        "AI: Hello!",
                        "USER: The person wrote: I need\na table for two");
        sent("For when?");
        assertThat(lc(new HistoryChatMemoryStore(store).getMessages(ID)))
                .containsExactly("USER: Hi", "AI: Hello!", "USER: I need\na table for two", "AI: For when?");
    }

    @Test
    void toolCallsAreRememberedWithinTheTurnAndGoneOnceTheReplyIsSent() {
        inbound("Hi");
        sent("Hello!");
        HistoryChatMemoryStore memory = new HistoryChatMemoryStore(store);
        ScriptedModel model = new ScriptedModel()
                .then(AiMessage.from(ToolExecutionRequest.builder()
                        .id("call-1")
                        .name("lookUp")
                        .arguments("{\"arg0\":\"42\"}")
                        .build()))
                .then("Order 42 shipped on Monday.");
        Orders orders = new Orders();
        Assistant assistant = assistant(model, memory, orders);

        inbound("Where is order 42?");
        assertThat(assistant.chat(ID, "Where is order 42?")).isEqualTo("Order 42 shipped on Monday.");

        assertThat(orders.looked).containsExactly("42");
        assertThat(model.lastRequest())
                .containsExactly(
                        "SYSTEM: " + SYSTEM,
                        "USER: Hi",
                        "AI: Hello!",
                        "USER: Where is order 42?",
                        "TOOL CALL: lookUp",
                        "TOOL RESULT: order 42 shipped on Monday");
        // Until the reply is sent, the turn is in progress.
        assertThat(lc(memory.getMessages(ID)))
                .containsExactly(
                        "SYSTEM: " + SYSTEM,
                        "USER: Hi",
                        "AI: Hello!",
                        "USER: Where is order 42?",
                        "TOOL CALL: lookUp",
                        "TOOL RESULT: order 42 shipped on Monday",
                        "AI: Order 42 shipped on Monday.");

        sent("Order 42 shipped on Monday.");

        assertThat(lc(memory.getMessages(ID)))
                .containsExactly(
                        "SYSTEM: " + SYSTEM,
                        "USER: Hi",
                        "AI: Hello!",
                        "USER: Where is order 42?",
                        "AI: Order 42 shipped on Monday.");
        // Another replica (or this one after a restart) remembers the same, without the system message.
        assertThat(lc(new HistoryChatMemoryStore(store).getMessages(ID)))
                .containsExactly(
                        "USER: Hi", "AI: Hello!", "USER: Where is order 42?", "AI: Order 42 shipped on Monday.");
    }

    @Test
    void aProgressNoteSentDuringTheTurnKeepsTheToolCallsUntilTheReply() {
        HistoryChatMemoryStore memory = new HistoryChatMemoryStore(store);
        ScriptedModel model = new ScriptedModel()
                .then(AiMessage.from(ToolExecutionRequest.builder()
                        .id("call-1")
                        .name("lookUp")
                        .arguments("{\"arg0\":\"7\"}")
                        .build()))
                .then("Order 7 shipped on Monday.");
        Orders orders = new Orders();
        orders.whileLooking = () -> sent("One moment, looking it up.");
        inbound("Order 7?");
        assistant(model, memory, orders).chat(ID, "Order 7?");

        assertThat(model.lastRequest())
                .containsExactly(
                        "SYSTEM: " + SYSTEM,
                        "USER: Order 7?",
                        "TOOL CALL: lookUp",
                        "TOOL RESULT: order 7 shipped on Monday");
        sent("Order 7 shipped on Monday.");
        assertThat(lc(new HistoryChatMemoryStore(store).getMessages(ID)))
                .containsExactly("USER: Order 7?", "AI: One moment, looking it up.\nOrder 7 shipped on Monday.");
    }

    @Test
    void aSmallWindowCutsTheOldestMessagesAndKeepsTheTurnOnce() {
        for (int i = 1; i <= 3; i++) {
            inbound("question " + i);
            sent("answer " + i);
        }
        ScriptedModel model = new ScriptedModel()
                .then(AiMessage.from(ToolExecutionRequest.builder()
                        .id("call-1")
                        .name("lookUp")
                        .arguments("{\"arg0\":\"9\"}")
                        .build()))
                .then("Order 9 shipped on Monday.");
        HistoryChatMemoryStore memory = new HistoryChatMemoryStore(store);
        Assistant assistant = AiServices.builder(Assistant.class)
                .chatModel(model)
                .chatMemoryProvider(id -> MessageWindowChatMemory.builder()
                        .id(id)
                        .maxMessages(5)
                        .chatMemoryStore(memory)
                        .build())
                .tools(new Orders())
                .build();
        inbound("Order 9?");

        assistant.chat(ID, "Order 9?");

        // The window cuts history from the front; the turn's message is there once, tool calls after it.
        assertThat(lc(model.requests.get(0)))
                .containsExactly(
                        "SYSTEM: " + SYSTEM,
                        "USER: question 2",
                        "AI: answer 2",
                        "USER: question 3",
                        "AI: answer 3",
                        "USER: Order 9?");
        assertThat(model.lastRequest())
                .containsExactly(
                        "SYSTEM: " + SYSTEM,
                        "AI: answer 3",
                        "USER: Order 9?",
                        "TOOL CALL: lookUp",
                        "TOOL RESULT: order 9 shipped on Monday");
        sent("Order 9 shipped on Monday.");
        assertThat(lc(memory.getMessages(ID)))
                .endsWith("USER: question 3", "AI: answer 3", "USER: Order 9?", "AI: Order 9 shipped on Monday.")
                .doesNotHaveDuplicates();
    }

    @Test
    void clearingForgetsForTheModelButKeepsTheHistory() {
        inbound("My code is 1234");
        sent("Noted.");
        HistoryChatMemoryStore memory = new HistoryChatMemoryStore(store);
        assertThat(memory.getMessages(ID)).hasSize(2);

        memory.deleteMessages(ID);

        assertThat(memory.getMessages(ID)).isEmpty();
        assertThat(store.history(ADA_SMS, 10))
                .extracting(HistoryEntry::text)
                .containsExactly("My code is 1234", "Noted.");

        restart();
        ScriptedModel model = new ScriptedModel().then("Welcome back!");
        inbound("I'm back");
        assistant(model, new HistoryChatMemoryStore(store)).chat(ID, "I'm back");
        assertThat(model.lastRequest()).containsExactly("SYSTEM: " + SYSTEM, "USER: I'm back");
        sent("Welcome back!");
        assertThat(lc(new HistoryChatMemoryStore(store).getMessages(ADA_SMS)))
                .containsExactly("USER: I'm back", "AI: Welcome back!");
        assertThat(store.history(ADA_SMS, 10)).hasSize(4);
    }

    @Test
    void anIdThatIsNoConversationIsRefusedByName() {
        HistoryChatMemoryStore memory = new HistoryChatMemoryStore(store);
        assertThatThrownBy(() -> memory.getMessages("default"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'default'")
                .hasMessageContaining("MemoryIds.of(turn)");
        assertThatThrownBy(() -> memory.updateMessages(42, List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("java.lang.Integer");
        assertThatThrownBy(() -> new HistoryChatMemoryRepository(store).findByConversationId("+15551230001"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("+1555***0001")
                .hasMessageNotContaining(ADA);
    }

    // ---------------------------------------------------------------- Spring AI

    /** A Spring AI model that answers from a script and keeps every prompt's messages. */
    static final class ScriptedSpringModel implements org.springframework.ai.chat.model.ChatModel {
        final Deque<String> script = new ArrayDeque<>();
        final List<List<Message>> prompts = new CopyOnWriteArrayList<>();

        ScriptedSpringModel then(String answer) {
            script.add(answer);
            return this;
        }

        @Override
        public org.springframework.ai.chat.model.ChatResponse call(Prompt prompt) {
            prompts.add(List.copyOf(prompt.getInstructions()));
            String answer = script.poll();
            if (answer == null) {
                throw new AssertionError("the model was not expected to be called again: " + prompt);
            }
            return new org.springframework.ai.chat.model.ChatResponse(
                    List.of(new Generation(new AssistantMessage(answer))));
        }

        List<String> lastPrompt() {
            return spring(prompts.get(prompts.size() - 1));
        }
    }

    static List<String> spring(List<Message> messages) {
        return messages.stream()
                .map(message -> message.getMessageType() + ": " + message.getText())
                .toList();
    }

    static ChatClient client(ScriptedSpringModel model, ChatMemory memory) {
        return ChatClient.builder(model)
                .defaultSystem(SYSTEM)
                .defaultAdvisors(MessageChatMemoryAdvisor.builder(memory).build())
                .build();
    }

    static ChatMemory springMemory(Store store) {
        return org.springframework.ai.chat.memory.MessageWindowChatMemory.builder()
                .chatMemoryRepository(new HistoryChatMemoryRepository(store))
                .maxMessages(20)
                .build();
    }

    static String ask(ChatClient client, String text) {
        return client.prompt()
                .user(text)
                .advisors(a -> a.param(ChatMemory.CONVERSATION_ID, ID))
                .call()
                .content();
    }

    @Test
    void aChatClientRemembersThePreviousTurnAfterARestartWithTheCurrentMessageOnce() {
        ScriptedSpringModel model = new ScriptedSpringModel().then("Hello Ada!");
        inbound("Hi, I'm Ada");
        assertThat(ask(client(model, springMemory(store)), "Hi, I'm Ada")).isEqualTo("Hello Ada!");
        assertThat(model.lastPrompt()).containsExactly("SYSTEM: " + SYSTEM, "USER: Hi, I'm Ada");
        sent("Hello Ada!");

        restart();
        model = new ScriptedSpringModel().then("You are Ada.");
        inbound("What's my name?");
        assertThat(ask(client(model, springMemory(store)), "What's my name?")).isEqualTo("You are Ada.");

        assertThat(model.lastPrompt())
                .containsExactly(
                        "SYSTEM: " + SYSTEM, "USER: Hi, I'm Ada", "ASSISTANT: Hello Ada!", "USER: What's my name?");
        assertThat(new HistoryChatMemoryRepository(store).findConversationIds()).containsExactly(ID);
    }

    @Test
    void theChatClientsReplyIsTheTurnsUntilSentAndTheHistoryAfter() {
        HistoryChatMemoryRepository repository = new HistoryChatMemoryRepository(store);
        ChatMemory memory = org.springframework.ai.chat.memory.MessageWindowChatMemory.builder()
                .chatMemoryRepository(repository)
                .build();
        inbound("Hi");
        ask(client(new ScriptedSpringModel().then("Hello! *How* can I help?"), memory), "Hi");

        assertThat(spring(repository.findByConversationId(ID)))
                .containsExactly("USER: Hi", "ASSISTANT: Hello! *How* can I help?");
        // The runtime formats the reply for the channel: the memory keeps what was sent.
        sent("Hello! How can I help?");
        assertThat(spring(repository.findByConversationId(ID)))
                .containsExactly("USER: Hi", "ASSISTANT: Hello! How can I help?");
    }

    @Test
    void clearingAChatMemoryForgetsButKeepsTheHistory() {
        inbound("Hi");
        sent("Hello!");
        ChatMemory memory = springMemory(store);
        assertThat(memory.get(ID)).hasSize(2);

        memory.clear(ID);

        assertThat(memory.get(ID)).isEmpty();
        assertThat(springMemory(store).get(ID)).isEmpty();
        assertThat(store.history(ADA_SMS, 10)).hasSize(2);
        ScriptedSpringModel model = new ScriptedSpringModel().then("Hi again!");
        inbound("Hello?");
        ask(client(model, memory), "Hello?");
        assertThat(model.lastPrompt()).containsExactly("SYSTEM: " + SYSTEM, "USER: Hello?");
    }
}
