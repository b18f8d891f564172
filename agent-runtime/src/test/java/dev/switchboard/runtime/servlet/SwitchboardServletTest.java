package dev.switchboard.runtime.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.runtime.AgentRuntime;
import dev.switchboard.runtime.AgentRuntimeBuilder;
import dev.switchboard.runtime.WebhookTransportContract;
import dev.switchboard.runtime.store.DurableTestStore;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.util.EnumSet;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.Test;

/**
 * The signed-webhook cases against {@link SwitchboardServlet} in an embedded Jetty (ee10, Servlet
 * 6.0), in a context at {@value #CONTEXT} so that the servlet has to take the context's path off;
 * and what only the servlet does: answer asynchronously, or block a thread when it may not.
 */
class SwitchboardServletTest extends WebhookTransportContract {

    private static final String CONTEXT = "/app";

    private final BlockingQueue<Boolean> asyncStarted = new LinkedBlockingQueue<>();
    private boolean asyncSupported = true;
    private Integer servletLimit;
    private Server jetty;

    @Override
    protected AgentRuntime serve(AgentRuntimeBuilder builder) throws Exception {
        AgentRuntime runtime = builder.noWebhookServer().build().start();
        SwitchboardServlet servlet =
                servletLimit == null ? new SwitchboardServlet(runtime) : new SwitchboardServlet(runtime, servletLimit);
        jetty = new Server();
        ServerConnector connector = new ServerConnector(jetty);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        jetty.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler(CONTEXT);
        ServletHolder holder = new ServletHolder("switchboard", servlet);
        holder.setAsyncSupported(asyncSupported);
        context.addServlet(holder, "/*");
        FilterHolder recorder = new FilterHolder(new AsyncRecorder());
        recorder.setAsyncSupported(asyncSupported);
        context.addFilter(recorder, "/*", EnumSet.of(jakarta.servlet.DispatcherType.REQUEST));
        jetty.setHandler(context);
        jetty.start();
        return runtime;
    }

    /** Records, for each request, whether the servlet left it asynchronous when it returned. */
    private final class AsyncRecorder implements Filter {
        @Override
        public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
                throws IOException, ServletException {
            chain.doFilter(request, response);
            asyncStarted.add(((HttpServletRequest) request).isAsyncStarted());
        }
    }

    @Override
    protected int port() {
        return ((ServerConnector) jetty.getConnectors()[0]).getLocalPort();
    }

    @Override
    protected String prefix() {
        return CONTEXT;
    }

    @Override
    protected void stopServing() throws Exception {
        if (jetty != null) {
            jetty.stop();
        }
    }

    @Test
    void answersAtOnceWithoutAStoreAndAsynchronouslyWhileACommitIsPending() throws Exception {
        DurableTestStore database = DurableTestStore.create();
        start(builder -> builder.store(database));
        // Rejected before any commit: answered on the container's thread.
        assertThat(post(PATH, "application/json", "ok", "{}").statusCode()).isEqualTo(415);
        assertThat(asyncStarted.poll(10, TimeUnit.SECONDS)).isFalse();

        database.holdAccepts();
        CompletableFuture<Integer> answer = CompletableFuture.supplyAsync(() -> status("SM1", "held"));
        assertThat(database.awaitHeldAccept()).isTrue();
        // The container's thread is back before the commit: the request waits asynchronously.
        assertThat(asyncStarted.poll(10, TimeUnit.SECONDS)).isTrue();
        assertThat(answer).isNotDone();
        database.releaseAccepts();

        assertThat(answer.get(15, TimeUnit.SECONDS)).isEqualTo(200);
        assertThat(nextTurn()).isEqualTo("held");
    }

    @Test
    void blocksTheContainersThreadForTheCommitWhenNotRegisteredAsynchronous() throws Exception {
        asyncSupported = false;
        DurableTestStore database = DurableTestStore.create();
        start(builder -> builder.store(database));
        database.holdAccepts();

        CompletableFuture<Integer> answer = CompletableFuture.supplyAsync(() -> status("SM1", "blocking"));
        assertThat(database.awaitHeldAccept()).isTrue();
        assertThat(answer).isNotDone();
        assertThat(asyncStarted).as("the servlet still holds the request").isEmpty();
        database.releaseAccepts();

        assertThat(answer.get(15, TimeUnit.SECONDS)).isEqualTo(200);
        assertThat(asyncStarted.poll(10, TimeUnit.SECONDS)).isFalse();
        assertThat(nextTurn()).isEqualTo("blocking");

        database.down(true);
        assertThat(status("SM2", "down")).isEqualTo(503);
    }

    @Test
    void takesABodyLimitOfItsOwn() throws Exception {
        servletLimit = 200;
        start();

        HttpResponse<String> over = message("SM1", "+15551230001", "x".repeat(200));

        assertThat(over.statusCode()).isEqualTo(413);
        assertThat(channel().handled()).isZero();
        assertThat(message("SM2", "+15551230001", "short").statusCode()).isEqualTo(200);
        assertThat(nextTurn()).isEqualTo("short");
    }

    @Test
    void refusesANonPositiveBodyLimit() throws Exception {
        AgentRuntime runtime = start();

        assertThatThrownBy(() -> new SwitchboardServlet(runtime, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxBodyBytes must be positive: 0");
        assertThat(new SwitchboardServlet(runtime).maxBodyBytes()).isEqualTo(LIMIT);
    }
}
