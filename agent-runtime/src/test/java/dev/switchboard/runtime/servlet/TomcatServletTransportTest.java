package dev.switchboard.runtime.servlet;

import dev.switchboard.runtime.AgentRuntime;
import dev.switchboard.runtime.AgentRuntimeBuilder;
import dev.switchboard.runtime.WebhookTransportContract;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.catalina.Context;
import org.apache.catalina.Wrapper;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;

/**
 * The signed-webhook cases against {@link SwitchboardServlet} in an embedded Tomcat 11 (Servlet 6.1,
 * the container Spring Boot 4 runs), in a context at {@value #CONTEXT}: the servlet uses the Servlet
 * 6.0 API only, and this shows Tomcat's handling of its answers (the connection closed after a 413,
 * an answer written from another thread) matches Jetty's and the listener's.
 */
class TomcatServletTransportTest extends WebhookTransportContract {

    private static final String CONTEXT = "/gateway";

    private Tomcat tomcat;
    private Path base;

    @Override
    protected AgentRuntime serve(AgentRuntimeBuilder builder) throws Exception {
        AgentRuntime runtime = builder.noWebhookServer().build().start();
        base = Files.createTempDirectory("tomcat");
        tomcat = new Tomcat();
        tomcat.setBaseDir(base.toString());
        Connector connector = new Connector();
        connector.setPort(0);
        connector.setProperty("address", "127.0.0.1");
        tomcat.setConnector(connector);
        Context context = tomcat.addContext(CONTEXT, base.toString());
        Wrapper wrapper = Tomcat.addServlet(context, "switchboard", new SwitchboardServlet(runtime));
        wrapper.setAsyncSupported(true);
        wrapper.addMapping("/*");
        tomcat.start();
        return runtime;
    }

    @Override
    protected int port() {
        return tomcat.getConnector().getLocalPort();
    }

    @Override
    protected String prefix() {
        return CONTEXT;
    }

    @Override
    protected void stopServing() throws Exception {
        if (tomcat != null) {
            tomcat.stop();
            tomcat.destroy();
        }
        if (base != null) {
            try (var files = Files.walk(base)) {
                files.sorted(java.util.Comparator.reverseOrder())
                        .forEach(path -> path.toFile().delete());
            }
        }
    }
}
