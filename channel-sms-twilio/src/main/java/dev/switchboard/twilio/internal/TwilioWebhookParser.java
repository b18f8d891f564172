package dev.switchboard.twilio.internal;

import static java.util.Objects.requireNonNull;

import dev.switchboard.channel.Address;
import dev.switchboard.channel.Attachment;
import dev.switchboard.channel.DeliveryReceipt;
import dev.switchboard.channel.DeliveryStatus;
import dev.switchboard.channel.InboundMessage;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Reads Twilio's messaging webhooks (already authenticated) into the channel SPI: an incoming
 * message into an {@link InboundMessage}, a status callback into a {@link DeliveryReceipt}.
 * Immutable and thread-safe.
 */
final class TwilioWebhookParser {

    /**
     * The optional fields copied into {@link InboundMessage#extras()} under Twilio's own names when
     * present and not blank.
     */
    public static final List<String> EXTRAS = List.of(
            "AccountSid",
            "MessagingServiceSid",
            "NumSegments",
            "OptOutType",
            "ProfileName",
            "WaId",
            "MessageType",
            "ButtonText",
            "ButtonPayload",
            "Latitude",
            "Longitude",
            "Address",
            "Label",
            "OriginalRepliedMessageSid",
            "Forwarded",
            "FromCountry",
            "FromState",
            "FromCity",
            "FromZip");

    /** The most media a message may declare: Twilio allows 10 per MMS; the rest is slack. */
    static final int MAX_MEDIA = 20;

    private final String channelId;
    private final TwilioAddressFormat addressFormat;
    private final TwilioMediaOrigin mediaOrigin;

    private TwilioWebhookParser(String channelId, TwilioAddressFormat addressFormat, TwilioMediaOrigin mediaOrigin) {
        this.channelId = channelId;
        this.addressFormat = addressFormat;
        this.mediaOrigin = mediaOrigin;
    }

    /**
     * A parser for a channel's webhooks that knows no account: every attachment it reads is
     * {@linkplain Attachment#available() unavailable}.
     *
     * @param channelId the channel's id, stamped on what is parsed
     * @param addressFormat how the channel writes addresses, so that {@code From} and {@code To}
     *     come out in plain E.164
     */
    public static TwilioWebhookParser of(String channelId, TwilioAddressFormat addressFormat) {
        requireNonNull(channelId, "channelId");
        requireNonNull(addressFormat, "addressFormat");
        return new TwilioWebhookParser(channelId, addressFormat, null);
    }

    /**
     * A parser for a channel's webhooks whose attachments are {@linkplain Attachment#available()
     * available} exactly when their URL is {@code mediaOrigin}'s media URL of the message.
     */
    static TwilioWebhookParser of(String channelId, TwilioAddressFormat addressFormat, TwilioMediaOrigin mediaOrigin) {
        requireNonNull(channelId, "channelId");
        requireNonNull(addressFormat, "addressFormat");
        requireNonNull(mediaOrigin, "mediaOrigin");
        return new TwilioWebhookParser(channelId, addressFormat, mediaOrigin);
    }

    /**
     * Reads an incoming message: {@code MessageSid} ({@code SM…} or {@code MM…}, required), {@code
     * From} and {@code To} (required), {@code Body} (may be empty or absent), {@code NumMedia} with
     * {@code MediaUrlN} / {@code MediaContentTypeN} (each an attachment, available only at Twilio's
     * media URL of this message), and the {@link #EXTRAS}.
     *
     * @throws MalformedWebhookException if a required field is missing or a field is invalid
     */
    public InboundMessage inbound(FormParameters params, Instant receivedAt) {
        requireNonNull(params, "params");
        requireNonNull(receivedAt, "receivedAt");
        String sid = messageSid(params);
        Address from = address(params, "From");
        Address to = address(params, "To");
        String text = params.first("Body").orElse("");
        List<Attachment> attachments = attachments(params, sid);
        Map<String, String> extras = new LinkedHashMap<>();
        Map<String, List<String>> all = params.asMap();
        for (String name : EXTRAS) {
            List<String> values = all.get(name);
            if (values != null && !values.isEmpty() && !values.get(0).isBlank()) {
                extras.put(name, values.get(0));
            }
        }
        return new InboundMessage(sid, channelId, from, to, text, attachments, receivedAt, extras);
    }

