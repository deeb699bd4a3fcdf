package dev.eve4j.standalone;

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
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/**
 * Runs the shaded jar the way an operator would ({@code java -jar}) and talks to it over HTTP: the
 * jar must start from nothing but its own contents, serve a turn, and stop cleanly on SIGTERM.
 */
class StandaloneJarIT {

  private static final Duration STARTUP = Duration.ofSeconds(30);
  @org.junit.jupiter.api.io.TempDir
  static Path DATA;
  private static final Duration TURN = Duration.ofSeconds(20);
  /** {@link EveServer#STOP_TIMEOUT} plus room for the JVM to exit. */
  private static final Duration SHUTDOWN = Duration.ofSeconds(10);

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @Test
  void servesASessionAndStopsCleanlyOnSigterm() throws Exception {
    int port = freePort();
    Process process =
        start(
            // Arguments win over the environment, which is then not even parsed.
            Map.of("PORT", "not-a-port", "HOST", "not a host"),
            "--host", "127.0.0.1", "--port", String.valueOf(port));
    Output output = new Output(process);
    try {
      String base = "http://127.0.0.1:" + port + "/eve/v1";
      assertTrue(output.awaitStdoutLine("eve4j listening on ", STARTUP).startsWith("eve4j listening on " + base));

      HttpResponse<String> health = http.send(get(base + "/health"), ofString());
      assertEquals(200, health.statusCode(), health.body());
      JsonObject status = JsonParser.parseString(health.body()).getAsJsonObject();
      // The client validates health with a strict schema: these three keys and nothing else.
      assertEquals(Set.of("ok", "status", "workflowId"), status.keySet(), health.body());
      assertEquals(new JsonPrimitive(true), status.get("ok"));
      assertEquals(new JsonPrimitive("ready"), status.get("status"));
      assertFalse(status.get("workflowId").getAsString().isEmpty(), health.body());

      // The operator console's static files come out of the jar.
      String root = "http://127.0.0.1:" + port;
      HttpResponse<String> console = http.send(get(root + "/console/"), ofString());
      assertEquals(200, console.statusCode(), console.body());
      assertTrue(console.body().contains("<script src=\"console.js\" defer></script>"), console.body());
      assertEquals(200, http.send(get(root + "/console/console.js"), ofString()).statusCode());
      assertEquals(200, http.send(get(root + "/console/console.css"), ofString()).statusCode());

      HttpResponse<String> created =
          http.send(post(base + "/session", "{\"message\":\"hello there\"}"), ofString());
      assertEquals(202, created.statusCode(), created.body());
      String sessionId =
          JsonParser.parseString(created.body()).getAsJsonObject().get("sessionId").getAsString();
      assertEquals(sessionId, created.headers().firstValue("x-eve-session-id").orElse(null));

      HttpResponse<InputStream> stream =
          within(
              TURN,
              () ->
                  http.send(
                      get(base + "/session/" + sessionId + "/stream"),
                      HttpResponse.BodyHandlers.ofInputStream()));
      assertEquals(200, stream.statusCode());
      assertEquals("26", stream.headers().firstValue("x-eve-stream-version").orElse(null));
      BufferedReader reader = new BufferedReader(new InputStreamReader(stream.body(), UTF_8));
      List<JsonObject> events = within(TURN, () -> readUntilWaiting(reader));
      assertEquals("session.waiting", type(events.get(events.size() - 1)));
      assertEquals(
          "Echo: hello there",
          events.stream()
              .filter(e -> type(e).equals("message.completed"))
              .map(e -> e.getAsJsonObject("data").get("message").getAsString())
              .findFirst()
              .orElse(null),
          events::toString);

      // SIGTERM while the stream is still open: the shutdown hook must end it and exit quietly.
      // Through the handle, because Process.destroy() also closes our end of the child's pipes,
      // which would lose what the hook prints.
      assertTrue(process.toHandle().supportsNormalTermination(), "SIGTERM is not supported here");
      assertTrue(process.toHandle().destroy(), "could not signal the server");
      assertTrue(
          process.waitFor(SHUTDOWN.toMillis(), TimeUnit.MILLISECONDS),
          "the server did not exit within " + SHUTDOWN + " of SIGTERM");
      // A clean end of the response (not a cut connection): the server finished it on the way out.
      within(Duration.ofSeconds(5), () -> drain(reader));
      output.awaitEnd(Duration.ofSeconds(5));
      String log = "stdout:\n" + output.stdout() + "stderr:\n" + output.stderr();
      assertFalse(output.stderr().contains("Exception"), log);
      assertFalse(output.stderr().contains("eve4j:"), log);
      assertTrue(output.stdout().contains("eve4j stopped"), log);
    } finally {
      process.destroyForcibly();
    }
  }

