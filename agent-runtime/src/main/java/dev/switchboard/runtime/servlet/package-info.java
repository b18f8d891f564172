/**
 * Serves the runtime's webhooks from a servlet container (Tomcat, Jetty, Spring MVC) instead of the
 * built-in webhook server: {@link dev.switchboard.runtime.servlet.SwitchboardServlet}. Needs the
 * Jakarta Servlet 6.0 API, which the container provides; nothing else in the runtime loads it.
 *
 * <p>Every parameter and return value is non-null unless its documentation says otherwise.
 */
package dev.switchboard.runtime.servlet;
