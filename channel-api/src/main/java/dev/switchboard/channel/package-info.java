/**
 * The channel-neutral Conversation SPI: what a messaging channel (SMS, WhatsApp, or any other) must
 * provide so that a runtime can receive, answer and track messages through it.
 *
 * <p>This package depends on the JDK alone, so that a third party can write a channel against it
 * without pulling in Twilio, Netty or the runtime. Every parameter and return value is non-null
 * unless its documentation says otherwise.
 *
 * <p>A channel contributes {@link dev.switchboard.channel.WebhookRoute webhook routes}; the host
 * (the Netty listener of {@code agent-runtime}, or an HTTP server the application already runs)
 * hands each request to the route's {@link dev.switchboard.channel.WebhookHandler}, which proves the
 * request's origin and parses it into a {@link dev.switchboard.channel.WebhookResult}. Replies go
 * out through {@link dev.switchboard.channel.Channel#send(OutboundMessage)}.
 */
package dev.switchboard.channel;
