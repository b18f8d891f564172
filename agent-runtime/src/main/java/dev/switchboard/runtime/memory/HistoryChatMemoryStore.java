package dev.switchboard.runtime.memory;

import static java.util.Objects.requireNonNull;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.Content;
import dev.langchain4j.data.message.TextContent;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.store.memory.chat.ChatMemoryStore;
import dev.switchboard.channel.ConversationKey;
import dev.switchboard.runtime.store.Store;
import java.util.List;
import java.util.StringJoiner;

/**
 * A LangChain4j {@link ChatMemoryStore} over the conversation history the runtime keeps in its {@link
 * Store}: a {@code ChatMemory} (a {@code MessageWindowChatMemory}, say) over it remembers each person
 * across restarts and replicas with no second store, and remembers what the person actually saw.
 *
 * <pre>{@code
 * HistoryChatMemoryStore memoryStore = new HistoryChatMemoryStore(runtime.store());
 * Assistant assistant = AiServices.builder(Assistant.class)
 *         .chatModel(model)
 *         .chatMemoryProvider(id -> MessageWindowChatMemory.builder()
 *                 .id(id).maxMessages(20).chatMemoryStore(memoryStore).build())
 *         .build();
 * // interface Assistant { String chat(@MemoryId String conversation, @UserMessage String text); }
 * Agent agent = turn -> Optional.of(assistant.chat(MemoryIds.of(turn), turn.text()));
 * }</pre>
 *
 * <p>The memory id is {@link MemoryIds#of(dev.switchboard.runtime.Turn) MemoryIds.of(turn)} ({@code
 * sms:+15551234567}); a {@link ConversationKey} is taken too. Any other id is refused with an {@link
 * IllegalArgumentException} naming it (LangChain4j's {@code default} id among them: give the
 * service's method a {@code @MemoryId}).
 *
 * <p>What the memory holds:
 *
 * <ul>
 *   <li>{@link #getMessages}: the conversation's latest history lines (50 by default, see {@link
 *       HistoryMemoryOptions#historyLines()}), the person's as {@link UserMessage}s and the replies as
 *       sent (formatted for the channel) as {@link AiMessage}s; consecutive lines of one side are one
 *       message, their texts joined by a line break (a burst of texts is one turn), lines with no text
 *       (a picture alone) are left out. The person's latest lines that no reply followed yet are the
 *       input of the turn in progress and are left out: the service adds them as its user message.
 *       Then the turn in progress, and system messages first.
 *   <li>{@link #updateMessages}: of the messages LangChain4j passes (its whole window), those that are
 *       history already are recognised and not kept twice; the rest is the turn in progress (the user
 *       message, tool call requests and their results, the reply not yet sent). It is kept in this
 *       process, not in the store: a conversation's turn runs on one replica at a time, and the turn is
 *       over once its reply is recorded as sent, when the memory is the history again. So within a
 *       turn the model sees its tool calls, and across turns it sees what the person saw.
 *   <li>{@link #deleteMessages}: the model forgets the conversation so far; the history stays, for the
 *       operator's transcript. A record of kind {@code memory.cleared} in the store marks where, so
 *       that every replica forgets.
 * </ul>
 *
 * <p>Use one instance per store (its turns in progress are its own), from any thread. Store failures
 * propagate as {@link dev.switchboard.runtime.store.StoreException}. LangChain4j's {@code AiServices}
 * keeps a {@code ChatMemory} per memory id; {@code evictChatMemory} lets one go when that matters.
 */
public final class HistoryChatMemoryStore implements ChatMemoryStore {

    private final HistoryMemory<ChatMessage> memory;

    /** The memory of the conversations in {@code store}, with the {@linkplain HistoryMemoryOptions#defaults() default options}. */
    public HistoryChatMemoryStore(Store store) {
        this(store, HistoryMemoryOptions.defaults());
    }

    public HistoryChatMemoryStore(Store store, HistoryMemoryOptions options) {
        this.memory = new HistoryMemory<>(requireNonNull(store, "store"), options, new Langchain4jCodec());
    }

    @Override
    public List<ChatMessage> getMessages(Object memoryId) {
        return memory.get(id(memoryId));
    }

    @Override
    public void updateMessages(Object memoryId, List<ChatMessage> messages) {
        memory.update(id(memoryId), messages);
    }

    @Override
    public void deleteMessages(Object memoryId) {
        memory.clear(id(memoryId));
    }

    private static String id(Object memoryId) {
        requireNonNull(memoryId, "memoryId");
        if (memoryId instanceof ConversationKey conversation) {
            return MemoryIds.of(conversation);
        }
        if (memoryId instanceof String text) {
            return text;
        }
        throw new IllegalArgumentException(
                "memory id of type " + memoryId.getClass().getName()
                        + " is not a conversation: pass MemoryIds.of(turn) (a String such as sms:+15551234567)"
                        + " or the turn's ConversationKey");
    }

    private static final class Langchain4jCodec implements HistoryMemory.Codec<ChatMessage> {

        @Override
        public HistoryMemory.Kind kind(ChatMessage message) {
            switch (message.type()) {
                case SYSTEM:
                    return HistoryMemory.Kind.SYSTEM;
                case USER:
                    return HistoryMemory.Kind.USER;
                case AI:
                    AiMessage ai = (AiMessage) message;
                    if (ai.hasToolExecutionRequests()) {
                        return HistoryMemory.Kind.AI_TOOL_CALLS;
                    }
                    return ai.text() == null ? HistoryMemory.Kind.OTHER : HistoryMemory.Kind.AI_TEXT;
                case TOOL_EXECUTION_RESULT:
                    return HistoryMemory.Kind.TOOL_RESULT;
                default:
                    return HistoryMemory.Kind.OTHER;
            }
        }

        @Override
        public String text(ChatMessage message) {
            if (message instanceof UserMessage user) {
                if (user.hasSingleText()) {
                    return user.singleText();
                }
                StringJoiner text = new StringJoiner("\n");
                for (Content content : user.contents()) {
                    if (content instanceof TextContent part) {
                        text.add(part.text());
                    }
                }
                return text.toString();
            }
            if (message instanceof AiMessage ai) {
                return ai.text() == null ? "" : ai.text();
            }
            if (message instanceof dev.langchain4j.data.message.SystemMessage system) {
                return system.text();
            }
            return "";
        }

        @Override
        public ChatMessage user(String text) {
            return UserMessage.from(text);
        }

        @Override
        public ChatMessage assistant(String text) {
            return AiMessage.from(text);
        }
    }
}
