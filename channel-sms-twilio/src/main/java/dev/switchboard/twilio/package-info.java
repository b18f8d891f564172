/**
 * What the Twilio channels share: credentials, webhook signatures, parsing of Twilio's form webhooks
 * into the channel SPI, and a sender on the Twilio Java SDK that maps Twilio's errors to {@link
 * dev.switchboard.channel.RetriableChannelException} and {@link
 * dev.switchboard.channel.PermanentChannelException}.
 *
 * <p>It also holds what the channels themselves have in common, so that each channel class keeps
 * only what is its own: a {@link dev.switchboard.twilio.TwilioChannelProfile} names a channel's
 * variables and words its advice, its builder extends {@link
 * dev.switchboard.twilio.TwilioChannelBuilder} (the shared options and {@code fromEnv}) to produce a
 * {@link dev.switchboard.twilio.TwilioChannelConfig}, and the channel itself extends {@link
 * dev.switchboard.twilio.TwilioChannel}, which runs its webhook routes, its sender and its
 * lifecycle.
 *
 * <p>Phone addresses are plain E.164 inside Switchboard. A channel-specific prefix (none for SMS,
 * {@code whatsapp:} for WhatsApp) is added and removed at the Twilio boundary only, by a {@link
 * dev.switchboard.twilio.TwilioAddressFormat}; every piece here that reads or writes Twilio
 * addresses takes one.
 *
 * <p>Every parameter and return value is non-null unless its documentation says otherwise.
 */
package dev.switchboard.twilio;
