package dev.eve4j.servlet.channel;

import dev.eve4j.channel.ChannelOptions;
import dev.eve4j.channel.OperatorChannel;
import dev.eve4j.journal.EventJournal;
import java.net.URI;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/** A real Jetty 12 (ee10) on 127.0.0.1, port 0, serving {@link ChannelServlet} at {@code /api/v1/*}. */
final class ChannelTestServer implements AutoCloseable {
  private final Server jetty;
  private final OperatorChannel channel;
  private final int port;

  private ChannelTestServer(Server jetty, OperatorChannel channel, int port) {
    this.jetty = jetty;
    this.channel = channel;
    this.port = port;
  }

  static ChannelTestServer start(ChannelOptions channelOptions, ChannelServletOptions options) {
    return start(OperatorChannel.open(EventJournal.inMemory(), channelOptions), options);
  }

  static ChannelTestServer start(OperatorChannel channel, ChannelServletOptions options) {
    Server jetty = new Server();
    try {
      ServerConnector connector = new ServerConnector(jetty);
      connector.setHost("127.0.0.1");
      connector.setPort(0);
      jetty.addConnector(connector);
      ServletContextHandler context = new ServletContextHandler();
      context.setContextPath("/");
      ServletHolder holder = new ServletHolder(new ChannelServlet(channel, options));
      holder.setAsyncSupported(true);
      context.addServlet(holder, "/api/v1/*");
      jetty.setHandler(context);
      jetty.setStopTimeout(0);
      jetty.start();
      return new ChannelTestServer(jetty, channel, connector.getLocalPort());
    } catch (Exception e) {
      try {
        jetty.stop();
      } catch (Exception suppressed) {
        e.addSuppressed(suppressed);
      }
      throw new AssertionError("could not start Jetty with ChannelServlet at /api/v1/*", e);
    }
  }

  OperatorChannel channel() {
    return channel;
  }

  /** {@code http://127.0.0.1:<port>}, standing in for the seed's {@code https://vessels.app}. */
  String base() {
    return "http://127.0.0.1:" + port;
  }

  URI api(String relative) {
    return URI.create(base() + "/api/v1" + relative);
  }

  @Override
  public void close() {
    try {
      jetty.stop();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
