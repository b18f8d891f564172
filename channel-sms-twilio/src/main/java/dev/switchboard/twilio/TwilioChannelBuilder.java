package dev.switchboard.twilio;

import static java.util.Objects.requireNonNull;

import dev.switchboard.twilio.internal.TwilioChannelConfig;
import dev.switchboard.twilio.internal.TwilioChannelProfile;
import dev.switchboard.twilio.internal.TwilioChannelSettings;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;

/**
 * The options every Twilio channel's builder has, the same for SMS and WhatsApp: the account (and a
 * second auth token while the token is rotated), a Messaging Service, the public webhook URL or the
 * explicit absence of signature checks, who may talk to the agent, the home channel, the webhook
 * path and the REST client's settings. {@code TwilioSmsChannel.Builder} and {@code
 * TwilioWhatsAppChannel.Builder} inherit them and add their own number option and whatever else is
 * theirs.
 *
 * <p>Each option's variable, in {@code fromEnv} and in error messages, is the channel's own: {@code
 * <PREFIX>_WEBHOOK_URL} below stands for {@code SMS_WEBHOOK_URL} on SMS and {@code
 * WHATSAPP_WEBHOOK_URL} on WhatsApp. Error messages name the variable and the value, phone numbers
 * redacted; never a token.
 *
 * <h2>Where the credentials come from</h2>
 *
 * <p>The account SID and auth token come from whichever of {@link #accountSid}/{@link #authToken},
 * {@link #credentials(TwilioCredentials)} and {@link #credentials(CredentialsProvider)} was set
 * last: each replaces what the others set. From the environment they come from {@code
 * TWILIO_ACCOUNT_SID} and {@code TWILIO_AUTH_TOKEN}, or from the JSON file {@code
 * TWILIO_CREDENTIALS_FILE} names, as Kubernetes or Vault mount a secret:
 *
 * <pre>{@code
 * {"accountSid": "AC…", "authToken": "…", "phoneNumber": "+15551234567"}
 * }</pre>
 *
 * <p>Every field is required; others are ignored. {@code phoneNumber} is {@code TWILIO_PHONE_NUMBER}:
 * the SMS channel's number; the WhatsApp channel reads only the account from the file and its sender
 * from {@code TWILIO_WHATSAPP_NUMBER}. A variable set beside the file must agree with it, or the
 * builder refuses with a line naming both and showing neither value: two sources of one secret,
 * one of them stale after a rotation, would otherwise fail only at the first webhook or send. A file
 * that is missing, unreadable, not JSON or without a field is refused in one line naming the file
 * and the problem; one that group or others may read (on a file system with POSIX permissions) is
 * used, with a WARN naming it and saying to {@code chmod 600} it. The file is read once, when the
 * builder reads the environment.
 *
 * <p>While the account's auth token is rotated, a {@linkplain #secondaryAuthToken secondary token}
 * ({@code TWILIO_AUTH_TOKEN_SECONDARY}) makes webhooks signed with either token pass; REST calls use
 * the primary one.
 *
 * <p>The protected members serve the Twilio channels' own builders, which alone extend this class:
 * its constructor takes a description of the channel from {@code dev.switchboard.twilio.internal},
 * which is not API.
 *
 * @param <B> the channel's builder, returned by every option
 */
public abstract class TwilioChannelBuilder<B extends TwilioChannelBuilder<B>> {

    /** The home channel's name when none is given. */
    public static final String DEFAULT_HOME_NAME = "home";

    /** How long to wait for a connection to Twilio when not configured: 10 seconds. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);

    /** How long to wait for Twilio's answer to a send when not configured: 30 seconds. */
    public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(30);

    /** The most bytes one attachment may have when not configured: 5 MB (5 MiB), Twilio's MMS limit. */
    public static final long DEFAULT_MEDIA_MAX_BYTES = 5L * 1024 * 1024;

    /** How long reading one attachment may take, retries included, when not configured: 30 seconds. */
    public static final Duration DEFAULT_MEDIA_TIMEOUT = Duration.ofSeconds(30);

    /** How often reading an attachment that answered 404, 429 or 5xx is tried again: 3 times. */
    public static final int DEFAULT_MEDIA_NOT_FOUND_RETRIES = 3;

    /** The wait before the first retry of an attachment, doubled for each next: 1 second. */
    public static final Duration DEFAULT_MEDIA_RETRY_BACKOFF = Duration.ofSeconds(1);

    private final TwilioChannelSettings settings;

    /** Starts a builder for the channel that {@code profile} describes. */
    protected TwilioChannelBuilder(TwilioChannelProfile profile) {
        this.settings = new TwilioChannelSettings(requireNonNull(profile, "profile"));
    }

