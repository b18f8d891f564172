package dev.switchboard.runtime;

import dev.switchboard.channel.ConversationKey;
import dev.switchboard.channel.InboundMessage;

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
     * part have to be sent again after a backoff, this method waits for it, and makes the attempt on
     * this thread.
     *
     * <p>A send that fails does not throw: like a failed reply, it is logged and reported to {@link
     * RuntimeListener#onReplyOutcome}, and the parts after the failed one are not sent.
     *
     * @param markdown the text, in markdown; a blank text sends nothing
     */
    void send(String markdown);
}
