package dev.switchboard.twilio;

import static java.util.Objects.requireNonNull;

import dev.switchboard.channel.AccessPolicy;
import dev.switchboard.channel.Address;
import dev.switchboard.channel.HomeChannel;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What every Twilio channel is configured with: the account, the channel's own number or Messaging
 * Service, the public webhook URL or the explicit absence of signature checks, who may talk to the
 * agent, the home channel, the webhook path and the REST client's settings.
 *
 * <p>A channel's builder fills a {@link Builder} and builds the channel on the result; the variable
 * names and advice in its error messages come from the channel's {@link TwilioChannelProfile}.
 * Immutable.
 */
public final class TwilioChannelConfig {

    /** The home channel's name when none is given. */
    public static final String DEFAULT_HOME_NAME = "home";

    /** How long to wait for a connection to Twilio when not configured. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);

    /** How long to wait for Twilio's answer to a send when not configured. */
    public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(30);

    private final TwilioChannelProfile profile;
    private final TwilioCredentials credentials;
    private final Address number;
    private final String messagingServiceSid;
    private final String webhookUrl;
    private final boolean insecure;
    private final AccessPolicy accessPolicy;
    private final HomeChannel home;
    private final String webhookPath;
    private final String apiBaseUrl;
    private final Duration connectTimeout;
    private final Duration readTimeout;

    private TwilioChannelConfig(Builder b, TwilioCredentials credentials) {
        this.profile = b.profile;
        this.credentials = credentials;
        this.number = b.number;
        this.messagingServiceSid = b.messagingServiceSid;
        this.webhookUrl = b.webhookUrl;
        this.insecure = b.insecure;
        this.accessPolicy = b.allowAll ? AccessPolicy.allowEveryone() : AccessPolicy.allowOnly(b.allowed);
        this.home = b.homeNumber == null ? null : new HomeChannel(b.homeNumber, b.homeName);
        this.webhookPath = b.webhookPath;
        this.apiBaseUrl = b.apiBaseUrl;
        this.connectTimeout = b.connectTimeout;
        this.readTimeout = b.readTimeout;
    }

    /** Starts a configuration for the channel that {@code profile} describes. */
    public static Builder builder(TwilioChannelProfile profile) {
        return new Builder(profile);
    }

    /** The channel this configuration is for. */
    public TwilioChannelProfile profile() {
        return profile;
    }

    /** The account. */
    public TwilioCredentials credentials() {
        return credentials;
    }

    /** The channel's own number in plain E.164, if set. */
    public Optional<Address> number() {
        return Optional.ofNullable(number);
    }

    /** The Messaging Service sends go through, if set. */
    public Optional<String> messagingServiceSid() {
        return Optional.ofNullable(messagingServiceSid);
    }

    /** The public URL of the incoming-message webhook; empty only when signatures are not checked. */
    public Optional<String> webhookUrl() {
        return Optional.ofNullable(webhookUrl);
    }

    /** The public URL of the status callbacks: the webhook URL plus {@code /status}, before any query. */
    public Optional<String> statusUrl() {
        return webhookUrl().map(TwilioWebhookUrls::statusUrl);
    }

    /** Whether signature checks were explicitly switched off. */
    public boolean insecureNoSignature() {
        return insecure;
    }

    /** Who may talk to the agent. */
    public AccessPolicy accessPolicy() {
        return accessPolicy;
    }

    /** The home channel, if set. */
    public Optional<HomeChannel> home() {
        return Optional.ofNullable(home);
    }

    /** The path of the incoming-message route, without a trailing slash. */
    public String webhookPath() {
        return webhookPath;
    }

    /** The path of the status-callback route: the webhook path plus {@code /status}. */
    public String statusPath() {
        return TwilioWebhookUrls.statusPath(webhookPath);
    }

    /** Where REST calls go instead of Twilio, if set. */
    public Optional<String> apiBaseUrl() {
        return Optional.ofNullable(apiBaseUrl);
    }

    /** How long to wait for a connection to Twilio. */
    public Duration connectTimeout() {
        return connectTimeout;
    }

    /** How long to wait for Twilio's answer to a send. */
    public Duration readTimeout() {
        return readTimeout;
    }