    @SuppressWarnings("unchecked")
    private B self() {
        return (B) this;
    }

    /**
     * Sets every option whose variable is present in {@code env}, blank counting as unset: {@code
     * TWILIO_ACCOUNT_SID}, {@code TWILIO_AUTH_TOKEN}, {@code TWILIO_CREDENTIALS_FILE} (see the class
     * documentation), {@code TWILIO_AUTH_TOKEN_SECONDARY}, the profile's number variable, {@code
     * TWILIO_MESSAGING_SERVICE_SID}, {@code <PREFIX>_WEBHOOK_URL}, {@code
     * <PREFIX>_INSECURE_NO_SIGNATURE}, {@code <PREFIX>_ALLOWED_USERS}, {@code
     * <PREFIX>_ALLOW_ALL_USERS}, {@code <PREFIX>_HOME_CHANNEL}, {@code <PREFIX>_HOME_CHANNEL_NAME},
     * {@code TWILIO_API_BASE_URL}, {@code <PREFIX>_ROUTE_TO}, {@code <PREFIX>_ROUTE_FROM}, {@code
     * <PREFIX>_REPLY_TO} and {@code <PREFIX>_MEDIA_MAX_BYTES}.
     *
     * @throws IllegalArgumentException if a value is invalid, the credentials file cannot be used or
     *     disagrees with a variable, or a home channel name is set without its number
     */
    protected final B readEnv(Map<String, String> env) {
        settings.readEnv(env);
        return self();
    }

    /**
     * The Twilio account SID ({@code TWILIO_ACCOUNT_SID}), {@code AC} and 32 hex digits. Required,
     * unless a {@link #credentials(CredentialsProvider) provider} gives it; replaces a provider set
     * before.
     */
    public final B accountSid(String accountSid) {
        settings.accountSid(accountSid);
        return self();
    }

    /**
     * The account's auth token ({@code TWILIO_AUTH_TOKEN}): it signs the webhooks Twilio sends and
     * authenticates REST calls. Required, unless a {@link #credentials(CredentialsProvider)
     * provider} gives it; replaces a provider set before.
     */
    public final B authToken(String authToken) {
        settings.authToken(authToken);
        return self();
    }

    /** Both {@link #accountSid} and {@link #authToken} at once; replaces a provider set before. */
    public final B credentials(TwilioCredentials credentials) {
        settings.credentials(credentials);
        return self();
    }

    /**
     * The account SID and auth token from the application's own secret store, asked once in {@code
     * build()} (once per channel built): the channel keeps them for its life, so a new token takes a
     * new channel (see {@link CredentialsProvider}). Replaces an earlier {@link #accountSid}, {@link
     * #authToken} or {@link #credentials(TwilioCredentials)}, whether set in code or read from the
     * environment, and is replaced by a later one.
     */
    public final B credentials(CredentialsProvider provider) {
        settings.credentials(provider);
        return self();
    }

    /**
     * A second auth token ({@code TWILIO_AUTH_TOKEN_SECONDARY}) whose webhook signatures are
     * accepted as well as the {@linkplain #authToken primary}'s, for the time an operator rotates
     * the account's token; REST calls always use the primary. A signature made with neither is
     * refused with {@code 403} as always. A rotation: create the secondary token in Twilio, run
     * with it as the primary and the old one here, promote it in Twilio, then remove this option.
     * Default: none.
     *
     * @throws IllegalArgumentException if blank
     */
    public final B secondaryAuthToken(String secondaryAuthToken) {
        settings.secondaryAuthToken(secondaryAuthToken);
        return self();
    }

    /**
     * The channel's own number (the profile's number variable), in international form, with or
     * without the channel's address prefix; it is kept in plain E.164 ({@code +1 (555) 123-4567}
     * becomes {@code +15551234567}). Sends use it as {@code From} unless a Messaging Service is set;
     * messages from it are echoes and dropped. This or {@link #messagingServiceSid} is required.
     *
     * @throws IllegalArgumentException if it is not a phone number (the message shows it redacted)
     */
    protected final B number(String number) {
        settings.number(number);
        return self();
    }

    /**
     * The channel's own numbers (the profile's number variable, comma-separated there), each as for
     * {@link #number}: the first is the default sender, replies go out from the number the person
     * texted (when the host asks for it), and messages from any of them are echoes. Replaces an
     * earlier number or numbers.
     *
     * @throws IllegalArgumentException if an entry is not a phone number (shown redacted), or none is
     *     given
     */
    protected final B numbers(Collection<String> numbers) {
        settings.numbers(numbers);
        return self();
    }

