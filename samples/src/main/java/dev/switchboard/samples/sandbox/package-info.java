/**
 * A local stand-in for Twilio, so that the gateway runs and is tested with no Twilio account and no
 * network: a REST stand-in that accepts messages and reports their delivery through signed status
 * callbacks, and a dev phone that texts the gateway through signed webhooks.
 */
package dev.switchboard.samples.sandbox;
