/**
 * The sample gateway's part of the console in sandbox mode: the dev phone's API, which texts the
 * gateway through the Twilio stand-in and shows what the stand-in carries as it happens.
 *
 * <p>Every parameter and return value is non-null unless its documentation says otherwise.
 */
package dev.switchboard.samples.console;
