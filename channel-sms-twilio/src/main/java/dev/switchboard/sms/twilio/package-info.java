/**
 * The Twilio SMS channel: {@link dev.switchboard.sms.twilio.TwilioSmsChannel}, configured in code
 * or from the environment variables Hermes users already know ({@code TWILIO_ACCOUNT_SID}, {@code
 * TWILIO_AUTH_TOKEN}, {@code TWILIO_PHONE_NUMBER}, {@code SMS_WEBHOOK_URL}, …).
 *
 * <p>Every parameter and return value is non-null unless its documentation says otherwise.
 */
package dev.switchboard.sms.twilio;
