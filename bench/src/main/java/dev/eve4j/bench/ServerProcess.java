package dev.eve4j.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A {@code BenchServer} child process ({@code eve4j} or {@code baseline}) and its stdin/stdout
 * control channel. Closing it closes its stdin, which stops it; it is killed if it lingers.
 */
final class ServerProcess implements AutoCloseable {
  static final List<String> JVM_FLAGS = List.of("-Xms1g", "-Xmx4g", "-XX:+UseG1GC");

  final String kind;
  final int port;
  final long pid;
  private final Process process;
  private final BufferedReader out;
  private final PrintStream in;

  private ServerProcess(String kind, Process process) throws IOException {
    this.kind = kind;
    this.process = process;
    this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    this.in = new PrintStream(process.getOutputStream(), true, StandardCharsets.UTF_8);
    String ready = readReply("READY");
    String[] parts = ready.split(" ");
    this.port = Integer.parseInt(parts[1]);
    this.pid = Long.parseLong(parts[2]);
  }

  /**
   * Starts a server; {@code templates} (e.g. "create:50") are what the baseline precomputes before
   * it says READY.
   */
  static ServerProcess start(String kind, String templates, Path log) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(JVM_FLAGS);
    cmd.add("-Dbench.templates=" + templates);
    cmd.add("-Dbench.heartbeatMillis=" + Long.getLong("bench.heartbeatMillis", 10_000));
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add("dev.eve4j.bench.server.BenchServer");
    cmd.add(kind);
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    return new ServerProcess(kind, p);
  }

  /** Full GC, then heap used, RSS, threads, open files and CPU time. */
  Map<String, Long> stats() throws IOException {
    in.println("stats");
    Map<String, Long> m = new HashMap<>();
    for (String kv : readReply("STATS").substring(6).split(" ")) {
      String[] p = kv.split("=");
      m.put(p[0], Long.parseLong(p[1]));
    }
    return m;
  }

  long cpuNanos() throws IOException {
    in.println("cpu");
    return Long.parseLong(readReply("CPU").substring(4));
  }

  void jfrStart() throws IOException {
    in.println("jfr-start");
    readReply("OK");
  }

  void jfrStop(Path file) throws IOException {
    in.println("jfr-stop " + file.toAbsolutePath());
    readReply("OK");
  }

  private String readReply(String prefix) throws IOException {
    for (String line; (line = out.readLine()) != null; ) {
      if (line.startsWith(prefix)) {
        return line;
      }
      // anything else on stdout (e.g. Jetty's banner) is skipped
    }
    throw new IOException(kind + " server ended before answering " + prefix + " (see the server log)");
  }

  @Override
  public void close() {
    in.close();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