    /** The channel's own addresses: its number, if it has one. */
    public Set<Address> selfAddresses() {
        return number == null ? Set.of() : Set.of(number);
    }

    /**
     * Who the channel sends as, for logs: the number as Twilio writes it on this channel (redacted),
     * or the Messaging Service.
     */
    public String senderForLogs() {
        return number != null ? profile.addressFormat().prefix() + number : messagingServiceSid;
    }

    /**
     * The sender (number redacted), the webhook path and whether signatures are checked, for a
     * channel's {@code toString()}: {@code from=+1555***4567, webhook=/webhooks/twilio,
     * signatures=checked}.
     */
    public String summary() {
        return "from=" + (number != null ? number : messagingServiceSid) + ", webhook=" + webhookPath + ", signatures="
                + (insecure ? "off" : "checked");
    }

    /** The {@linkplain #summary() summary}: no token, no raw number. */
    @Override
    public String toString() {
        return "TwilioChannelConfig[" + profile.id() + ", " + summary() + "]";
    }

    /**
     * Collects a {@link TwilioChannelConfig}. Every error message names the variable the value
     * belongs to, as the channel's profile calls it, and the value (phone numbers redacted).
     */
    public static final class Builder {

        private final TwilioChannelProfile profile;
        private String accountSid;
        private String authToken;
        private Address number;
        private String messagingServiceSid;
        private String webhookUrl;
        private boolean insecure;
        private Set<Address> allowed = Set.of();
        private boolean allowAll;
        private Address homeNumber;
        private String homeName = DEFAULT_HOME_NAME;
        private String webhookPath;
        private String apiBaseUrl;
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        private Duration readTimeout = DEFAULT_READ_TIMEOUT;

        private Builder(TwilioChannelProfile profile) {
            this.profile = requireNonNull(profile, "profile");
            this.webhookPath = profile.defaultWebhookPath();
        }

        /**
         * Sets every option whose variable is present in {@code env} (blank counts as unset): {@code
         * TWILIO_ACCOUNT_SID}, {@code TWILIO_AUTH_TOKEN}, the profile's number variable, {@code
         * TWILIO_MESSAGING_SERVICE_SID}, the channel's {@code _WEBHOOK_URL}, {@code
         * _INSECURE_NO_SIGNATURE}, {@code _ALLOWED_USERS}, {@code _ALLOW_ALL_USERS}, {@code
         * _HOME_CHANNEL} and {@code _HOME_CHANNEL_NAME}, and {@code TWILIO_API_BASE_URL}.
         *
         * @throws IllegalArgumentException if a value is invalid, or a home channel name is set
         *     without its number
         */
        public Builder readEnv(Map<String, String> env) {
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
                home(homeNumber.get(), homeName.orElse(DEFAULT_HOME_NAME));
            } else if (homeName.isPresent()) {
                throw new IllegalArgumentException(profile.variable("HOME_CHANNEL_NAME") + " is set (" + homeName.get()
                        + ") but " + profile.variable("HOME_CHANNEL") + " is not");
            }
            TwilioEnv.get(env, "TWILIO_API_BASE_URL").ifPresent(this::apiBaseUrl);
            return this;
        }

        /** The account SID, stripped; checked at {@link #build()}. */
        public Builder accountSid(String accountSid) {
            this.accountSid = requireNonNull(accountSid, "accountSid").strip();
            return this;
        }

        /** The auth token, stripped; checked at {@link #build()}. */
        public Builder authToken(String authToken) {
            this.authToken = requireNonNull(authToken, "authToken").strip();
            return this;
        }

        /** Both the account SID and the auth token. */
        public Builder credentials(TwilioCredentials credentials) {
            requireNonNull(credentials, "credentials");
            this.accountSid = credentials.accountSid();
            this.authToken = credentials.authToken();
            return this;
        }

        /**
         * The channel's own number, in international form, with or without the channel's address
         * prefix; kept in plain E.164.
         *
         * @throws IllegalArgumentException if it is not a phone number
         */
        public Builder number(String number) {
            requireNonNull(number, "number");
            this.number = profile.addressFormat().normalize(profile.numberVariable(), number);
            return this;
        }

