package dev.switchboard.channel;

import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.Executor;

/** What the host hands a channel when it {@linkplain Channel#start(ChannelContext) starts} it. */
public interface ChannelContext {

    /** The clock to stamp and time events with; tests inject a fixed or stepped one. */
    Clock clock();

    /**
     * An executor for the channel's blocking work. The host owns it; the channel must not shut it
     * down.
     */
    Executor executor();

    /**
     * The local address the host's HTTP listener is bound to, for the channel's start-up log; empty
     * when the host has no listener of its own and the application's HTTP server hands it the
     * requests.
     */
    Optional<InetSocketAddress> listenAddress();

    /**
     * The host's store for what the channel must remember, when the host has one that outlives the
     * process (a database shared by replicas, say); empty when the channel should keep its state
     * itself.
     */
    default Optional<ChannelState> state() {
        return Optional.empty();
    }
}
