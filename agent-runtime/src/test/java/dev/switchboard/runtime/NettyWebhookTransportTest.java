package dev.switchboard.runtime;

/** The signed-webhook cases against the runtime's built-in Netty listener. */
class NettyWebhookTransportTest extends WebhookTransportContract {

    private AgentRuntime served;

    @Override
    protected AgentRuntime serve(AgentRuntimeBuilder builder) {
        served = builder.webhookServer("127.0.0.1", 0).build().start();
        return served;
    }

    @Override
    protected int port() {
        return served.port();
    }

    @Override
    protected String prefix() {
        return "";
    }

    @Override
    protected void stopServing() {
        // The listener stops with its runtime.
    }
}
