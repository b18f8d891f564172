package dev.switchboard.twilio;

/**
 * Where a Twilio channel gets its account's credentials when the application keeps them in a secret
 * manager of its own (Vault, a cloud secret store, a keystore) rather than in variables:
 *
 * <pre>{@code
 * TwilioSmsChannel sms = TwilioSmsChannel.builderFromEnv(env)
 *         .credentials(() -> new TwilioCredentials(vault.read("twilio/sid"), vault.read("twilio/token")))
 *         .build();
 * }</pre>
 *
 * <p>A channel's builder asks it once, in {@code build()}, and the channel keeps what it got for its
 * whole life: webhook signatures are checked and REST calls are made with those credentials. To take
 * up a new token, build a new channel (restart); to accept webhooks signed with the old token meanwhile,
 * give the builder a {@linkplain TwilioChannelBuilder#secondaryAuthToken secondary auth token}.
 * Asking once keeps a slow or failing secret store off the webhook path and makes a missing secret
 * a refusal to build rather than a failure at the first message.
 */
@FunctionalInterface
public interface CredentialsProvider {

    /**
     * The account's credentials. Called once per {@code build()} of a channel's builder, on the
     * thread that calls it.
     *
     * @return the credentials, never {@code null}
     * @throws RuntimeException if the secret cannot be had: the builder lets it through unchanged,
     *     so it should say what is missing without the secret itself
     */
    TwilioCredentials credentials();
}
