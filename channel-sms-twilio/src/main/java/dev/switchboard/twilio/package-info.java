/**
 * What the Twilio channels share: credentials, webhook signatures, parsing of Twilio's form webhooks
 * into the channel SPI, and a sender on the Twilio Java SDK that maps Twilio's errors to {@link
 * dev.switchboard.channel.RetriableChannelException} and {@link
 * dev.switchboard.channel.PermanentChannelException}.
 *
 * <p>Phone addresses are plain E.164 inside Switchboard. A channel-specific prefix (none for SMS,
 * {@code whatsapp:} for WhatsApp) is added and removed at the Twilio boundary only, by a {@link
 * dev.switchboard.twilio.TwilioAddressFormat}; every piece here that reads or writes Twilio
 * addresses takes one.
 *
 * <p>Every parameter and return value is non-null unless its documentation says otherwise.
 */
package dev.switchboard.twilio;
