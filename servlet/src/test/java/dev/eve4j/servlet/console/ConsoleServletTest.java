package dev.eve4j.servlet.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.eve4j.channel.OperatorChannel;
import dev.eve4j.channel.Scope;
import dev.eve4j.journal.EventJournal;
import dev.eve4j.servlet.channel.ChannelServlet;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The console's static files and its live change stream, on a real Jetty. */
class ConsoleServletTest {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
      .followRedirects(HttpClient.Redirect.NEVER).build();
  private Server jetty;
  private OperatorChannel channel;
  private String base;
  private String ws;
  private String key;

  @BeforeEach
  void start() throws Exception {
    channel = OperatorChannel.open(EventJournal.inMemory());
    ws = channel.defaultWorkspace().id();
    key = channel.createKey(ws, "alice", EnumSet.of(Scope.READ, Scope.PUSH)).secret();
    jetty = new Server();
    ServerConnector connector = new ServerConnector(jetty);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    jetty.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler();
    context.setContextPath("/");
    ServletHolder api = new ServletHolder(new ChannelServlet(channel));
    api.setAsyncSupported(true);
    context.addServlet(api, "/api/v1/*");
    ServletHolder console = new ServletHolder(new ConsoleServlet(channel, Duration.ofMillis(300)));
    console.setAsyncSupported(true);
    context.addServlet(console, "/console/*");
    jetty.setHandler(context);
    jetty.setStopTimeout(0);
    jetty.start();
    base = "http://127.0.0.1:" + connector.getLocalPort();
  }

  @AfterEach
  void stop() throws Exception {
    jetty.stop();
  }

