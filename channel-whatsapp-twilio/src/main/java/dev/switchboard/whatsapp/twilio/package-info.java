/**
 * The Twilio WhatsApp channel: {@link dev.switchboard.whatsapp.twilio.TwilioWhatsAppChannel},
 * configured in code or from the environment variables Hermes users already know ({@code
 * TWILIO_ACCOUNT_SID}, {@code TWILIO_AUTH_TOKEN}, {@code TWILIO_WHATSAPP_NUMBER}, {@code
 * WHATSAPP_WEBHOOK_URL}, …), and the {@link dev.switchboard.whatsapp.twilio.ConversationWindowStore}
 * that keeps WhatsApp's 24-hour customer-service window per person.
 *
 * <p>Every parameter and return value is non-null unless its documentation says otherwise.
 */
package dev.switchboard.whatsapp.twilio;
