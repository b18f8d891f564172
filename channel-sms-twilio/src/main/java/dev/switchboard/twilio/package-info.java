/**
 * What an application uses of the Twilio code the SMS and WhatsApp channels share: the account's
 * {@link dev.switchboard.twilio.TwilioCredentials}, a {@link
 * dev.switchboard.twilio.CredentialsProvider} to take them from a secret store of its own, {@link
 * dev.switchboard.twilio.TwilioSignature} to sign and verify webhooks (in a test that plays Twilio,
 * or a server of one's own), and {@link dev.switchboard.twilio.TwilioChannelBuilder}, the options
 * both channels' builders share.
 *
 * <p>The channels themselves are {@code dev.switchboard.sms.twilio.TwilioSmsChannel} and {@code
 * dev.switchboard.whatsapp.twilio.TwilioWhatsAppChannel}. Everything else they share (the sender on
 * the Twilio Java SDK, webhook parsing, address formats) lives in {@code
 * dev.switchboard.twilio.internal}, which is not API.
 *
 * <p>Every parameter and return value is non-null unless its documentation says otherwise.
 */
package dev.switchboard.twilio;