        /**
         * The Messaging Service to send through, stripped.
         *
         * @throws IllegalArgumentException if it is not {@code MG} followed by 32 hex digits
         */
        public Builder messagingServiceSid(String messagingServiceSid) {
            requireNonNull(messagingServiceSid, "messagingServiceSid");
            this.messagingServiceSid = TwilioOptions.messagingServiceSid(messagingServiceSid.strip());
            return this;
        }

        /**
         * The public URL of the incoming-message webhook, stripped.
         *
         * @throws IllegalArgumentException if it is not an absolute http(s) URL without a fragment
         */
        public Builder webhookUrl(String webhookUrl) {
            requireNonNull(webhookUrl, "webhookUrl");
            this.webhookUrl = TwilioWebhookUrls.publicUrl(profile.variable("WEBHOOK_URL"), webhookUrl.strip());
            return this;
        }

        /** Whether to skip signature checks. Default: {@code false}. */
        public Builder insecureNoSignature(boolean insecure) {
            this.insecure = insecure;
            return this;
        }

        /**
         * The numbers that may talk to the agent, comma-separated; blank entries are skipped. Replaces
         * earlier entries. Default: none.
         *
         * @throws IllegalArgumentException if an entry is not a phone number
         */
        public Builder allowedUsers(String commaSeparated) {
            requireNonNull(commaSeparated, "commaSeparated");
            this.allowed = profile.addressFormat().normalizeList(profile.variable("ALLOWED_USERS"), commaSeparated);
            return this;
        }

        /**
         * The numbers that may talk to the agent. Replaces earlier entries.
         *
         * @throws IllegalArgumentException if an entry is not a phone number
         */
        public Builder allowedUsers(Collection<String> numbers) {
            requireNonNull(numbers, "numbers");
            this.allowed = profile.addressFormat().normalizeAll(profile.variable("ALLOWED_USERS"), numbers);
            return this;
        }

        /** Whether everyone may talk to the agent. Default: {@code false}. */
        public Builder allowAllUsers(boolean allowAll) {
            this.allowAll = allowAll;
            return this;
        }

        /**
         * The home channel: its number and a name for logs (stripped). Default: none.
         *
         * @throws IllegalArgumentException if the number is not a phone number or the name is blank
         */
        public Builder home(String number, String name) {
            requireNonNull(number, "number");
            requireNonNull(name, "name");
            if (name.isBlank()) {
                throw new IllegalArgumentException(profile.variable("HOME_CHANNEL_NAME") + " cannot be blank");
            }
            this.homeNumber = profile.addressFormat().normalize(profile.variable("HOME_CHANNEL"), number);
            this.homeName = name.strip();
            return this;
        }

        /**
         * The path of the incoming-message route, trailing slashes dropped. Default: the profile's.
         *
         * @throws IllegalArgumentException if it does not start with {@code /} or has a query,
         *     fragment or whitespace
         */
        public Builder webhookPath(String webhookPath) {
            requireNonNull(webhookPath, "webhookPath");
            this.webhookPath = TwilioWebhookUrls.webhookPath(webhookPath);
            return this;
        }

        /**
         * Where REST calls go instead of Twilio, stripped. Default: none.
         *
         * @throws IllegalArgumentException if it is not an absolute http(s) URL without query or
         *     fragment
         */
        public Builder apiBaseUrl(String apiBaseUrl) {
            requireNonNull(apiBaseUrl, "apiBaseUrl");
            String url = apiBaseUrl.strip();
            TwilioSender.parseApiBaseUrl(url);
            this.apiBaseUrl = url;
            return this;
        }

        /**
         * How long to wait for a connection to Twilio. Default: {@link #DEFAULT_CONNECT_TIMEOUT}.
         *
         * @throws IllegalArgumentException if not positive
         */
        public Builder connectTimeout(Duration connectTimeout) {
            this.connectTimeout = TwilioOptions.positive("connectTimeout", connectTimeout);
            return this;
        }

        /**
         * How long to wait for Twilio's answer to a send. Default: {@link #DEFAULT_READ_TIMEOUT}.
         *
         * @throws IllegalArgumentException if not positive
         */
        public Builder readTimeout(Duration readTimeout) {
            this.readTimeout = TwilioOptions.positive("readTimeout", readTimeout);
            return this;
        }

        /**
         * Checks that the required options are set: the account SID and auth token, the number or a
         * Messaging Service, and the webhook URL unless signature checks are off.
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
}
