/**
 * The channel contract kit: {@link dev.switchboard.channel.testkit.ChannelContractTest}, the tests
 * every {@link dev.switchboard.channel.Channel} implementation must pass, and {@link
 * dev.switchboard.channel.testkit.ChannelFixture}, what an implementation supplies to run them
 * against a fake of its provider.
 *
 * <p>Published as the {@code test-jar} of {@code channel-api}, this package alone; it needs JUnit 5
 * and AssertJ on the test class path of the module that uses it. Every parameter and return value is
 * non-null unless its documentation says otherwise.
 */
package dev.switchboard.channel.testkit;
