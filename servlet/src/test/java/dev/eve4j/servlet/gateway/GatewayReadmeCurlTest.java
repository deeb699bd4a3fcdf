package dev.eve4j.servlet.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The curl session of the README's "LLM gateway" section, run as written against a real Jetty (only
 * {@code localhost:3000} becomes the test server, and {@code <relayId>}, {@code <sessionId>} the
 * values the earlier commands printed). The real {@code curl} runs them when it is on the PATH;
 * otherwise the same requests go through the JDK HttpClient. The approval command is left running
 * while the relay is answered, as a second terminal would.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class GatewayReadmeCurlTest {
  /** The real curl, unless absent (or {@code -Deve4j.test.noCurl=true} asks for the fallback). */
  static final boolean CURL = onPath("curl") && !Boolean.getBoolean("eve4j.test.noCurl");
  private static final Pattern DATA = Pattern.compile("^data: (.*)$");
  private static GatewayTestServer server;

  @BeforeAll
  static void start() {
    server = GatewayTestServer.start();
    System.out.println("GatewayReadmeCurlTest runs the README's commands with "
        + (CURL ? "curl (" + which("curl") + ")" : "the JDK HttpClient (no curl on the PATH, or -Deve4j.test.noCurl=true)"));
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void theReadmeCurlSessionWorksAsWritten() throws Exception {
    List<String> commands = readmeCommands();
    assertEquals(5, commands.size(), commands.toString());

    // 1. the models
    JsonObject models = JsonParser.parseString(run(commands.get(0)).all()).getAsJsonObject();
    assertEquals("eve4j/scripted", models.get("defaultModel").getAsString());
    assertEquals("eve4j/scripted", models.getAsJsonArray("models").get(0).getAsJsonObject().get("id").getAsString());

    // 2. a run with a tool call
    List<JsonObject> tool = events(run(commands.get(1)).all());
    assertEquals(List.of("connected", "harness_start"), types(tool).subList(0, 2));
    assertTrue(types(tool).contains("tool_call") && types(tool).contains("tool_result"), types(tool).toString());
    assertEquals("harness_end", last(tool).get("type").getAsString());

    // 3. a run that waits at a relay, answered from "a second terminal"
    Running approve = run(commands.get(2));
    List<JsonObject> seen = new ArrayList<>();
    for (JsonObject e = approve.nextEvent(); ; e = approve.nextEvent()) {
      assertTrue(e != null, "the approval run ended before its relay: " + seen);
      seen.add(e);
      if (e.get("type").getAsString().equals("relay")) {
        break;
      }
    }
    String sessionId = seen.get(0).get("sessionId").getAsString();
    String relayId = last(seen).get("relayId").getAsString();
    JsonObject answered = JsonParser.parseString(run(commands.get(3).replace("<relayId>", relayId)).all())
        .getAsJsonObject();
    assertEquals(JsonParser.parseString("{\"success\":true}"), answered);
    List<JsonObject> rest = events(approve.all());
    JsonObject result = rest.stream().filter(e -> e.get("type").getAsString().equals("tool_result")).findFirst()
        .orElseThrow(() -> new AssertionError("no tool_result after the relay: " + rest));
    assertEquals("rejected", result.get("status").getAsString());
    assertTrue(result.getAsJsonObject("error").get("message").getAsString().contains("not today"), result.toString());
    assertEquals("completed", last(rest).get("status").getAsString());

    // 4. the same conversation goes on
    List<JsonObject> again = events(run(commands.get(4).replace("<sessionId>", sessionId)).all());
    assertEquals(sessionId, again.get(0).get("sessionId").getAsString());
    StringBuilder text = new StringBuilder();
    again.stream().filter(e -> e.get("type").getAsString().equals("text"))
        .forEach(e -> text.append(e.get("content").getAsString()));
    assertEquals("Echo: hello again", text.toString());
  }

  // ---- the README ----------------------------------------------------------------------------

  /** The curl lines of the first sh block of the gateway guide (docs/gateway.md, linked from the README). */
  private static List<String> readmeCommands() throws IOException {
    Path readme = Path.of(System.getProperty("user.dir")).resolve("../docs/gateway.md").normalize();
    if (!Files.exists(readme)) {
      readme = Path.of(System.getProperty("user.dir"), "docs", "gateway.md");
    }
    String text = Files.readString(readme, StandardCharsets.UTF_8);
    int section = text.indexOf("# LLM gateway");
    assertTrue(section >= 0, "docs/gateway.md has no LLM gateway section");
    int start = text.indexOf("```sh\n", section) + 6;
    int end = text.indexOf("```", start);
    List<String> out = new ArrayList<>();
    for (String line : text.substring(start, end).split("\n")) {
      if (line.startsWith("curl ")) {
        out.add(line);
      }
    }
    return out;
  }

  /** Shell words of one command line, up to an unquoted comment; {@code localhost:3000} is the test server. */
  static List<String> words(String line) {
    List<String> out = new ArrayList<>();
    StringBuilder w = null;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (Character.isWhitespace(c)) {
        if (w != null) {
          out.add(w.toString());
          w = null;
        }
        continue;
      }
      if (c == '#' && w == null) {
        break;
      }
      if (w == null) {
        w = new StringBuilder();
      }
      if (c == '\'' || c == '"') {
        int close = line.indexOf(c, i + 1);
        w.append(line, i + 1, close);
        i = close;
      } else {
        w.append(c);
      }
    }
    if (w != null) {
      out.add(w.toString());
    }
    List<String> replaced = new ArrayList<>();
    for (String word : out) {
      replaced.add(word.replace("localhost:3000", "127.0.0.1:" + server.port()));
    }
    return replaced;
  }

  // ---- running a command -----------------------------------------------------------------------

  /** A running command's standard output. */
  static final class Running {
    private final BufferedReader out;
    private final Process process;
    private final StringBuilder all = new StringBuilder();

    Running(InputStream out, Process process) {
      this.out = new BufferedReader(new InputStreamReader(out, StandardCharsets.UTF_8));
      this.process = process;
    }

    /** The next SSE event's data, or null at the end of the output. */
    JsonObject nextEvent() throws IOException {
      for (String line = out.readLine(); line != null; line = out.readLine()) {
        all.append(line).append('\n');
        Matcher m = DATA.matcher(line);
        if (m.matches()) {
          return JsonParser.parseString(m.group(1)).getAsJsonObject();
        }
      }
      return null;
    }

    /** The rest of the output; the command must then exit with 0. */
    String all() throws Exception {
      StringBuilder rest = new StringBuilder();
      for (String line = out.readLine(); line != null; line = out.readLine()) {
        rest.append(line).append('\n');
      }
      if (process != null) {
        assertTrue(process.waitFor(20, TimeUnit.SECONDS), "curl did not exit");
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, process.exitValue(), "curl failed: " + err);
      }
      return rest.toString();
    }
  }

  private static Running run(String line) throws IOException {
    List<String> words = words(line);
    assertEquals("curl", words.get(0), line);
    if (CURL) {
      List<String> argv = new ArrayList<>(words);
      argv.add(1, "--max-time");
      argv.add(2, "20");
      Process p = new ProcessBuilder(argv).start();
      p.getOutputStream().close();
      return new Running(p.getInputStream(), p);
    }
    return viaHttpClient(words);
  }

  /** The same request without curl: {@code -d} posts its text, {@code -H} adds a header, {@code -X} sets the method. */
  private static Running viaHttpClient(List<String> words) throws IOException {
    String url = null;
    String data = null;
    String method = null;
    HttpRequest.Builder b = HttpRequest.newBuilder();
    for (int i = 1; i < words.size(); i++) {
      String w = words.get(i);
      if (w.equals("-d")) {
        data = words.get(++i);
      } else if (w.equals("-H")) {
        String h = words.get(++i);
        b.header(h.substring(0, h.indexOf(':')).trim(), h.substring(h.indexOf(':') + 1).trim());
      } else if (w.equals("-X")) {
        method = words.get(++i);
      } else if (!w.startsWith("-")) {
        url = w.startsWith("http") ? w : "http://" + w;
      }
    }
    method = method != null ? method : data != null ? "POST" : "GET";
    b.uri(URI.create(url)).method(method, data == null ? HttpRequest.BodyPublishers.noBody()
        : HttpRequest.BodyPublishers.ofString(data));
    try {
      HttpResponse<InputStream> r = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()
          .sendAsync(b.build(), HttpResponse.BodyHandlers.ofInputStream()).get(20, TimeUnit.SECONDS);
      return new Running(r.body(), null);
    } catch (Exception e) {
      throw new IOException(e);
    }
  }

  // ---- helpers ---------------------------------------------------------------------------------

  private static List<JsonObject> events(String output) {
    List<JsonObject> out = new ArrayList<>();
    for (String line : output.split("\n")) {
      Matcher m = DATA.matcher(line);
      if (m.matches()) {
        out.add(JsonParser.parseString(m.group(1)).getAsJsonObject());
      }
    }
    return out;
  }

  private static List<String> types(List<JsonObject> events) {
    List<String> out = new ArrayList<>();
    events.forEach(e -> out.add(e.get("type").getAsString()));
    return out;
  }

  private static JsonObject last(List<JsonObject> events) {
    return events.get(events.size() - 1);
  }

  private static boolean onPath(String exe) {
    return which(exe) != null;
  }

  private static String which(String exe) {
    String path = System.getenv("PATH");
    if (path != null) {
      for (String dir : path.split(File.pathSeparator)) {
        File f = new File(dir, exe);
        if (f.canExecute()) {
          return f.getPath();
        }
      }
    }
    return null;
  }
}
