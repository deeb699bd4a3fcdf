package dev.eve4j.servlet.contract;

import dev.eve4j.EveRuntime;
import dev.eve4j.servlet.EveServlet;
import dev.eve4j.servlet.EveServletOptions;
import java.net.URI;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * A real Jetty 12 (ee10) on 127.0.0.1, port 0, serving {@link EveServlet} at {@code /eve/v1/*} over a fresh
 * {@link EveRuntime} with the default scripted agent. One per test class; {@link #close()} stops Jetty and the runtime.
 */
final class EveTestServer implements AutoCloseable {
    private final Server jetty;
    private final EveRuntime runtime;
    private final int port;
    private final EveClient client;

    private EveTestServer(Server jetty, EveRuntime runtime, int port) {
        this.jetty = jetty;
        this.runtime = runtime;
        this.port = port;
        this.client = new EveClient(this);
    }

    static EveTestServer start() {
        return start(EveServletOptions.defaults());
    }

    static EveTestServer start(EveServletOptions options) {
        EveRuntime runtime = EveRuntime.builder().build();
        Server jetty = new Server();
        try {
            ServerConnector connector = new ServerConnector(jetty);
            connector.setHost("127.0.0.1");
            connector.setPort(0);
            jetty.addConnector(connector);
            ServletContextHandler context = new ServletContextHandler();
            context.setContextPath("/");
            ServletHolder holder = new ServletHolder(new EveServlet(runtime, options));
            holder.setAsyncSupported(true);
            context.addServlet(holder, "/eve/v1/*");
            jetty.setHandler(context);
            jetty.setStopTimeout(0); // open follow streams are cut, not drained
            jetty.start();
            return new EveTestServer(jetty, runtime, connector.getLocalPort());
        } catch (Exception e) {
            try {
                jetty.stop();
            } catch (Exception suppressed) {
                e.addSuppressed(suppressed);
            }
            runtime.close();
            throw new AssertionError("could not start Jetty with EveServlet at /eve/v1/*", e);
        }
    }

    EveRuntime runtime() {
        return runtime;
    }

    EveClient client() {
        return client;
    }

    int port() {
        return port;
    }

    /** {@code 127.0.0.1:<port>}, the authority the h3-style 404 bodies quote. */
    String authority() {
        return "127.0.0.1:" + port;
    }

    /** Absolute URI of a path below {@code /eve/v1} (e.g. {@code "/health"}). */
    URI eve(String relative) {
        return URI.create("http://" + authority() + "/eve/v1" + relative);
    }

    /** Absolute URI of a full path (e.g. {@code "/eve/v1/nope"}). */
    URI absolute(String pathAndQuery) {
        return URI.create("http://" + authority() + pathAndQuery);
    }

    @Override
    public void close() {
        client.close();
        try {
            jetty.stop();
        } catch (Exception e) {
            throw new IllegalStateException("stopping Jetty failed", e);
        } finally {
            runtime.close();
        }
    }
}
