package dev.switchboard.twilio.internal;

import static java.util.Objects.requireNonNull;

import dev.switchboard.twilio.TwilioChannelBuilder;
import java.util.Map;

/**
 * What sets one Twilio channel apart in the configuration and lifecycle that all of them share
 * ({@link TwilioChannelBuilder}, {@link TwilioChannel}): its id, how it writes addresses, the
 * names of its variables and the wording of its advice.
 *
 * @param id the channel's id ({@code "sms"}), stamped on events and shown in logs
 * @param displayName the channel's name in messages for people ({@code "SMS"})
 * @param addressFormat how the channel writes addresses for Twilio
 * @param variablePrefix what the channel's own variables start with: {@code "SMS"} for {@code
 *     SMS_WEBHOOK_URL}, {@code SMS_INSECURE_NO_SIGNATURE}, {@code SMS_ALLOWED_USERS}, {@code
 *     SMS_ALLOW_ALL_USERS}, {@code SMS_HOME_CHANNEL} and {@code SMS_HOME_CHANNEL_NAME}
 * @param numberVariable the variable of the channel's own number ({@code TWILIO_PHONE_NUMBER})
 * @param defaultWebhookPath the path of the incoming-message route when none is configured
 * @param missingSenderAdvice what to set when neither the number nor a Messaging Service is, ending
 *     the one-line refusal to build
 * @param webhookUrlDescription what the webhook URL is, in the refusal to build without one ({@code
 *     "the URL Twilio calls"})
 * @param errorMessages the channel's own advice for Twilio error codes (see {@link
 *     TwilioSender.Builder#errorMessage}); may be empty
 */
public record TwilioChannelProfile(
        String id,
        String displayName,
        TwilioAddressFormat addressFormat,
        String variablePrefix,
        String numberVariable,
        String defaultWebhookPath,
        String missingSenderAdvice,
        String webhookUrlDescription,
        Map<Integer, String> errorMessages) {

    /**
     * @throws IllegalArgumentException if {@code defaultWebhookPath} is not a valid route path
     */
    public TwilioChannelProfile {
        requireNonNull(id, "id");
        requireNonNull(displayName, "displayName");
        requireNonNull(addressFormat, "addressFormat");
        requireNonNull(variablePrefix, "variablePrefix");
        requireNonNull(numberVariable, "numberVariable");
        defaultWebhookPath = TwilioWebhookUrls.webhookPath(requireNonNull(defaultWebhookPath, "defaultWebhookPath"));
        requireNonNull(missingSenderAdvice, "missingSenderAdvice");
        requireNonNull(webhookUrlDescription, "webhookUrlDescription");
        errorMessages = Map.copyOf(errorMessages);
    }

    /** The name of one of the channel's own variables: {@code variable("WEBHOOK_URL")} is {@code SMS_WEBHOOK_URL}. */
    public String variable(String suffix) {
        requireNonNull(suffix, "suffix");
        return variablePrefix + "_" + suffix;
    }
}