  @Test
  void sessionsSurviveARestartOnTheSameDataDirectory() throws Exception {
    int port = freePort();
    String base = "http://127.0.0.1:" + port + "/eve/v1";
    String sessionId;
    String api = "http://127.0.0.1:" + port + "/api/v1";
    String[] apiKey = new String[1];
    Process first = start(Map.of(), "--port", String.valueOf(port));
    Output out1 = new Output(first);
    try {
      out1.awaitStdoutLine("eve4j listening on ", STARTUP);
      HttpResponse<String> created =
          http.send(post(base + "/session", "{\"message\":\"before the restart\"}"), ofString());
      sessionId = JsonParser.parseString(created.body()).getAsJsonObject().get("sessionId").getAsString();
      HttpResponse<InputStream> stream = within(TURN, () -> http.send(
          get(base + "/session/" + sessionId + "/stream"), HttpResponse.BodyHandlers.ofInputStream()));
      within(TURN, () -> readUntilWaiting(new BufferedReader(new InputStreamReader(stream.body(), UTF_8))));
      // The operator channel shares the data directory: a key and a pushed message must survive too.
      HttpResponse<String> key = http.send(post(api + "/keys", "{\"name\":\"agent\"}"), ofString());
      assertEquals(true, key.statusCode() / 100 == 2, key.body());
      apiKey[0] = JsonParser.parseString(key.body()).getAsJsonObject().get("secret").getAsString();
      HttpResponse<String> pushed = http.send(HttpRequest.newBuilder(URI.create(api + "/push"))
          .header("content-type", "application/json").header("authorization", "Bearer " + apiKey[0])
          .POST(HttpRequest.BodyPublishers.ofString("{\"vessel\":\"restart-check\",\"message\":\"kept on disk\"}"))
          .build(), ofString());
      assertEquals(200, pushed.statusCode(), pushed.body());
      assertTrue(first.toHandle().destroy(), "could not signal the server");
      assertTrue(first.waitFor(SHUTDOWN.toMillis(), TimeUnit.MILLISECONDS), "the server did not stop");
    } finally {
      first.destroyForcibly();
    }
    Process second = start(Map.of(), "--port", String.valueOf(port));
    Output out2 = new Output(second);
    try {
      out2.awaitStdoutLine("eve4j listening on ", STARTUP);
      HttpResponse<String> followUp =
          http.send(post(base + "/session/" + sessionId, "{\"message\":\"after the restart\"}"), ofString());
      assertEquals(202, followUp.statusCode(), followUp.body());
      HttpResponse<InputStream> stream = within(TURN, () -> http.send(
          get(base + "/session/" + sessionId + "/stream?startIndex=0"), HttpResponse.BodyHandlers.ofInputStream()));
      BufferedReader reader = new BufferedReader(new InputStreamReader(stream.body(), UTF_8));
      List<JsonObject> turn0 = within(TURN, () -> readUntilWaiting(reader));
      List<JsonObject> turn1 = within(TURN, () -> readUntilWaiting(reader));
      assertEquals("session.started", type(turn0.get(0)), "the first turn is replayed from disk");
      assertEquals("Echo: after the restart", turn1.stream().filter(e -> type(e).equals("message.completed"))
          .map(e -> e.getAsJsonObject("data").get("message").getAsString()).findFirst().orElse(null),
          turn1::toString);
      assertEquals("turn_1", turn1.get(0).getAsJsonObject("data").get("turnId").getAsString());
      HttpResponse<String> messages = http.send(HttpRequest.newBuilder(
          URI.create(api + "/vessels/by-external/restart-check/messages"))
          .header("authorization", "Bearer " + apiKey[0]).GET().build(), ofString());
      assertEquals(200, messages.statusCode(), messages.body());
      assertTrue(messages.body().contains("kept on disk"), messages.body());
    } finally {
      second.toHandle().destroy();
      second.waitFor(SHUTDOWN.toMillis(), TimeUnit.MILLISECONDS);
      second.destroyForcibly();
    }
  }

  @Test
  void rejectsInvalidSettingsWithExitCode2() throws Exception {
    assertRejected(Map.of(), new String[] {"--port", "70000"}, "invalid port '70000' from --port");
    assertRejected(Map.of("PORT", "abc"), new String[0], "invalid port 'abc' from PORT");
    assertRejected(Map.of(), new String[] {"--verbose"}, "unknown argument '--verbose'");
  }

