package dev.eve4j.servlet.events;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.eve4j.EveRuntime;
import dev.eve4j.journal.EventJournal;
import dev.eve4j.servlet.EveServlet;
import dev.eve4j.servlet.EveServletOptions;
import dev.eve4j.servlet.EventsServlet;
import dev.eve4j.servlet.EventsServletOptions;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * A real Jetty 12 on 127.0.0.1, port 0, serving {@link EveServlet} at {@code /eve/v1/*} and {@link
 * EventsServlet} at {@code /v1/events} over one runtime (the demo tools over {@link TestModel}), with
 * an 8 KiB socket send buffer so a client that stops reading is felt after a few kilobytes.
 */
final class FirehoseServer implements AutoCloseable {
  private final Server jetty;
  private final ServletContextHandler context;
  private final EveRuntime runtime;
  private final EventsServlet events;
  private final TestModel model;
  private final EventJournal journal;
  private final int port;
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();

  private FirehoseServer(Server jetty, ServletContextHandler context, EveRuntime runtime, EventsServlet events,
      TestModel model, EventJournal journal, int port) {
    this.jetty = jetty;
    this.context = context;
    this.runtime = runtime;
    this.events = events;
    this.model = model;
    this.journal = journal;
    this.port = port;
  }

  /** The firehose with {@code options}; the eve routes share its authenticator. */
  static FirehoseServer start(EventsServletOptions options) {
    TestModel model = new TestModel();
    EventJournal journal = EventJournal.inMemory();
    EveRuntime runtime = EveRuntime.builder().agent(TestModel.agent(model)).journal(journal).build();
    Server jetty = new Server();
    try {
      ServerConnector connector = new ServerConnector(jetty);
      connector.setHost("127.0.0.1");
      connector.setPort(0);
      connector.setAcceptedSendBufferSize(8192);
      jetty.addConnector(connector);
      ServletContextHandler context = new ServletContextHandler();
      context.setContextPath("/");
      ServletHolder eve = new ServletHolder(new EveServlet(runtime,
          EveServletOptions.defaults().withAuthenticator(options.authenticator())));
      eve.setAsyncSupported(true);
      context.addServlet(eve, "/eve/v1/*");
      EventsServlet events = new EventsServlet(runtime, options);
      ServletHolder firehose = new ServletHolder(events);
      firehose.setAsyncSupported(true);
      context.addServlet(firehose, "/v1/events");
      jetty.setHandler(context);
      jetty.setStopTimeout(0);
      jetty.start();
      return new FirehoseServer(jetty, context, runtime, events, model, journal, connector.getLocalPort());
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

  EventsServlet events() {
    return events;
  }

  TestModel model() {
    return model;
  }

  EventJournal journal() {
    return journal;
  }

  EveRuntime runtime() {
    return runtime;
  }

  int port() {
    return port;
  }

  /** Stops the servlet context (destroying the servlets) while Jetty keeps its connections, as EveServer does. */
  void stopServlets() throws Exception {
    context.stop();
  }

  /** Opens {@code /v1/events?query} (query may be empty) and starts reading it. */
  Sse firehose(String query, String... headers) throws IOException {
    Sse sse = Sse.open(port, "/v1/events" + (query.isEmpty() ? "" : "?" + query), 0, headers);
    return sse.status == 200 ? sse.startReading() : sse;
  }

  /** Opens {@code /v1/events?query} with a 4 KiB receive buffer and never reads it (until told). */
  Sse stalledFirehose(String query, String... headers) throws IOException {
    return Sse.open(port, "/v1/events" + (query.isEmpty() ? "" : "?" + query), 4096, headers);
  }

  /** {@code POST /eve/v1/session} with {@code {"message":message}}; the new session's id. */
  String createSession(String message, String token) {
    JsonObject body = new JsonObject();
    body.addProperty("message", message);
    return post("/eve/v1/session", body.toString(), token).get("sessionId").getAsString();
  }

  /** A prewarmed session (no turn yet). */
  String prewarm(String token) {
    return post("/eve/v1/session", null, token).get("sessionId").getAsString();
  }

  /** {@code POST /eve/v1/session/{id}} with a JSON body. */
  JsonObject send(String sessionId, String json, String token) {
    return post("/eve/v1/session/" + sessionId, json, token);
  }

  void cancel(String sessionId, String token) {
    post("/eve/v1/session/" + sessionId + "/cancel", "{}", token);
  }

  private JsonObject post(String path, String json, String token) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(10))
        .POST(json == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8))
        .header("content-type", "application/json");
    if (token != null) {
      b.header("authorization", "Bearer " + token);
    }
    try {
      HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() / 100 != 2) {
        throw new AssertionError("POST " + path + " -> " + r.statusCode() + " " + r.body());
      }
      return JsonParser.parseString(r.body()).getAsJsonObject();
    } catch (IOException e) {
      throw new AssertionError("POST " + path + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** Waits until the session's journal ends with {@code session.waiting} (its turn is over). */
  void awaitIdle(String sessionId) {
    await("session " + sessionId + " to finish its turn", Duration.ofSeconds(15), () -> {
      long tail = journal.tailIndex(sessionId);
      if (tail < 0) {
        return false;
      }
      try (dev.eve4j.journal.JournalCursor c = journal.cursor(sessionId, tail)) {
        byte[] line = c.poll();
        return line != null && new String(line, StandardCharsets.UTF_8).contains("\"type\":\"session.waiting\"");
      }
    });
  }

  /**
   * Waits until {@code condition} holds, checking every 10 ms, failing after {@code timeout}. For
   * states the server reaches on its own threads (a connection noticed gone); never a fixed sleep.
   */
  static void await(String what, Duration timeout, BooleanSupplier condition) {
    Instant deadline = Instant.now().plus(timeout);
    while (!condition.getAsBoolean()) {
      if (Instant.now().isAfter(deadline)) {
        throw new AssertionError("timed out after " + timeout + " waiting for " + what);
      }
      LockSupport.parkNanos(Duration.ofMillis(10).toNanos());
    }
  }

  @Override
  public void close() {
    try {
      jetty.stop();
    } catch (Exception e) {
      throw new IllegalStateException("stopping Jetty failed", e);
    } finally {
      runtime.close();
    }
  }
}
