package dev.switchboard.twilio.internal;

import static java.util.Objects.requireNonNull;

import dev.switchboard.channel.Address;
import dev.switchboard.twilio.TwilioChannelBuilder;
import dev.switchboard.twilio.TwilioCredentials;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The options of one {@link TwilioChannelBuilder} as they are set, each checked when set, and the
 * checks of the whole when it is built into a {@link TwilioChannelConfig}. The builder documents
 * the options and delegates to this; every message names the profile's variable. Not thread-safe.
 */
public final class TwilioChannelSettings {

    final TwilioChannelProfile profile;
    String accountSid;
    String authToken;
    Address number;
    String messagingServiceSid;
    String webhookUrl;
    boolean insecure;
    Set<Address> allowed = Set.of();
    boolean allowAll;
    Address homeNumber;
    String homeName = TwilioChannelBuilder.DEFAULT_HOME_NAME;
    String webhookPath;
    String apiBaseUrl;
    Duration connectTimeout = TwilioChannelBuilder.DEFAULT_CONNECT_TIMEOUT;
    Duration readTimeout = TwilioChannelBuilder.DEFAULT_READ_TIMEOUT;

    /** Settings for the channel that {@code profile} describes, every option at its default. */
    public TwilioChannelSettings(TwilioChannelProfile profile) {
        this.profile = requireNonNull(profile, "profile");
        this.webhookPath = profile.defaultWebhookPath();
    }

    /**
     * Sets every option whose variable is present in {@code env}, blank counting as unset.
     *
     * @throws IllegalArgumentException if a value is invalid, or a home channel name is set without
     *     its number
     */
    public void readEnv(Map<String, String> env) {
        requireNonNull(env, "env");
        TwilioEnv.get(env, "TWILIO_ACCOUNT_SID").ifPresent(this::accountSid);
        TwilioEnv.get(env, "TWILIO_AUTH_TOKEN").ifPresent(this::authToken);
        TwilioEnv.get(env, profile.numberVariable()).ifPresent(this::number);
        TwilioEnv.get(env, "TWILIO_MESSAGING_SERVICE_SID").ifPresent(this::messagingServiceSid);
        TwilioEnv.get(env, profile.variable("WEBHOOK_URL")).ifPresent(this::webhookUrl);
        TwilioEnv.bool(env, profile.variable("INSECURE_NO_SIGNATURE")).ifPresent(this::insecureNoSignature);
        TwilioEnv.get(env, profile.variable("ALLOWED_USERS")).ifPresent(this::allowedUsers);
        TwilioEnv.bool(env, profile.variable("ALLOW_ALL_USERS")).ifPresent(this::allowAllUsers);
        Optional<String> homeNumber = TwilioEnv.get(env, profile.variable("HOME_CHANNEL"));
        Optional<String> homeName = TwilioEnv.get(env, profile.variable("HOME_CHANNEL_NAME"));
        if (homeNumber.isPresent()) {
            home(homeNumber.get(), homeName.orElse(TwilioChannelBuilder.DEFAULT_HOME_NAME));
        } else if (homeName.isPresent()) {
            throw new IllegalArgumentException(profile.variable("HOME_CHANNEL_NAME") + " is set (" + homeName.get()
                    + ") but " + profile.variable("HOME_CHANNEL") + " is not");
        }
        TwilioEnv.get(env, "TWILIO_API_BASE_URL").ifPresent(this::apiBaseUrl);
    }

    public void accountSid(String accountSid) {
        this.accountSid = requireNonNull(accountSid, "accountSid").strip();
    }

    public void authToken(String authToken) {
        this.authToken = requireNonNull(authToken, "authToken").strip();
    }

    public void credentials(TwilioCredentials credentials) {
        requireNonNull(credentials, "credentials");
        this.accountSid = credentials.accountSid();
        this.authToken = credentials.authToken();
    }

    /** @throws IllegalArgumentException if it is not a phone number (shown redacted) */
    public void number(String number) {
        requireNonNull(number, "number");
        this.number = profile.addressFormat().normalize(profile.numberVariable(), number);
    }

    /** @throws IllegalArgumentException if the SID is malformed */
    public void messagingServiceSid(String messagingServiceSid) {
        requireNonNull(messagingServiceSid, "messagingServiceSid");
        this.messagingServiceSid = TwilioOptions.messagingServiceSid(messagingServiceSid.strip());
    }

