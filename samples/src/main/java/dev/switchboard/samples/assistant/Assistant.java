package dev.switchboard.samples.assistant;

import dev.langchain4j.invocation.InvocationParameters;
import dev.langchain4j.service.MemoryId;
import dev.langchain4j.service.SystemMessage;
import dev.langchain4j.service.UserMessage;
import dev.langchain4j.service.V;

/**
 * The assistant as a LangChain4j AI service: a language model with a memory per conversation and
 * the {@link ReminderTool}. Made by {@link AssistantAgent}.
 */
public interface Assistant {

    /** The system message: who the assistant is and how it answers; {@code {{now}}} is the current time. */
    String SYSTEM_MESSAGE = "You are a helpful assistant that people reach by SMS and WhatsApp. Answer briefly,"
            + " in plain text suitable for an SMS: a few short sentences, no markdown, no lists unless asked."
            + " When someone asks to be reminded of something, use the remindMe tool, then tell them when the"
            + " reminder will arrive. The time now is {{now}} (UTC).";

    /**
     * Answers {@code text}, a message of the conversation {@code conversation}.
     *
     * @param conversation the conversation's memory id ({@link dev.switchboard.runtime.memory.MemoryIds#of(dev.switchboard.channel.ConversationKey)})
     * @param text what the person wrote
     * @param now the current time, ISO-8601 in UTC
     * @param parameters what the tools need of the conversation ({@link ReminderTool#OUR_ADDRESS})
     * @return the answer, plain text
     */
    @SystemMessage(SYSTEM_MESSAGE)
    String chat(
            @MemoryId String conversation,
            @UserMessage String text,
            @V("now") String now,
            InvocationParameters parameters);
}
