package dev.switchboard.runtime.internal;

import dev.switchboard.channel.Address;
import dev.switchboard.channel.Channel;
import dev.switchboard.channel.PermanentChannelException;
import dev.switchboard.runtime.DropReason;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One push in its conversation's lane, so that its parts never interleave with a reply's to the same
 * person. Always completes its future, with a failed delivery if it never runs.
 */
final class PushTask implements ConversationDispatcher.Task {

    private final ReplySender sender;
    private final Channel channel;
    private final Address to;
    private final String markdown;
    private final CompletableFuture<Delivery> result = new CompletableFuture<>();

    PushTask(ReplySender sender, Channel channel, Address to, String markdown) {
        this.sender = sender;
        this.channel = channel;
        this.to = to;
        this.markdown = markdown;
    }

    CompletableFuture<Delivery> result() {
        return result;
    }

    @Override
    public void run() {
        try {
            result.complete(sender.deliver(channel, to, markdown));
        } catch (RuntimeException | Error e) {
            result.complete(new Delivery.Failed(
                    0,
                    0,
                    List.of(),
                    new PermanentChannelException(
                            "sending failed: " + e.getClass().getName(), null, e)));
            throw e;
        }
    }

    @Override
    public void abandon(DropReason reason) {
        String why = reason == DropReason.SHUTDOWN
                ? "the runtime closed before the push was sent"
                : "the executor refused the push";
        result.complete(new Delivery.Failed(0, 0, List.of(), new PermanentChannelException(why, null, null)));
    }
}
