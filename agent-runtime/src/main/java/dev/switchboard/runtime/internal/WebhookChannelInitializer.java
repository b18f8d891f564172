package dev.switchboard.runtime.internal;

import dev.switchboard.channel.WebhookRequest;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.ReadTimeoutHandler;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;

/** The listener's pipeline: HTTP codec, body limit, read timeout, then the webhook handler. */
final class WebhookChannelInitializer extends ChannelInitializer<Channel> {

    private final int maxBodyBytes;
    private final long readTimeoutNanos;
    private final WebhookHttpHandler handler;
    private final RuntimeMetrics metrics;

    WebhookChannelInitializer(
            int maxBodyBytes,
            Duration readTimeout,
            Function<WebhookRequest, Exchange> exchanges,
            Consumer<List<Runnable>> handOn,
            RuntimeMetrics metrics) {
        this.maxBodyBytes = maxBodyBytes;
        this.readTimeoutNanos = readTimeout.toNanos();
        this.metrics = metrics;
        this.handler = new WebhookHttpHandler(exchanges, handOn, metrics);
    }

    @Override
    protected void initChannel(Channel channel) {
        channel.pipeline()
                .addLast("http", new HttpServerCodec())
                // Answers 413 for a larger body, announced or chunked, and handles Expect: 100-continue.
                .addLast("aggregate", new CountingAggregator(maxBodyBytes, metrics))
                .addLast("readTimeout", new ReadTimeoutHandler(readTimeoutNanos, TimeUnit.NANOSECONDS))
                .addLast("webhook", handler);
    }

    /** The aggregator, its 413 answers counted as malformed requests. */
    private static final class CountingAggregator extends HttpObjectAggregator {

        private final RuntimeMetrics metrics;

        CountingAggregator(int maxContentLength, RuntimeMetrics metrics) {
            super(maxContentLength);
            this.metrics = metrics;
        }

        @Override
        protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) throws Exception {
            metrics.webhook(RuntimeMetrics.NO_CHANNEL, RuntimeMetrics.WebhookOutcome.MALFORMED);
            super.handleOversizedMessage(ctx, oversized);
        }
    }
}
