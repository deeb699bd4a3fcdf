package dev.eve4j.standalone;

import dev.eve4j.EveRuntime;
import dev.eve4j.servlet.EveServlet;
import dev.eve4j.servlet.EveServletOptions;
import dev.eve4j.servlet.EventsServlet;
import dev.eve4j.servlet.EventsServletOptions;
import dev.eve4j.channel.OperatorChannel;
import dev.eve4j.servlet.channel.ChannelServlet;
import dev.eve4j.servlet.gateway.GatewayOptions;
import dev.eve4j.servlet.gateway.GatewayServlet;
import dev.eve4j.servlet.channel.ChannelServletOptions;
import dev.eve4j.servlet.console.ConsoleServlet;
import dev.eve4j.servlet.legacy.LegacyEveServlet;
import dev.eve4j.servlet.legacy.LegacyOptions;
import java.util.List;
import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.component.Graceful;

/**
 * An embedded Jetty 12 server that serves one {@link EveRuntime}: the eve session API under {@code
 * /eve/v1/*} and the SSE event firehose at {@code /v1/events}.
 *
 * <p>{@link #start} returns once the connector is listening. {@link #close} stops Jetty first (new
 * connections are refused, open streams end, other requests get a few seconds to finish) and then
 * closes the runtime, so no request ever reaches a closed runtime.
 *
 * <p>Thread-safe: {@link #uri}, {@link #port} and {@link #close} may be called from any thread;
 * {@code close} is idempotent, which lets a JVM shutdown hook and application code both call it.
 */
public final class EveServer implements AutoCloseable {

  /** How long {@link #close} lets in-flight requests finish before it closes their connections. */
  static final Duration STOP_TIMEOUT = Duration.ofSeconds(5);

  private final Server server;
  private final ServletContextHandler context;
  private final ServerConnector connector;
  private final EveRuntime runtime;
  private final String host;
  private final List<AutoCloseable> owned;
  private final AtomicBoolean closed = new AtomicBoolean();

  private EveServer(
      Server server,
      ServletContextHandler context,
      ServerConnector connector,
      EveRuntime runtime,
      String host,
      List<AutoCloseable> owned) {
    this.owned = owned;
    this.server = server;
    this.context = context;
    this.connector = connector;
    this.runtime = runtime;
    this.host = host;
  }

  /**
   * Starts Jetty on {@code host:port} with {@link EveServletOptions#defaults()}.
   *
   * @see #start(EveRuntime, EveServletOptions, String, int)
   */
  public static EveServer start(EveRuntime runtime, String host, int port) throws Exception {
    return start(runtime, EveServletOptions.defaults(), host, port);
  }

  /**
   * Starts Jetty on {@code host:port} and mounts the eve routes at {@code /eve/v1/*} and the event
   * firehose at {@code /v1/events} with {@link EventsServletOptions#defaults()}, guarded by the same
   * authenticator as the eve routes.
   *
   * @see #start(EveRuntime, EveServletOptions, EventsServletOptions, String, int)
   */
  public static EveServer start(
      EveRuntime runtime, EveServletOptions options, String host, int port) throws Exception {
    Objects.requireNonNull(options, "options");
    return start(runtime, options,
        EventsServletOptions.defaults().withAuthenticator(options.authenticator()), host, port);
  }

  /**
   * Starts Jetty on {@code host:port} and mounts the eve routes at {@code /eve/v1/*} and the event
   * firehose ({@link EventsServlet}) at {@code /v1/events}.
   *
   * <p>The returned server owns {@code runtime}: {@link #close} closes it. If starting fails (for
   * example the port is taken), the exception is thrown after Jetty is stopped again and the
   * runtime stays open, still owned by the caller.
   *
   * @param events the firehose's settings; its authenticator is its own (pass the eve routes' one
   *     to guard both alike)
   * @param host the interface to bind, e.g. {@code 127.0.0.1} or {@code 0.0.0.0}
   * @param port the TCP port, or {@code 0} for any free port (see {@link #port()})
   * @throws IllegalArgumentException if {@code host} is blank or {@code port} is outside 0..65535
   * @throws Exception whatever Jetty throws when it cannot start, e.g. an {@code IOException} for a
   *     port in use
   */
  public static EveServer start(EveRuntime runtime, EveServletOptions options, EventsServletOptions events,
      String host, int port) throws Exception {
    Objects.requireNonNull(options, "options");
    Objects.requireNonNull(events, "events");
    return start(runtime, Faces.of(options).withEvents(events), host, port);
  }

