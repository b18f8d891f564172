package dev.switchboard.twilio.internal;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.twilio.base.Page;
import com.twilio.exception.TwilioException;
import com.twilio.http.TwilioRestClient;
import com.twilio.rest.api.v2010.account.Message;
import com.twilio.rest.api.v2010.account.MessageCreator;
import com.twilio.rest.api.v2010.account.MessageReader;
import com.twilio.type.PhoneNumber;
import dev.switchboard.channel.Address;
import dev.switchboard.channel.ChannelException;
import dev.switchboard.channel.DeliveryReceipt;
import dev.switchboard.channel.DeliveryStatus;
import dev.switchboard.channel.OutboundMessage;
import dev.switchboard.channel.PermanentChannelException;
import dev.switchboard.channel.RetriableChannelException;
import dev.switchboard.channel.SendReceipt;
import dev.switchboard.channel.Template;
import dev.switchboard.twilio.TwilioCredentials;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends messages through Twilio's REST API ({@code POST /2010-04-01/Accounts/{sid}/Messages.json})
 * with the Twilio Java SDK, on a {@link TwilioRestClient} of its own (never the static {@code
 * Twilio.init}).
 *
 * <p>Each {@link #send} is exactly one HTTP request: the SDK's own retries are off, because sending
 * a message is not idempotent and the caller is the one to decide. Failures are mapped to {@link
 * RetriableChannelException} (HTTP 429 and connection failures: not sent; a timeout after the
 * request left or any 5xx: may have been sent) and {@link
 * dev.switchboard.channel.PermanentChannelException} (every other refusal, with Twilio's code and a
 * message that says what to do).
 *
 * <p>{@link #findSent} looks up, with one more request, whether a send whose answer was lost did
 * create the message, so that the caller need not send it twice.
 *
 * <p>Thread-safe. {@link #close()} releases the HTTP client and is idempotent.
 */
final class TwilioSender implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(TwilioSender.class);

    private static final Pattern MESSAGE_SID = Pattern.compile("(SM|MM)[0-9a-fA-F]{32}");

    /**
     * How much earlier than the caller's first attempt Twilio may date a message: its clock is not
     * ours, and it stamps whole seconds.
     */
    static final Duration CLOCK_ALLOWANCE = Duration.ofSeconds(30);

    /** The most recent messages to one recipient that a look-up reads: one page, one request. */
    static final long LOOKUP_PAGE_SIZE = 50;

    private final String channelId;
    private final TwilioAddressFormat addressFormat;
    private final Address from;
    private final String messagingServiceSid;
    private final String statusCallback;
    private final TwilioHttpTransport transport;
    private final TwilioRestClient restClient;
    private final TwilioErrors errors;
    private final ObjectMapper json = new ObjectMapper();
    private final AtomicBoolean closed = new AtomicBoolean();

    private TwilioSender(Builder builder) {
        this.channelId = builder.channelId;
        this.addressFormat = builder.addressFormat;
        this.from = builder.from;
        this.messagingServiceSid = builder.messagingServiceSid;
        this.statusCallback = builder.statusCallback;
        this.transport =
                new TwilioHttpTransport(builder.apiBaseUrl, builder.connectTimeout, builder.readTimeout, builder.clock);
        TwilioCredentials credentials = builder.credentials;
        this.restClient = new TwilioRestClient.Builder(credentials.accountSid(), credentials.authToken())
                .accountSid(credentials.accountSid())
                .httpClient(transport)
                .build();
        this.errors = new TwilioErrors(json, builder.errorMessages);
    }

    /**
     * Starts building a sender for the account of {@code credentials}.
     *
     * @throws NullPointerException if {@code credentials} is null
     */
    public static Builder builder(TwilioCredentials credentials) {
        return new Builder(credentials);
    }

    /**
     * Sends one message. A message with a {@linkplain OutboundMessage#template() template} is sent as
     * the template ({@code ContentSid} and {@code ContentVariables}, no text); otherwise as {@code
     * Body} (when not empty) and {@code MediaUrl}s. {@code To} and {@code From} carry the address
     * format's prefix; {@code From} is the message's own {@link OutboundMessage#from()} if it names one,
     * else {@code MessagingServiceSid} replaces {@code From} when a Messaging Service is set, else
     * the default number.
     * {@code StatusCallback} is set when configured.
     *
     * @return Twilio's sid for the message and its initial status
     * @throws RetriableChannelException if trying again may succeed; see {@link
     *     RetriableChannelException#mayHaveBeenProcessed()} before trying
     * @throws dev.switchboard.channel.PermanentChannelException if Twilio refused the message
     * @throws IllegalStateException if the sender is closed
     */
    public SendReceipt send(OutboundMessage message) {
        requireNonNull(message, "message");
        if (closed.get()) {
            throw new IllegalStateException("the Twilio sender of channel " + channelId + " is closed");
        }
        MessageCreator creator = creator(message);
        Message created;
        try {
            created = creator.create(restClient);
        } catch (TwilioHttpFailure failure) {
            ChannelException mapped = errors.map(failure, message.to());
            log.debug(
                    "[{}] send to {} failed: {}",
                    channelId,
                    message.to(),
                    mapped.providerCode().map(c -> "error " + c).orElse(failure.getMessage()));
            throw mapped;
        } catch (TwilioException e) {
            // Only after a 2xx: the SDK could not read Twilio's answer, so the message may exist.
            throw new RetriableChannelException(
                    "Twilio's answer to a send could not be read: the message may have been sent; check its"
                            + " status before sending it again",
                    null,
                    null,
                    true,
                    e);
        }
        String sid = created.getSid();
        if (sid == null || !MESSAGE_SID.matcher(sid).matches()) {
            throw new RetriableChannelException(
                    "Twilio accepted a send but answered without a valid message sid: the message may have been"
                            + " sent; check before sending it again",
                    null,
                    null,
                    true,
                    null);
        }
        DeliveryStatus status = status(created);
        log.debug("[{}] sent {} to {} ({})", channelId, sid, message.to(), status);
        return new SendReceipt(sid, status);
    }

    /**
     * Looks up the messages Twilio accepted that match {@code message}: to the same recipient, from
     * this sender (its number, or for a Messaging Service any number of the service), created no
     * earlier than {@code notBefore} less 30 seconds (Twilio's clock is not ours), with the same
     * body and number of media. One request ({@code GET Messages.json?To=…&From=…}) reads the most
     * recent 50 messages to the recipient.
     *
     * <p>The list is not filtered by {@code DateSent}: Twilio fills a message's send date only once
     * it has left its queue, and the message looked for may well still be queued.
     *
     * <p>Each listed message that does not match is logged at DEBUG by its sid with the reason (an
     * incoming message, another recipient or sender, a date that did not parse or is too early, a
     * different body or number of media), never with its body or a raw number.
     *
     * @return the matches, oldest first, with their current status
     * @throws UnsupportedOperationException if {@code message} is a template, whose body Twilio
     *     renders and so cannot be matched
     * @throws RetriableChannelException if Twilio could not be asked; nothing was sent either way
     * @throws PermanentChannelException if Twilio refused the look-up (rejected credentials)
     * @throws IllegalStateException if the sender is closed
     */
    public List<SendReceipt> findSent(OutboundMessage message, Instant notBefore) {
        requireNonNull(message, "message");
        requireNonNull(notBefore, "notBefore");
        if (closed.get()) {
            throw new IllegalStateException("the Twilio sender of channel " + channelId + " is closed");
        }
        if (message.template().isPresent()) {
            throw new UnsupportedOperationException(
                    "a template message cannot be looked up: Twilio renders its body from the template");
        }
        MessageReader reader = Message.reader()
                .setTo(new PhoneNumber(addressFormat.toTwilio(message.to())))
                .setPageSize(LOOKUP_PAGE_SIZE);
        Address sender = sender(message);
        if (sender != null) {
            reader.setFrom(new PhoneNumber(addressFormat.toTwilio(sender)));
        }
        Page<Message> page;
        try {
            page = reader.firstPage(restClient);
        } catch (TwilioHttpFailure failure) {
            throw errors.mapLookup(failure, message.to());
        } catch (TwilioException e) {
            throw new RetriableChannelException(
                    "Twilio's list of the messages sent to " + message.to() + " could not be read: whether the"
                            + " earlier message was sent is still unknown",
                    null,
                    null,
                    false,
                    e);
        }
        Instant earliest = notBefore.truncatedTo(ChronoUnit.SECONDS).minus(CLOCK_ALLOWANCE);
        List<Message> listed = page.getRecords();
        List<Message> matches = new ArrayList<>();
        for (Message candidate : listed) {
            String reason = setAside(candidate, message, sender, earliest);
            if (reason == null) {
                matches.add(candidate);
            } else {
                // Why each listed message is not the one looked for, so that a look-up that finds
                // nothing can be explained; by sid and reason, never a body or a raw number.
                log.debug(
                        "[{}] look-up of a send to {}: set aside {}: {}",
                        channelId,
                        message.to(),
                        sidForLogs(candidate.getSid()),
                        reason);
            }
        }
        List<SendReceipt> found = matches.stream()
                .sorted(Comparator.comparing(Message::getDateCreated).thenComparing(Message::getSid))
                .map(m -> new SendReceipt(m.getSid(), status(m)))
                .toList();
        log.debug(
                "[{}] {} of {} message(s) listed to {} match an earlier send",
                channelId,
                found.size(),
                listed.size(),
                message.to());
        return found;
    }

    /**
     * Why {@code candidate}, listed by Twilio, is not a message created by sending {@code message}
     * since {@code earliest}; {@code null} if it is. The reason names no body and only redacted
     * numbers. Twilio already filters the list by recipient and (without a Messaging Service) sender;
     * both are checked again so that a list that ignored a filter never makes another person's
     * message pass for ours.
     */
    private String setAside(Message candidate, OutboundMessage message, Address sender, Instant earliest) {
        if (candidate.getSid() == null
                || !MESSAGE_SID.matcher(candidate.getSid()).matches()) {
            return "its sid is not a message sid";
        }
        if (candidate.getDirection() == Message.Direction.INBOUND) {
            return "it is an incoming message";
        }
        Optional<Address> to = listedAddress("to", candidate.getTo());
        if (to.isEmpty()) {
            return "its recipient is missing or not written as on this channel";
        }
        if (!to.get().equals(message.to())) {
            return "it went to another recipient, " + to.get();
        }
        if (sender == null) {
            if (!messagingServiceSid.equals(candidate.getMessagingServiceSid())) {
                return candidate.getMessagingServiceSid() == null
                        ? "it was not sent through a Messaging Service"
                        : "it was sent through another Messaging Service, " + candidate.getMessagingServiceSid();
            }
        } else {
            Optional<Address> listedSender = listedAddress(
                    "from",
                    candidate.getFrom() == null ? null : candidate.getFrom().getEndpoint());
            if (listedSender.isEmpty()) {
                return "its sender is missing or not written as on this channel";
            }
            if (!listedSender.get().equals(sender)) {
                return "it was sent from another number, " + listedSender.get();
            }
        }
        if (candidate.getDateCreated() == null) {
            // The SDK leaves the date out when it cannot read it.
            return "its creation date is missing or did not parse";
        }
        Instant created = candidate.getDateCreated().toInstant();
        if (created.isBefore(earliest)) {
            return "it was created at " + created + ", before " + earliest
                    + " (the first attempt, less the allowance for Twilio's clock)";
        }
        String body = Objects.requireNonNullElse(candidate.getBody(), "");
        if (!body.equals(message.text())) {
            return "its body differs (" + body.length() + " characters, where "
                    + message.text().length() + " were sent)";
        }
        String media = Objects.requireNonNullElse(candidate.getNumMedia(), "0");
        if (!media.equals(Integer.toString(message.mediaUrls().size()))) {
            return "it has " + (isCount(media) ? media : "an unreadable number of") + " media, where "
                    + message.mediaUrls().size() + " were sent";
        }
        return null;
    }

    // A To or From of Twilio's list in Switchboard's form, or empty if absent or not this channel's.
    private Optional<Address> listedAddress(String field, String raw) {
        if (raw == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(addressFormat.fromTwilio(field, raw));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    // A sid as Twilio listed it, unless it is not one: then nothing of the value.
    private static String sidForLogs(String sid) {
        return sid != null && MESSAGE_SID.matcher(sid).matches() ? sid : "a message without a valid sid";
    }

    private static boolean isCount(String value) {
        return !value.isEmpty() && value.length() <= 3 && value.chars().allMatch(c -> c >= '0' && c <= '9');
    }

    /**
     * The failure a status callback reports ({@code undelivered} or {@code failed}, with {@code
     * ErrorCode}), worded as {@link #send} words Twilio's refusals: the code, what it means for the
     * redacted recipient and what to do, and a {@link PermanentChannelException.Reason} for opt-outs
     * (21610) and configuration errors (20003, 21606, 30034…).
     *
     * @return the failure, or empty if the receipt reports none
     */
    public Optional<PermanentChannelException> deliveryFailure(DeliveryReceipt receipt) {
        requireNonNull(receipt, "receipt");
        if (!receipt.status().isFailure()) {
            return Optional.empty();
        }
        return Optional.of(errors.deliveryFailure(receipt));
    }

    private static DeliveryStatus status(Message message) {
        return Optional.ofNullable(message.getStatus())
                .flatMap(s -> TwilioWebhookParser.deliveryStatus(s.toString()))
                .orElse(DeliveryStatus.QUEUED);
    }

    /**
     * Checks a value for {@link Builder#apiBaseUrl} ({@code TWILIO_API_BASE_URL}).
     *
     * @throws IllegalArgumentException if it is not an absolute http(s) URL, or has a query or
     *     fragment; the message names {@code TWILIO_API_BASE_URL} and the value
     */
    public static URI parseApiBaseUrl(String apiBaseUrl) {
        requireNonNull(apiBaseUrl, "apiBaseUrl");
        URI uri = TwilioOptions.httpUrl("TWILIO_API_BASE_URL", apiBaseUrl);
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw new IllegalArgumentException("TWILIO_API_BASE_URL cannot have a query or fragment: " + apiBaseUrl);
        }
        return uri;
    }

    /** Releases the HTTP client. Idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            transport.close();
        }
    }

    @Override
    public String toString() {
        return "TwilioSender[" + channelId + ", from="
                + (messagingServiceSid != null ? messagingServiceSid : String.valueOf(from)) + "]";
    }

    /**
     * The number a message goes out from: its own {@code from}, else the default number unless a
     * Messaging Service sends; {@code null} when the service sends and its pool picks the number.
     * The channel has checked {@code from} against its numbers.
     */
    private Address sender(OutboundMessage message) {
        if (message.from().isPresent()) {
            return message.from().get();
        }
        return messagingServiceSid != null ? null : from;
    }

    private MessageCreator creator(OutboundMessage message) {
        PhoneNumber to = new PhoneNumber(addressFormat.toTwilio(message.to()));
        Optional<Template> template = message.template();
        String body = template.isPresent() || message.text().isEmpty() ? null : message.text();
        Address sender = sender(message);
        // From and MessagingServiceSid exclude each other: a chosen number is sent as From.
        MessageCreator creator = sender == null
                ? new MessageCreator(to, messagingServiceSid, body)
                : new MessageCreator(to, new PhoneNumber(addressFormat.toTwilio(sender)), body);
        if (template.isPresent()) {
            creator.setContentSid(template.get().id());
            if (!template.get().variables().isEmpty()) {
                creator.setContentVariables(toJson(template.get().variables()));
            }
        } else if (!message.mediaUrls().isEmpty()) {
            creator.setMediaUrl(List.copyOf(message.mediaUrls()));
        }
        if (statusCallback != null) {
            creator.setStatusCallback(URI.create(statusCallback));
        }
        return creator;
    }

    private String toJson(Map<String, String> variables) {
        try {
            // Sorted, so that the same template call always produces the same request.
            return json.writeValueAsString(new TreeMap<>(variables));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("template variables could not be written as JSON", e);
        }
    }

    /** Builds a {@link TwilioSender}. {@link #from} or {@link #messagingServiceSid} is required. */
    public static final class Builder {

        private final TwilioCredentials credentials;
        private String channelId = "twilio";
        private TwilioAddressFormat addressFormat = TwilioAddressFormat.SMS;
        private Address from;
        private String messagingServiceSid;
        private String statusCallback;
        private URI apiBaseUrl;
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration readTimeout = Duration.ofSeconds(30);
        private Clock clock = Clock.systemUTC();
        private final Map<Integer, String> errorMessages = new HashMap<>();

        private Builder(TwilioCredentials credentials) {
            this.credentials = requireNonNull(credentials, "credentials");
        }

        /** The channel id shown in logs. Default: {@code "twilio"}. */
        public Builder channelId(String channelId) {
            this.channelId = requireNonNull(channelId, "channelId");
            return this;
        }

        /** How addresses are written for Twilio. Default: {@link TwilioAddressFormat#SMS}. */
        public Builder addressFormat(TwilioAddressFormat addressFormat) {
            this.addressFormat = requireNonNull(addressFormat, "addressFormat");
            return this;
        }

        /**
         * The channel's default number, sent as {@code From} unless a Messaging Service is set or the
         * message names its own {@link OutboundMessage#from()}.
         */
        public Builder from(Address from) {
            this.from = requireNonNull(from, "from");
            return this;
        }

        /**
         * Sends through this Messaging Service ({@code MessagingServiceSid}) instead of {@code From}.
         *
         * @throws IllegalArgumentException if the SID is not {@code MG} followed by 32 hex digits
         */
        public Builder messagingServiceSid(String messagingServiceSid) {
            requireNonNull(messagingServiceSid, "messagingServiceSid");
            this.messagingServiceSid = TwilioOptions.messagingServiceSid(messagingServiceSid);
            return this;
        }

        /**
         * The URL Twilio posts status callbacks to, sent as {@code StatusCallback} with every message.
         * Default: none.
         *
         * @throws IllegalArgumentException if it is not an absolute http(s) URL
         */
        public Builder statusCallback(String statusCallback) {
            requireNonNull(statusCallback, "statusCallback");
            TwilioOptions.httpUrl("statusCallback", statusCallback);
            this.statusCallback = statusCallback;
            return this;
        }

        /**
         * Sends every REST call to this base instead of {@code https://api.twilio.com} (and Twilio's
         * other hosts): its scheme, host and port replace the request's, and its path, if any, goes
         * before the request's path; the query is kept. For a local stand-in of Twilio or a test.
         * Default: none, Twilio itself.
         *
         * @throws IllegalArgumentException if it is not an absolute http(s) URL, or has a query or
         *     fragment
         */
        public Builder apiBaseUrl(String apiBaseUrl) {
            this.apiBaseUrl = parseApiBaseUrl(apiBaseUrl);
            return this;
        }

        /**
         * How long to wait for a connection to Twilio. A send that fails here was certainly not sent.
         * Default: 10 seconds.
         *
         * @throws IllegalArgumentException if not positive
         */
        public Builder connectTimeout(Duration connectTimeout) {
            this.connectTimeout = TwilioOptions.positive("connectTimeout", connectTimeout);
            return this;
        }

        /**
         * How long to wait for Twilio's answer to a request. A send that times out here may have been
         * sent. Default: 30 seconds.
         *
         * @throws IllegalArgumentException if not positive
         */
        public Builder readTimeout(Duration readTimeout) {
            this.readTimeout = TwilioOptions.positive("readTimeout", readTimeout);
            return this;
        }

        /** The clock that turns a {@code Retry-After} date into a duration. Default: system UTC. */
        public Builder clock(Clock clock) {
            this.clock = requireNonNull(clock, "clock");
            return this;
        }

        /**
         * Replaces the message of the exception for a Twilio error code, for a channel whose advice
         * differs (WhatsApp's for 21606, say). {@code {to}} in it stands for the redacted recipient.
         */
        public Builder errorMessage(int code, String message) {
            errorMessages.put(code, requireNonNull(message, "message"));
            return this;
        }

        /**
         * @throws IllegalStateException if neither {@link #from} nor {@link #messagingServiceSid} was
         *     set
         */
        public TwilioSender build() {
            if (from == null && messagingServiceSid == null) {
                throw new IllegalStateException("a Twilio sender needs a From number or a Messaging Service SID");
            }
            if (apiBaseUrl != null && "http".equalsIgnoreCase(apiBaseUrl.getScheme()) && !isLoopback(apiBaseUrl)) {
                log.warn(
                        "[{}] TWILIO_API_BASE_URL is plain http to a host that is not this machine: the account"
                                + " credentials travel unencrypted",
                        channelId);
            }
            return new TwilioSender(this);
        }

        // Literal forms only: a host name is not resolved just to decide on a warning.
        private static boolean isLoopback(URI uri) {
            String host = uri.getHost().toLowerCase(Locale.ROOT);
            return host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]");
        }
    }
}
