package dev.eve4j.servlet.gateway;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.eve4j.EveRuntime;
import dev.eve4j.journal.JournalCursor;
import dev.eve4j.servlet.EveServlet;
import dev.eve4j.servlet.EveServletOptions;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * A real Jetty 12 on 127.0.0.1, port 0, serving one runtime (the default demo agent of {@code
 * EveRuntime.builder().build()}) as the standalone jar would: {@link EveServlet} at {@code /eve/v1/*}
 * and {@link GatewayServlet} at {@code /models} and {@code /chat/*}.
 */
final class GatewayTestServer implements AutoCloseable {
  static final Duration WAIT = Duration.ofSeconds(15);

  private final Server jetty;
  private final EveRuntime runtime;
  private final GatewayServlet gateway;
  private final int port;
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();

  private GatewayTestServer(Server jetty, EveRuntime runtime, GatewayServlet gateway, int port) {
    this.jetty = jetty;
    this.runtime = runtime;
    this.gateway = gateway;
    this.port = port;
  }

  /** Heartbeats every 250 ms, so a client that went away is noticed soon even while a run waits. */
  static GatewayTestServer start() {
    return start(GatewayOptions.defaults().withHeartbeatInterval(Duration.ofMillis(250)));
  }

  static GatewayTestServer start(GatewayOptions options) {
    EveRuntime runtime = EveRuntime.builder().build();
    Server jetty = new Server();
    try {
      ServerConnector connector = new ServerConnector(jetty);
      connector.setHost("127.0.0.1");
      connector.setPort(0);
      jetty.addConnector(connector);
      ServletContextHandler context = new ServletContextHandler();
      context.setContextPath("/");
      ServletHolder eve = new ServletHolder("eve", new EveServlet(runtime,
          EveServletOptions.defaults().withAuthenticator(options.authenticator())));
      eve.setAsyncSupported(true);
      context.addServlet(eve, "/eve/v1/*");
      GatewayServlet gateway = new GatewayServlet(runtime, options);
      ServletHolder holder = new ServletHolder("gateway", gateway);
      holder.setAsyncSupported(true);
      context.addServlet(holder, "/models");
      context.addServlet(holder, "/chat/*");
      jetty.setHandler(context);
      jetty.setStopTimeout(0);
      jetty.start();
      return new GatewayTestServer(jetty, runtime, gateway, connector.getLocalPort());
    } catch (Exception e) {
      try {
        jetty.stop();
      } catch (Exception suppressed) {
        e.addSuppressed(suppressed);
      }
      runtime.close();
      throw new AssertionError("could not start Jetty", e);
    }
  }

  int port() {
    return port;
  }

  GatewayServlet gateway() {
    return gateway;
  }

  EveRuntime runtime() {
    return runtime;
  }

  URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }

  /** Opens {@code POST /chat} with this JSON body and starts reading its frames. */
  SseClient chat(String json, String... headers) {
    return SseClient.post(http, uri("/chat"), json, headers);
  }

  /** A plain request; the reply's status and body. */
  HttpResponse<String> request(String method, String path, String body, String... headers) {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(WAIT)
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      b.header("content-type", "application/json");
    }
    for (int i = 0; i + 1 < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    try {
      return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new AssertionError(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** {@code POST /chat/relay/{relayId}} with a JSON body. */
  HttpResponse<String> relay(String relayId, String json, String... headers) {
    return request("POST", "/chat/relay/" + relayId, json, headers);
  }

  static JsonObject json(HttpResponse<String> r) {
    return JsonParser.parseString(r.body()).getAsJsonObject();
  }

  /** Every event of a session's journal so far. */
  List<JsonObject> journal(String sessionId) {
    List<JsonObject> out = new ArrayList<>();
    JournalCursor c = runtime.sessions().cursor(sessionId, 0);
    try {
      for (byte[] line = c.poll(); line != null; line = c.poll()) {
        out.add(JsonParser.parseString(new String(line, StandardCharsets.UTF_8)).getAsJsonObject());
      }
    } finally {
      c.close();
    }
    return out;
  }

  /** Waits (at most {@link #WAIT}) until {@code condition} holds. */
  static void await(String what, BooleanSupplier condition) {
    Instant deadline = Instant.now().plus(WAIT);
    while (!condition.getAsBoolean()) {
      if (Instant.now().isAfter(deadline)) {
        throw new AssertionError("timed out waiting until " + what);
      }
      LockSupport.parkNanos(Duration.ofMillis(10).toNanos());
    }
  }

  @Override
  public void close() {
    try {
      jetty.stop();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    } finally {
      runtime.close();
    }
  }
}
