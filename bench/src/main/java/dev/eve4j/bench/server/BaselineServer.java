package dev.eve4j.bench.server;

import java.time.Duration;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * The ceiling: the same Jetty as {@code EveServer} (defaults: thread pool, connector, ee10 servlet
 * context) serving {@link BaselineServlet} at {@code /eve/v1/*}. Keep its server and connector
 * settings equal to {@code EveServer}'s (e.g. an accept queue size set there belongs here too), or
 * the comparison measures the settings. Thread-safe.
 */
final class BaselineServer implements AutoCloseable {
  private final Server server;
  private final ServerConnector connector;
  private final BaselineServlet servlet;

  private BaselineServer(Server server, ServerConnector connector, BaselineServlet servlet) {
    this.server = server;
    this.connector = connector;
    this.servlet = servlet;
  }

  static BaselineServer start(String host, int port, Duration heartbeat) throws Exception {
    Server server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost(host);
    connector.setPort(port);
    connector.setAcceptQueueSize(1024); // as EveServer
    server.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler();
    context.setContextPath("/");
    BaselineServlet servlet = new BaselineServlet(heartbeat);
    ServletHolder holder = new ServletHolder("baseline", servlet);
    holder.setAsyncSupported(true);
    context.addServlet(holder, "/eve/v1/*");
    server.setHandler(context);
    server.start();
    return new BaselineServer(server, connector, servlet);
  }

  int port() {
    return connector.getLocalPort();
  }

  @Override
  public void close() {
    servlet.destroy();
    try {
      server.stop();
    } catch (Exception e) {
      throw new IllegalStateException("Jetty did not stop cleanly", e);
    }
  }
}
