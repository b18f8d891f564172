package dev.switchboard.runtime;

import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * An {@link Agent} for non-blocking model clients: it starts the turn and returns at once, with a
 * stage that completes with the reply. Register it with {@link AgentRuntimeBuilder#asyncAgent}.
 *
 * <pre>{@code
 * AgentRuntime.builder()
 *         .asyncAgent(turn -> model.chatAsync(turn.text()).thenApply(Optional::of))
 *         ...
 * }</pre>
 *
 * <p>The guarantees are those of {@link Agent}: turns of one conversation never overlap and arrive
 * in order, since the conversation's next turn starts only when the stage has completed and the
 * reply was handed to the provider; turns of different conversations run at the same time, at most
 * {@linkplain AgentRuntimeBuilder#maxConcurrentTurns(int) the bound on concurrent turns} of them,
 * whether a thread waits or not. The runtime calls {@link #respond(Turn)} on one of its threads,
 * never on an I/O thread and never before the provider's webhook was acknowledged; the stage may
 * complete on any thread, and the reply is sent from one of the runtime's.
 *
 * <p>A stage that completes exceptionally, completes with {@code null}, or a {@code respond} that
 * throws, is a failed turn: logged and reported to {@link RuntimeListener#onAgentFailed}, and the
 * conversation goes on with its next message. A stage that never completes holds its conversation
 * until the runtime closes.
 */
@FunctionalInterface
public interface AsyncAgent {

    /**
     * Starts answering one inbound message.
     *
     * @param turn the conversation, the message, and a way to send extra messages before the reply
     *     ({@link Turn#sendAsync(String)} does not block)
     * @return a stage completed with the reply in markdown, formatted and split for the channel before
     *     it is sent, or with empty for no reply
     */
    CompletionStage<Optional<String>> respond(Turn turn);
}
