/**
 * Formatting of outgoing text: markdown rendered for a channel's flavour, split to its limit, and
 * its cost in SMS segments.
 *
 * <p>{@link dev.switchboard.runtime.format.MarkdownFormatter} is the {@link
 * dev.switchboard.runtime.format.ReplyFormatter} the runtime sends every reply through. Its pieces
 * can be used alone: {@link dev.switchboard.runtime.format.MarkdownRenderer} (markdown to the text of
 * one {@link dev.switchboard.channel.TextFlavour}, with its documented departures from CommonMark),
 * {@link dev.switchboard.runtime.format.MessageSplitter} (text to parts within a limit), {@link
 * dev.switchboard.runtime.format.SegmentCounter} (what one SMS costs) and {@link
 * dev.switchboard.runtime.format.GsmNormaliser} (keeping typographic text in GSM-7).
 *
 * <p>Every parameter and return value in this package is non-null unless its documentation says
 * otherwise. Every public type is immutable or stateless, and thread-safe, except the builders.
 */
package dev.switchboard.runtime.format;
