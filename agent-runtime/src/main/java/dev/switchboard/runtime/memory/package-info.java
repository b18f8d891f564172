/**
 * The conversation history of the runtime's {@link dev.switchboard.runtime.store.Store} as a language
 * model's memory: {@link dev.switchboard.runtime.memory.HistoryChatMemoryStore} for LangChain4j and
 * {@link dev.switchboard.runtime.memory.HistoryChatMemoryRepository} for Spring AI. The memory id of a
 * conversation is {@link dev.switchboard.runtime.memory.MemoryIds#of(dev.switchboard.runtime.Turn)}.
 *
 * <p>What a model remembers of a person is what the runtime recorded: the person's messages and the
 * replies as sent. With a durable store that outlives restarts and is shared by every replica, with no
 * second store to keep. Each framework is an optional dependency: add the one the application uses.
 */
package dev.switchboard.runtime.memory;
