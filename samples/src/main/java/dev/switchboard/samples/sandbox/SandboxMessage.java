package dev.switchboard.samples.sandbox;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A message the stand-in accepted, as the application asked for it.
 *
 * @param sid the {@code SM…} sid the stand-in gave it
 * @param from the sender as sent ({@code From}, with any {@code whatsapp:} prefix), or empty when a
 *     Messaging Service sent it
 * @param messagingServiceSid the {@code MessagingServiceSid}, or empty
 * @param to the recipient as sent ({@code To})
 * @param body the {@code Body}, possibly empty
 * @param mediaUrls the {@code MediaUrl}s
 * @param contentSid the template's {@code ContentSid}, or empty
 * @param contentVariables the template's {@code ContentVariables} JSON, or empty
 * @param statusCallback the {@code StatusCallback} URL, or empty
 * @param createdAt when it was accepted
 */
public record SandboxMessage(
        String sid,
        Optional<String> from,
        Optional<String> messagingServiceSid,
        String to,
        String body,
        List<String> mediaUrls,
        Optional<String> contentSid,
        Optional<String> contentVariables,
        Optional<String> statusCallback,
        Instant createdAt) {

    public SandboxMessage {
        mediaUrls = List.copyOf(mediaUrls);
    }

    @Override
    public String toString() {
        return "SandboxMessage[sid=" + sid + ", bodyLength=" + body.length() + "]";
    }
}
