package dev.switchboard.runtime.admin;

import dev.switchboard.channel.WebhookRequest;
import dev.switchboard.channel.WebhookResponse;

/**
 * Answers the admin server's requests under a path prefix an application registered with {@code
 * AgentRuntimeBuilder.adminRoute}, behind the admin token like the console's own API.
 *
 * <p>Called on the admin server's own threads (never an I/O thread), possibly from several at once;
 * it may block briefly. The request's path is the full path, prefix included. Every answer gets the
 * console's security headers ({@code Cache-Control: no-store}, {@code X-Content-Type-Options:
 * nosniff}, a {@code Content-Security-Policy} of {@code 'self'}).
 */
@FunctionalInterface
public interface AdminHandler {

    /**
     * Answers one request.
     *
     * @return the answer
     * @throws Exception when the request cannot be answered: the client gets a 500 with a JSON {@code
     *     {"error": ...}} naming the exception's class, and the failure is logged without the
     *     request's body
     */
    WebhookResponse handle(WebhookRequest request) throws Exception;
}
