/**
 * The listener's load benchmark: a load generator that drives signed webhooks over keep-alive
 * connections, the sample gateway and a bare Netty server to measure it against, each run in a JVM
 * of its own; and a burst of conversations with an agent that takes seconds, against the gateway as
 * {@code java -jar} runs it and the Twilio stand-in. Programs with a report, not tests; {@link dev.switchboard.samples.bench.LoadBench}
 * is the entry point and {@code BENCHMARKS.md} the manual.
 */
package dev.switchboard.samples.bench;