  private void assertRejected(Map<String, String> env, String[] args, String expected)
      throws Exception {
    Process process = start(env, args);
    Output output = new Output(process);
    try {
      assertTrue(process.waitFor(STARTUP.toMillis(), TimeUnit.MILLISECONDS), "did not exit");
      output.awaitEnd(Duration.ofSeconds(5));
      assertEquals(2, process.exitValue(), output.stderr());
      List<String> lines = output.stderr().lines().filter(l -> l.startsWith("eve4j")).toList();
      assertEquals(1, lines.size(), output.stderr());
      assertTrue(lines.get(0).startsWith("eve4j: " + expected), output.stderr());
      assertFalse(output.stderr().contains("Exception"), output.stderr());
    } finally {
      process.destroyForcibly();
    }
  }

  private static Process start(Map<String, String> env, String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-jar");
    command.add(jar().toString());
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().remove("HOST");
    builder.environment().remove("PORT");
    // Each test class run keeps its data in a temporary directory, never in the working directory.
    builder.environment().put("EVE4J_DATA_DIR", DATA.toString());
    builder.environment().putAll(env);
    return builder.start();
  }

  private static Path jar() {
    String property = System.getProperty("eve4j.standaloneJar");
    if (property == null || property.isBlank()) {
      fail("system property eve4j.standaloneJar is not set; run this test with mvn verify");
    }
    Path jar = Path.of(property);
    if (!Files.isRegularFile(jar)) {
      fail("the standalone jar " + jar + " does not exist; the shade plugin should build it");
    }
    return jar;
  }

  /** A port nobody listened on a moment ago; the jar binds it again right after. */
  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      return socket.getLocalPort();
    }
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

  /** Reads to the end of the response; only blank heartbeat lines may come before it. */
  private static Void drain(BufferedReader reader) throws IOException {
    for (String line; (line = reader.readLine()) != null; ) {
      assertTrue(line.isBlank(), "unexpected line after session.waiting: " + line);
    }
    return null;
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

  /** Runs a blocking read on a daemon thread and fails the test if it takes longer than timeout. */
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

  /** Drains a child's stdout and stderr on daemon threads so it never blocks on a full pipe. */
  private static final class Output {
    private static final String EOF = "\u0000eof";
    private final LinkedBlockingQueue<String> stdoutLines = new LinkedBlockingQueue<>();
    private final StringBuffer stdout = new StringBuffer();
    private final StringBuffer stderr = new StringBuffer();
    private final Thread outReader;
    private final Thread errReader;

    Output(Process process) {
      outReader = pump(process.getInputStream(), stdout, stdoutLines);
      errReader = pump(process.getErrorStream(), stderr, null);
    }

    private static Thread pump(
        InputStream in, StringBuffer all, LinkedBlockingQueue<String> lines) {
      Thread thread =
          new Thread(
              () -> {
                try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, UTF_8))) {
                  for (String line; (line = reader.readLine()) != null; ) {
                    all.append(line).append('\n');
                    if (lines != null) {
                      lines.add(line);
                    }
                  }
                } catch (IOException e) {
                  // destroyForcibly closed the pipe: nothing more to collect
                } finally {
                  if (lines != null) {
                    lines.add(EOF);
                  }
                }
              },
              "it-pipe");
      thread.setDaemon(true);
      thread.start();
      return thread;
    }

    /** The first stdout line starting with prefix; fails with stderr if the process ends first. */
    String awaitStdoutLine(String prefix, Duration timeout) throws InterruptedException {
      long deadline = System.nanoTime() + timeout.toNanos();
      while (true) {
        String line = stdoutLines.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
        if (line == null) {
          fail("no '" + prefix + "' line on stdout within " + timeout + "; stderr: " + stderr);
        }
        if (line.equals(EOF)) {
          // Give the stderr pump a moment to collect why the process died.
          errReader.join(TimeUnit.SECONDS.toMillis(5));
          fail("the process ended before printing '" + prefix + "'; stderr: " + stderr);
        }
        if (line.startsWith(prefix)) {
          return line;
        }
      }
    }

    void awaitEnd(Duration timeout) throws InterruptedException {
      outReader.join(timeout.toMillis());
      errReader.join(timeout.toMillis());
      assertFalse(outReader.isAlive() || errReader.isAlive(), "the process pipes did not close");
    }

    String stdout() {
      return stdout.toString();
    }

    String stderr() {
      return stderr.toString();
    }
  }
}
