package dev.switchboard.twilio.live;

import dev.switchboard.channel.Address;
import dev.switchboard.twilio.TwilioCredentials;
import dev.switchboard.twilio.internal.TwilioAddressFormat;
import dev.switchboard.twilio.internal.TwilioCredentialsFile;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What {@link TwilioLive} works on, read from the variables the channels read.
 *
 * @param number the SMS number in E.164, or null when only a Messaging Service is set
 * @param messagingServiceSid the Messaging Service, or null
 * @param apiBaseUrl where REST calls go instead of Twilio, or null
 * @param whatsAppNumber the WhatsApp sender in E.164 without its prefix, or null
 * @param whatsAppWebhookUrl the WhatsApp webhook's public URL, or null when there is no WhatsApp number
 */
record LiveSettings(
        TwilioCredentials credentials,
        Address number,
        String messagingServiceSid,
        String smsWebhookUrl,
        URI apiBaseUrl,
        Address whatsAppNumber,
        String whatsAppWebhookUrl) {

    private static final Pattern MESSAGING_SERVICE_SID = Pattern.compile("MG[0-9a-fA-F]{32}");

    /** @throws IllegalArgumentException naming the variable and its value (never the token) */
    static LiveSettings fromEnv(Map<String, String> given) {
        Map<String, String> env = withCredentialsFile(given);
        String accountSid = get(env, "TWILIO_ACCOUNT_SID")
                .orElseThrow(() -> missing("TWILIO_ACCOUNT_SID", "the SID of your Twilio account (AC…)"));
        String authToken = get(env, "TWILIO_AUTH_TOKEN")
                .orElseThrow(() -> missing("TWILIO_AUTH_TOKEN", "the auth token of your Twilio account"));
        TwilioCredentials credentials = new TwilioCredentials(accountSid, authToken);
        // Of several numbers, the first (the channel's default sender) is the one checked.
        Address number = get(env, "TWILIO_PHONE_NUMBER")
                .map(v -> TwilioAddressFormat.SMS.normalizeList("TWILIO_PHONE_NUMBER", v).stream()
                        .findFirst()
                        .orElse(null))
                .orElse(null);
        String service = get(env, "TWILIO_MESSAGING_SERVICE_SID").orElse(null);
        if (service != null && !MESSAGING_SERVICE_SID.matcher(service).matches()) {
            throw new IllegalArgumentException(
                    "TWILIO_MESSAGING_SERVICE_SID must be MG followed by 32 hex digits: " + service);
        }
        if (number == null && service == null) {
            throw new IllegalArgumentException("neither TWILIO_PHONE_NUMBER nor TWILIO_MESSAGING_SERVICE_SID is set:"
                    + " set the Twilio number to check, or a Messaging Service SID (MG…)");
        }
        String smsWebhookUrl = webhookUrl(env, "SMS_WEBHOOK_URL")
                .orElseThrow(() -> missing("SMS_WEBHOOK_URL", "the public URL Twilio calls for incoming SMS"));
        URI apiBaseUrl =
                get(env, "TWILIO_API_BASE_URL").map(LiveSettings::apiBaseUrl).orElse(null);
        Address whatsApp = get(env, "TWILIO_WHATSAPP_NUMBER")
                .map(v -> TwilioAddressFormat.WHATSAPP.normalize("TWILIO_WHATSAPP_NUMBER", v))
                .orElse(null);
        String whatsAppWebhookUrl = null;
        if (whatsApp != null) {
            whatsAppWebhookUrl = webhookUrl(env, "WHATSAPP_WEBHOOK_URL")
                    .orElseThrow(() -> missing(
                            "WHATSAPP_WEBHOOK_URL", "the public URL Twilio calls for incoming WhatsApp messages"));
        }
        return new LiveSettings(credentials, number, service, smsWebhookUrl, apiBaseUrl, whatsApp, whatsAppWebhookUrl);
    }

    /**
     * The variables with what {@code TWILIO_CREDENTIALS_FILE} holds for those not set; a variable set
     * beside the file wins here (the channels refuse a conflict when they start).
     */
    private static Map<String, String> withCredentialsFile(Map<String, String> env) {
        Optional<String> file = get(env, TwilioCredentialsFile.VARIABLE);
        if (file.isEmpty()) {
            return env;
        }
        TwilioCredentialsFile.Contents contents = TwilioCredentialsFile.read(file.get());
        Map<String, String> merged = new HashMap<>(env);
        merged.putIfAbsent("TWILIO_ACCOUNT_SID", contents.credentials().accountSid());
        merged.putIfAbsent("TWILIO_AUTH_TOKEN", contents.credentials().authToken());
        if (!merged.containsKey("TWILIO_MESSAGING_SERVICE_SID")) {
            merged.putIfAbsent("TWILIO_PHONE_NUMBER", contents.phoneNumber().value());
        }
        return merged;
    }

    /** Whether the SMS channel sends through a Messaging Service, whose inbound settings then count. */
    boolean usesService() {
        return messagingServiceSid != null;
    }

    /** Secrets left out, numbers redacted. */
    @Override
    public String toString() {
        return "LiveSettings[accountSid=" + credentials.accountSid() + ", number=" + number + ", service="
                + messagingServiceSid + ", smsWebhookUrl=" + smsWebhookUrl + ", whatsApp=" + whatsAppNumber + "]";
    }

    private static Optional<String> get(Map<String, String> env, String key) {
        return Optional.ofNullable(env.get(key)).map(String::strip).filter(v -> !v.isEmpty());
    }

    private static IllegalArgumentException missing(String variable, String what) {
        return new IllegalArgumentException(
                variable + " is not set: set it to " + what + " (the sample's `setup` command writes it to .env)");
    }

    private static Optional<String> webhookUrl(Map<String, String> env, String variable) {
        return get(env, variable).map(value -> {
            URI uri = httpUri(value);
            if (uri == null || uri.getRawFragment() != null) {
                throw new IllegalArgumentException(
                        variable + " must be an absolute http(s) URL without a fragment: " + value);
            }
            return value;
        });
    }

    private static URI apiBaseUrl(String value) {
        URI uri = httpUri(value);
        if (uri == null) {
            throw new IllegalArgumentException("TWILIO_API_BASE_URL must be an absolute http(s) URL: " + value);
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw new IllegalArgumentException("TWILIO_API_BASE_URL cannot have a query or fragment: " + value);
        }
        return uri;
    }

    private static URI httpUri(String value) {
        try {
            URI uri = new URI(value);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            return (scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null ? uri : null;
        } catch (URISyntaxException e) {
            return null;
        }
    }
}
