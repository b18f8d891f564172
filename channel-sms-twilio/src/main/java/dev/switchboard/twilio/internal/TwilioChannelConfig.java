package dev.switchboard.twilio.internal;

import dev.switchboard.channel.AccessPolicy;
import dev.switchboard.channel.Address;
import dev.switchboard.channel.HomeChannel;
import dev.switchboard.twilio.TwilioCredentials;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What every Twilio channel is configured with: the account, the channel's own number or Messaging
 * Service, the public webhook URL or the explicit absence of signature checks, who may talk to the
 * agent, the home channel, the webhook path and the REST client's settings.
 *
 * <p>A channel's builder checks and collects it in {@link TwilioChannelSettings}; the channel, a
 * {@link TwilioChannel}, runs on it. The channels read what they log from it; the rest is the shared
 * code's. Immutable.
 */
public final class TwilioChannelConfig {

    private final TwilioChannelProfile profile;
    private final TwilioCredentials credentials;
    private final String secondaryAuthToken;
    private final List<Address> numbers;
    private final String messagingServiceSid;
    private final String webhookUrl;
    private final boolean insecure;
    private final AccessPolicy accessPolicy;
    private final HomeChannel home;
    private final String webhookPath;
    private final String apiBaseUrl;
    private final Duration connectTimeout;
    private final Duration readTimeout;
    private final TwilioRoutes routes;
    private final long mediaMaxBytes;
    private final Duration mediaTimeout;
    private final int mediaNotFoundRetries;
    private final Duration mediaRetryBackoff;

    TwilioChannelConfig(TwilioChannelSettings b, TwilioCredentials credentials) {
        this.profile = b.profile;
        this.credentials = credentials;
        this.secondaryAuthToken = b.secondaryAuthToken;
        this.numbers = List.copyOf(b.numbers);
        this.messagingServiceSid = b.messagingServiceSid;
        this.webhookUrl = b.webhookUrl;
        this.insecure = b.insecure;
        this.accessPolicy = b.allowAll ? AccessPolicy.allowEveryone() : AccessPolicy.allowOnly(b.allowed);
        this.home = b.homeNumber == null ? null : new HomeChannel(b.homeNumber, b.homeName);
        this.webhookPath = b.webhookPath;
        this.apiBaseUrl = b.apiBaseUrl;
        this.connectTimeout = b.connectTimeout;
        this.readTimeout = b.readTimeout;
        this.routes =
                new TwilioRoutes(b.profile, numbers, b.messagingServiceSid != null, b.routeTo, b.routeFrom, b.replyTo);
        this.mediaMaxBytes = b.mediaMaxBytes;
        this.mediaTimeout = b.mediaTimeout;
        this.mediaNotFoundRetries = b.mediaNotFoundRetries;
        this.mediaRetryBackoff = b.mediaRetryBackoff;
    }

    /** The channel this configuration is for. */
    TwilioChannelProfile profile() {
        return profile;
    }

    /** The account. */
    TwilioCredentials credentials() {
        return credentials;
    }

    /** The other token whose webhook signatures are accepted while the token is rotated, if set. */
    Optional<String> secondaryAuthToken() {
        return Optional.ofNullable(secondaryAuthToken);
    }

    /** The channel's first (default) number in plain E.164, if it has one. */
    Optional<Address> number() {
        return numbers.stream().findFirst();
    }

    /** The channel's own numbers in plain E.164, the default sender first; empty with only a Messaging Service. */
    List<Address> numbers() {
        return numbers;
    }

    /** The inbound and outbound routes. */
    TwilioRoutes routes() {
        return routes;
    }

    /** The most bytes one attachment may have. */
    long mediaMaxBytes() {
        return mediaMaxBytes;
    }

    /** How long reading one attachment may take, retries included. */
    Duration mediaTimeout() {
        return mediaTimeout;
    }

    /** How often a 404 (or a 5xx, or a 429) for an attachment is tried again. */
    int mediaNotFoundRetries() {
        return mediaNotFoundRetries;
    }

    /** The wait before the first retry of an attachment; each next wait is twice as long. */
    Duration mediaRetryBackoff() {
        return mediaRetryBackoff;
    }

    /** The Messaging Service sends go through, if set. */
    Optional<String> messagingServiceSid() {
        return Optional.ofNullable(messagingServiceSid);
    }

    /** The public URL of the incoming-message webhook; empty only when signatures are not checked. */
    Optional<String> webhookUrl() {
        return Optional.ofNullable(webhookUrl);
    }

    /** The public URL of the status callbacks: the webhook URL plus {@code /status}, before any query. */
    Optional<String> statusUrl() {
        return webhookUrl().map(TwilioWebhookUrls::statusUrl);
    }

    /** Whether signature checks were explicitly switched off. */
    boolean insecureNoSignature() {
        return insecure;
    }

    /** Who may talk to the agent. */
    AccessPolicy accessPolicy() {
        return accessPolicy;
    }

    /** The home channel, if set. */
    Optional<HomeChannel> home() {
        return Optional.ofNullable(home);
    }

    /** The path of the incoming-message route, without a trailing slash. */
    public String webhookPath() {
        return webhookPath;
    }

    /** The path of the status-callback route: the webhook path plus {@code /status}. */
    String statusPath() {
        return TwilioWebhookUrls.statusPath(webhookPath);
    }

    /** Where REST calls go instead of Twilio, if set. */
    Optional<String> apiBaseUrl() {
        return Optional.ofNullable(apiBaseUrl);
    }

    /** How long to wait for a connection to Twilio. */
    Duration connectTimeout() {
        return connectTimeout;
    }

    /** How long to wait for Twilio's answer to a send. */
    Duration readTimeout() {
        return readTimeout;
    }

    /** The channel's own addresses: its numbers. */
    Set<Address> selfAddresses() {
        return Set.copyOf(numbers);
    }

    /**
     * Who the channel sends as, for logs: the number as Twilio writes it on this channel (redacted),
     * or the Messaging Service.
     */
    public String senderForLogs() {
        if (numbers.isEmpty()) {
            return messagingServiceSid;
        }
        String shown = numbers.stream()
                .map(n -> profile.addressFormat().prefix() + n)
                .collect(java.util.stream.Collectors.joining(", "));
        return numbers.size() == 1 ? shown : shown + " (default " + numbers.get(0) + ")";
    }

    /**
     * The sender (number redacted), the webhook path and whether signatures are checked, for a
     * channel's {@code toString()}: {@code from=+1555***4567, webhook=/webhooks/twilio,
     * signatures=checked}.
     */
    public String summary() {
        return "from=" + (numbers.isEmpty() ? messagingServiceSid : numbers.size() == 1 ? numbers.get(0) : numbers)
                + ", webhook=" + webhookPath + ", signatures="
                + (insecure ? "off" : "checked");
    }

    /** The {@linkplain #summary() summary}: no token, no raw number. */
    @Override
    public String toString() {
        return "TwilioChannelConfig[" + profile.id() + ", " + summary() + "]";
    }
}