    /**
     * The inbound route by recipient ({@code <PREFIX>_ROUTE_TO}): which of the channel's own numbers
     * it answers, comma-separated; a message to another of its numbers is acknowledged and dropped
     * with a reason (see {@link dev.switchboard.channel.Channel#unrouted}). Default: all of them.
     *
     * @throws IllegalArgumentException if an entry is not a phone number (shown redacted); one that
     *     is not among the channel's numbers fails {@code build()}, naming it
     */
    public final B routeTo(String commaSeparated) {
        settings.routeTo(commaSeparated);
        return self();
    }

    /**
     * The inbound route by recipient, as for {@link #routeTo(String)}.
     *
     * @throws IllegalArgumentException if an entry is not a phone number (shown redacted)
     */
    public final B routeTo(Collection<String> numbers) {
        settings.routeTo(numbers);
        return self();
    }

    /**
     * The inbound route by sender ({@code <PREFIX>_ROUTE_FROM}): the senders the channel answers,
     * comma-separated, each a number or a prefix ending in {@code *} ({@code +44*} for the United
     * Kingdom); a message from anyone else is acknowledged and dropped with a reason. It narrows,
     * and does not replace, {@link #allowedUsers(String) who may talk to the agent}. Default:
     * everyone.
     *
     * @throws IllegalArgumentException if an entry is neither a number nor a prefix (shown redacted)
     */
    public final B routeFrom(String commaSeparated) {
        settings.routeFrom(commaSeparated);
        return self();
    }

    /**
     * The inbound route by sender, as for {@link #routeFrom(String)}.
     *
     * @throws IllegalArgumentException if an entry is neither a number nor a prefix (shown redacted)
     */
    public final B routeFrom(Collection<String> senders) {
        settings.routeFrom(senders);
        return self();
    }

    /**
     * The outbound route ({@code <PREFIX>_REPLY_TO}): a fixed number every reply goes to instead of
     * the sender, in international form (see {@link dev.switchboard.channel.Channel#replyAddress}).
     * Default: none, replies answer the sender.
     *
     * @throws IllegalArgumentException if it is not a phone number (shown redacted)
     */
    public final B replyTo(String number) {
        settings.replyTo(number);
        return self();
    }

    /**
     * The most bytes one inbound attachment may have ({@code <PREFIX>_MEDIA_MAX_BYTES}); reading
     * stops there and fails. Default: {@link #DEFAULT_MEDIA_MAX_BYTES 5 MB}.
     *
     * @throws IllegalArgumentException if not positive
     */
    public final B mediaMaxBytes(long maxBytes) {
        settings.mediaMaxBytes(maxBytes);
        return self();
    }

    /**
     * How long reading one inbound attachment may take, retries and their waits included. Default:
     * {@link #DEFAULT_MEDIA_TIMEOUT 30 seconds}.
     *
     * @throws IllegalArgumentException if not positive
     */
    public final B mediaTimeout(Duration timeout) {
        settings.mediaTimeout(timeout);
        return self();
    }

    /**
     * How often reading an attachment is tried again after Twilio answered 404 (its media may not be
     * stored yet when the webhook arrives), 429 or 5xx, and the wait before the first retry, doubled
     * for each next. Default: {@link #DEFAULT_MEDIA_NOT_FOUND_RETRIES 3} retries from {@link
     * #DEFAULT_MEDIA_RETRY_BACKOFF 1 second} (1 s, 2 s, 4 s).
     *
     * @throws IllegalArgumentException if {@code retries} or {@code backoff} is negative
     */
    public final B mediaNotFoundRetries(int retries, Duration backoff) {
        settings.mediaNotFoundRetries(retries, backoff);
        return self();
    }

    /**
     * A Messaging Service to send through ({@code TWILIO_MESSAGING_SERVICE_SID}), {@code MG} and 32
     * hex digits; for WhatsApp, its sender pool must hold the WhatsApp sender. When set, it replaces
     * {@code From} on every send that names no sender of its own (a reply from the number the person
     * texted goes out from that number when it is one of the channel's, through the service
     * otherwise); the channel's numbers, if also set, still count as its own addresses. This or the
     * channel's number is required.
     *
     * @throws IllegalArgumentException if the SID is malformed
     */
    public final B messagingServiceSid(String messagingServiceSid) {
        settings.messagingServiceSid(messagingServiceSid);
        return self();
    }

    /**
     * The public URL Twilio calls for incoming messages ({@code <PREFIX>_WEBHOOK_URL}), exactly as
     * configured on the number or sender in Twilio: signatures are checked against it, never against
     * the local URL, so behind a proxy or tunnel this is the outside one. Status callbacks are
     * requested at this URL plus {@code /status}. Required unless {@link #insecureNoSignature} is
     * set.
     *
     * @throws IllegalArgumentException if it is not an absolute http(s) URL without a fragment
     */
    public final B webhookUrl(String webhookUrl) {
        settings.webhookUrl(webhookUrl);
        return self();
    }

