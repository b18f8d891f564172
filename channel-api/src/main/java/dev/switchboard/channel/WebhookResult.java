package dev.switchboard.channel;

import static java.util.Objects.requireNonNull;

/**
 * What a channel's {@link WebhookHandler} made of a request. The host answers the request with
 * {@link #response()}; for {@link Inbound} and {@link Receipt} it first applies its own checks
 * (duplicates, echoes) and then hands the event on after answering.
 */
public sealed interface WebhookResult {

    /** The answer to send back to the provider. */
    WebhookResponse response();

    /**
     * The request was refused (bad signature: 403; malformed: 400) and goes no further.
     *
     * @param response the answer, whose body says why
     */
    record Rejected(WebhookResponse response) implements WebhookResult {
        public Rejected {
            requireNonNull(response, "response");
            if (response.status() < 400) {
                throw new IllegalArgumentException("a rejection needs a 4xx or 5xx status: " + response.status());
            }
        }

        /** A rejection with a plain-text reason. */
        public static Rejected of(int status, String reason) {
            return new Rejected(WebhookResponse.text(status, reason));
        }
    }

    /**
     * An authentic inbound message.
     *
     * @param message the message
     * @param response the acknowledgement the provider expects (for Twilio, empty TwiML)
     */
    record Inbound(InboundMessage message, WebhookResponse response) implements WebhookResult {
        public Inbound {
            requireNonNull(message, "message");
            requireNonNull(response, "response");
        }
    }

    /**
     * An authentic delivery report.
     *
     * @param receipt the report
     * @param response the acknowledgement the provider expects
     */
    record Receipt(DeliveryReceipt receipt, WebhookResponse response) implements WebhookResult {
        public Receipt {
            requireNonNull(receipt, "receipt");
            requireNonNull(response, "response");
        }
    }

    /**
     * An authentic request with nothing for the host to do (an event type the channel does not use).
     *
     * @param response the acknowledgement
     */
    record Ignored(WebhookResponse response) implements WebhookResult {
        public Ignored {
            requireNonNull(response, "response");
        }
    }
}
