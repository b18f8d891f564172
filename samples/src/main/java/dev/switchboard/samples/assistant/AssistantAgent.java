package dev.switchboard.samples.assistant;

import static java.util.Objects.requireNonNull;

import dev.langchain4j.exception.HttpException;
import dev.langchain4j.invocation.InvocationParameters;
import dev.langchain4j.memory.chat.ChatMemoryProvider;
import dev.langchain4j.memory.chat.MessageWindowChatMemory;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.service.AiServices;
import dev.langchain4j.store.memory.chat.ChatMemoryStore;
import dev.switchboard.channel.ConversationKey;
import dev.switchboard.runtime.Agent;
import dev.switchboard.runtime.Turn;
import dev.switchboard.runtime.memory.MemoryIds;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An agent that answers with a language model through LangChain4j: an {@link Assistant} with a chat
 * memory per conversation (kept in the {@link ChatMemoryStore} it is given, under the conversation's
 * {@linkplain MemoryIds memory id}) and the {@link ReminderTool}, which sets reminders in {@link
 * Reminders}.
 *
 * <p>Each turn's text goes to the model, and its answer is the reply. When the model fails (no
 * answer, a refused key, a rate limit), the failure is logged without the message and the person is
 * told {@link #APOLOGY} instead of being left without an answer. Turns run on the runtime's threads,
 * one at a time per conversation, so the model's blocking call needs no asynchronous agent.
 */
public final class AssistantAgent implements Agent {

    private static final Logger log = LoggerFactory.getLogger(AssistantAgent.class);

    /** What the person is told when the model failed. */
    public static final String APOLOGY = "Sorry, I can't answer right now. Please try again in a little while.";

    /** What the person is told for a message without text (a picture alone). */
    public static final String TEXT_ONLY = "I can only read text: please write your message.";

    /** How many messages of a conversation the model is given, the system message included. */
    public static final int MEMORY_MESSAGES = 20;

    private final Assistant assistant;
    private final Reminders reminders;

    /**
     * An agent answering with {@code model}.
     *
     * @param model the language model
     * @param memoryStore where each conversation's chat memory is kept, by {@linkplain MemoryIds memory id}
     * @param reminders where the reminder tool sets reminders
     */
    public AssistantAgent(ChatModel model, ChatMemoryStore memoryStore, Reminders reminders) {
        requireNonNull(model, "model");
        requireNonNull(memoryStore, "memoryStore");
        this.reminders = requireNonNull(reminders, "reminders");
        this.assistant = create(model, memories(memoryStore), new ReminderTool(reminders));
    }

    /** Windows of {@link #MEMORY_MESSAGES} messages over {@code store}, one per conversation. */
    private static ChatMemoryProvider memories(ChatMemoryStore store) {
        return memoryId -> MessageWindowChatMemory.builder()
                .id(memoryId)
                .maxMessages(MEMORY_MESSAGES)
                .chatMemoryStore(store)
                .build();
    }

    /** The assistant: {@code model} with the memories {@code memories} gives and the reminder tool. */
    public static Assistant create(ChatModel model, ChatMemoryProvider memories, ReminderTool tool) {
        return AiServices.builder(Assistant.class)
                .chatModel(model)
                .chatMemoryProvider(memories)
                .tools(tool)
                .build();
    }

    /** The reminders this agent's tool sets, which the gateway sweeps. */
    public Reminders reminders() {
        return reminders;
    }

    @Override
    public Optional<String> respond(Turn turn) {
        String text = turn.text();
        if (text.isBlank()) {
            return Optional.of(TEXT_ONLY);
        }
        ConversationKey conversation = turn.conversation();
        Instant now = reminders.clock().instant().truncatedTo(ChronoUnit.SECONDS);
        InvocationParameters parameters = InvocationParameters.from(
                ReminderTool.OUR_ADDRESS, turn.message().to().value());
        String answer;
        try {
            answer = assistant.chat(MemoryIds.of(conversation), text, now.toString(), parameters);
        } catch (RuntimeException e) {
            log.warn("the model failed to answer {}: {}", conversation, failure(e));
            return Optional.of(APOLOGY);
        }
        if (answer == null || answer.isBlank()) {
            log.warn("the model gave {} an empty answer", conversation);
            return Optional.of(APOLOGY);
        }
        return Optional.of(answer.strip());
    }

    /** What failed, for the log: the exceptions' types and an HTTP status, never their messages (which may quote a key or a text). */
    static String failure(Throwable e) {
        StringBuilder shown = new StringBuilder();
        for (Throwable t = e; t != null && shown.length() < 500; t = t.getCause() == t ? null : t.getCause()) {
            if (shown.length() > 0) {
                shown.append(" caused by ");
            }
            shown.append(t.getClass().getName());
            if (t instanceof HttpException http) {
                shown.append(" (HTTP ").append(http.statusCode()).append(')');
            }
        }
        return shown.toString();
    }

    @Override
    public String toString() {
        return "AssistantAgent";
    }
}
