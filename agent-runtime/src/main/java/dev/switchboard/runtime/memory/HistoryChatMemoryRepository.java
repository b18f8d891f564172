package dev.switchboard.runtime.memory;

import static java.util.Objects.requireNonNull;

import dev.switchboard.runtime.store.Store;
import java.util.List;
import org.springframework.ai.chat.memory.ChatMemoryRepository;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.chat.messages.UserMessage;

/**
 * A Spring AI {@link ChatMemoryRepository} over the conversation history the runtime keeps in its
 * {@link Store}: a {@code ChatMemory} over it (a {@code MessageWindowChatMemory}, say, behind a {@code
 * MessageChatMemoryAdvisor}) remembers each person across restarts and replicas with no second store,
 * and remembers what the person actually saw.
 *
 * <pre>{@code
 * ChatMemory memory = MessageWindowChatMemory.builder()
 *         .chatMemoryRepository(new HistoryChatMemoryRepository(runtime.store()))
 *         .maxMessages(20)
 *         .build();
 * ChatClient client = ChatClient.builder(chatModel)
 *         .defaultAdvisors(MessageChatMemoryAdvisor.builder(memory).build())
 *         .build();
 * Agent agent = turn -> Optional.ofNullable(client.prompt()
 *         .user(turn.text())
 *         .advisors(a -> a.param(ChatMemory.CONVERSATION_ID, MemoryIds.of(turn)))
 *         .call()
 *         .content());
 * }</pre>
 *
 * <p>The conversation id is {@link MemoryIds#of(dev.switchboard.runtime.Turn) MemoryIds.of(turn)}
 * ({@code sms:+15551234567}); any other id is refused with an {@link IllegalArgumentException} naming
 * it (Spring AI's {@code default} among them: pass the turn's).
 *
 * <p>What the repository holds:
 *
 * <ul>
 *   <li>{@link #findByConversationId}: the conversation's latest history lines (50 by default, see
 *       {@link HistoryMemoryOptions#historyLines()}), the person's as {@link UserMessage}s and the
 *       replies as sent (formatted for the channel) as {@link AssistantMessage}s; consecutive lines of
 *       one side are one message, their texts joined by a line break (a burst of texts is one turn),
 *       lines with no text (a picture alone) are left out. The person's latest lines that no reply
 *       followed yet are the input of the turn in progress and are left out: the advisor adds the
 *       prompt's user message for them. Then the turn in progress, and system messages first.
 *   <li>{@link #saveAll}: of the messages Spring AI passes (its whole window), those that are history
 *       already are recognised and not kept twice; the rest is the turn in progress (the user message,
 *       tool calls and their responses, the reply not yet sent). It is kept in this process, not in
 *       the store: a conversation's turn runs on one replica at a time, and the turn is over once its
 *       reply is recorded as sent, when the memory is the history again. So within a turn the model
 *       sees what it did, and across turns it sees what the person saw.
 *   <li>{@link #deleteByConversationId}: the model forgets the conversation so far; the history stays,
 *       for the operator's transcript. A record of kind {@code memory.cleared} in the store marks
 *       where, so that every replica forgets.
 *   <li>{@link #findConversationIds}: the conversations with history (at most 10,000), the most
 *       recently active first; a conversation whose memory was cleared is still listed.
 * </ul>
 *
 * <p>Use one instance per store (its turns in progress are its own), from any thread. Store failures
 * propagate as {@link dev.switchboard.runtime.store.StoreException}.
 */
public final class HistoryChatMemoryRepository implements ChatMemoryRepository {

    private final HistoryMemory<Message> memory;

    /** The memory of the conversations in {@code store}, with the {@linkplain HistoryMemoryOptions#defaults() default options}. */
    public HistoryChatMemoryRepository(Store store) {
        this(store, HistoryMemoryOptions.defaults());
    }

    public HistoryChatMemoryRepository(Store store, HistoryMemoryOptions options) {
        this.memory = new HistoryMemory<>(requireNonNull(store, "store"), options, new SpringAiCodec());
    }

    @Override
    public List<String> findConversationIds() {
        return memory.conversationIds();
    }

    @Override
    public List<Message> findByConversationId(String conversationId) {
        return memory.get(requireNonNull(conversationId, "conversationId"));
    }

    @Override
    public void saveAll(String conversationId, List<Message> messages) {
        memory.update(requireNonNull(conversationId, "conversationId"), messages);
    }

    @Override
    public void deleteByConversationId(String conversationId) {
        memory.clear(requireNonNull(conversationId, "conversationId"));
    }

    private static final class SpringAiCodec implements HistoryMemory.Codec<Message> {

        @Override
        public HistoryMemory.Kind kind(Message message) {
            switch (message.getMessageType()) {
                case SYSTEM:
                    return HistoryMemory.Kind.SYSTEM;
                case USER:
                    return HistoryMemory.Kind.USER;
                case ASSISTANT:
                    if (message instanceof AssistantMessage assistant && assistant.hasToolCalls()) {
                        return HistoryMemory.Kind.AI_TOOL_CALLS;
                    }
                    return message.getText() == null ? HistoryMemory.Kind.OTHER : HistoryMemory.Kind.AI_TEXT;
                case TOOL:
                    return HistoryMemory.Kind.TOOL_RESULT;
                default:
                    return HistoryMemory.Kind.OTHER;
            }
        }

        @Override
        public String text(Message message) {
            String text = message.getText();
            return text == null ? "" : text;
        }

        @Override
        public Message user(String text) {
            return new UserMessage(text);
        }

        @Override
        public Message assistant(String text) {
            return new AssistantMessage(text);
        }
    }
}
