package dev.switchboard.runtime;

import dev.switchboard.channel.ConversationKey;
import dev.switchboard.channel.InboundMessage;
import dev.switchboard.runtime.store.HistoryEntry;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** One call of the {@link Agent}: the message to answer, its conversation, and a way to talk back. */
public interface Turn {

    /** The conversation: the channel and the person on it. */
    ConversationKey conversation();

    /** The message that started this turn. Its text may be empty (a media-only message). */
    InboundMessage message();

    /** The message's text; shorthand for {@code message().text()}. */
    default String text() {
        return message().text();
    }

    /**
     * The conversation so far: its most recent messages before this turn's, both ways, oldest first,
     * at most {@code limit}; ready to become a language model's context, with {@link #message()} as
     * the new input. The runtime keeps them in its {@code Store} for the history retention (30 days
     * by default); with a durable store they outlive restarts and are shared by replicas. Outbound
     * lines hold the text as sent (formatted and split), each with its delivery status.
     *
     * <p>The default, for a turn made by hand (a test's), has no history.
     */
    default List<HistoryEntry> history(int limit) {
        return List.of();
    }

    /** The conversation's last 20 messages before this turn's; see {@link #history(int)}. */
    default List<HistoryEntry> history() {
        return history(20);
    }

    /**
     * Sends an extra message to the same person, before the reply (a progress note, say). The text
     * goes through the same formatting, splitting and sending as a reply and is sent before this
     * method returns, so extra messages and the reply arrive in the order they were produced. Should a
     * part have to be sent again after a backoff, this method waits for it; if the thread is
     * interrupted, it stops waiting (keeping the interrupt) and the message is still sent.
     *
     * <p>A send that fails does not throw: like a failed reply, it is logged and reported to {@link
     * RuntimeListener#onReplyOutcome}, and the parts after the failed one are not sent.
     *
     * @param markdown the text, in markdown; a blank text sends nothing
     */
    void send(String markdown);

    /**
     * Sends an extra message to the same person without waiting, as {@link #send(String)} does: the
     * turn's extra messages go out in the order they were handed over, and the reply after them.
     * Made for {@link AsyncAgent}s, whose threads must not block.
     *
     * @param markdown the text, in markdown; a blank text sends nothing
     * <p>The default, for a turn made by hand (a test's), sends with {@link #send(String)} and returns
     * a completed stage; the runtime's turns never block in it.
     *
     * @return a stage completed once every part was handed to the provider or one failed (reported as
     *     {@link #send(String)} says); it never completes exceptionally
     */
    default CompletionStage<Void> sendAsync(String markdown) {
        send(markdown);
        return CompletableFuture.completedFuture(null);
    }
}
