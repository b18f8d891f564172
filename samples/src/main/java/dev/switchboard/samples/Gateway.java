package dev.switchboard.samples;

import static java.util.Objects.requireNonNull;

import dev.switchboard.channel.Address;
import dev.switchboard.channel.Channel;
import dev.switchboard.runtime.Agent;
import dev.switchboard.runtime.AgentRuntime;
import dev.switchboard.runtime.AgentRuntimeBuilder;
import dev.switchboard.runtime.delivery.OptOutStore;
import dev.switchboard.runtime.memory.HistoryChatMemoryStore;
import dev.switchboard.runtime.pairing.PairingSettings;
import dev.switchboard.runtime.store.JdbcStores;
import dev.switchboard.runtime.store.Store;
import dev.switchboard.runtime.store.StoreException;
import dev.switchboard.runtime.store.StoreSettings;
import dev.switchboard.samples.assistant.AssistantAgent;
import dev.switchboard.samples.assistant.AssistantModel;
import dev.switchboard.samples.assistant.Reminders;
import dev.switchboard.samples.console.DevPhoneApi;
import dev.switchboard.samples.sandbox.DevPhone;
import dev.switchboard.samples.sandbox.TwilioSandbox;
import dev.switchboard.sms.twilio.TwilioSmsChannel;
import dev.switchboard.twilio.live.TwilioLive;
import dev.switchboard.twilio.live.WebhookChange;
import dev.switchboard.whatsapp.twilio.TwilioWhatsAppChannel;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sample gateway: Switchboard wired from the environment around a small agent.
 *
 * <p>With {@code TWILIO_ACCOUNT_SID} or {@code TWILIO_CREDENTIALS_FILE} set it talks to Twilio.
 * Without either, it runs in sandbox mode: a local stand-in replaces Twilio's REST API, and a dev
 * phone in the terminal texts the gateway through signed webhooks, so the whole stack runs as in
 * production with nothing leaving the machine.
 *
 * <p>{@link #main} reads a {@code .env} file in the working directory too, the process environment
 * winning over it ({@link DotEnv#merged}).
 *
 * <p>Every move of every part it sends is logged at INFO with the full message sid and the redacted
 * number ({@code delivered SM… to +1555***4567}), and every reply's outcome too. {@code SMS_HELP_TEXT}
 * and {@code WHATSAPP_HELP_TEXT} answer HELP on their channel; unset, Twilio answers it.
 *
 * <p>{@code SWITCHBOARD_AGENT} picks the agent: {@code demo} (the default), {@code echo}, {@code
 * silent}, {@code recall} (answers with the person's previous message, from the history) or {@code
 * assistant} (a language model through LangChain4j, with {@code OPENAI_API_KEY} or {@code
 * OLLAMA_BASE_URL}, that can set reminders; see {@link AssistantModel#fromEnv}).
 * {@code SWITCHBOARD_DATABASE_URL} picks the store ({@link #store}): SQLite in {@code switchboard.db}
 * with Twilio, memory in sandbox mode. {@code SWITCHBOARD_HEARTBEAT_CRON} (with {@code SWITCHBOARD_HEARTBEAT_TEXT} and {@code
 * SWITCHBOARD_HEARTBEAT_ZONE}) pushes a heartbeat to every home channel on a schedule. {@code
 * SWITCHBOARD_INBOUND_LIMIT} sets how many messages a minute one sender may send (0 turns the limit
 * off, as a load run does; unset keeps the runtime's default).
 *
 * <p>{@code SWITCHBOARD_OUTBOUND_SEGMENT_CAP} caps the SMS segments (WhatsApp messages) one person is
 * sent in any rolling hour, so that a loop cannot run up a bill: 0 turns the guard off, unset keeps
 * the runtime's default of 200.
 *
 * <p>{@code SWITCHBOARD_OPT_OUT_FILE} keeps opt-outs in that file, so that they outlive a restart
 * ({@code OptOutStore.file}); unset, they are kept in memory only.
 *
 * <p>{@code SMS_PAIRING=true} (and {@code WHATSAPP_PAIRING=true}) turns pairing on for the channel:
 * a sender not allowed is told {@code SMS_ONBOARDING_MESSAGE} ({@code WHATSAPP_ONBOARDING_MESSAGE};
 * unset, a default saying the owner was asked), and the home number gets {@code APPROVE <code>} and
 * {@code DENY <code>} to answer. In sandbox mode the dev phone is the home number, and a line {@code
 * as +15551230001: hello} texts from another number.
 *
 * <p>{@code SWITCHBOARD_ADMIN_PORT} runs the admin server (the operator's console, {@code /healthz},
 * {@code /readyz} and {@code /metrics}) on that port: 8081 by default in sandbox mode, off by default
 * with Twilio; 0 picks a free port, {@code off} turns it off. {@code SWITCHBOARD_ADMIN_HOST} is where
 * it binds (default {@code 127.0.0.1}); on any other address {@code SWITCHBOARD_ADMIN_TOKEN} is
 * required, since the console shows message bodies. The start lines print {@code Console:
 * http://127.0.0.1:8081/}.
 */
public final class Gateway implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Gateway.class);

    /** The dev phone's own number in sandbox mode. */
    public static final String SANDBOX_PHONE = "+15557654321";

    /** The gateway's number in sandbox mode, unless {@code TWILIO_PHONE_NUMBER} says otherwise. */
    public static final String SANDBOX_GATEWAY_NUMBER = "+15005550006";

    /** The gateway's WhatsApp number in sandbox mode, unless {@code TWILIO_WHATSAPP_NUMBER} says otherwise. */
    public static final String SANDBOX_WHATSAPP_NUMBER = "+14155238886";

    /** The Content API template the sandbox gateway uses for WhatsApp pushes outside the window. */
    public static final String SANDBOX_TEMPLATE_SID = "HX5a9d0b1e2c3f4a5b6c7d8e9f0a1b2c3d";

    private static final String SMS_PATH = "/webhooks/twilio";
    private static final String WHATSAPP_PATH = "/webhooks/twilio-whatsapp";

    private final AgentRuntime runtime;
    private final Store store;
    private final Reminders reminders;
    private final TwilioSandbox sandbox;
    private final DevPhone devPhone;

    private Gateway(Started started, TwilioSandbox sandbox, DevPhone devPhone) {
        this.runtime = started.runtime();
        this.store = started.store();
        this.reminders = started.reminders();
        this.sandbox = sandbox;
        this.devPhone = devPhone;
    }

    /**
     * Starts a gateway configured by {@code env}: in sandbox mode when neither {@code
     * TWILIO_ACCOUNT_SID} nor {@code TWILIO_CREDENTIALS_FILE} is set. Sandbox mode tells {@code
     * console} how to talk to it.
     *
     * @throws IllegalArgumentException if a setting has a bad value (the message names it)
     * @throws IllegalStateException if a required setting is missing (the message names it)
     */
    public static Gateway start(Map<String, String> env, PrintStream console) {
        requireNonNull(env, "env");
        requireNonNull(console, "console");
        Function<Store, Agent> agent = agents(env);
        if (!sandboxMode(env)) {
            // Checked before anything starts: a bad value refuses to start, naming it.
            boolean sms = flag(env, "SMS_WEBHOOK_AUTOCONFIGURE");
            boolean whatsApp = flag(env, "WHATSAPP_WEBHOOK_AUTOCONFIGURE");
            flag(env, "SMS_PAIRING");
            flag(env, "WHATSAPP_PAIRING");
            admin(env, false);
            Started started = runtime(env, agent, false, builder -> {});
            autoconfigure(env, sms, whatsApp);
            consoleLine(env, started.runtime()).ifPresent(line -> {
                console.println(line);
                console.flush();
            });
            return new Gateway(started, null, null);
        }
        admin(env, true);
        return startSandbox(env, agent, console);
    }

    /**
     * The runtime with every channel {@code env} configures: SMS unless only WhatsApp is set up (a
     * credentials file names an SMS number, so it sets SMS up), and WhatsApp when {@code
     * TWILIO_WHATSAPP_NUMBER} is set, both on one listener.
     */
    private static Started runtime(
            Map<String, String> env,
            Function<Store, Agent> agents,
            boolean sandbox,
            Consumer<AgentRuntimeBuilder> extensions) {
        AgentRuntimeBuilder runtime = AgentRuntime.builder().webhookServerFromEnv(env);
        extensions.accept(runtime);
        configure(env, runtime);
        runtime.adminMode(sandbox ? "sandbox" : "twilio");
        // Every gateway counts; the admin port, when on, serves the count at /metrics.
        io.micrometer.prometheusmetrics.PrometheusMeterRegistry registry = prometheusRegistry();
        runtime.meterRegistry(registry).metricsEndpoint(registry::scrape);
        admin(env, sandbox).ifPresent(admin -> {
            runtime.adminServer(admin.host(), admin.port());
            admin.token().ifPresent(runtime::adminToken);
        });
        // Opened once every other setting was found good, so that a mistake there leaves no database behind.
        Store store = store(env, sandbox);
        try {
            Agent agent = agents.apply(store);
            AgentRuntime started = runtime.store(store).agent(agent).build().start();
            Reminders reminders = null;
            try {
                scheduleHeartbeat(env, started);
                if (agent instanceof AssistantAgent assistant) {
                    reminders = assistant.reminders();
                    reminders.start(started);
                }
            } catch (RuntimeException e) {
                if (reminders != null) {
                    reminders.close();
                }
                started.close();
                throw e;
            }
            return new Started(started, store, reminders);
        } catch (RuntimeException | Error e) {
            store.close();
            throw e;
        }
    }

    /**
     * Sets on {@code runtime} what the gateway's variables in {@code env} say of the conversation
     * rather than of the process: the channels (SMS unless only WhatsApp is set up, WhatsApp when
     * {@code TWILIO_WHATSAPP_NUMBER} is set) with their HELP texts and pairing, the outbound guard,
     * the inbound limit, the opt-out file, the debounce, the public URL, and the delivery log. The
     * agent, the webhook server, the store, the meter registry and the admin server are left to the
     * caller, so that an application embedding the runtime (the Spring Boot sample) gives its own and
     * reads the rest exactly as the gateway does.
     *
     * @return the channels it added, whose {@linkplain Channel#routes() routes} a host serving the
     *     webhooks from its own HTTP server maps
     * @throws IllegalArgumentException if a variable has a bad value (the message names it)
     * @throws IllegalStateException if a required variable is missing (the message names it)
     */
    public static List<Channel> configure(Map<String, String> env, AgentRuntimeBuilder runtime) {
        requireNonNull(env, "env");
        requireNonNull(runtime, "runtime");
        runtime.listener(new DeliveryLog());
        List<Channel> channels = new ArrayList<>();
        if (present(env, "SWITCHBOARD_OUTBOUND_SEGMENT_CAP")) {
            runtime.outboundSegmentCap(outboundSegmentCap(
                    env.get("SWITCHBOARD_OUTBOUND_SEGMENT_CAP").strip()));
        }
        if (present(env, "SWITCHBOARD_INBOUND_LIMIT")) {
            runtime.inboundLimit(
                    inboundLimit(env.get("SWITCHBOARD_INBOUND_LIMIT").strip()));
        }
        if (present(env, "SWITCHBOARD_OPT_OUT_FILE")) {
            runtime.optOutStore(optOutFile(env.get("SWITCHBOARD_OPT_OUT_FILE").strip()));
        }
        if (present(env, "SWITCHBOARD_DEBOUNCE_MS")) {
            runtime.debounce(debounce(env.get("SWITCHBOARD_DEBOUNCE_MS").strip()));
        }
        publicUrl(env).ifPresent(runtime::publicUrl);
        boolean whatsApp = present(env, "TWILIO_WHATSAPP_NUMBER");
        if (!whatsApp
                || present(env, "TWILIO_PHONE_NUMBER")
                || present(env, "TWILIO_MESSAGING_SERVICE_SID")
                || present(env, "TWILIO_CREDENTIALS_FILE")) {
            TwilioSmsChannel sms = TwilioSmsChannel.fromEnv(env);
            runtime.channel(sms);
            channels.add(sms);
            if (present(env, "SMS_HELP_TEXT")) {
                runtime.helpText(TwilioSmsChannel.ID, env.get("SMS_HELP_TEXT").strip());
            }
            pairing(env, runtime, "SMS", TwilioSmsChannel.ID);
        } else if (flag(env, "SMS_PAIRING")) {
            throw new IllegalStateException("SMS_PAIRING=true needs the SMS channel: set TWILIO_PHONE_NUMBER or"
                    + " TWILIO_MESSAGING_SERVICE_SID");
        }
        if (whatsApp) {
            TwilioWhatsAppChannel.Builder channel = TwilioWhatsAppChannel.builderFromEnv(env);
            if (present(env, "WHATSAPP_HOME_TEMPLATE_SID")) {
                channel.proactiveTemplate(env.get("WHATSAPP_HOME_TEMPLATE_SID").strip());
            }
            TwilioWhatsAppChannel built = channel.build();
            runtime.channel(built);
            channels.add(built);
            if (present(env, "WHATSAPP_HELP_TEXT")) {
                runtime.helpText(
                        TwilioWhatsAppChannel.ID, env.get("WHATSAPP_HELP_TEXT").strip());
            }
            pairing(env, runtime, "WHATSAPP", TwilioWhatsAppChannel.ID);
        } else if (flag(env, "WHATSAPP_PAIRING")) {
            throw new IllegalStateException(
                    "WHATSAPP_PAIRING=true needs the WhatsApp channel: set TWILIO_WHATSAPP_NUMBER");
        }
        return List.copyOf(channels);
    }

    /**
     * {@code <PREFIX>_PAIRING=true} turns pairing on for the channel, with {@code
     * <PREFIX>_ONBOARDING_MESSAGE} as the onboarding text when set. The runtime refuses to start when
     * the channel has no home number, naming {@code <PREFIX>_HOME_CHANNEL}.
     *
     * @throws IllegalArgumentException if {@code <PREFIX>_PAIRING} is neither true nor false
     */
    private static void pairing(Map<String, String> env, AgentRuntimeBuilder runtime, String prefix, String channelId) {
        if (!flag(env, prefix + "_PAIRING")) {
            return;
        }
        PairingSettings settings = PairingSettings.defaults();
        if (present(env, prefix + "_ONBOARDING_MESSAGE")) {
            settings = settings.withOnboardingMessage(
                    env.get(prefix + "_ONBOARDING_MESSAGE").strip());
        }
        runtime.pairing(channelId, settings);
    }

    /**
     * A started runtime, the store it was given, which the gateway closes after it, and the assistant's
     * reminders (null for another agent), which it stops before it.
     */
    private record Started(AgentRuntime runtime, Store store, Reminders reminders) {}

    /** Where the admin server binds, and its token. */
    record Admin(String host, int port, Optional<String> token) {}

    /** The default admin port in sandbox mode. */
    static final int SANDBOX_ADMIN_PORT = 8081;

    /**
     * The admin server {@code SWITCHBOARD_ADMIN_PORT}, {@code SWITCHBOARD_ADMIN_HOST} and {@code
     * SWITCHBOARD_ADMIN_TOKEN} ask for: on {@link #SANDBOX_ADMIN_PORT} by default in sandbox mode, off
     * by default with Twilio (where the host or token without the port is refused rather than ignored);
     * {@code off} turns it off.
     *
     * @throws IllegalArgumentException if a variable has a bad value, naming it (the token's value is
     *     never shown)
     * @throws IllegalStateException if the host is not loopback and no token is set
     */
    static Optional<Admin> admin(Map<String, String> env, boolean sandbox) {
        String rawPort = present(env, "SWITCHBOARD_ADMIN_PORT")
                ? env.get("SWITCHBOARD_ADMIN_PORT").strip()
                : null;
        boolean off = rawPort != null && rawPort.equalsIgnoreCase("off");
        int port = SANDBOX_ADMIN_PORT;
        if (rawPort != null && !off) {
            try {
                port = Integer.parseInt(rawPort);
            } catch (NumberFormatException e) {
                port = -1;
            }
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("SWITCHBOARD_ADMIN_PORT must be a port number (0-65535; 0 picks a"
                        + " free one) or off: " + rawPort);
            }
        }
        String host = present(env, "SWITCHBOARD_ADMIN_HOST")
                ? env.get("SWITCHBOARD_ADMIN_HOST").strip()
                : "127.0.0.1";
        if (!host.matches("[A-Za-z0-9.:-]+|\\[[0-9A-Fa-f:.]+]")) {
            throw new IllegalArgumentException(
                    "SWITCHBOARD_ADMIN_HOST must be a host name or an IP address to bind: " + host);
        }
        host = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        Optional<String> token = present(env, "SWITCHBOARD_ADMIN_TOKEN")
                ? Optional.of(env.get("SWITCHBOARD_ADMIN_TOKEN").strip())
                : Optional.empty();
        if (token.isPresent()) {
            try {
                AgentRuntime.builder().adminToken(token.get());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("SWITCHBOARD_ADMIN_TOKEN: " + e.getMessage(), e);
            }
        }
        if (off) {
            return Optional.empty();
        }
        if (rawPort == null && !sandbox) {
            if (present(env, "SWITCHBOARD_ADMIN_HOST") || token.isPresent()) {
                // Not ignored: whoever set them expects a console.
                throw new IllegalStateException("SWITCHBOARD_ADMIN_"
                        + (token.isPresent() ? "TOKEN" : "HOST")
                        + " is set, but with Twilio the admin server runs only when SWITCHBOARD_ADMIN_PORT is set"
                        + " (8081, or 0 for a free port)");
            }
            return Optional.empty();
        }
        boolean loopback = List.of("127.0.0.1", "::1", "localhost").contains(host.toLowerCase(Locale.ROOT));
        if (!loopback && token.isEmpty()) {
            throw new IllegalStateException("SWITCHBOARD_ADMIN_HOST=" + host + " is not loopback, and the console"
                    + " shows message bodies: set SWITCHBOARD_ADMIN_TOKEN to a long random value (openssl rand -hex"
                    + " 32), or bind the admin server to 127.0.0.1");
        }
        return Optional.of(new Admin(host, port, token));
    }

    /** The start line that gives the console's address, when the admin server runs. */
    private static Optional<String> consoleLine(Map<String, String> env, AgentRuntime runtime) {
        int port;
        try {
            port = runtime.adminPort();
        } catch (IllegalStateException e) {
            return Optional.empty();
        }
        String host = present(env, "SWITCHBOARD_ADMIN_HOST")
                ? env.get("SWITCHBOARD_ADMIN_HOST").strip().replaceAll("^\\[|]$", "")
                : "127.0.0.1";
        if (host.equals("0.0.0.0") || host.equals("::")) {
            host = "127.0.0.1";
        }
        String shown = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
        return Optional.of("Console: http://" + shown + ":" + port + "/"
                + (present(env, "SWITCHBOARD_ADMIN_TOKEN")
                        ? "   (open /?token=<SWITCHBOARD_ADMIN_TOKEN> there once to sign in)"
                        : ""));
    }

    /**
     * Pushes {@code SWITCHBOARD_HEARTBEAT_TEXT} to every home channel on the schedule {@code
     * SWITCHBOARD_HEARTBEAT_CRON} (five fields, or six with seconds first), in the zone {@code
     * SWITCHBOARD_HEARTBEAT_ZONE} (default: the system's). Each push's outcome is logged by the
     * runtime.
     */
    public static void scheduleHeartbeat(Map<String, String> env, AgentRuntime runtime) {
        requireNonNull(env, "env");
        requireNonNull(runtime, "runtime");
        if (!present(env, "SWITCHBOARD_HEARTBEAT_CRON")) {
            return;
        }
        String text = present(env, "SWITCHBOARD_HEARTBEAT_TEXT")
                ? env.get("SWITCHBOARD_HEARTBEAT_TEXT")
                : "Switchboard heartbeat: the gateway is up.";
        ZoneId zone;
        try {
            zone = present(env, "SWITCHBOARD_HEARTBEAT_ZONE")
                    ? ZoneId.of(env.get("SWITCHBOARD_HEARTBEAT_ZONE").strip())
                    : ZoneId.systemDefault();
        } catch (DateTimeException e) {
            throw new IllegalArgumentException(
                    "SWITCHBOARD_HEARTBEAT_ZONE must be a time zone id such as Europe/London: "
                            + env.get("SWITCHBOARD_HEARTBEAT_ZONE"),
                    e);
        }
        runtime.schedule("heartbeat", env.get("SWITCHBOARD_HEARTBEAT_CRON").strip(), zone, () -> Optional.of(text));
    }

    /**
     * The store {@code SWITCHBOARD_DATABASE_URL} names: {@code memory}, {@code jdbc:sqlite:PATH} or
     * {@code jdbc:postgresql://HOST:PORT/DB} (with {@code SWITCHBOARD_DATABASE_USER} and {@code
     * SWITCHBOARD_DATABASE_PASSWORD}). Default: {@code jdbc:sqlite:switchboard.db} with Twilio, {@code
     * memory} in sandbox mode.
     *
     * @throws IllegalArgumentException if the URL is none of these
     * @throws IllegalStateException if the database does not connect (the message names the variable
     *     and the URL without a password)
     */
    public static Store store(Map<String, String> env, boolean sandbox) {
        String url = present(env, "SWITCHBOARD_DATABASE_URL")
                ? env.get("SWITCHBOARD_DATABASE_URL").strip()
                : sandbox ? "memory" : "jdbc:sqlite:switchboard.db";
        if (url.equalsIgnoreCase("memory")) {
            return Store.inMemory();
        }
        String shown = withoutSecrets(url);
        if (!url.startsWith("jdbc:sqlite:") && !url.startsWith("jdbc:postgresql:")) {
            throw new IllegalArgumentException(
                    "SWITCHBOARD_DATABASE_URL must be memory, jdbc:sqlite:PATH or jdbc:postgresql://HOST:PORT/DB: "
                            + shown);
        }
        try {
            return JdbcStores.open(
                    url,
                    env.get("SWITCHBOARD_DATABASE_USER"),
                    env.get("SWITCHBOARD_DATABASE_PASSWORD"),
                    StoreSettings.defaults());
        } catch (StoreException | IllegalArgumentException e) {
            throw new IllegalStateException(
                    "SWITCHBOARD_DATABASE_URL=" + shown + " could not be opened: " + e.getMessage(), e);
        }
    }

    /**
     * The store the gateway would open with {@code env}, with the same default: {@code memory} in
     * sandbox mode (neither {@code TWILIO_ACCOUNT_SID} nor {@code TWILIO_CREDENTIALS_FILE} set), {@code
     * jdbc:sqlite:switchboard.db} otherwise. For a command line working beside a running gateway.
     *
     * @throws IllegalArgumentException if {@code SWITCHBOARD_DATABASE_URL} is not a store's URL
     * @throws IllegalStateException if the database does not connect
     */
    public static Store openStore(Map<String, String> env) {
        requireNonNull(env, "env");
        return store(env, sandboxMode(env));
    }

    /** A JDBC URL as it may be shown: without a password or user in its query or its authority. */
    static String withoutSecrets(String url) {
        return url.replaceAll("(?i)(password|user)=[^&;]*", "$1=***").replaceAll("//[^/@]*@", "//***@");
    }

    /**
     * Whether {@code env} asks for sandbox mode: neither {@code TWILIO_ACCOUNT_SID} nor {@code
     * TWILIO_CREDENTIALS_FILE} is set.
     */
    public static boolean sandboxMode(Map<String, String> env) {
        requireNonNull(env, "env");
        return !present(env, "TWILIO_ACCOUNT_SID") && !present(env, "TWILIO_CREDENTIALS_FILE");
    }

    /** The line that tells a person the gateway runs in sandbox mode. */
    public static final String SANDBOX_MODE_LINE = "Switchboard is running in SANDBOX MODE: neither TWILIO_ACCOUNT_SID"
            + " nor TWILIO_CREDENTIALS_FILE is set, so a local stand-in replaces Twilio and nothing leaves this"
            + " machine.";

    /**
     * A started Twilio stand-in whose numbers are the gateway's in sandbox mode: {@code
     * TWILIO_PHONE_NUMBER} (several, comma-separated, are all the sandbox's; default {@link
     * #SANDBOX_GATEWAY_NUMBER}) and {@code TWILIO_WHATSAPP_NUMBER} (default {@link
     * #SANDBOX_WHATSAPP_NUMBER}). The caller closes it.
     */
    public static TwilioSandbox startSandbox(Map<String, String> env) {
        requireNonNull(env, "env");
        return TwilioSandbox.builder()
                .senders(senders(sandboxSmsNumbers(env), sandboxWhatsAppNumber(env)))
                .build()
                .start();
    }

    /**
     * The gateway's variables for sandbox mode: {@code given} with the account, the API base URL and
     * the numbers of {@code sandbox}, the webhook URLs of a listener on {@code 127.0.0.1:port} (unless
     * set), the sandbox's WhatsApp template, and the dev phone allowed and made the home channel on
     * both channels (unless set). What the gateway builds its runtime from in sandbox mode.
     */
    public static Map<String, String> sandboxEnv(Map<String, String> given, TwilioSandbox sandbox, int port) {
        requireNonNull(given, "given");
        requireNonNull(sandbox, "sandbox");
        Map<String, String> env = new HashMap<>(given);
        env.putIfAbsent("TWILIO_PHONE_NUMBER", SANDBOX_GATEWAY_NUMBER);
        env.putIfAbsent("TWILIO_WHATSAPP_NUMBER", SANDBOX_WHATSAPP_NUMBER);
        env.put("TWILIO_ACCOUNT_SID", sandbox.accountSid());
        env.put("TWILIO_AUTH_TOKEN", sandbox.authToken());
        env.put("TWILIO_API_BASE_URL", sandbox.baseUrl().toString());
        env.putIfAbsent("SMS_WEBHOOK_HOST", "127.0.0.1");
        env.put("SMS_WEBHOOK_PORT", Integer.toString(port));
        String base = "http://127.0.0.1:" + port;
        env.putIfAbsent("SMS_WEBHOOK_URL", base + SMS_PATH);
        env.putIfAbsent("WHATSAPP_WEBHOOK_URL", base + WHATSAPP_PATH);
        // Pushes to the dev phone's WhatsApp outside the 24-hour window go out as this template.
        env.putIfAbsent("WHATSAPP_HOME_TEMPLATE_SID", SANDBOX_TEMPLATE_SID);
        for (String channel : List.of("SMS", "WHATSAPP")) {
            if (!present(env, channel + "_ALLOWED_USERS") && !present(env, channel + "_ALLOW_ALL_USERS")) {
                env.put(channel + "_ALLOWED_USERS", SANDBOX_PHONE);
            }
            env.putIfAbsent(channel + "_HOME_CHANNEL", SANDBOX_PHONE);
        }
        return env;
    }

    /**
     * Points every number of {@code sandbox} at the listener at {@code local} ({@code
     * http://127.0.0.1:8080}), signed for the public URLs of {@code env} ({@link #sandboxEnv}), so
     * that the stand-in carries the dev phone's texts to the gateway as Twilio would.
     */
    public static void connectSandbox(Map<String, String> env, TwilioSandbox sandbox, String local) {
        requireNonNull(env, "env");
        requireNonNull(sandbox, "sandbox");
        requireNonNull(local, "local");
        for (String number : sandboxSmsNumbers(env)) {
            sandbox.configureWebhook(number, URI.create(local + SMS_PATH), env.get("SMS_WEBHOOK_URL"));
        }
        sandbox.configureWebhook(
                "whatsapp:" + sandboxWhatsAppNumber(env),
                URI.create(local + WHATSAPP_PATH),
                env.get("WHATSAPP_WEBHOOK_URL"));
    }

    /** A dev phone that texts the first SMS number of {@code sandbox} and shows the replies on {@code console}. */
    public static DevPhone devPhone(Map<String, String> env, TwilioSandbox sandbox, PrintStream console) {
        List<String> smsNumbers = sandboxSmsNumbers(env);
        String smsNumber = smsNumbers.isEmpty() ? SANDBOX_GATEWAY_NUMBER : smsNumbers.get(0);
        return new DevPhone(SANDBOX_PHONE, smsNumber, Optional.of(sandboxWhatsAppNumber(env)), sandbox, console);
    }

    /** Tells a person at the terminal how to text the agent from the dev phone. */
    public static void printDevPhoneHelp(PrintStream console, boolean pairing) {
        console.println("Type a message and press Enter to text the agent by SMS from the dev phone "
                + Address.redact(SANDBOX_PHONE) + "; start the line with \"" + DevPhone.WHATSAPP_PREFIX
                + "\" to send it over WhatsApp. Replies appear as \"agent> ...\", and Twilio's own"
                + " answers to STOP, START and HELP on SMS as \"twilio> ...\". Ctrl-C stops.");
        if (pairing) {
            console.println("Pairing is on, and the dev phone is the home number: start a line with \""
                    + DevPhone.AS_PREFIX + "+15551230001:\" to text as a stranger, and answer the"
                    + " notice here with APPROVE <code> or DENY <code>.");
        }
        console.flush();
    }

    /** The sandbox's SMS numbers: {@code TWILIO_PHONE_NUMBER}'s, or {@link #SANDBOX_GATEWAY_NUMBER}. */
    private static List<String> sandboxSmsNumbers(Map<String, String> env) {
        return List.of(env.getOrDefault("TWILIO_PHONE_NUMBER", SANDBOX_GATEWAY_NUMBER)
                        .split(","))
                .stream()
                .map(String::strip)
                .filter(number -> !number.isEmpty())
                .toList();
    }

    /** The sandbox's WhatsApp number, without its prefix. */
    private static String sandboxWhatsAppNumber(Map<String, String> env) {
        return env.getOrDefault("TWILIO_WHATSAPP_NUMBER", SANDBOX_WHATSAPP_NUMBER)
                .replaceFirst("^whatsapp:", "");
    }

    private static Gateway startSandbox(Map<String, String> given, Function<Store, Agent> agent, PrintStream console) {
        boolean pairing = flag(given, "SMS_PAIRING") | flag(given, "WHATSAPP_PAIRING");
        console.println(SANDBOX_MODE_LINE);
        TwilioSandbox sandbox = startSandbox(given);
        try {
            int port =
                    sandboxPort(given.getOrDefault("SMS_WEBHOOK_PORT", "8080").strip());
            if (port == 0) {
                // The webhook URLs the dev phone signs must name the port before the listener binds it.
                port = freeLoopbackPort();
            }
            Map<String, String> env = sandboxEnv(given, sandbox, port);

            // The console's dev phone texts through the same stand-in as the terminal's.
            DevPhoneApi devPhoneApi = new DevPhoneApi(
                    sandbox, SANDBOX_PHONE, sandboxSmsNumbers(env), List.of(sandboxWhatsAppNumber(env)));
            Started started = runtime(env, agent, true, builder -> builder.adminRoute(DevPhoneApi.PREFIX, devPhoneApi));
            AgentRuntime runtime = started.runtime();
            Store store = started.store();
            try {
                devPhoneApi.publishTo(runtime.adminEvents()::publish);
                // The sandbox carries the dev phone's texts to the gateway as Twilio would: each of its
                // numbers posts to the local listener, signed for the public URL the channel checks.
                String local = "http://127.0.0.1:" + runtime.port();
                connectSandbox(env, sandbox, local);
                DevPhone phone = devPhone(env, sandbox, console);
                console.println("Twilio REST stand-in: " + sandbox.baseUrl() + "   gateway: " + local + "   agent: "
                        + env.getOrDefault("SWITCHBOARD_AGENT", "demo"));
                consoleLine(env, runtime).ifPresent(console::println);
                printDevPhoneHelp(console, pairing);
                return new Gateway(started, sandbox, phone);
            } catch (RuntimeException | Error e) {
                if (started.reminders() != null) {
                    started.reminders().close();
                }
                runtime.close();
                store.close();
                throw e;
            }
        } catch (RuntimeException | Error e) {
            sandbox.close();
            throw e;
        }
    }

    /**
     * The agent {@code SWITCHBOARD_AGENT} names, made with the gateway's store once it is open: {@code
     * assistant} keeps its reminders there ({@link Reminders}), and needs a language model ({@link
     * AssistantModel#fromEnv}); every other agent is the one {@link #agent(Map)} gives.
     *
     * @throws IllegalArgumentException if a setting has a bad value (the message names it and the value)
     * @throws IllegalStateException if the assistant has no model configured (the message names the
     *     variables to set)
     */
    public static Function<Store, Agent> agents(Map<String, String> env) {
        requireNonNull(env, "env");
        String name = env.getOrDefault("SWITCHBOARD_AGENT", "demo").strip().toLowerCase(Locale.ROOT);
        if (!name.equals("assistant")) {
            Agent agent = agent(env);
            return store -> agent;
        }
        echoDelay(env);
        AssistantModel model = AssistantModel.fromEnv(env);
        log.info("assistant: {}", model.description());
        return store -> new AssistantAgent(
                model.model(), new HistoryChatMemoryStore(store), new Reminders(store, Clock.systemUTC()));
    }

    /**
     * The agent {@code SWITCHBOARD_AGENT} names, of those that need no store ({@code assistant} is made
     * by {@link #agents}). {@code SWITCHBOARD_ECHO_DELAY_MS} makes the echo agent
     * wait that many milliseconds before each answer, on the turn's thread, as a language model would
     * (default 0); it is checked whichever agent runs, and only the echo agent waits.
     *
     * @throws IllegalArgumentException if either has a bad value (the message names it and the value)
     */
    public static Agent agent(Map<String, String> env) {
        requireNonNull(env, "env");
        String name = env.getOrDefault("SWITCHBOARD_AGENT", "demo").strip().toLowerCase(Locale.ROOT);
        Duration echoDelay = echoDelay(env);
        switch (name) {
            case "", "demo":
                return new DemoAgent();
            case "echo":
                return new EchoAgent(echoDelay);
            case "silent":
                return new SilentAgent();
            case "recall":
                return new RecallAgent();
            case "assistant":
                throw new IllegalArgumentException("SWITCHBOARD_AGENT=assistant is made with the gateway's store");
            default:
                throw new IllegalArgumentException("SWITCHBOARD_AGENT must be one of demo, echo, silent, recall,"
                        + " assistant: " + env.get("SWITCHBOARD_AGENT"));
        }
    }

    /**
     * The registry the gateway's runtime counts in ({@link AgentRuntimeBuilder#meterRegistry}): its
     * {@code scrape()} is the Prometheus text the admin port serves at {@code /metrics}, where the
     * runtime's meters read {@code switchboard_webhooks_total{channel="sms",outcome="accepted"}} and so on.
     */
    static io.micrometer.prometheusmetrics.PrometheusMeterRegistry prometheusRegistry() {
        return new io.micrometer.prometheusmetrics.PrometheusMeterRegistry(
                io.micrometer.prometheusmetrics.PrometheusConfig.DEFAULT);
    }

    /** The sandbox's numbers: every SMS number the gateway owns, and its WhatsApp number. */
    private static Set<String> senders(List<String> smsNumbers, String whatsAppNumber) {
        Set<String> senders = new java.util.LinkedHashSet<>(smsNumbers);
        senders.add("whatsapp:" + whatsAppNumber);
        return senders;
    }

    /** {@code SWITCHBOARD_DEBOUNCE_MS}: a whole number of milliseconds from 0 to 60,000. */
    private static Duration debounce(String raw) {
        try {
            long millis = Long.parseLong(raw);
            if (millis >= 0 && millis <= 60_000) {
                return Duration.ofMillis(millis);
            }
        } catch (NumberFormatException e) {
            // reported below, with the value
        }
        throw new IllegalArgumentException("SWITCHBOARD_DEBOUNCE_MS must be a whole number of milliseconds from 0 to"
                + " 60000 that a conversation must be quiet before its turn starts: " + raw);
    }

    /**
     * Where Twilio reaches the listener, for media an agent made: {@code SWITCHBOARD_PUBLIC_URL}, else
     * the scheme and authority of {@code SMS_WEBHOOK_URL} (or {@code WHATSAPP_WEBHOOK_URL}), whose
     * listener serves the media under {@code /switchboard/media/}.
     */
    private static Optional<URI> publicUrl(Map<String, String> env) {
        if (present(env, "SWITCHBOARD_PUBLIC_URL")) {
            String raw = env.get("SWITCHBOARD_PUBLIC_URL").strip();
            try {
                URI url = new URI(raw);
                if (url.isAbsolute() && url.getHost() != null && url.getRawQuery() == null) {
                    return Optional.of(url);
                }
            } catch (URISyntaxException e) {
                // reported below, with the value
            }
            throw new IllegalArgumentException("SWITCHBOARD_PUBLIC_URL must be the absolute http(s) URL at which"
                    + " Twilio reaches this gateway's listener, without a query: " + raw);
        }
        for (String variable : List.of("SMS_WEBHOOK_URL", "WHATSAPP_WEBHOOK_URL")) {
            if (present(env, variable)) {
                try {
                    URI webhook = new URI(env.get(variable).strip());
                    if (webhook.isAbsolute() && webhook.getRawAuthority() != null) {
                        return Optional.of(new URI(webhook.getScheme() + "://" + webhook.getRawAuthority()));
                    }
                } catch (URISyntaxException e) {
                    // The channel reports a bad webhook URL itself, naming the variable.
                }
            }
        }
        return Optional.empty();
    }

    /** {@code SWITCHBOARD_ECHO_DELAY_MS}: a whole number of milliseconds, 0 or more; unset or blank is 0. */
    private static Duration echoDelay(Map<String, String> env) {
        if (!present(env, "SWITCHBOARD_ECHO_DELAY_MS")) {
            return Duration.ZERO;
        }
        String raw = env.get("SWITCHBOARD_ECHO_DELAY_MS").strip();
        try {
            long millis = Long.parseLong(raw);
            if (millis >= 0 && raw.chars().allMatch(c -> c >= '0' && c <= '9')) {
                return Duration.ofMillis(millis);
            }
        } catch (NumberFormatException e) {
            // reported below, with the value
        }
        throw new IllegalArgumentException("SWITCHBOARD_ECHO_DELAY_MS must be a whole number of milliseconds the"
                + " echo agent waits before each answer, 0 or more: " + env.get("SWITCHBOARD_ECHO_DELAY_MS"));
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
        if (reminders != null) {
            reminders.close();
        }
        runtime.close();
        store.close();
        if (sandbox != null) {
            sandbox.close();
        }
    }

    /**
     * Runs the gateway until the process is stopped, configured by the process environment over the
     * working directory's {@code .env}.
     */
    public static void main(String[] args) throws InterruptedException {
        Gateway gateway;
        try {
            gateway = start(DotEnv.merged(Path.of(""), System.getenv()), System.out);
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

    /**
     * With {@code SMS_WEBHOOK_AUTOCONFIGURE=true} (and {@code WHATSAPP_WEBHOOK_AUTOCONFIGURE=true} for the
     * WhatsApp number), points the sender's webhook at the configured URL, logging each change once. A
     * failure is logged with the call and Twilio's error, and the gateway runs on.
     */
    private static void autoconfigure(Map<String, String> env, boolean sms, boolean whatsApp) {
        if (!sms && !whatsApp) {
            return;
        }
        if (!sms && !present(env, "TWILIO_PHONE_NUMBER") && !present(env, "TWILIO_MESSAGING_SERVICE_SID")) {
            log.warn("WHATSAPP_WEBHOOK_AUTOCONFIGURE needs the account's SMS sender (TWILIO_PHONE_NUMBER or"
                    + " TWILIO_MESSAGING_SERVICE_SID) set as well; the WhatsApp webhook was left as it is");
            return;
        }
        Map<String, String> scope = new HashMap<>(env);
        if (!whatsApp) {
            // Its variables may be incomplete when it is not asked for.
            scope.remove("TWILIO_WHATSAPP_NUMBER");
        }
        try (TwilioLive live = TwilioLive.fromEnv(scope)) {
            for (WebhookChange change : live.configureWebhooks(false, sms, whatsApp)) {
                if (change.changes()) {
                    log.info(
                            "webhook configured: {} {} was {}, now {}",
                            change.target(),
                            change.field(),
                            change.from().isEmpty() ? "(not set)" : change.shownFrom(),
                            change.shownTo());
                } else {
                    log.debug(
                            "webhook already configured: {} {} is {}",
                            change.target(),
                            change.field(),
                            change.shownTo());
                }
            }
        } catch (RuntimeException e) {
            log.warn(
                    "could not configure the webhook ({}); the gateway runs on: {}",
                    sms ? "SMS_WEBHOOK_AUTOCONFIGURE" : "WHATSAPP_WEBHOOK_AUTOCONFIGURE",
                    WebhookChange.withoutPassword(String.valueOf(e.getMessage())));
        }
    }

    private static boolean flag(Map<String, String> env, String key) {
        String value = env.get(key);
        if (value == null || value.isBlank()) {
            return false;
        }
        return switch (value.strip().toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException(key + " must be true or false: " + value.strip());
        };
    }

    private static boolean present(Map<String, String> env, String key) {
        String value = env.get(key);
        return value != null && !value.isBlank();
    }

    private static int inboundLimit(String raw) {
        int limit;
        try {
            limit = Integer.parseInt(raw);
        } catch (NumberFormatException e) {
            limit = -1;
        }
        if (limit < 0 || limit > 100_000) {
            throw new IllegalArgumentException(
                    "SWITCHBOARD_INBOUND_LIMIT must be a number of messages a minute per sender, 0 to 100000"
                            + " (0 turns the limit off): " + raw);
        }
        return limit;
    }

    private static OptOutStore optOutFile(String raw) {
        try {
            return OptOutStore.file(Path.of(raw));
        } catch (IllegalArgumentException | IllegalStateException | UncheckedIOException e) {
            throw new IllegalArgumentException("SWITCHBOARD_OPT_OUT_FILE=" + raw + ": " + e.getMessage(), e);
        }
    }

    private static int outboundSegmentCap(String raw) {
        try {
            int cap = Integer.parseInt(raw);
            if (cap >= 0) {
                return cap;
            }
        } catch (NumberFormatException e) {
            // reported below, with the value
        }
        throw new IllegalArgumentException("SWITCHBOARD_OUTBOUND_SEGMENT_CAP must be a number of segments per"
                + " recipient per hour, 0 or more (0 turns the guard off): " + raw);
    }

    private static int sandboxPort(String raw) {
        try {
            return raw.isEmpty() ? 8080 : Integer.parseInt(raw);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("SMS_WEBHOOK_PORT must be a port number (0-65535): " + raw);
        }
    }

    /** A free port on 127.0.0.1, for a webhook URL that must name its port before the listener binds. */
    public static int freeLoopbackPort() {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on 127.0.0.1 for the sandbox gateway", e);
        }
    }
}
