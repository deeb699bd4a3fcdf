package dev.eve4j.bench.server;

import dev.eve4j.EveRuntime;
import dev.eve4j.bench.BenchModel;
import dev.eve4j.servlet.EveServletOptions;
import dev.eve4j.standalone.EveServer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;

/**
 * The server process of one scenario run: {@code eve4j} (an {@link EveServer} whose agent runs the
 * {@link BenchModel}) or {@code baseline} (the {@link BaselineServer}), on 127.0.0.1 at a free port.
 *
 * <p>It prints {@code READY <port> <pid>} and then obeys one-line commands on stdin, answering one
 * line each on stdout: {@code stats} (heap after a full GC, RSS, live threads, open files, CPU
 * time), {@code cpu} (CPU time only), {@code jfr-start}, {@code jfr-stop <file>}. End of stdin
 * stops it, so a server never outlives the runner that started it.
 */
public final class BenchServer {
  private BenchServer() {}

  public static void main(String[] args) throws Exception {
    String kind = args.length > 0 ? args[0] : "eve4j";
    Duration heartbeat = Duration.ofMillis(Long.getLong("bench.heartbeatMillis", 10_000));
    AutoCloseable server;
    int port;
    if (kind.equals("eve4j")) {
      EveRuntime runtime = EveRuntime.builder().agent(BenchModel.agent()).build();
      EveServer eve = EveServer.start(runtime, EveServletOptions.defaults().withHeartbeatInterval(heartbeat),
          "127.0.0.1", 0);
      server = eve;
      port = eve.port();
    } else if (kind.equals("baseline")) {
      BaselineServer base = BaselineServer.start("127.0.0.1", 0, heartbeat);
      server = base;
      port = base.port();
    } else {
      throw new IllegalArgumentException("kind must be eve4j or baseline, was " + kind);
    }
    System.out.println("READY " + port + " " + ProcessHandle.current().pid());
    System.out.flush();

    Recording recording = null;
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    for (String line; (line = in.readLine()) != null; ) {
      String[] cmd = line.trim().split(" ", 2);
      switch (cmd[0]) {
        case "stats":
          System.gc();
          System.gc();
          System.out.println("STATS " + stats());
          break;
        case "cpu":
          System.out.println("CPU " + cpuNanos());
          break;
        case "jfr-start":
          recording = new Recording(Configuration.getConfiguration("profile"));
          // Denser than the profile settings' 10 ms / 20 ms: runs are short.
          recording.enable("jdk.ExecutionSample").withPeriod(Duration.ofMillis(1));
          recording.enable("jdk.NativeMethodSample").withPeriod(Duration.ofMillis(2));
          recording.start();
          System.out.println("OK");
          break;
        case "jfr-stop":
          if (recording != null) {
            recording.stop();
            recording.dump(Path.of(cmd[1]));
            recording.close();
            recording = null;
          }
          System.out.println("OK");
          break;
        default:
          System.out.println("ERR unknown command " + cmd[0]);
      }
      System.out.flush();
    }
    server.close();
    System.exit(0);
  }

  private static String stats() throws Exception {
    long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    long rssKb = 0;
    for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (l.startsWith("VmRSS:")) {
        rssKb = Long.parseLong(l.replaceAll("[^0-9]", ""));
      }
    }
    int threads = ManagementFactory.getThreadMXBean().getThreadCount();
    long fds;
    try (var s = Files.list(Path.of("/proc/self/fd"))) {
      fds = s.count();
    }
    return "heap=" + heap + " rssKb=" + rssKb + " threads=" + threads + " fds=" + fds + " cpu=" + cpuNanos();
  }

  private static long cpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }
}
