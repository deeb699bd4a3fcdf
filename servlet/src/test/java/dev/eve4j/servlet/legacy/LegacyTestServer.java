package dev.eve4j.servlet.legacy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.eve4j.EveRuntime;
import dev.eve4j.servlet.EveServlet;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * A real Jetty 12 on 127.0.0.1, port 0, with one {@link EveRuntime} (the default scripted agent)
 * served twice: {@link EveServlet} at {@code /eve/v1/*} and {@link LegacyEveServlet} at {@code
 * /legacy/eve/v1/*}. Plus JDK {@link HttpClient} helpers; every call has a timeout.
 */
final class LegacyTestServer implements AutoCloseable {
  /** Upper bound for requests and ordinary turns. */
  static final Duration TIMEOUT = Duration.ofSeconds(20);

  private final Server jetty;
  private final EveRuntime runtime;
  private final int port;
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();

  private LegacyTestServer(Server jetty, EveRuntime runtime, int port) {
    this.jetty = jetty;
    this.runtime = runtime;
    this.port = port;
  }

  static LegacyTestServer start(LegacyOptions options) {
    EveRuntime runtime = EveRuntime.builder().build();
    Server jetty = new Server();
    try {
      ServerConnector connector = new ServerConnector(jetty);
      connector.setHost("127.0.0.1");
      connector.setPort(0);
      jetty.addConnector(connector);
      ServletContextHandler context = new ServletContextHandler();
      context.setContextPath("/");
      ServletHolder current = new ServletHolder("eve", new EveServlet(runtime));
      current.setAsyncSupported(true);
      context.addServlet(current, "/eve/v1/*");
      ServletHolder legacy = new ServletHolder("eve-legacy", new LegacyEveServlet(runtime, options));
      legacy.setAsyncSupported(true);
      context.addServlet(legacy, LegacyOptions.servletMapping(LegacyOptions.DEFAULT_PREFIX));
      jetty.setHandler(context);
      jetty.setStopTimeout(0);
      jetty.start();
      return new LegacyTestServer(jetty, runtime, connector.getLocalPort());
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

  EveRuntime runtime() {
    return runtime;
  }

  URI legacy(String relative) {
    return URI.create("http://127.0.0.1:" + port + "/legacy/eve/v1" + relative);
  }

  URI current(String relative) {
    return URI.create("http://127.0.0.1:" + port + "/eve/v1" + relative);
  }

  record Response(int status, Map<String, List<String>> headers, String body) {
    JsonObject json() {
      return JsonParser.parseString(body).getAsJsonObject();
    }

    String header(String name) {
      List<String> v = headers.get(name);
      return v == null || v.isEmpty() ? null : v.get(0);
    }

    /** The non-blank lines of an NDJSON body, parsed. */
    List<JsonObject> events() {
      List<JsonObject> out = new ArrayList<>();
      for (String line : lines()) {
        out.add(JsonParser.parseString(line).getAsJsonObject());
      }
      return out;
    }

    List<String> lines() {
      List<String> out = new ArrayList<>();
      for (String line : body.split("\n", -1)) {
        if (!line.isBlank()) {
          out.add(line);
        }
      }
      return out;
    }

    @Override
    public String toString() {
      return status + " " + headers + " " + (body.length() > 2000 ? body.substring(0, 2000) + "…" : body);
    }
  }

  Response get(URI uri) {
    return send(HttpRequest.newBuilder(uri).GET());
  }

  Response post(URI uri, String json) {
    return send(HttpRequest.newBuilder(uri).header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json)));
  }

  Response post(URI uri, String json, String authorization) {
    return send(HttpRequest.newBuilder(uri).header("content-type", "application/json")
        .header("authorization", authorization).POST(HttpRequest.BodyPublishers.ofString(json)));
  }

  /** Sends and waits for the whole response (a legacy stream ends at its boundary). */
  Response send(HttpRequest.Builder request) {
    HttpRequest r = request.timeout(TIMEOUT).build();
    try {
      HttpResponse<String> resp = http.sendAsync(r, HttpResponse.BodyHandlers.ofString())
          .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      return new Response(resp.statusCode(), resp.headers().map(), resp.body());
    } catch (TimeoutException e) {
      throw new AssertionError("no complete response within " + TIMEOUT + " for " + r.method() + " " + r.uri(), e);
    } catch (ExecutionException e) {
      throw new AssertionError(r.method() + " " + r.uri() + " failed", e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  /** Creates a legacy session; returns the 202 body. */
  JsonObject create(String message) {
    JsonObject body = new JsonObject();
    body.addProperty("message", message);
    Response r = post(legacy("/session"), body.toString());
    assertEquals(202, r.status(), () -> "create: " + r);
    return r.json();
  }

  /** Reads the legacy stream from {@code startIndex} to its end. */
  Response legacyStream(String sessionId, long startIndex) {
    Response r = get(legacy("/session/" + sessionId + "/stream?startIndex=" + startIndex));
    assertEquals(200, r.status(), () -> "stream: " + r);
    return r;
  }

  /** The canonical events (stream 26) of the session, as they are now. */
  List<JsonObject> canonical(String sessionId) {
    Response r = get(current("/session/" + sessionId + "/stream?startIndex=0&follow=false"));
    assertEquals(200, r.status(), () -> "current stream: " + r);
    return r.events();
  }

  static String type(JsonObject event) {
    return event.get("type").getAsString();
  }

  static JsonObject data(JsonObject event) {
    JsonElement d = event.get("data");
    return d == null ? new JsonObject() : d.getAsJsonObject();
  }

  static String str(JsonObject o, String key) {
    JsonElement e = o.get(key);
    if (e == null || e.isJsonNull()) {
      fail("no '" + key + "' in " + o);
    }
    return e.getAsString();
  }

  @Override
  public void close() throws IOException {
    try {
      jetty.stop();
    } catch (Exception e) {
      throw new IOException("stopping Jetty failed", e);
    } finally {
      runtime.close();
    }
  }
}
