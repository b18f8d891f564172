package dev.switchboard.samples.sandbox;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * What became of a message a phone texted to one of the stand-in's numbers ({@link
 * TwilioSandbox#text(String, String, String)}).
 *
 * @param message the inbound message, as the stand-in lists it
 * @param keywordAnswer Twilio's own answer, when the text was a compliance keyword on SMS (STOP,
 *     START or HELP and their synonyms): a message from the number to the phone, already shown to the
 *     {@linkplain TwilioSandbox#onMessage listeners}
 * @param webhookStatus the HTTP status the number's webhook answered with
 * @param webhookBody the body the webhook answered with (TwiML when all went well)
 */
public record TextOutcome(
        SandboxMessage message, Optional<SandboxMessage> keywordAnswer, int webhookStatus, String webhookBody) {

    public TextOutcome {
        requireNonNull(message, "message");
        requireNonNull(keywordAnswer, "keywordAnswer");
        requireNonNull(webhookBody, "webhookBody");
    }

    @Override
    public String toString() {
        return "TextOutcome[" + message + ", keywordAnswer=" + keywordAnswer.isPresent() + ", webhookStatus="
                + webhookStatus + "]";
    }
}
