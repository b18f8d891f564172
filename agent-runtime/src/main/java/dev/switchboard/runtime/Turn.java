package dev.switchboard.runtime;

import dev.switchboard.channel.ConversationKey;
import dev.switchboard.channel.InboundMessage;
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