  /**
   * The protocol faces one server mounts beside the eve session API. Immutable.
   *
   * @param eve the {@code /eve/v1/*} settings (their authenticator guards every face by default)
   * @param events the firehose at {@code /v1/events}
   * @param legacyPrefix where the legacy profile is mounted ({@code /legacy} gives
   *     {@code /legacy/eve/v1/*}), or null for none
   * @param legacy the legacy profile's settings
   * @param channel the operator channel served at {@code /api/v1/*} (and its console at {@code
   *     /console/}), or null for none
   * @param channelOptions its servlet's settings
   * @param owned closed after the runtime when the server stops (e.g. the channel's journal)
   * @param gateway the LLM gateway at {@code /models} and {@code /chat}, or null for none
   */
  public record Faces(EveServletOptions eve, EventsServletOptions events, String legacyPrefix, LegacyOptions legacy,
      OperatorChannel channel, ChannelServletOptions channelOptions, List<AutoCloseable> owned,
      GatewayOptions gateway) {
    public Faces {
      Objects.requireNonNull(eve, "eve");
      Objects.requireNonNull(events, "events");
      Objects.requireNonNull(legacy, "legacy");
      Objects.requireNonNull(channelOptions, "channelOptions");
      owned = List.copyOf(owned);
      if (legacyPrefix != null) {
        LegacyOptions.servletMapping(legacyPrefix);
      }
    }

    /**
     * The eve routes, the firehose, the legacy profile at {@code /legacy} and the LLM gateway, all
     * with one authenticator.
     */
    public static Faces of(EveServletOptions eve) {
      return new Faces(eve, EventsServletOptions.defaults().withAuthenticator(eve.authenticator()),
          LegacyOptions.DEFAULT_PREFIX, LegacyOptions.defaults().withAuthenticator(eve.authenticator()), null,
          ChannelServletOptions.defaults().withAdminAuthenticator(eve.authenticator()), List.of(),
          GatewayOptions.defaults().withAuthenticator(eve.authenticator()));
    }

    /** The LLM gateway with these settings, or none when null. */
    public Faces withGateway(GatewayOptions g) {
      return new Faces(eve, events, legacyPrefix, legacy, channel, channelOptions, owned, g);
    }

    public Faces withEvents(EventsServletOptions e) {
      return new Faces(eve, e, legacyPrefix, legacy, channel, channelOptions, owned, gateway);
    }

    /** The legacy profile under {@code prefix}, or none when {@code prefix} is null. */
    public Faces withLegacy(String prefix, LegacyOptions options) {
      return new Faces(eve, events, prefix, options, channel, channelOptions, owned, gateway);
    }

    /** The operator channel at {@code /api/v1/*}; {@code store} (if not null) is closed with the server. */
    public Faces withChannel(OperatorChannel c, ChannelServletOptions options, AutoCloseable store) {
      List<AutoCloseable> all = new java.util.ArrayList<>(owned);
      if (store != null) {
        all.add(store);
      }
      return new Faces(eve, events, legacyPrefix, legacy, c, options, all, gateway);
    }
  }

