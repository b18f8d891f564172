package dev.switchboard.samples;

import static java.util.Objects.requireNonNull;

import dev.switchboard.channel.Address;
import dev.switchboard.runtime.Agent;
import dev.switchboard.runtime.AgentRuntime;
import dev.switchboard.samples.sandbox.DevPhone;
import dev.switchboard.samples.sandbox.TwilioSandbox;
import dev.switchboard.sms.twilio.TwilioSmsChannel;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

/**
 * The sample gateway: Switchboard wired from the environment around a small agent.
 *
 * <p>With {@code TWILIO_ACCOUNT_SID} set it talks to Twilio. Without it, it runs in sandbox mode: a
 * local stand-in replaces Twilio's REST API, and a dev phone in the terminal texts the gateway
 * through signed webhooks, so the whole stack runs as in production with nothing leaving the machine.
 *
 * <p>{@code SWITCHBOARD_AGENT} picks the agent: {@code demo} (the default), {@code echo} or {@code
 * silent}.
 */
public final class Gateway implements AutoCloseable {

    /** The dev phone's own number in sandbox mode. */
    public static final String SANDBOX_PHONE = "+15557654321";

    /** The gateway's number in sandbox mode, unless {@code TWILIO_PHONE_NUMBER} says otherwise. */
    public static final String SANDBOX_GATEWAY_NUMBER = "+15005550006";

    private final AgentRuntime runtime;
    private final TwilioSandbox sandbox;
    private final DevPhone devPhone;

    private Gateway(AgentRuntime runtime, TwilioSandbox sandbox, DevPhone devPhone) {
        this.runtime = runtime;
        this.sandbox = sandbox;
        this.devPhone = devPhone;
    }

    /**
     * Starts a gateway configured by {@code env}: in sandbox mode when {@code TWILIO_ACCOUNT_SID} is
     * absent. Sandbox mode tells {@code console} how to talk to it.
     *
     * @throws IllegalArgumentException if a setting has a bad value (the message names it)
     * @throws IllegalStateException if a required setting is missing (the message names it)
     */
    public static Gateway start(Map<String, String> env, PrintStream console) {
        requireNonNull(env, "env");
        requireNonNull(console, "console");
        Agent agent = agent(env);
        if (present(env, "TWILIO_ACCOUNT_SID")) {
            AgentRuntime runtime = AgentRuntime.builder()
                    .listenFromEnv(env)
                    .channel(TwilioSmsChannel.fromEnv(env))
                    .agent(agent)
                    .build()
                    .start();
            return new Gateway(runtime, null, null);
        }
        return startSandbox(env, agent, console);
    }

    private static Gateway startSandbox(Map<String, String> given, Agent agent, PrintStream console) {
        console.println("Switchboard is running in SANDBOX MODE: TWILIO_ACCOUNT_SID is not set, so a local"
                + " stand-in replaces Twilio and nothing leaves this machine.");
        Map<String, String> env = new HashMap<>(given);
        String gatewayNumber = env.computeIfAbsent("TWILIO_PHONE_NUMBER", k -> SANDBOX_GATEWAY_NUMBER);
        TwilioSandbox sandbox =
                TwilioSandbox.builder().senders(Set.of(gatewayNumber)).build().start();
        try {
            env.put("TWILIO_ACCOUNT_SID", sandbox.accountSid());
            env.put("TWILIO_AUTH_TOKEN", sandbox.authToken());
            env.put("TWILIO_API_BASE_URL", sandbox.baseUrl().toString());
            env.putIfAbsent("SMS_WEBHOOK_HOST", "127.0.0.1");
            int port = sandboxPort(env.getOrDefault("SMS_WEBHOOK_PORT", "8080").strip());
            if (port == 0) {
                // The webhook URL the dev phone signs must name the port before the listener binds it.
                port = freeLoopbackPort();
            }
            env.put("SMS_WEBHOOK_PORT", Integer.toString(port));
            env.putIfAbsent("SMS_WEBHOOK_URL", "http://127.0.0.1:" + port + "/webhooks/twilio");
            if (!present(env, "SMS_ALLOWED_USERS") && !present(env, "SMS_ALLOW_ALL_USERS")) {
                env.put("SMS_ALLOWED_USERS", SANDBOX_PHONE);
            }
            env.putIfAbsent("SMS_HOME_CHANNEL", SANDBOX_PHONE);

            AgentRuntime runtime = AgentRuntime.builder()
                    .listenFromEnv(env)
                    .channel(TwilioSmsChannel.fromEnv(env))
                    .agent(agent)
                    .build()
                    .start();
            URI local = URI.create("http://127.0.0.1:" + runtime.port() + "/webhooks/twilio");
            DevPhone phone =
                    new DevPhone(SANDBOX_PHONE, gatewayNumber, local, env.get("SMS_WEBHOOK_URL"), sandbox, console);
            console.println("Twilio REST stand-in: " + sandbox.baseUrl() + "   gateway webhook: " + local + "   agent: "
                    + env.getOrDefault("SWITCHBOARD_AGENT", "demo"));
            console.println("Type a message and press Enter to text the agent from the dev phone "
                    + Address.redact(SANDBOX_PHONE) + "; replies appear as \"agent> ...\". Ctrl-C stops.");
            console.flush();
            return new Gateway(runtime, sandbox, phone);
        } catch (RuntimeException | Error e) {
            sandbox.close();
            throw e;
        }
    }

    /** The agent {@code SWITCHBOARD_AGENT} names. */
    static Agent agent(Map<String, String> env) {
        String name = env.getOrDefault("SWITCHBOARD_AGENT", "demo").strip().toLowerCase(Locale.ROOT);
        switch (name) {
            case "", "demo":
                return new DemoAgent();
            case "echo":
                return new EchoAgent();
            case "silent":
                return new SilentAgent();
            default:
                throw new IllegalArgumentException(
                        "SWITCHBOARD_AGENT must be one of demo, echo, silent: " + env.get("SWITCHBOARD_AGENT"));
        }
    }

    /** The running runtime. */
    public AgentRuntime runtime() {
        return runtime;
    }

    /** The Twilio stand-in, in sandbox mode. */
    public Optional<TwilioSandbox> sandbox() {
        return Optional.ofNullable(sandbox);
    }

    /** The dev phone, in sandbox mode. */
    public Optional<DevPhone> devPhone() {
        return Optional.ofNullable(devPhone);
    }

    @Override
    public void close() {
        runtime.close();
        if (sandbox != null) {
            sandbox.close();
        }
    }

    /** Runs the gateway until the process is stopped. */
    public static void main(String[] args) throws InterruptedException {
        Gateway gateway;
        try {
            gateway = start(System.getenv(), System.out);
        } catch (IllegalArgumentException | IllegalStateException e) {
            System.err.println("switchboard: " + e.getMessage());
            System.exit(2);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            gateway.close();
                            stopped.countDown();
                        },
                        "switchboard-shutdown"));
        gateway.devPhone().ifPresent(phone -> {
            Thread reader = new Thread(() -> phone.run(System.in), "dev-phone");
            reader.setDaemon(true);
            reader.start();
        });
        stopped.await();
    }

    private static boolean present(Map<String, String> env, String key) {
        String value = env.get(key);
        return value != null && !value.isBlank();
    }

    private static int sandboxPort(String raw) {
        try {
            return raw.isEmpty() ? 8080 : Integer.parseInt(raw);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("SMS_WEBHOOK_PORT must be a port number (0-65535): " + raw);
        }
    }

    private static int freeLoopbackPort() {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on 127.0.0.1 for the sandbox gateway", e);
        }
    }
}
