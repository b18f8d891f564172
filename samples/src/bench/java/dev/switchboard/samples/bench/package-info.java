/**
 * The listener's load benchmark: a load generator that drives signed webhooks over keep-alive
 * connections, the sample gateway and a bare Netty server to measure it against, each run in a JVM
 * of its own. A program with a report, not a test; {@link dev.switchboard.samples.bench.LoadBench}
 * is the entry point and {@code BENCHMARKS.md} the manual.
 */
package dev.switchboard.samples.bench;
