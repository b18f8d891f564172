package dev.switchboard.samples.bench;

import dev.switchboard.samples.Gateway;
import java.io.PrintStream;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * The server under test: the sample gateway as {@code java -jar} starts it with real Twilio
 * settings, the SMS channel checking signatures against the bench's public URL, every sender of the
 * pool allowed, and {@code SWITCHBOARD_AGENT=silent}, so nothing is sent back. Arguments: {@code
 * --senders=N} (the pool, default 100000), {@code --inbound-limit=N} (messages per minute per
 * sender, default 0: off, so that the run measures the path and not the limiter), {@code
 * --database=URL} (its {@code SWITCHBOARD_DATABASE_URL}: {@code memory}, the default, or a JDBC URL)
 * and {@code --database-user=NAME} (a database that trusts local connections needs no password).
 */
public final class BenchServer {

    private BenchServer() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> options = LoadBench.options(args);
        int senders = Integer.parseInt(options.getOrDefault("senders", "100000"));
        Map<String, String> env = new HashMap<>();
        env.put("TWILIO_ACCOUNT_SID", Webhooks.ACCOUNT_SID);
        env.put("SWITCHBOARD_DATABASE_URL", options.getOrDefault("database", "memory"));
        if (options.containsKey("database-user")) {
            env.put("SWITCHBOARD_DATABASE_USER", options.get("database-user"));
        }
        env.put("TWILIO_AUTH_TOKEN", Webhooks.AUTH_TOKEN);
        env.put("TWILIO_PHONE_NUMBER", Webhooks.GATEWAY_NUMBER);
        // The silent agent sends nothing; were it to, the request would fail fast here, not at Twilio.
        env.put("TWILIO_API_BASE_URL", "http://127.0.0.1:9");
        env.put("SMS_WEBHOOK_URL", Webhooks.PUBLIC_URL);
        env.put("SMS_WEBHOOK_HOST", "127.0.0.1");
        env.put("SMS_WEBHOOK_PORT", "0");
        env.put(
                "SMS_ALLOWED_USERS",
                IntStream.range(0, senders).mapToObj(Webhooks::sender).collect(Collectors.joining(",")));
        env.put("SWITCHBOARD_AGENT", "silent");
        env.put("SWITCHBOARD_INBOUND_LIMIT", options.getOrDefault("inbound-limit", "0"));
        PrintStream console = System.out;
        try (Gateway gateway = Gateway.start(env, console)) {
            new ServerControl(console).serve(gateway.runtime().port());
        }
    }
}
