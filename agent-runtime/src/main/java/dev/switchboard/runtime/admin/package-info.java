/**
 * The admin port: a second HTTP server, apart from the webhook listener, for the operator's console,
 * health checks and metrics ({@code AgentRuntimeBuilder.adminServer}).
 *
 * <p>It serves {@code /healthz}, {@code /readyz} and {@code /metrics} to anyone who can reach it, and
 * everything else (the console's pages, its JSON API, its live events, and the application's own
 * {@linkplain dev.switchboard.runtime.admin.AdminHandler routes}) only with the admin token when one
 * is set. The console shows message bodies and full numbers: bind it to loopback, or set a token.
 *
 * <p>Every parameter and return value is non-null unless its documentation says otherwise.
 */
package dev.switchboard.runtime.admin;
