package dev.switchboard.samples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.channel.Channel;
import dev.switchboard.runtime.AgentRuntime;
import dev.switchboard.runtime.AgentRuntimeBuilder;
import dev.switchboard.samples.sandbox.SandboxMessage;
import dev.switchboard.samples.sandbox.TwilioSandbox;
import dev.switchboard.sms.twilio.TwilioSmsChannel;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The Twilio stand-in, an agent runtime on {@code 127.0.0.1} configured from the environment map
 * Twilio's channels read, and signed webhooks into that runtime. Closing it closes the runtime, then
 * the stand-in.
 */
final class GatewayHarness implements AutoCloseable {

    static final String GATEWAY = "+15005550006";
    static final String SMS_PATH = "/webhooks/twilio";

    private final BlockingQueue<SandboxMessage> sent = new LinkedBlockingQueue<>();
    private final TwilioSandbox sandbox;
    private final AgentRuntime runtime;
    private final String local;
    private final String publicUrl;

    private GatewayHarness(Builder builder) {
        TwilioSandbox.Builder sandboxBuilder =
                TwilioSandbox.builder().senders(builder.senders).callbackDelay(builder.callbackDelay);
        if (builder.clock != null) {
            sandboxBuilder.clock(builder.clock);
        }
        if (builder.automaticStatusCallbacks != null) {
            sandboxBuilder.automaticStatusCallbacks(builder.automaticStatusCallbacks);
        }
        sandbox = sandboxBuilder.build().start();
        try {
            sandbox.onMessage(sent::add);
            // Without a public URL of its own, status callbacks must reach this runtime, so its public
            // URL is its local one, which must name the port before the listener binds it.
            int port = builder.publicUrl == null ? Gateway.freeLoopbackPort() : 0;
            Map<String, String> env = new HashMap<>();
            env.put("TWILIO_ACCOUNT_SID", sandbox.accountSid());
            // The store the sample gateway would keep in switchboard.db; these runs measure or test other things.
            env.put("SWITCHBOARD_DATABASE_URL", "memory");
            env.put("TWILIO_AUTH_TOKEN", sandbox.authToken());
            env.put("TWILIO_PHONE_NUMBER", GATEWAY);
            env.put("TWILIO_API_BASE_URL", sandbox.baseUrl().toString());
            env.put(
                    "SMS_WEBHOOK_URL",
                    builder.publicUrl == null ? "http://127.0.0.1:" + port + SMS_PATH : builder.publicUrl);
            env.putAll(builder.env);
            AgentRuntimeBuilder runtimeBuilder = AgentRuntime.builder().webhookServer("127.0.0.1", port);
            builder.channels.apply(env).forEach(runtimeBuilder::channel);
            builder.runtime.accept(runtimeBuilder);
            runtime = runtimeBuilder.build().start();
            publicUrl = env.get("SMS_WEBHOOK_URL");
        } catch (RuntimeException | Error e) {
            sandbox.close();
            throw e;
        }
        local = "http://127.0.0.1:" + runtime.port();
    }

    static Builder builder() {
        return new Builder();
    }

    TwilioSandbox sandbox() {
        return sandbox;
    }

    AgentRuntime runtime() {
        return runtime;
    }

    BlockingQueue<SandboxMessage> sent() {
        return sent;
    }

    /** The SMS webhook's public URL, as the SMS channel was configured with it. */
    String publicUrl() {
        return publicUrl;
    }

    /** Webhooks to the SMS channel's path, signed for its public URL. */
    SignedWebhooks webhooks() {
        return webhooks(SMS_PATH, publicUrl);
    }

    /** Webhooks to {@code path} on the runtime's listener, signed for {@code signedUrl}. */
    SignedWebhooks webhooks(String path, String signedUrl) {
        return new SignedWebhooks(URI.create(local + path), signedUrl, sandbox.accountSid(), sandbox.authToken());
    }

    /**
     * Sets the number's {@code SmsUrl} in the sandbox to this gateway's webhook URL, as a number set
     * up in Twilio's console holds it; returns this harness.
     */
    GatewayHarness numberPointedHere() {
        sandbox.configureWebhook(GATEWAY, URI.create(publicUrl), publicUrl);
        return this;
    }

    /**
     * The variables the live checks and the command line read for this gateway's account, number,
     * webhook URL and sandbox, with {@code pairs} (name, value, ...) set on top; a null value removes
     * the variable.
     */
    Map<String, String> liveEnv(String... pairs) {
        Map<String, String> env = new HashMap<>();
        env.put("TWILIO_ACCOUNT_SID", sandbox.accountSid());
        env.put("TWILIO_AUTH_TOKEN", sandbox.authToken());
        env.put("TWILIO_PHONE_NUMBER", GATEWAY);
        env.put("SMS_WEBHOOK_URL", publicUrl);
        env.put("TWILIO_API_BASE_URL", sandbox.baseUrl().toString());
        for (int i = 0; i < pairs.length; i += 2) {
            if (pairs[i + 1] == null) {
                env.remove(pairs[i]);
            } else {
                env.put(pairs[i], pairs[i + 1]);
            }
        }
        return env;
    }

    SandboxMessage nextSent() throws InterruptedException {
        SandboxMessage message = sent.poll(10, TimeUnit.SECONDS);
        assertThat(message).as("a message sent through the REST stand-in").isNotNull();
        return message;
    }

    @Override
    public void close() {
        try {
            runtime.close();
        } finally {
            sandbox.close();
        }
    }

    /** Options of the harness; the runtime hook adds the agent and whatever else a test needs. */
    static final class Builder {

        private Set<String> senders = Set.of(GATEWAY);
        private Duration callbackDelay = Duration.ofMillis(20);
        private Clock clock;
        private Boolean automaticStatusCallbacks;
        private String publicUrl;
        private final Map<String, String> env = new LinkedHashMap<>();
        private Function<Map<String, String>, List<Channel>> channels = env -> List.of(TwilioSmsChannel.fromEnv(env));
        private Consumer<AgentRuntimeBuilder> runtime = runtimeBuilder -> {};

        private Builder() {}

        /** The numbers the stand-in accepts as senders; default {@link #GATEWAY}. */
        Builder senders(String... numbers) {
            senders = Set.of(numbers);
            return this;
        }

        /** Default 20 ms. */
        Builder callbackDelay(Duration delay) {
            callbackDelay = delay;
            return this;
        }

        /** The stand-in's clock; default its own. */
        Builder clock(Clock value) {
            clock = value;
            return this;
        }

        Builder automaticStatusCallbacks(boolean value) {
            automaticStatusCallbacks = value;
            return this;
        }

        /** The SMS webhook's public URL, as behind a tunnel; default the runtime's local URL. */
        Builder publicUrl(String url) {
            publicUrl = url;
            return this;
        }

        /** An environment entry beside, or instead of, the harness's own. */
        Builder env(String key, String value) {
            env.put(key, value);
            return this;
        }

        /** Every environment entry of {@code entries}, as {@link #env(String, String)}. */
        Builder env(Map<String, String> entries) {
            env.putAll(entries);
            return this;
        }

        /** The channels made from the environment; default the SMS channel alone. */
        Builder channels(Function<Map<String, String>, List<Channel>> fromEnv) {
            channels = fromEnv;
            return this;
        }

        /** Configures the runtime after its listener and channels are set. */
        Builder runtime(Consumer<AgentRuntimeBuilder> configure) {
            runtime = configure;
            return this;
        }

        GatewayHarness start() {
            return new GatewayHarness(this);
        }
    }
}
