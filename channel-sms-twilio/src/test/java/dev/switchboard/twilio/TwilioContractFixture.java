package dev.switchboard.twilio;

import static dev.switchboard.twilio.TwilioTestData.ACCOUNT_SID;
import static dev.switchboard.twilio.TwilioTestData.AUTH_TOKEN;
import static dev.switchboard.twilio.TwilioTestData.OUR_NUMBER;

import dev.switchboard.channel.Address;
import dev.switchboard.channel.Attachment;
import dev.switchboard.channel.Channel;
import dev.switchboard.channel.DeliveryStatus;
import dev.switchboard.channel.WebhookRequest;
import dev.switchboard.channel.testkit.ChannelFixture;
import dev.switchboard.channel.testkit.InboundWebhook;
import dev.switchboard.channel.testkit.ProviderSend;
import dev.switchboard.twilio.internal.TwilioAddressFormat;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The channel contract's fixture for a Twilio channel: the channel, configured with {@link
 * TwilioTestData}'s account, sending to a {@link FakeTwilioApi}, and webhooks signed as Twilio signs
 * them for the channel's public URL. Published in this module's test-jar for every Twilio channel.
 */
public final class TwilioContractFixture implements ChannelFixture {

    /** A token that is not the account's, for forgeries. */
    public static final String GUESSED_TOKEN = "guessed-auth-token-000000";

    private final FakeTwilioApi api;
    private final Channel channel;
    private final TwilioAddressFormat format;
    private final String webhookPath;
    private final String publicUrl;
    private final Set<DeliveryStatus> statuses;
    private final AtomicLong sids = new AtomicLong(0x5eed_0000L);

    /**
     * @param api the fake the channel sends to, closed with the fixture
     * @param channel the channel, configured with {@link TwilioTestData#CREDENTIALS}, {@link
     *     TwilioTestData#OUR_NUMBER} and {@code publicUrl}, sending to {@code api}
     * @param format how the channel writes addresses to Twilio
     * @param webhookPath the channel's incoming-message path; status callbacks are on it plus {@code
     *     /status}
     * @param publicUrl the public URL of that path, which Twilio signs
     * @param statuses the statuses Twilio reports on this channel
     */
    public TwilioContractFixture(
            FakeTwilioApi api,
            Channel channel,
            TwilioAddressFormat format,
            String webhookPath,
            String publicUrl,
            Set<DeliveryStatus> statuses) {
        this.api = api;
        this.channel = channel;
        this.format = format;
        this.webhookPath = webhookPath;
        this.publicUrl = publicUrl;
        this.statuses = Set.copyOf(statuses);
    }

    @Override
    public Channel channel() {
        return channel;
    }

    @Override
    public Address person() {
        return Address.of(TwilioTestData.PERSON);
    }

    @Override
    public Address channelAddress() {
        return Address.of(OUR_NUMBER);
    }

    @Override
    public InboundWebhook inbound(Address from, String text) {
        String sid = sid("SM");
        return new InboundWebhook(sid, signedInbound(AUTH_TOKEN, message(sid, from, text, List.of())));
    }

    @Override
    public Optional<InboundWebhook> inboundWithAttachments(Address from, String text, List<Attachment> attachments) {
        String sid = sid("MM");
        return Optional.of(new InboundWebhook(sid, signedInbound(AUTH_TOKEN, message(sid, from, text, attachments))));
    }

    @Override
    public WebhookRequest forgedInbound(Address from, String text) {
        return signedInbound(GUESSED_TOKEN, message(sid("SM"), from, text, List.of()));
    }

    @Override
    public WebhookRequest deliveryReport(
            String messageId, Address to, DeliveryStatus status, Optional<String> errorCode) {
        String word = status.name().toLowerCase(Locale.ROOT);
        List<String> fields = new ArrayList<>(List.of(
                "SmsSid",
                messageId,
                "SmsStatus",
                word,
                "MessageStatus",
                word,
                "To",
                format.toTwilio(to),
                "MessageSid",
                messageId,
                "AccountSid",
                ACCOUNT_SID,
                "From",
                format.toTwilio(channelAddress()),
                "ApiVersion",
                "2010-04-01"));
        errorCode.ifPresent(code -> fields.addAll(List.of("ErrorCode", code)));
        return TwilioTestData.signed(
                AUTH_TOKEN, publicUrl + "/status", webhookPath + "/status", "", fields.toArray(String[]::new));
    }

    @Override
    public Set<DeliveryStatus> reportedStatuses() {
        return statuses;
    }

    /** 30003: unreachable handset. */
    @Override
    public String deliveryErrorCode() {
        return "30003";
    }

    @Override
    public String acceptNextSend() {
        String sid = sid("SM");
        api.answer(FakeTwilioApi.Answer.json(201, FakeTwilioApi.createdMessage(sid, "queued")));
        return sid;
    }

    /** HTTP 429 with error 20429, which Twilio never processed; or HTTP 500 with error 20500. */
    @Override
    public Optional<String> failNextSendRetriably(boolean mayHaveBeenProcessed) {
        if (mayHaveBeenProcessed) {
            api.answer(FakeTwilioApi.Answer.json(
                    500,
                    "{\"code\":20500,\"message\":\"Internal Server Error\",\"more_info\":"
                            + "\"https://www.twilio.com/docs/errors/20500\",\"status\":500}"));
            return Optional.of("20500");
        }
        api.answer(FakeTwilioApi.Answer.twilioError(429, 20429));
        return Optional.of("20429");
    }

    /** HTTP 400 with error 21211: an invalid {@code To} number. */
    @Override
    public String failNextSendPermanently() {
        api.answer(FakeTwilioApi.Answer.twilioError(400, 21211));
        return "21211";
    }

    @Override
    public List<ProviderSend> sentToProvider() {
        return api.requests().stream()
                .filter(r -> r.method().equals("POST") && r.path().endsWith("/Messages.json"))
                .map(r -> new ProviderSend(
                        format.fromTwilio("To", r.field("To")),
                        r.form().first("Body").orElse(""),
                        r.form().all("MediaUrl").stream().map(URI::create).toList()))
                .toList();
    }

    @Override
    public void close() {
        api.close();
    }

    private String sid(String prefix) {
        return prefix + String.format(Locale.ROOT, "%032x", sids.incrementAndGet());
    }

    private String[] message(String sid, Address from, String text, List<Attachment> attachments) {
        List<String> fields = new ArrayList<>(List.of(
                "ToCountry",
                "US",
                "SmsMessageSid",
                sid,
                "NumMedia",
                Integer.toString(attachments.size()),
                "SmsSid",
                sid,
                "SmsStatus",
                "received",
                "Body",
                text,
                "To",
                format.toTwilio(channelAddress()),
                "NumSegments",
                "1",
                "MessageSid",
                sid,
                "AccountSid",
                ACCOUNT_SID,
                "From",
                format.toTwilio(from),
                "ApiVersion",
                "2010-04-01"));
        if (format.equals(TwilioAddressFormat.WHATSAPP)) {
            fields.addAll(
                    List.of("ProfileName", "Ada Lovelace", "WaId", from.value().substring(1)));
        }
        for (int i = 0; i < attachments.size(); i++) {
            fields.addAll(List.of(
                    "MediaUrl" + i,
                    attachments.get(i).url().toString(),
                    "MediaContentType" + i,
                    attachments.get(i).contentType()));
        }
        return fields.toArray(String[]::new);
    }

    private WebhookRequest signedInbound(String token, String[] fields) {
        return TwilioTestData.signed(token, publicUrl, webhookPath, "", fields);
    }
}