    /**
     * Whether to skip signature checks ({@code <PREFIX>_INSECURE_NO_SIGNATURE}): anyone who can
     * reach the webhook can then post messages in anyone's name. For local testing only; a WARN is
     * logged at start. Default: {@code false}.
     */
    public final B insecureNoSignature(boolean insecure) {
        settings.insecureNoSignature(insecure);
        return self();
    }

    /**
     * The numbers that may talk to the agent ({@code <PREFIX>_ALLOWED_USERS}), comma-separated, in
     * international form, with or without the channel's address prefix; each is kept in plain E.164,
     * so one allowlist means the same people on SMS and WhatsApp. Blank entries are skipped. Replaces
     * earlier entries. Default: none (deny everyone).
     *
     * @throws IllegalArgumentException if an entry is not a phone number (shown redacted)
     */
    public final B allowedUsers(String commaSeparated) {
        settings.allowedUsers(commaSeparated);
        return self();
    }

    /**
     * The numbers that may talk to the agent, as for {@link #allowedUsers(String)}. Replaces earlier
     * entries.
     *
     * @throws IllegalArgumentException if an entry is not a phone number (shown redacted)
     */
    public final B allowedUsers(Collection<String> numbers) {
        settings.allowedUsers(numbers);
        return self();
    }

    /**
     * Whether everyone may talk to the agent ({@code <PREFIX>_ALLOW_ALL_USERS}), whatever the
     * allowed users say. Default: {@code false}.
     */
    public final B allowAllUsers(boolean allowAll) {
        settings.allowAllUsers(allowAll);
        return self();
    }

    /**
     * The home channel ({@code <PREFIX>_HOME_CHANNEL}, {@code <PREFIX>_HOME_CHANNEL_NAME}): where
     * pushes with no other recipient go, usually the operator's phone. Default: none.
     *
     * @param number the number, in international form, with or without the channel's address
     *     prefix; kept in plain E.164
     * @param name a human name for logs ({@value #DEFAULT_HOME_NAME} when read from the environment
     *     without one)
     * @throws IllegalArgumentException if the number is not a phone number or the name is blank
     */
    public final B home(String number, String name) {
        settings.home(number, name);
        return self();
    }

    /**
     * The path of the incoming-message route on the host's listener; status callbacks use this path
     * plus {@code /status}. Trailing slashes are dropped. Default: the channel's own ({@code
     * /webhooks/twilio} for SMS, {@code /webhooks/twilio-whatsapp} for WhatsApp), so SMS and WhatsApp
     * sit side by side on one listener.
     *
     * @throws IllegalArgumentException if it does not start with {@code /} or has a query,
     *     fragment or whitespace
     */
    public final B webhookPath(String webhookPath) {
        settings.webhookPath(webhookPath);
        return self();
    }

    /**
     * Sends REST calls to this base instead of Twilio ({@code TWILIO_API_BASE_URL}, e.g. {@code
     * http://127.0.0.1:41234} for a local stand-in): scheme, host and port are replaced, path and
     * query kept. Default: none.
     *
     * @throws IllegalArgumentException if it is not an absolute http(s) URL without query or
     *     fragment
     */
    public final B apiBaseUrl(String apiBaseUrl) {
        settings.apiBaseUrl(apiBaseUrl);
        return self();
    }

    /**
     * How long to wait for a connection to Twilio. Default: {@link #DEFAULT_CONNECT_TIMEOUT 10
     * seconds}.
     *
     * @throws IllegalArgumentException if not positive
     */
    public final B connectTimeout(Duration connectTimeout) {
        settings.connectTimeout(connectTimeout);
        return self();
    }

    /**
     * How long to wait for Twilio's answer to a send. Default: {@link #DEFAULT_READ_TIMEOUT 30
     * seconds}.
     *
     * @throws IllegalArgumentException if not positive
     */
    public final B readTimeout(Duration readTimeout) {
        settings.readTimeout(readTimeout);
        return self();
    }

    /**
     * The configuration, once the required options are checked: the account SID and auth token, the
     * channel's number or a Messaging Service, and the webhook URL unless signature checks are off.
     * A {@link CredentialsProvider} is asked here, once; what it throws is let through.
     *
     * @throws IllegalStateException if one is missing, or the provider returned null: the message
     *     is one line naming the variable
     * @throws IllegalArgumentException if the account SID is malformed
     */
    protected final TwilioChannelConfig buildConfig() {
        return settings.build();
    }
}
