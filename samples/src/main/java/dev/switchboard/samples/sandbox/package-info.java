/**
 * A local stand-in for Twilio, so that the gateway runs and is tested with no Twilio account and no
 * network: a REST stand-in that accepts messages and reports their delivery through signed status
 * callbacks, and carries texts to the gateway through its numbers' signed webhooks, answering STOP,
 * START and HELP on SMS as Twilio does; and a dev phone in the terminal that texts through it.
 *
 * <p>Every parameter and return value is non-null unless its documentation says otherwise.
 */
package dev.switchboard.samples.sandbox;
