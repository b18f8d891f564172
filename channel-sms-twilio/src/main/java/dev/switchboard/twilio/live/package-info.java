/**
 * Checks a real Twilio setup before going live and points its webhooks at the application: {@link
 * dev.switchboard.twilio.live.TwilioLive#doctor()} reports each part of the setup as a {@link
 * dev.switchboard.twilio.live.LiveCheck}, and {@link
 * dev.switchboard.twilio.live.TwilioLive#configureWebhooks(boolean)} sets the webhook URL and method
 * on the number or Messaging Service, reporting each field as a {@link
 * dev.switchboard.twilio.live.WebhookChange}.
 *
 * <p>Both read the variables the channels read and make the REST calls with the Twilio Java SDK on a
 * client of their own; {@code TWILIO_API_BASE_URL} sends them to a local stand-in instead. Nothing
 * here logs or reports an auth token, a signature or a message body, and phone numbers appear
 * redacted.
 *
 * <p>Every parameter and return value is non-null unless its documentation says otherwise.
 */
package dev.switchboard.twilio.live;
