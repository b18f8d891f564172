/**
 * Formatting of outgoing text: markdown rendered for a channel's flavour, split to its limit, and
 * its cost in SMS segments.
 */
package dev.switchboard.runtime.format;