  /**
   * Starts Jetty on {@code host:port} with the eve routes at {@code /eve/v1/*}, the firehose at
   * {@code /v1/events} and the other faces {@code faces} names. The server owns {@code runtime} and
   * {@code faces.owned()}: {@link #close} closes them. If starting fails, Jetty is stopped again and
   * they stay open, owned by the caller.
   */
  public static EveServer start(EveRuntime runtime, Faces faces, String host, int port) throws Exception {
    Objects.requireNonNull(runtime, "runtime");
    Objects.requireNonNull(faces, "faces");
    EveServletOptions options = faces.eve();
    EventsServletOptions events = faces.events();
    Objects.requireNonNull(host, "host");
    if (host.isBlank()) {
      throw new IllegalArgumentException("host must not be blank");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be in 0..65535, was " + port);
    }

    Server server = new Server();
    server.setStopTimeout(STOP_TIMEOUT.toMillis());
    ServerConnector connector = new ServerConnector(server);
    connector.setHost(host);
    connector.setPort(port);
    // Bursts of new connections (hundreds of clients at once) overflow the JDK's default backlog
    // of 50, and every dropped SYN costs a client a one-second retransmit (seen in bench S1).
    connector.setAcceptQueueSize(1024);
    server.addConnector(connector);

    ServletContextHandler context = new ServletContextHandler();
    context.setContextPath("/");
    ServletHolder eve = new ServletHolder("eve", new EveServlet(runtime, options));
    // Streams park the request until the journal has more to say; that needs async I/O.
    eve.setAsyncSupported(true);
    context.addServlet(eve, "/eve/v1/*");
    ServletHolder firehose = new ServletHolder("events", new EventsServlet(runtime, events));
    firehose.setAsyncSupported(true);
    context.addServlet(firehose, "/v1/events");
    if (faces.legacyPrefix() != null) {
      ServletHolder legacy = new ServletHolder("eve-legacy", new LegacyEveServlet(runtime, faces.legacy()));
      legacy.setAsyncSupported(true);
      context.addServlet(legacy, LegacyOptions.servletMapping(faces.legacyPrefix()));
    }
    if (faces.gateway() != null) {
      ServletHolder gateway = new ServletHolder("gateway", new GatewayServlet(runtime, faces.gateway()));
      gateway.setAsyncSupported(true);
      context.addServlet(gateway, "/models");
      context.addServlet(gateway, "/chat/*");
    }
    if (faces.channel() != null) {
      ServletHolder channel = new ServletHolder("channel", new ChannelServlet(faces.channel(), faces.channelOptions()));
      channel.setAsyncSupported(true);
      context.addServlet(channel, "/api/v1/*");
      // The operator console: a static page calling /api/v1 and its live change stream.
      ServletHolder console = new ServletHolder("console", new ConsoleServlet(faces.channel()));
      console.setAsyncSupported(true);
      context.addServlet(console, "/console/*");
    }
    server.setHandler(context);

    try {
      server.start();
    } catch (Exception e) {
      try {
        server.stop();
      } catch (Exception suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
    return new EveServer(server, context, connector, runtime, host, faces.owned());
  }

  /**
   * The server root, e.g. {@code http://127.0.0.1:41234/}; the eve routes are under {@code
   * uri().resolve("eve/v1/")}. A wildcard host such as {@code 0.0.0.0} is returned as given.
   */
  public URI uri() {
    String authority = host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host;
    return URI.create("http://" + authority + ":" + port() + "/");
  }

  /** The port the connector is bound to (the chosen one when started with port 0). */
  public int port() {
    return connector.getLocalPort();
  }

  /**
   * Stops Jetty and then closes the runtime. Open streams end cleanly at once (the client sees the
   * response end and reconnects elsewhere or later); other in-flight requests get up to 5 seconds.
   * Calls after the first return at once.
   *
   * @throws IllegalStateException if Jetty failed to stop for a reason other than the grace period
   *     running out; the runtime is closed even then
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    Exception failure = null;
    try {
      // Stop accepting connections, but do not wait yet: an open event stream never finishes on
      // its own, so Jetty's graceful stop alone would wait out STOP_TIMEOUT and then cut it.
      Graceful.shutdown(server);
      // Stopping the context destroys EveServlet and EventsServlet, which end each open stream
      // after the line or frame it is writing: readers see a clean end of the response instead of
      // a cut connection.
      context.stop();
    } catch (Exception e) {
      failure = e;
    }
    try {
      server.stop();
    } catch (TimeoutException e) {
      // The grace period ran out on a busy connection; Jetty has closed it by now, which is what
      // stopping should do anyway.
    } catch (Exception e) {
      failure = failure == null ? e : failure;
    } finally {
      runtime.close();
      for (AutoCloseable resource : owned) {
        try {
          resource.close();
        } catch (Exception e) {
          failure = failure == null ? e : failure;
        }
      }
    }
    if (failure != null) {
      throw new IllegalStateException(
          "Jetty did not stop cleanly: " + failure.getMessage(), failure);
    }
  }
}
