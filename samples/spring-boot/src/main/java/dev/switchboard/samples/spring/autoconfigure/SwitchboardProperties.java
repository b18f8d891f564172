package dev.switchboard.samples.spring.autoconfigure;

import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The Spring names of the gateway's settings, bound from {@code application.yml}, the command line or
 * the environment under {@code switchboard.}: {@code switchboard.twilio.account-sid}, {@code
 * switchboard.sms.webhook-url}, {@code switchboard.agent} and so on. Each one stands for a variable of
 * the sample gateway, which the application reads as well ({@link GatewayVariables}): {@code
 * switchboard.twilio.account-sid} is {@code TWILIO_ACCOUNT_SID}, {@code switchboard.sms.webhook-url}
 * is {@code SMS_WEBHOOK_URL}. A property set here wins over its variable.
 *
 * @param agent the agent when the application has no {@code Agent} bean of its own ({@code
 *     SWITCHBOARD_AGENT}): {@code demo} (the default), {@code echo}, {@code silent}, {@code recall} or
 *     {@code assistant} (a language model, configured as for the gateway)
 * @param twilio the Twilio account and numbers
 * @param sms the SMS channel
 * @param whatsapp the WhatsApp channel
 * @param database the store's database when the application has no {@code DataSource}
 * @param sandbox the sandbox's dev phone
 */
