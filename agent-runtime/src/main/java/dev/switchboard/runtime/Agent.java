package dev.switchboard.runtime;

import java.util.Optional;

/**
 * The application's agent: the one seam between the runtime and whatever answers people (a language
 * model loop, a rules engine, a human hand-off).
 *
 * <p>The runtime calls {@link #respond(Turn)} on one of its executor's threads, never on an I/O
 * thread and never before the provider's webhook was acknowledged, so a turn may take as long as it
 * needs: by default each turn has a thread of its own (a virtual thread on Java 21 and later), so
 * one conversation's slow model never makes another wait. Turns of one conversation never overlap
 * and arrive in order; turns of different conversations may run at the same time, at most
 * {@linkplain AgentRuntimeBuilder#maxConcurrentTurns(int) the bound on concurrent turns} of them, so
 * an implementation shared between conversations must be thread-safe. A model client that does not
 * block is better served by an {@link AsyncAgent}.
 */
@FunctionalInterface
public interface Agent {

    /**
     * Answers one inbound message.
     *
     * @param turn the conversation, the message, and a way to send extra messages before the reply
     * @return the reply in markdown, formatted and split for the channel before it is sent; empty for
     *     no reply
     * @throws Exception if the turn failed; the runtime logs and reports it to the {@link
     *     RuntimeListener} and goes on with the conversation's next message
     */
    Optional<String> respond(Turn turn) throws Exception;
}
