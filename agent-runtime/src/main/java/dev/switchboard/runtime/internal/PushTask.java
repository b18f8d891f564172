package dev.switchboard.runtime.internal;

import dev.switchboard.channel.Channel;
import dev.switchboard.channel.ConversationKey;
import dev.switchboard.channel.PermanentChannelException;
import dev.switchboard.runtime.DropReason;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * One push in its conversation's lane, so that its parts never interleave with a reply's to the same
 * person. Always completes its future, with a failed delivery if it never runs.
 */
final class PushTask implements ConversationDispatcher.Task {

    private final ReplySender sender;
    private final Channel channel;
    private final ConversationKey conversation;
    private final String markdown;
    private final Envelope envelope;
    private final Executor continuation;
    private final CompletableFuture<Delivery> result = new CompletableFuture<>();

    PushTask(
            ReplySender sender,
            Channel channel,
            ConversationKey conversation,
            Envelope envelope,
            String markdown,
            Executor continuation) {
        this.envelope = envelope;
        this.sender = sender;
        this.channel = channel;
        this.conversation = conversation;
        this.markdown = markdown;
        this.continuation = continuation;
    }

    CompletableFuture<Delivery> result() {
        return result;
    }

    @Override
    public CompletionStage<?> run() {
        try {
            return sender.deliver(channel, conversation, envelope, markdown, continuation)
                    .thenAccept(result::complete);
        } catch (RuntimeException | Error e) {
            PermanentChannelException failure = new PermanentChannelException(
                    "sending failed: " + e.getClass().getName(), null, e);
            result.complete(new Delivery.Failed(0, 0, List.of(), failure, failure.getMessage()));
            throw e;
        }
    }

    @Override
    public void abandon(DropReason reason) {
        String why = reason == DropReason.SHUTDOWN
                ? "the runtime closed before the push was sent"
                : "the executor refused the push";
        PermanentChannelException failure = new PermanentChannelException(why, null, null);
        result.complete(new Delivery.Failed(0, 0, List.of(), failure, why));
    }
}
