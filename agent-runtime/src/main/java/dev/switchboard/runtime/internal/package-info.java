/**
 * The runtime's internals: the Netty listener, duplicate detection, per-conversation dispatch and
 * reply delivery. Not an API: anything here may change without notice.
 *
 * <p>Every parameter and return value is non-null unless its documentation says otherwise.
 */
package dev.switchboard.runtime.internal;
