/**
 * The sample's command line: {@code java -jar switchboard-samples.jar} with no command runs the gateway;
 * {@code setup}, {@code doctor} and {@code webhooks configure} take a Twilio account live.
 */
package dev.switchboard.samples.cli;
