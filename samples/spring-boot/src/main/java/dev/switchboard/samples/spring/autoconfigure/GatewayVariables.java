package dev.switchboard.samples.spring.autoconfigure;

import static java.util.Objects.requireNonNull;

import dev.switchboard.runtime.Agent;
import dev.switchboard.runtime.store.Store;
import dev.switchboard.samples.Gateway;
import dev.switchboard.samples.sandbox.TwilioSandbox;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.EnumerablePropertySource;
import org.springframework.core.env.PropertySource;

/**
 * The sample gateway's variables as the application sees them, the map the runtime is built from
 * with the gateway's own code ({@link Gateway#configure}), and in sandbox mode the started Twilio
 * stand-in with the port the application listens on.
 *
 * <p>Where a value comes from, first found wins:
 *
 * <ol>
 *   <li>the {@code switchboard.*} property ({@link SwitchboardProperties}), from wherever Spring
 *       binds it: the command line, {@code SWITCHBOARD_SMS_WEBHOOKURL} in the environment, {@code
 *       application.yml};
 *   <li>the gateway's variable by its own name ({@code TWILIO_ACCOUNT_SID}, {@code SMS_WEBHOOK_URL},
 *       {@code SWITCHBOARD_INBOUND_LIMIT}, …), from any of Spring's property sources in their order:
 *       the environment, a {@code .env} file imported by {@code application.yml}, or a key of that
 *       name in {@code application.yml}.
 * </ol>
 *
 * <p>Spring's relaxed binding maps {@code TWILIO_ACCOUNT_SID} to {@code twilio.account-sid}, not to
 * {@code switchboard.twilio.account-sid}, hence the second step: every variable of the gateway
 * (names starting {@code TWILIO_}, {@code SMS_}, {@code WHATSAPP_} or {@code SWITCHBOARD_}, and the
 * assistant's {@code OPENAI_} and {@code OLLAMA_}) is read
 * by name. Three variables are also the environment's spelling of their property ({@code
 * SWITCHBOARD_AGENT} of {@code switchboard.agent}, {@code SWITCHBOARD_DATABASE_URL} of {@code
 * switchboard.database.url}, and its {@code _USER} and {@code _PASSWORD}): for those, Spring's own
 * order decides, the environment winning over {@code application.yml} and the command line over both.
 */
public final class GatewayVariables implements AutoCloseable {

    private static final Pattern NAME = Pattern.compile("(TWILIO|SMS|WHATSAPP|SWITCHBOARD|OPENAI|OLLAMA)_[A-Z0-9_]+");

    private final Map<String, String> variables;
    private final boolean sandboxMode;
    private final TwilioSandbox sandbox;
    private final int sandboxPort;
    private final Function<Store, Agent> agents;

    private GatewayVariables(
            Map<String, String> variables,
            Function<Store, Agent> agents,
            boolean sandboxMode,
            TwilioSandbox sandbox,
            int port) {
        this.variables = Collections.unmodifiableMap(variables);
        this.agents = agents;
        this.sandboxMode = sandboxMode;
        this.sandbox = sandbox;
        this.sandboxPort = port;
    }

    /**
     * Reads the variables; in sandbox mode (neither {@code TWILIO_ACCOUNT_SID} nor {@code
     * TWILIO_CREDENTIALS_FILE}) starts the stand-in and fills in what the gateway fills in for it,
     * the webhook URLs naming the port the application will listen on: {@code server.port}, else
     * {@code SMS_WEBHOOK_PORT}, else 8080; 0 picks a free port now.
     *
     * @throws IllegalArgumentException if {@code server.port} or {@code SMS_WEBHOOK_PORT} is not a
     *     port number
     */
    static GatewayVariables read(ConfigurableEnvironment environment, SwitchboardProperties properties) {
        requireNonNull(environment, "environment");
        requireNonNull(properties, "properties");
        Map<String, String> variables = new HashMap<>();
        for (PropertySource<?> source : environment.getPropertySources()) {
            if (source instanceof EnumerablePropertySource<?> enumerable) {
                for (String name : enumerable.getPropertyNames()) {
                    if (NAME.matcher(name).matches() && !variables.containsKey(name)) {
                        String value = environment.getProperty(name);
                        if (value != null) {
                            variables.put(name, value);
                        }
                    }
                }
            }
        }
        variables.putAll(properties.variables());
        // The agent's settings first, as the gateway checks them: a bad one refuses to start before the
        // stand-in runs.
        Function<Store, Agent> agents = Gateway.agents(variables);
        if (!Gateway.sandboxMode(variables)) {
            return new GatewayVariables(variables, agents, false, null, -1);
        }
        int port = port(environment, variables);
        if (port == 0) {
            // The webhook URLs the stand-in signs must name the port before the server binds it.
            port = Gateway.freeLoopbackPort();
        }
        TwilioSandbox sandbox = Gateway.startSandbox(variables);
        try {
            return new GatewayVariables(Gateway.sandboxEnv(variables, sandbox, port), agents, true, sandbox, port);
        } catch (RuntimeException e) {
            sandbox.close();
            throw e;
        }
    }

    private static int port(ConfigurableEnvironment environment, Map<String, String> variables) {
        String name = "server.port";
        String raw = environment.getProperty(name);
        if (raw == null || raw.isBlank()) {
            name = "SMS_WEBHOOK_PORT";
            raw = variables.get(name);
        }
        if (raw == null || raw.isBlank()) {
            return 8080;
        }
        try {
            int port = Integer.parseInt(raw.strip());
            if (port >= 0 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // reported below, with the value
        }
        throw new IllegalArgumentException(name + " must be a port number (0-65535; 0 picks a free one): " + raw);
    }

    /**
     * The agent {@code SWITCHBOARD_AGENT} names ({@link Gateway#agents}), made with the store once it
     * is open; its settings were checked when the variables were read.
     */
    public Function<Store, Agent> agents() {
        return agents;
    }

    /** The variables, by name, for {@link Gateway#configure}, {@link Gateway#agent} and so on. */
    public Map<String, String> variables() {
        return variables;
    }

    /** Whether the application runs in sandbox mode. */
    public boolean sandboxMode() {
        return sandboxMode;
    }

    /** The Twilio stand-in, in sandbox mode. */
    public Optional<TwilioSandbox> sandbox() {
        return Optional.ofNullable(sandbox);
    }

    /** The port the application listens on in sandbox mode, which the webhook URLs name. */
    int sandboxPort() {
        return sandboxPort;
    }

    @Override
    public void close() {
        if (sandbox != null) {
            sandbox.close();
        }
    }
}