@ConfigurationProperties("switchboard")
public record SwitchboardProperties(
        String agent, Twilio twilio, Channel sms, Channel whatsapp, Database database, Sandbox sandbox) {

    /**
     * The Twilio account and numbers.
     *
     * @param accountSid {@code TWILIO_ACCOUNT_SID}; unset (and no credentials file), the application
     *     runs in sandbox mode
     * @param authToken {@code TWILIO_AUTH_TOKEN}
     * @param credentialsFile {@code TWILIO_CREDENTIALS_FILE}
     * @param phoneNumber {@code TWILIO_PHONE_NUMBER}, several comma-separated
     * @param messagingServiceSid {@code TWILIO_MESSAGING_SERVICE_SID}
     * @param whatsappNumber {@code TWILIO_WHATSAPP_NUMBER}
     * @param apiBaseUrl {@code TWILIO_API_BASE_URL}
     */
    public record Twilio(
            String accountSid,
            String authToken,
            String credentialsFile,
            String phoneNumber,
            String messagingServiceSid,
            String whatsappNumber,
            String apiBaseUrl) {}

    /**
     * One channel's settings; {@code <PREFIX>} is {@code SMS} or {@code WHATSAPP}.
     *
     * @param webhookUrl {@code <PREFIX>_WEBHOOK_URL}: the public URL Twilio calls, which signatures
     *     are checked against
     * @param allowedUsers {@code <PREFIX>_ALLOWED_USERS}, comma-separated
     * @param allowAllUsers {@code <PREFIX>_ALLOW_ALL_USERS}
     * @param homeChannel {@code <PREFIX>_HOME_CHANNEL}
     * @param helpText {@code <PREFIX>_HELP_TEXT}
     * @param pairing {@code <PREFIX>_PAIRING}
     */
    public record Channel(
            String webhookUrl,
            String allowedUsers,
            Boolean allowAllUsers,
            String homeChannel,
            String helpText,
            Boolean pairing) {}

    /**
     * The store's own database, used only when the application has no {@code DataSource} (no {@code
     * spring.datasource.url}).
     *
     * @param url {@code SWITCHBOARD_DATABASE_URL}: {@code memory}, {@code jdbc:sqlite:PATH} or {@code
     *     jdbc:postgresql://HOST:PORT/DB}
     * @param user {@code SWITCHBOARD_DATABASE_USER}
     * @param password {@code SWITCHBOARD_DATABASE_PASSWORD}
     */
    public record Database(String url, String user, String password) {}

    /**
     * The sandbox.
     *
     * @param devPhone whether the dev phone reads the terminal in sandbox mode (default {@code true});
     *     off, the sandbox still carries texts, from code or tests
     */
    public record Sandbox(Boolean devPhone) {}

    /** Whether the dev phone reads the terminal in sandbox mode. */
    public boolean devPhone() {
        return sandbox == null || sandbox.devPhone() == null || sandbox.devPhone();
    }

    /** The gateway variables these properties set, by variable name; unset properties are left out. */
    Map<String, String> variables() {
        Map<String, String> variables = new LinkedHashMap<>();
        put(variables, "SWITCHBOARD_AGENT", agent);
        if (twilio != null) {
            put(variables, "TWILIO_ACCOUNT_SID", twilio.accountSid());
            put(variables, "TWILIO_AUTH_TOKEN", twilio.authToken());
            put(variables, "TWILIO_CREDENTIALS_FILE", twilio.credentialsFile());
            put(variables, "TWILIO_PHONE_NUMBER", twilio.phoneNumber());
            put(variables, "TWILIO_MESSAGING_SERVICE_SID", twilio.messagingServiceSid());
            put(variables, "TWILIO_WHATSAPP_NUMBER", twilio.whatsappNumber());
            put(variables, "TWILIO_API_BASE_URL", twilio.apiBaseUrl());
        }
        channel(variables, "SMS", sms);
        channel(variables, "WHATSAPP", whatsapp);
        if (database != null) {
            put(variables, "SWITCHBOARD_DATABASE_URL", database.url());
            put(variables, "SWITCHBOARD_DATABASE_USER", database.user());
            put(variables, "SWITCHBOARD_DATABASE_PASSWORD", database.password());
        }
        return variables;
    }

    /** Which property stands for each variable, for messages. */
    static final Map<String, String> PROPERTY_OF = Map.ofEntries(
            Map.entry("SWITCHBOARD_AGENT", "switchboard.agent"),
            Map.entry("TWILIO_ACCOUNT_SID", "switchboard.twilio.account-sid"),
            Map.entry("TWILIO_AUTH_TOKEN", "switchboard.twilio.auth-token"),
            Map.entry("TWILIO_CREDENTIALS_FILE", "switchboard.twilio.credentials-file"),
            Map.entry("TWILIO_PHONE_NUMBER", "switchboard.twilio.phone-number"),
            Map.entry("TWILIO_MESSAGING_SERVICE_SID", "switchboard.twilio.messaging-service-sid"),
            Map.entry("TWILIO_WHATSAPP_NUMBER", "switchboard.twilio.whatsapp-number"),
            Map.entry("TWILIO_API_BASE_URL", "switchboard.twilio.api-base-url"),
            Map.entry("SMS_WEBHOOK_URL", "switchboard.sms.webhook-url"),
            Map.entry("SMS_ALLOWED_USERS", "switchboard.sms.allowed-users"),
            Map.entry("SMS_ALLOW_ALL_USERS", "switchboard.sms.allow-all-users"),
            Map.entry("SMS_HOME_CHANNEL", "switchboard.sms.home-channel"),
            Map.entry("SMS_HELP_TEXT", "switchboard.sms.help-text"),
            Map.entry("SMS_PAIRING", "switchboard.sms.pairing"),
            Map.entry("WHATSAPP_WEBHOOK_URL", "switchboard.whatsapp.webhook-url"),
            Map.entry("WHATSAPP_ALLOWED_USERS", "switchboard.whatsapp.allowed-users"),
            Map.entry("WHATSAPP_ALLOW_ALL_USERS", "switchboard.whatsapp.allow-all-users"),
            Map.entry("WHATSAPP_HOME_CHANNEL", "switchboard.whatsapp.home-channel"),
            Map.entry("WHATSAPP_HELP_TEXT", "switchboard.whatsapp.help-text"),
            Map.entry("WHATSAPP_PAIRING", "switchboard.whatsapp.pairing"),
            Map.entry("SWITCHBOARD_DATABASE_URL", "switchboard.database.url"),
            Map.entry("SWITCHBOARD_DATABASE_USER", "switchboard.database.user"),
            Map.entry("SWITCHBOARD_DATABASE_PASSWORD", "switchboard.database.password"));

    private static void channel(Map<String, String> variables, String prefix, Channel channel) {
        if (channel == null) {
            return;
        }
        put(variables, prefix + "_WEBHOOK_URL", channel.webhookUrl());
        put(variables, prefix + "_ALLOWED_USERS", channel.allowedUsers());
        put(variables, prefix + "_ALLOW_ALL_USERS", channel.allowAllUsers());
        put(variables, prefix + "_HOME_CHANNEL", channel.homeChannel());
        put(variables, prefix + "_HELP_TEXT", channel.helpText());
        put(variables, prefix + "_PAIRING", channel.pairing());
    }

    private static void put(Map<String, String> variables, String name, Object value) {
        if (value != null && !value.toString().isBlank()) {
            variables.put(name, value.toString());
        }
    }
}
