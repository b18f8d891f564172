package dev.switchboard.twilio.internal;

import static java.util.Objects.requireNonNull;

import dev.switchboard.channel.Address;
import dev.switchboard.twilio.CredentialsProvider;
import dev.switchboard.twilio.TwilioChannelBuilder;
import dev.switchboard.twilio.TwilioCredentials;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
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
    CredentialsProvider credentialsProvider;
    String secondaryAuthToken;
    /** The channel's own numbers, in the order given: the first is the default sender; empty if none. */
    List<Address> numbers = List.of();

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
    /** The own numbers this channel answers; empty for all of them. Checked against the numbers at build. */
    Set<Address> routeTo = Set.of();
    /** The senders it answers, each a number or a prefix ending in {@code *}; empty for everyone. */
    List<String> routeFrom = List.of();

    Address replyTo;
    long mediaMaxBytes = TwilioChannelBuilder.DEFAULT_MEDIA_MAX_BYTES;
    Duration mediaTimeout = TwilioChannelBuilder.DEFAULT_MEDIA_TIMEOUT;
    int mediaNotFoundRetries = TwilioChannelBuilder.DEFAULT_MEDIA_NOT_FOUND_RETRIES;
    Duration mediaRetryBackoff = TwilioChannelBuilder.DEFAULT_MEDIA_RETRY_BACKOFF;

    /** Settings for the channel that {@code profile} describes, every option at its default. */
    public TwilioChannelSettings(TwilioChannelProfile profile) {
        this.profile = requireNonNull(profile, "profile");
        this.webhookPath = profile.defaultWebhookPath();
    }

    /**
     * Sets every option whose variable is present in {@code env}, blank counting as unset. The
     * credentials file ({@code TWILIO_CREDENTIALS_FILE}) sets the account SID, the auth token and,
     * on the channel whose number is {@code TWILIO_PHONE_NUMBER}, the number; a variable that sets
     * one of them too must agree with it.
     *
     * @throws IllegalArgumentException if a value is invalid, the credentials file cannot be used or
     *     disagrees with a variable, or a home channel name is set without its number
     */
    public void readEnv(Map<String, String> env) {
        requireNonNull(env, "env");
        Optional<String> file = TwilioEnv.get(env, TwilioCredentialsFile.VARIABLE);
        TwilioEnv.get(env, "TWILIO_ACCOUNT_SID").ifPresent(this::accountSid);
        TwilioEnv.get(env, "TWILIO_AUTH_TOKEN").ifPresent(this::authToken);
        TwilioEnv.get(env, profile.numberVariable()).ifPresent(this::numbers);
        if (file.isPresent()) {
            credentialsFile(file.get(), TwilioCredentialsFile.read(file.get()));
        }
        TwilioEnv.get(env, "TWILIO_AUTH_TOKEN_SECONDARY").ifPresent(this::secondaryAuthToken);
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
        TwilioEnv.get(env, profile.variable("ROUTE_TO")).ifPresent(this::routeTo);
        TwilioEnv.get(env, profile.variable("ROUTE_FROM")).ifPresent(this::routeFrom);
        TwilioEnv.get(env, profile.variable("REPLY_TO")).ifPresent(this::replyTo);
        Optional<String> maxBytes = TwilioEnv.get(env, profile.variable("MEDIA_MAX_BYTES"));
        if (maxBytes.isPresent()) {
            long parsed;
            try {
                parsed = Long.parseLong(maxBytes.get());
            } catch (NumberFormatException e) {
                parsed = -1;
            }
            if (parsed < 1) {
                throw new IllegalArgumentException(
                        profile.variable("MEDIA_MAX_BYTES") + " must be a positive number of bytes: " + maxBytes.get());
            }
            mediaMaxBytes(parsed);
        }
    }

    // Two sources of one secret, one of them stale after a rotation, would fail at the first
    // webhook or send: they must agree, or the channel is not built. The message shows no value.
    private void credentialsFile(String file, TwilioCredentialsFile.Contents contents) {
        TwilioCredentials credentials = contents.credentials();
        if (accountSid != null && !accountSid.equalsIgnoreCase(credentials.accountSid())) {
            throw disagreement("TWILIO_ACCOUNT_SID", file, "accountSid");
        }
        if (authToken != null
                && !MessageDigest.isEqual(
                        authToken.getBytes(StandardCharsets.UTF_8),
                        credentials.authToken().getBytes(StandardCharsets.UTF_8))) {
            throw disagreement("TWILIO_AUTH_TOKEN", file, "authToken");
        }
        boolean fileNamesOurNumber = profile.numberVariable().equals("TWILIO_PHONE_NUMBER");
        // With several numbers in the variable, the file's one must be among them.
        if (fileNamesOurNumber && !numbers.isEmpty() && !numbers.contains(contents.phoneNumber())) {
            throw disagreement("TWILIO_PHONE_NUMBER", file, "phoneNumber");
        }
        credentials(credentials);
        if (fileNamesOurNumber && numbers.isEmpty()) {
            this.numbers = List.of(contents.phoneNumber());
        }
    }

    private static IllegalArgumentException disagreement(String variable, String file, String field) {
        return new IllegalArgumentException(variable + " differs from " + field + " in "
                + TwilioCredentialsFile.VARIABLE + "=" + file + ": set it in one place only");
    }

    public void accountSid(String accountSid) {
        this.accountSid = requireNonNull(accountSid, "accountSid").strip();
        this.credentialsProvider = null;
    }

    public void authToken(String authToken) {
        this.authToken = requireNonNull(authToken, "authToken").strip();
        this.credentialsProvider = null;
    }

    public void credentials(TwilioCredentials credentials) {
        requireNonNull(credentials, "credentials");
        this.accountSid = credentials.accountSid();
        this.authToken = credentials.authToken();
        this.credentialsProvider = null;
    }

    public void credentials(CredentialsProvider provider) {
        this.credentialsProvider = requireNonNull(provider, "provider");
        this.accountSid = null;
        this.authToken = null;
    }

    /** @throws IllegalArgumentException if blank */
    public void secondaryAuthToken(String secondaryAuthToken) {
        String token = requireNonNull(secondaryAuthToken, "secondaryAuthToken").strip();
        if (token.isEmpty()) {
            throw new IllegalArgumentException("TWILIO_AUTH_TOKEN_SECONDARY cannot be blank");
        }
        this.secondaryAuthToken = token;
    }

    /** @throws IllegalArgumentException if it is not a phone number (shown redacted) */
    public void number(String number) {
        requireNonNull(number, "number");
        this.numbers = List.of(profile.addressFormat().normalize(profile.numberVariable(), number));
    }

    /**
     * Several numbers, comma-separated, spaces allowed; blank entries skipped.
     *
     * @throws IllegalArgumentException if an entry is not a phone number (shown redacted), or none is
     *     given
     */
    public void numbers(String commaSeparated) {
        requireNonNull(commaSeparated, "commaSeparated");
        numbers(Arrays.stream(commaSeparated.split(",", -1))
                .filter(entry -> !entry.isBlank())
                .toList());
    }

    /**
     * Several numbers, the first the default sender.
     *
     * @throws IllegalArgumentException if an entry is not a phone number (shown redacted), or none is
     *     given
     */
    public void numbers(Collection<String> numbers) {
        requireNonNull(numbers, "numbers");
        Set<Address> parsed = new LinkedHashSet<>();
        for (String number : numbers) {
            parsed.add(profile.addressFormat().normalize(profile.numberVariable(), requireNonNull(number, "number")));
        }
        if (parsed.isEmpty()) {
            throw new IllegalArgumentException(profile.numberVariable() + " names no number");
        }
        this.numbers = List.copyOf(parsed);
    }

    /**
     * The own numbers this channel answers, comma-separated; checked against the numbers at build.
     *
     * @throws IllegalArgumentException if an entry is not a phone number (shown redacted)
     */
    public void routeTo(String commaSeparated) {
        requireNonNull(commaSeparated, "commaSeparated");
        this.routeTo = profile.addressFormat().normalizeList(profile.variable("ROUTE_TO"), commaSeparated);
    }

    /** @throws IllegalArgumentException if an entry is not a phone number (shown redacted) */
    public void routeTo(Collection<String> numbers) {
        requireNonNull(numbers, "numbers");
        this.routeTo = profile.addressFormat().normalizeAll(profile.variable("ROUTE_TO"), numbers);
    }

    /**
     * The senders this channel answers, comma-separated: numbers, or prefixes ending in {@code *}.
     *
     * @throws IllegalArgumentException if an entry is neither (shown redacted)
     */
    public void routeFrom(String commaSeparated) {
        requireNonNull(commaSeparated, "commaSeparated");
        routeFrom(Arrays.stream(commaSeparated.split(",", -1))
                .filter(entry -> !entry.isBlank())
                .toList());
    }

    /** @throws IllegalArgumentException if an entry is neither a number nor a prefix (shown redacted) */
    public void routeFrom(Collection<String> senders) {
        requireNonNull(senders, "senders");
        this.routeFrom = TwilioRoutes.senderPatterns(profile, senders);
    }

    /** @throws IllegalArgumentException if it is not a phone number (shown redacted) */
    public void replyTo(String number) {
        requireNonNull(number, "number");
        this.replyTo = profile.addressFormat().normalize(profile.variable("REPLY_TO"), number);
    }

    /** @throws IllegalArgumentException if not positive */
    public void mediaMaxBytes(long maxBytes) {
        if (maxBytes < 1) {
            throw new IllegalArgumentException("mediaMaxBytes must be positive: " + maxBytes);
        }
        this.mediaMaxBytes = maxBytes;
    }

    /** @throws IllegalArgumentException if not positive */
    public void mediaTimeout(Duration timeout) {
        this.mediaTimeout = TwilioOptions.positive("mediaTimeout", timeout);
    }

    /** @throws IllegalArgumentException if the retries are negative or the backoff is negative */
    public void mediaNotFoundRetries(int retries, Duration backoff) {
        requireNonNull(backoff, "backoff");
        if (retries < 0) {
            throw new IllegalArgumentException("mediaNotFoundRetries cannot be negative: " + retries);
        }
        if (backoff.isNegative()) {
            throw new IllegalArgumentException("the backoff of mediaNotFoundRetries cannot be negative: " + backoff);
        }
        this.mediaNotFoundRetries = retries;
        this.mediaRetryBackoff = backoff;
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
     * A credentials provider is asked here, once.
     *
     * @throws IllegalStateException if one is missing, or the credentials provider returned null:
     *     the message is one line naming the variable
     * @throws IllegalArgumentException if the account SID is malformed
     */
    public TwilioChannelConfig build() {
        TwilioCredentials credentials = credentials();
        if (numbers.isEmpty() && messagingServiceSid == null) {
            throw new IllegalStateException("neither " + profile.numberVariable()
                    + " nor TWILIO_MESSAGING_SERVICE_SID is set: " + profile.missingSenderAdvice());
        }
        if (webhookUrl == null && !insecure) {
            throw new IllegalStateException(profile.variable("WEBHOOK_URL")
                    + " is not set: Twilio signatures are checked against the public webhook URL. Set it to "
                    + profile.webhookUrlDescription() + ", or set " + profile.variable("INSECURE_NO_SIGNATURE")
                    + "=true for local testing only.");
        }
        for (Address routed : routeTo) {
            if (numbers.isEmpty()) {
                throw new IllegalStateException(profile.variable("ROUTE_TO") + " is set (" + routed + ") but "
                        + profile.numberVariable() + " is not: it names which of the channel's numbers to answer");
            }
            if (!numbers.contains(routed)) {
                throw new IllegalArgumentException(profile.variable("ROUTE_TO") + " names " + routed
                        + ", which is not one of " + profile.numberVariable() + ": " + numbers);
            }
        }
        return new TwilioChannelConfig(this, credentials);
    }

    private TwilioCredentials credentials() {
        if (credentialsProvider != null) {
            TwilioCredentials provided = credentialsProvider.credentials();
            if (provided == null) {
                throw new IllegalStateException("the CredentialsProvider returned no credentials (null)");
            }
            return provided;
        }
        if (accountSid == null || accountSid.isEmpty()) {
            throw new IllegalStateException("TWILIO_ACCOUNT_SID is not set: set it to the SID of your Twilio account"
                    + " (AC…), or TWILIO_CREDENTIALS_FILE to a JSON file that holds it");
        }
        if (authToken == null || authToken.isEmpty()) {
            throw new IllegalStateException(
                    "TWILIO_AUTH_TOKEN is not set: set it to the auth token of your Twilio account");
        }
        return new TwilioCredentials(accountSid, authToken);
    }
}
