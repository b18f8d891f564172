/**
 * Delivery you can observe and trust: what became of each reply ({@link
 * dev.switchboard.runtime.delivery.ReplyOutcome}) and each of its parts ({@link
 * dev.switchboard.runtime.delivery.PartStatus}), what the runtime does with a send whose outcome is
 * unknown ({@link dev.switchboard.runtime.delivery.AmbiguousSendPolicy}), and who asked to receive
 * nothing more ({@link dev.switchboard.runtime.delivery.OptOutStore}).
 *
 * <p>Every parameter and return value is non-null unless its documentation says otherwise.
 */
package dev.switchboard.runtime.delivery;
