/**
 * Not API: the Twilio code the SMS and WhatsApp channels share, public only where another package
 * needs it (the channels' packages, the WhatsApp module, {@link
 * dev.switchboard.twilio.TwilioSignature}). Applications must not use it; it changes without notice.
 *
 * <p>Here are a sender on the Twilio Java SDK that maps Twilio's errors to {@link
 * dev.switchboard.channel.RetriableChannelException} and {@link
 * dev.switchboard.channel.PermanentChannelException}, the handler that checks webhook signatures and
 * parses Twilio's forms into the channel SPI, and what the channels have in common: a {@link
 * dev.switchboard.twilio.internal.TwilioChannelProfile} names a channel's variables and words its
 * advice, its builder (a {@link dev.switchboard.twilio.TwilioChannelBuilder}) collects its options
 * in {@link dev.switchboard.twilio.internal.TwilioChannelSettings} to produce a {@link
 * dev.switchboard.twilio.internal.TwilioChannelConfig}, and the channel itself extends {@link
 * dev.switchboard.twilio.internal.TwilioChannel}, which runs its webhook routes, its sender and its
 * lifecycle.
 *
 * <p>Phone addresses are plain E.164 inside Switchboard. A channel-specific prefix (none for SMS,
 * {@code whatsapp:} for WhatsApp) is added and removed at the Twilio boundary only, by a {@link
 * dev.switchboard.twilio.internal.TwilioAddressFormat}; every piece here that reads or writes
 * Twilio addresses takes one.
 *
 * <p>Every parameter and return value is non-null unless its documentation says otherwise.
 */
package dev.switchboard.twilio.internal;
