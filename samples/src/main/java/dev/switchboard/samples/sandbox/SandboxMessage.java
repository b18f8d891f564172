package dev.switchboard.samples.sandbox;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A message the stand-in holds: one the application asked it to send, one a phone texted to one of
 * its numbers, or its own answer to a compliance keyword.
 *
 * @param sid the {@code SM…} sid the stand-in gave it
 * @param direction which way it went, as Twilio lists it
 * @param from the sender ({@code From}, with any {@code whatsapp:} prefix), or empty when a Messaging
 *     Service sent it
 * @param messagingServiceSid the {@code MessagingServiceSid}, or empty
 * @param to the recipient ({@code To})
 * @param body the {@code Body}, possibly empty
 * @param mediaUrls the {@code MediaUrl}s
 * @param contentSid the template's {@code ContentSid}, or empty
 * @param contentVariables the template's {@code ContentVariables} JSON, or empty
 * @param statusCallback the {@code StatusCallback} URL, or empty
 * @param createdAt when it was accepted or received
 * @param media the media the stand-in fetched from {@code mediaUrls} when the message was sent, in
 *     order; for a message a phone texted, the items it carried (their {@code url} the stand-in's own)
 */
public record SandboxMessage(
        String sid,
        Direction direction,
        Optional<String> from,
        Optional<String> messagingServiceSid,
        String to,
        String body,
        List<String> mediaUrls,
        Optional<String> contentSid,
        Optional<String> contentVariables,
        Optional<String> statusCallback,
        Instant createdAt,
        List<SandboxMedia> media) {

    public SandboxMessage {
        requireNonNull(direction, "direction");
        mediaUrls = List.copyOf(mediaUrls);
        media = List.copyOf(media);
    }

    /** A message without fetched media. */
    public SandboxMessage(
            String sid,
            Direction direction,
            Optional<String> from,
            Optional<String> messagingServiceSid,
            String to,
            String body,
            List<String> mediaUrls,
            Optional<String> contentSid,
            Optional<String> contentVariables,
            Optional<String> statusCallback,
            Instant createdAt) {
        this(
                sid,
                direction,
                from,
                messagingServiceSid,
                to,
                body,
                mediaUrls,
                contentSid,
                contentVariables,
                statusCallback,
                createdAt,
                List.of());
    }

    /** The {@code direction} of Twilio's Message resource, for the messages the stand-in holds. */
    public enum Direction {
        /** Texted by a phone to one of the stand-in's numbers. */
        INBOUND("inbound"),
        /** Created through the REST API, by the application. */
        OUTBOUND_API("outbound-api"),
        /** Created in answer to an inbound message: Twilio's own answer to STOP, START or HELP. */
        OUTBOUND_REPLY("outbound-reply");

        private final String twilioName;

        Direction(String twilioName) {
            this.twilioName = twilioName;
        }

        /** The value as Twilio's API writes it, such as {@code outbound-api}. */
        public String twilioName() {
            return twilioName;
        }
    }

    @Override
    public String toString() {
        return "SandboxMessage[sid=" + sid + ", direction=" + direction.twilioName() + ", bodyLength=" + body.length()
                + ", media=" + media.size() + "]";
    }
}