    /** @throws IllegalArgumentException if it is not an absolute http(s) URL without a fragment */
    public void webhookUrl(String webhookUrl) {
        requireNonNull(webhookUrl, "webhookUrl");
        this.webhookUrl = TwilioWebhookUrls.publicUrl(profile.variable("WEBHOOK_URL"), webhookUrl.strip());
    }

    public void insecureNoSignature(boolean insecure) {
        this.insecure = insecure;
    }

    /** @throws IllegalArgumentException if an entry is not a phone number (shown redacted) */
    public void allowedUsers(String commaSeparated) {
        requireNonNull(commaSeparated, "commaSeparated");
        this.allowed = profile.addressFormat().normalizeList(profile.variable("ALLOWED_USERS"), commaSeparated);
    }

    /** @throws IllegalArgumentException if an entry is not a phone number (shown redacted) */
    public void allowedUsers(Collection<String> numbers) {
        requireNonNull(numbers, "numbers");
        this.allowed = profile.addressFormat().normalizeAll(profile.variable("ALLOWED_USERS"), numbers);
    }

    public void allowAllUsers(boolean allowAll) {
        this.allowAll = allowAll;
    }

    /** @throws IllegalArgumentException if the number is not a phone number or the name is blank */
    public void home(String number, String name) {
        requireNonNull(number, "number");
        requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException(profile.variable("HOME_CHANNEL_NAME") + " cannot be blank");
        }
        this.homeNumber = profile.addressFormat().normalize(profile.variable("HOME_CHANNEL"), number);
        this.homeName = name.strip();
    }

    /**
     * @throws IllegalArgumentException if it does not start with {@code /} or has a query, fragment
     *     or whitespace
     */
    public void webhookPath(String webhookPath) {
        requireNonNull(webhookPath, "webhookPath");
        this.webhookPath = TwilioWebhookUrls.webhookPath(webhookPath);
    }

    /**
     * @throws IllegalArgumentException if it is not an absolute http(s) URL without query or
     *     fragment
     */
    public void apiBaseUrl(String apiBaseUrl) {
        requireNonNull(apiBaseUrl, "apiBaseUrl");
        String url = apiBaseUrl.strip();
        TwilioSender.parseApiBaseUrl(url);
        this.apiBaseUrl = url;
    }

    /** @throws IllegalArgumentException if not positive */
    public void connectTimeout(Duration connectTimeout) {
        this.connectTimeout = TwilioOptions.positive("connectTimeout", connectTimeout);
    }

    /** @throws IllegalArgumentException if not positive */
    public void readTimeout(Duration readTimeout) {
        this.readTimeout = TwilioOptions.positive("readTimeout", readTimeout);
    }

    /**
     * The configuration, once the required options are checked: the account SID and auth token, the
     * channel's number or a Messaging Service, and the webhook URL unless signature checks are off.
     *
     * @throws IllegalStateException if one is missing: the message is one line naming the variable
     * @throws IllegalArgumentException if the account SID is malformed
     */
    public TwilioChannelConfig build() {
        if (accountSid == null || accountSid.isEmpty()) {
            throw new IllegalStateException(
                    "TWILIO_ACCOUNT_SID is not set: set it to the SID of your Twilio account (AC…)");
        }
        if (authToken == null || authToken.isEmpty()) {
            throw new IllegalStateException(
                    "TWILIO_AUTH_TOKEN is not set: set it to the auth token of your Twilio account");
        }
        TwilioCredentials credentials = new TwilioCredentials(accountSid, authToken);
        if (number == null && messagingServiceSid == null) {
            throw new IllegalStateException("neither " + profile.numberVariable()
                    + " nor TWILIO_MESSAGING_SERVICE_SID is set: " + profile.missingSenderAdvice());
        }
        if (webhookUrl == null && !insecure) {
            throw new IllegalStateException(profile.variable("WEBHOOK_URL")
                    + " is not set: Twilio signatures are checked against the public webhook URL. Set it to "
                    + profile.webhookUrlDescription() + ", or set " + profile.variable("INSECURE_NO_SIGNATURE")
                    + "=true for local testing only.");
        }
        return new TwilioChannelConfig(this, credentials);
    }
}
