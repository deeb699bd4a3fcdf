package dev.eve4j.war;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.ee10.webapp.WebAppContext;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Deploys the built WAR file, as a container would, into an embedded Jetty 12 ee10 under the
 * context path {@code /agent}, and runs a session against it over HTTP.
 */
class WarDeploymentIT {

  private static final Duration TURN = Duration.ofSeconds(20);
  private static final long MAX_BODY_BYTES = 4096;

  @TempDir static Path work;

  private static Server server;
  private static String base;

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeAll
  static void deploy() throws Exception {
    String property = System.getProperty("eve4j.war");
    if (property == null || property.isBlank()) {
      fail("system property eve4j.war is not set; run this test with mvn verify");
    }
    Path war = Path.of(property);
    if (!Files.isRegularFile(war)) {
      fail("the WAR " + war + " does not exist; the war plugin should build it in package");
    }

    server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);

    // The default configurations (no annotation scanning) read WEB-INF/web.xml, lib and classes:
    // the same things every Servlet 6 container reads.
    WebAppContext webapp = new WebAppContext();
    webapp.setContextPath("/agent");
    webapp.setWar(war.toString());
    webapp.setTempDirectory(Files.createDirectories(work.resolve("webapp")).toFile());
    // A context parameter set by the deployer, as Tomcat's <Parameter> or web.xml would.
    webapp.setInitParameter("eve4j.maxBodyBytes", String.valueOf(MAX_BODY_BYTES));
    // The operator channel and its console are mounted only with a directory for the channel.
    webapp.setInitParameter("EVE4J_CHANNEL_DIR", work.resolve("channel").toString());
    // A failing listener must fail this test, not leave a context answering 503.
    webapp.setThrowUnavailableOnStartupException(true);
    server.setHandler(webapp);
    server.start();
    base = "http://127.0.0.1:" + connector.getLocalPort() + "/agent/eve/v1";
  }

  @AfterAll
  static void undeploy() throws Exception {
    if (server != null) {
      server.stop();
    }
  }

  @Test
  void healthAnswersUnderTheContextPath() throws Exception {
    HttpResponse<String> health = http.send(get(base + "/health"), ofString());
    assertEquals(200, health.statusCode(), health.body());
    JsonObject status = JsonParser.parseString(health.body()).getAsJsonObject();
    assertEquals(Set.of("ok", "status", "workflowId"), status.keySet(), health.body());
    assertEquals(new JsonPrimitive(true), status.get("ok"));
    assertEquals(new JsonPrimitive("ready"), status.get("status"));
    assertFalse(status.get("workflowId").getAsString().isEmpty(), health.body());
  }

  @Test
  void theOtherFacesAreMountedBesideTheEveRoutes() throws Exception {
    String root = base.substring(0, base.length() - "/eve/v1".length());
    HttpResponse<String> legacy = http.send(get(root + "/legacy/eve/v1/health"), ofString());
    assertEquals(200, legacy.statusCode(), legacy.body());
    assertEquals("wf_compat", JsonParser.parseString(legacy.body()).getAsJsonObject().get("workflowId").getAsString());
    HttpResponse<String> models = http.send(get(root + "/models"), ofString());
    assertEquals(200, models.statusCode(), models.body());
    assertEquals("eve4j/scripted",
        JsonParser.parseString(models.body()).getAsJsonObject().get("defaultModel").getAsString());
  }

  @Test
  void theOperatorChannelAndItsConsoleAreMountedWithAChannelDirectory() throws Exception {
    String root = base.substring(0, base.length() - "/eve/v1".length());
    HttpResponse<String> manifest = http.send(get(root + "/api/v1/manifest"), ofString());
    assertEquals(200, manifest.statusCode(), manifest.body());
    HttpResponse<String> console = http.send(get(root + "/console/"), ofString());
    assertEquals(200, console.statusCode(), console.body());
    assertTrue(console.body().contains("console.js"), console.body());
    assertTrue(console.headers().firstValue("content-security-policy").orElse("").startsWith("default-src 'self'"));
    assertEquals(200, http.send(get(root + "/console/console.js"), ofString()).statusCode());
    assertEquals(401, http.send(get(root + "/console/events"), ofString()).statusCode());
  }

  @Test
  void aHumansFileWaitsBesideTheChannelDirectory() throws Exception {
    String root = base.substring(0, base.length() - "/eve/v1".length());
    // no authenticator configured: every caller is admin and may create a key
    HttpResponse<String> key = http.send(HttpRequest.newBuilder(URI.create(root + "/api/v1/keys"))
        .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"it\"}"))
        .build(), ofString());
    assertEquals(201, key.statusCode(), key.body());
    String secret = JsonParser.parseString(key.body()).getAsJsonObject().get("secret").getAsString();
    HttpResponse<String> upload = http.send(HttpRequest.newBuilder(URI.create(root + "/api/v1/files?filename=notes.txt"))
        .header("authorization", "Bearer " + secret).header("content-type", "text/plain")
        .POST(HttpRequest.BodyPublishers.ofString("hello from the WAR")).build(), ofString());
    assertEquals(201, upload.statusCode(), upload.body());
    String fileId = JsonParser.parseString(upload.body()).getAsJsonObject().get("fileId").getAsString();
    assertEquals("hello from the WAR", Files.readString(work.resolve("channel-files").resolve(fileId)));
  }

  @Test
  void aSessionRunsEndToEnd() throws Exception {
    HttpResponse<String> created =
        http.send(post(base + "/session", "{\"message\":\"hello there\"}"), ofString());
    assertEquals(202, created.statusCode(), created.body());
    String sessionId =
        JsonParser.parseString(created.body()).getAsJsonObject().get("sessionId").getAsString();

    HttpResponse<InputStream> stream =
        within(
            TURN,
            () ->
                http.send(
                    get(base + "/session/" + sessionId + "/stream"),
                    HttpResponse.BodyHandlers.ofInputStream()));
    try (InputStream body = stream.body()) {
      assertEquals(200, stream.statusCode());
      assertEquals("26", stream.headers().firstValue("x-eve-stream-version").orElse(null));
      BufferedReader reader = new BufferedReader(new InputStreamReader(body, UTF_8));
      List<JsonObject> events = within(TURN, () -> readUntilWaiting(reader));

      assertEquals("session.started", type(events.get(0)), events::toString);
      // The WAR has no AgentProvider, so it serves the scripted agent, which echoes.
      String reply =
          events.stream()
              .filter(e -> type(e).equals("message.completed"))
              .map(e -> e.getAsJsonObject("data").get("message").getAsString())
              .findFirst()
              .orElse("");
      assertTrue(reply.startsWith("Echo: "), events::toString);
      assertEquals("Echo: hello there", reply);
    }
  }

  @Test
  void theBodyLimitComesFromTheContextParameter() throws Exception {
    String message = "x".repeat((int) MAX_BODY_BYTES);
    HttpResponse<String> tooLarge =
        http.send(post(base + "/session", "{\"message\":\"" + message + "\"}"), ofString());
    assertEquals(413, tooLarge.statusCode(), tooLarge.body());
    JsonObject error = JsonParser.parseString(tooLarge.body()).getAsJsonObject();
    assertEquals(new JsonPrimitive(false), error.get("ok"), tooLarge.body());
  }

  private static List<JsonObject> readUntilWaiting(BufferedReader reader) throws IOException {
    List<JsonObject> events = new ArrayList<>();
    for (String line; (line = reader.readLine()) != null; ) {
      if (line.isBlank()) {
        continue; // heartbeat
      }
      JsonObject event = JsonParser.parseString(line).getAsJsonObject();
      events.add(event);
      switch (type(event)) {
        case "session.waiting":
          return events;
        case "session.failed":
        case "session.completed":
          fail("the session ended instead of waiting: " + events);
          break;
        default:
          break;
      }
    }
    throw new AssertionError("the stream ended before session.waiting: " + events);
  }

  private static String type(JsonObject event) {
    return event.get("type").getAsString();
  }

  private static HttpRequest get(String uri) {
    return HttpRequest.newBuilder(URI.create(uri)).GET().build();
  }

  private static HttpRequest post(String uri, String json) {
    return HttpRequest.newBuilder(URI.create(uri))
        .header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json))
        .timeout(Duration.ofSeconds(10))
        .build();
  }

  private static HttpResponse.BodyHandler<String> ofString() {
    return HttpResponse.BodyHandlers.ofString();
  }

  /** Runs a blocking call on a daemon thread and fails the test if it takes longer than timeout. */
  private static <T> T within(Duration timeout, Callable<T> call) throws Exception {
    FutureTask<T> task = new FutureTask<>(call);
    Thread thread = new Thread(task, "it-read");
    thread.setDaemon(true);
    thread.start();
    try {
      return task.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      task.cancel(true);
      throw new AssertionError("no result within " + timeout, e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof Exception cause) {
        throw cause;
      }
      throw new AssertionError(e.getCause());
    }
  }
}