  private HttpResponse<String> get(String path, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10));
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void theStaticFilesAreServedWithTypesAStrictPolicyAndETags() throws Exception {
    HttpResponse<String> redirect = get("/console");
    assertEquals(301, redirect.statusCode());
    assertEquals("/console/", redirect.headers().firstValue("location").orElseThrow());

    HttpResponse<String> index = get("/console/");
    assertEquals(200, index.statusCode());
    assertEquals("text/html;charset=utf-8", index.headers().firstValue("content-type").orElseThrow().replace(" ", ""));
    assertTrue(index.body().contains("<script src=\"console.js\" defer></script>"), index.body());
    assertEquals(ConsoleServlet.CSP, index.headers().firstValue("content-security-policy").orElseThrow());
    assertTrue(ConsoleServlet.CSP.startsWith("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' https: data:; connect-src 'self'; frame-ancestors 'none'"));
    assertEquals("nosniff", index.headers().firstValue("x-content-type-options").orElseThrow());

    HttpResponse<String> js = get("/console/console.js");
    assertEquals(200, js.statusCode());
    assertTrue(js.headers().firstValue("content-type").orElseThrow().startsWith("text/javascript"));
    assertFalse(js.body().contains(".innerHTML"), "the page never builds markup from strings");
    String etag = js.headers().firstValue("etag").orElseThrow();
    assertEquals(304, get("/console/console.js", "If-None-Match", etag).statusCode());
    assertTrue(get("/console/console.css").headers().firstValue("content-type").orElseThrow().startsWith("text/css"));
    assertEquals(404, get("/console/nope.js").statusCode());
  }

  @Test
  void theEventStreamNeedsAChannelKey() throws Exception {
    assertEquals(401, get("/console/events").statusCode());
    assertEquals(401, get("/console/events", "Authorization", "Bearer vsl_nope").statusCode());
    String pushOnly = channel.createKey(ws, "agent", EnumSet.of(Scope.PUSH)).secret();
    assertEquals(403, get("/console/events", "Authorization", "Bearer " + pushOnly).statusCode());
    HttpResponse<String> head = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/console/events"))
        .method("HEAD", HttpRequest.BodyPublishers.noBody()).header("Authorization", "Bearer " + key).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(405, head.statusCode(), "a stream has no head");
    HttpResponse<String> headIndex = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/console/"))
        .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, headIndex.statusCode());
    assertEquals("", headIndex.body());
  }

  @Test
  @Timeout(value = 30, unit = TimeUnit.SECONDS)
  void theEventStreamCarriesTheWorkspacesChangesLiveAndResumes() throws Exception {
    String other = channel.createWorkspace("other").id();
    HttpRequest req = HttpRequest.newBuilder(URI.create(base + "/console/events"))
        .header("Authorization", "Bearer " + key).build();
    HttpResponse<InputStream> resp = HTTP.send(req, HttpResponse.BodyHandlers.ofInputStream());
    assertEquals(200, resp.statusCode());
    assertTrue(resp.headers().firstValue("content-type").orElseThrow().startsWith("text/event-stream"));
    BlockingQueue<String[]> frames = new LinkedBlockingQueue<>();
    Thread reader = new Thread(() -> read(resp.body(), frames));
    reader.setDaemon(true);
    reader.start();
    assertEquals("ready", frames.poll(10, TimeUnit.SECONDS)[0]);

    channel.push(other, JsonParser.parseString("{\"vessel\":\"elsewhere\",\"message\":\"not yours\"}"));
    var pushed = channel.push(ws, JsonParser.parseString("{\"vessel\":\"b1\",\"message\":\"Confirm?\","
        + "\"interaction\":{\"type\":\"approval\",\"prompt\":\"Confirm?\"}}"));
    String[] change = frames.poll(10, TimeUnit.SECONDS);
    assertNotNull(change, "a change arrives");
    assertEquals("change", change[0]);
    JsonObject data = JsonParser.parseString(change[2]).getAsJsonObject();
    assertEquals("b1", data.get("externalId").getAsString(), "another workspace's change is not sent");
    assertEquals(pushed.messageId(), data.get("messageId").getAsString());
    assertEquals("message", data.get("kind").getAsString());
    String resumeFrom = change[1];

    channel.respond(ws, pushed.messageId(), JsonParser.parseString("{\"response\":{\"action\":\"approved\"}}"));
    String[] answered = frames.poll(10, TimeUnit.SECONDS);
    assertEquals("response", JsonParser.parseString(answered[2]).getAsJsonObject().get("kind").getAsString());

    // A reconnect with Last-Event-ID gets what came after that frame.
    HttpResponse<InputStream> again = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/console/events"))
        .header("Authorization", "Bearer " + key).header("Last-Event-ID", resumeFrom).build(),
        HttpResponse.BodyHandlers.ofInputStream());
    BlockingQueue<String[]> frames2 = new LinkedBlockingQueue<>();
    Thread reader2 = new Thread(() -> read(again.body(), frames2));
    reader2.setDaemon(true);
    reader2.start();
    assertEquals("ready", frames2.poll(10, TimeUnit.SECONDS)[0]);
    assertEquals("response", JsonParser.parseString(frames2.poll(10, TimeUnit.SECONDS)[2]).getAsJsonObject()
        .get("kind").getAsString());

    // An id the server cannot honour: a reset (re-read everything).
    HttpResponse<InputStream> stale = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/console/events"))
        .header("Authorization", "Bearer " + key).header("Last-Event-ID", "00000000-1").build(),
        HttpResponse.BodyHandlers.ofInputStream());
    BlockingQueue<String[]> frames3 = new LinkedBlockingQueue<>();
    Thread reader3 = new Thread(() -> read(stale.body(), frames3));
    reader3.setDaemon(true);
    reader3.start();
    assertEquals("ready", frames3.poll(10, TimeUnit.SECONDS)[0]);
    assertEquals("reset", frames3.poll(10, TimeUnit.SECONDS)[0]);
    resp.body().close();
    again.body().close();
    stale.body().close();
  }

  /** SSE frames as {event, id, data}; blank-line heartbeats are skipped. */
  private static void read(InputStream in, BlockingQueue<String[]> out) {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      String event = null;
      String id = null;
      List<String> data = new ArrayList<>();
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        if (line.isEmpty()) {
          if (event != null || !data.isEmpty()) {
            out.add(new String[] {event == null ? "message" : event, id, String.join("\n", data)});
          }
          event = null;
          id = null;
          data.clear();
        } else if (line.startsWith("event: ")) {
          event = line.substring(7);
        } else if (line.startsWith("id: ")) {
          id = line.substring(4);
        } else if (line.startsWith("data: ")) {
          data.add(line.substring(6));
        }
      }
    } catch (Exception e) {
      // closed
    }
  }
}