    /**
     * Reads a status callback: {@code MessageSid}, {@code MessageStatus} and {@code To} (required)
     * and {@code ErrorCode} (on failures).
     *
     * @return the receipt, or empty if the status is not a delivery state (Twilio's {@code
     *     receiving}, {@code received}, or one added after this was written)
     * @throws MalformedWebhookException if a required field is missing or a field is invalid
     */
    public Optional<DeliveryReceipt> status(FormParameters params, Instant receivedAt) {
        requireNonNull(params, "params");
        requireNonNull(receivedAt, "receivedAt");
        String sid = messageSid(params);
        String twilioStatus = required(params, "MessageStatus");
        Address to = address(params, "To");
        Optional<String> errorCode = params.first("ErrorCode").filter(v -> !v.isBlank());
        if (errorCode.isPresent() && !isSmallNumber(errorCode.get())) {
            throw new MalformedWebhookException("ErrorCode must be a number");
        }
        return deliveryStatus(twilioStatus)
                .map(status -> new DeliveryReceipt(sid, channelId, to, status, errorCode, receivedAt));
    }

    /**
     * Maps a Twilio message status to the SPI's: {@code accepted}, {@code queued} and {@code
     * scheduled} are {@link DeliveryStatus#QUEUED}; {@code sending}, {@code sent}, {@code delivered},
     * {@code undelivered}, {@code failed}, {@code read} and {@code canceled} map to their namesakes.
     *
     * @return the status, or empty for one that is not a delivery state
     */
    public static Optional<DeliveryStatus> deliveryStatus(String twilioStatus) {
        requireNonNull(twilioStatus, "twilioStatus");
        DeliveryStatus status =
                switch (twilioStatus.strip().toLowerCase(Locale.ROOT)) {
                    case "accepted", "queued", "scheduled" -> DeliveryStatus.QUEUED;
                    case "sending" -> DeliveryStatus.SENDING;
                    case "sent" -> DeliveryStatus.SENT;
                    case "delivered" -> DeliveryStatus.DELIVERED;
                    case "undelivered" -> DeliveryStatus.UNDELIVERED;
                    case "failed" -> DeliveryStatus.FAILED;
                    case "read" -> DeliveryStatus.READ;
                    case "canceled" -> DeliveryStatus.CANCELED;
                    default -> null;
                };
        return Optional.ofNullable(status);
    }

    private static String messageSid(FormParameters params) {
        String sid = required(params, "MessageSid");
        if (!isMessageSid(sid)) {
            throw new MalformedWebhookException("MessageSid must be SM or MM followed by 32 hex digits");
        }
        return sid;
    }

    /** {@code SM} or {@code MM} and 32 hex digits, checked without a regular expression: it runs per webhook. */
    static boolean isMessageSid(String sid) {
        if (sid.length() != 34 || (sid.charAt(0) != 'S' && sid.charAt(0) != 'M') || sid.charAt(1) != 'M') {
            return false;
        }
        for (int i = 2; i < 34; i++) {
            char c = sid.charAt(i);
            if ((c < '0' || c > '9') && (c < 'a' || c > 'f') && (c < 'A' || c > 'F')) {
                return false;
            }
        }
        return true;
    }

    private Address address(FormParameters params, String field) {
        String raw = required(params, field);
        try {
            return addressFormat.fromTwilio(field, raw);
        } catch (IllegalArgumentException e) {
            throw new MalformedWebhookException(e.getMessage(), e);
        }
    }

    private static String required(FormParameters params, String field) {
        return params.first(field)
                .filter(v -> !v.isBlank())
                .orElseThrow(() -> new MalformedWebhookException(field + " is required"));
    }

    /** One to nine ASCII digits: parsed as an int without overflow, with no sign or spaces. */
    private static boolean isSmallNumber(String value) {
        if (value.isEmpty() || value.length() > 9) {
            return false;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    private List<Attachment> attachments(FormParameters params, String sid) {
        Optional<String> declared = params.first("NumMedia").filter(v -> !v.isBlank());
        if (declared.isEmpty()) {
            return List.of();
        }
        if (!isSmallNumber(declared.get()) || Integer.parseInt(declared.get()) > MAX_MEDIA) {
            throw new MalformedWebhookException("NumMedia must be a number from 0 to " + MAX_MEDIA);
        }
        int count = Integer.parseInt(declared.get());
        List<Attachment> attachments = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String url = required(params, "MediaUrl" + i);
            String type = params.first("MediaContentType" + i)
                    .filter(v -> !v.isBlank())
                    .orElse("application/octet-stream");
            URI uri = mediaUri("MediaUrl" + i, url);
            // Only Twilio's URL for this account and this message is ever fetched; any other is kept
            // for the record but marked unavailable, so that a forged webhook cannot make the
            // channel request an address of its choosing (with the account's credentials, or at all).
            attachments.add(new Attachment(uri, type, mediaOrigin != null && mediaOrigin.isMediaOf(uri, sid)));
        }
        return attachments;
    }

    private static URI mediaUri(String field, String value) {
        try {
            URI uri = new URI(value.strip());
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if ((scheme.equals("https") || scheme.equals("http")) && uri.getHost() != null) {
                return uri;
            }
        } catch (URISyntaxException e) {
            // reported below, with the same message as a URL of the wrong kind
        }
        throw new MalformedWebhookException(field + " must be an absolute http(s) URL");
    }
}
