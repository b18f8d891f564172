package dev.switchboard.runtime;

import dev.switchboard.channel.Attachment;
import dev.switchboard.channel.ConversationKey;
import dev.switchboard.channel.InboundMessage;
import dev.switchboard.channel.MediaContent;
import dev.switchboard.runtime.store.HistoryEntry;
import java.util.List;
import java.util.Optional;
import java.util.StringJoiner;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** One call of the {@link Agent}: the message to answer, its conversation, and a way to talk back. */
public interface Turn {

    /** The conversation: the channel and the person on it. */
    ConversationKey conversation();

    /**
     * The message that started this turn: the first of {@link #messages()}. Its text may be empty (a
     * media-only message).
     */
    InboundMessage message();

    /**
     * Every message this turn answers, oldest first: the one that started it, and those of the same
     * conversation that arrived while the conversation's previous turn ran (people send several short
     * texts in a row, and carriers deliver a long text in pieces), which the runtime gives one turn
     * together (see {@link AgentRuntimeBuilder#mergeBursts}). Usually just {@link #message()}.
     */
    default List<InboundMessage> messages() {
        return List.of(message());
    }

    /**
     * The text to answer: the text of {@link #message()}, or, when the turn has several {@linkplain
     * #messages() messages}, their texts that are not empty joined by line breaks.
     */
    default String text() {
        List<InboundMessage> messages = messages();
        if (messages.size() == 1) {
            return messages.get(0).text();
        }
        StringJoiner joined = new StringJoiner("\n");
        for (InboundMessage message : messages) {
            if (!message.text().isBlank()) {
                joined.add(message.text());
            }
        }
        return joined.toString();
    }

    /**
     * The choice the person picked, when the conversation's last reply offered {@linkplain
     * Reply#withChoices numbered choices} and {@link #message()} answered one of them (by number,
     * number word or label, in any case); empty otherwise. {@link #text()} stays what the person wrote.
     */
    default Optional<Choice> choice() {
        return Optional.empty();
    }

    /**
     * Reads one of the attachments of this turn's {@linkplain #messages() messages}, downloading it
     * now from the provider with the channel's credentials (for Twilio: its media URL for this
     * account and this message, nowhere else), within the channel's size and time limits. Blocks the
     * calling thread; an attachment nobody reads is never downloaded.
     *
     * @throws IllegalArgumentException if {@code attachment} is not one of this turn's
     * @throws dev.switchboard.channel.ChannelException if it cannot be read: not {@linkplain
     *     Attachment#available() available} (a URL the channel never fetches), too large, or not served
     *     in time
     * @throws UnsupportedOperationException for a turn made by hand (a test's), by default
     */
    default MediaContent read(Attachment attachment) {
        throw new UnsupportedOperationException("this turn cannot read attachments");
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

    /**
     * Sends a message with {@linkplain Reply#withChoices numbered choices} or {@linkplain
     * Reply#withMedia media} to the same person, as {@link #send(String)} does with text, before the
     * turn's reply: an agent that offers choices usually sends them this way and returns no reply.
     *
     * <p>The default, for a turn made by hand (a test's), sends a reply of text alone with {@link
     * #send(String)} and refuses choices and media.
     *
     * @throws IllegalArgumentException if the channel does not accept one of the media types
     */
    default void send(Reply reply) {
        if (!reply.choices().isEmpty() || !reply.media().isEmpty()) {
            throw new UnsupportedOperationException("this turn cannot send choices or media");
        }
        send(reply.markdown());
    }

    /**
     * Sends a message with choices or media without waiting, as {@link #send(Reply)} does; see {@link
     * #sendAsync(String)}.
     *
     * @throws IllegalArgumentException if the channel does not accept one of the media types
     */
    default CompletionStage<Void> sendAsync(Reply reply) {
        send(reply);
        return CompletableFuture.completedFuture(null);
    }
}
