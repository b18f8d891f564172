package dev.switchboard.samples.assistant;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A language model that answers from a script, in order, and keeps every request it was sent; no
 * network, no key. An answer past the end of the script is a failure, as an unexpected call would be.
 */
final class ScriptedChatModel implements ChatModel {

    private final ConcurrentLinkedQueue<Object> script = new ConcurrentLinkedQueue<>();
    private final List<ChatRequest> requests = new CopyOnWriteArrayList<>();

    /** Next, the model asks for the tool {@code name} with {@code arguments} (JSON). */
    ScriptedChatModel thenCalls(String name, String arguments) {
        ToolExecutionRequest call = ToolExecutionRequest.builder()
                .id("call-" + (script.size() + 1))
                .name(name)
                .arguments(arguments)
                .build();
        script.add(ChatResponse.builder().aiMessage(AiMessage.from(call)).build());
        return this;
    }

    /** Next, the model answers {@code text}. */
    ScriptedChatModel thenAnswers(String text) {
        script.add(ChatResponse.builder().aiMessage(AiMessage.from(text)).build());
        return this;
    }

    /** Next, the model's call fails with {@code failure}. */
    ScriptedChatModel thenFails(RuntimeException failure) {
        script.add(failure);
        return this;
    }

    /** The requests the model was sent, in order. */
    List<ChatRequest> requests() {
        return List.copyOf(requests);
    }

    /** Whether every scripted answer was given. */
    boolean finished() {
        return script.isEmpty();
    }

    @Override
    public ChatResponse doChat(ChatRequest request) {
        requests.add(request);
        Object next = script.poll();
        if (next == null) {
            throw new IllegalStateException("the script has no answer left for request " + requests.size());
        }
        if (next instanceof RuntimeException failure) {
            throw failure;
        }
        return (ChatResponse) next;
    }
}
