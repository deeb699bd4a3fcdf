package dev.eve4j.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * The scenario runner and load driver, started by {@code bench/run}: every scenario against a fresh
 * eve4j server process and a fresh baseline process (both up at once for S1, S2 and S4, whose
 * measurements alternate between them so that other load on the machine hits both alike), the JMH
 * journal benchmarks, a JFR profile of eve4j under the heaviest loads, then {@code bench/RESULTS.md}.
 *
 * <pre>
 * java -cp … dev.eve4j.bench.BenchMain [--out FILE] [--only S1,S2,S3,S4,JMH,PROFILE] [--quick]
 * </pre>
 * {@code --quick} shrinks every scenario to a smoke test (seconds), for working on the bench itself.
 */
public final class BenchMain {
  private BenchMain() {}

  public static void main(String[] args) throws Exception {
    Path out = Path.of("bench/RESULTS.md");
    Set<String> only = new LinkedHashSet<>(List.of("S1", "S2", "S3", "S4", "JMH", "PROFILE"));
    boolean quick = false;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--out" -> out = Path.of(args[++i]);
        case "--only" -> only = new LinkedHashSet<>(Arrays.asList(args[++i].toUpperCase().split(",")));
        case "--quick" -> quick = true;
        default -> throw new IllegalArgumentException("unknown argument " + args[i]
            + "; usage: BenchMain [--out FILE] [--only S1,S2,S3,S4,JMH,PROFILE] [--quick]");
      }
    }
    new BenchMain().run(out, only, quick);
  }

  private Path work;
  private Path serverLog;

  private void run(Path out, Set<String> only, boolean quick) throws Exception {
    Instant began = Instant.now();
    work = Path.of("bench/target/bench-run");
    Files.createDirectories(work);
    serverLog = work.resolve("servers.log");
    Files.deleteIfExists(serverLog);
    Report report = new Report(quick);
    Duration heartbeat = Duration.ofMillis(Long.getLong("bench.heartbeatMillis", 10_000));

    if (only.contains("S1")) {
      int[] levels = quick ? new int[] {1, 16} : new int[] {1, 16, 256};
      Duration warmup = Duration.ofSeconds(quick ? 1 : 3);
      Duration settle = Duration.ofMillis(500);
      Duration window = Duration.ofSeconds(quick ? 1 : 2);
      int rounds = quick ? 2 : 3;
      report.note("S1: both servers run at once; after " + warmup.toSeconds() + " s of warm-up each at C = 16, "
          + "every level alternates " + rounds + " measured windows of " + window.toSeconds() + " s per server ("
          + settle.toMillis() + " ms unmeasured before each), so that other load on the machine hits both alike.");
      both("create:50", (e, b) -> {
        Scenarios.turns(e, 16, 50, Duration.ZERO, warmup);
        Scenarios.turns(b, 16, 50, Duration.ZERO, warmup);
        for (int c : levels) {
          List<Scenarios.Turns> er = new ArrayList<>();
          List<Scenarios.Turns> br = new ArrayList<>();
          for (int r = 0; r < rounds; r++) {
            er.add(Scenarios.turns(e, c, 50, settle, window));
            br.add(Scenarios.turns(b, c, 50, settle, window));
          }
          Scenarios.Turns em = Scenarios.Turns.merge(er);
          Scenarios.Turns bm = Scenarios.Turns.merge(br);
          System.out.println("bench:   eve4j    " + em + "\nbench:   baseline " + bm);
          report.turns(em, bm);
        }
        return null;
      });
    }
    if (only.contains("S2")) {
      int[] levels = quick ? new int[] {10, 100} : new int[] {100, 1000};
      int deltas = quick ? 2000 : 10_000;
      int warmupDeltas = quick ? 500 : 2000;
      int paced = 1000;
      int rate = 200;
      report.note("S2: both servers run at once; per level one unmeasured turn of " + warmupDeltas + " deltas on "
          + "each, then the burst turn twice on each, alternating (the better run of each server is shown), then "
          + "a paced turn (" + paced + " deltas at " + rate + " a second) on each.");
      String templates = "send:" + warmupDeltas + ",send:" + deltas + ",send:" + paced + "/" + rate;
      both(templates, (e, b) -> {
        for (int k : levels) {
          Scenarios.fanout(e, k, warmupDeltas, 0);
          Scenarios.fanout(b, k, warmupDeltas, 0);
          Scenarios.Fanout e1 = Scenarios.fanout(e, k, deltas, 0);
          Scenarios.Fanout b1 = Scenarios.fanout(b, k, deltas, 0);
          Scenarios.Fanout b2 = Scenarios.fanout(b, k, deltas, 0);
          Scenarios.Fanout e2 = Scenarios.fanout(e, k, deltas, 0);
          Scenarios.Fanout eb = e1.eventsPerSecond() >= e2.eventsPerSecond() ? e1 : e2;
          Scenarios.Fanout bb = b1.eventsPerSecond() >= b2.eventsPerSecond() ? b1 : b2;
          System.out.println("bench:   eve4j    " + e1 + " / " + e2 + "\nbench:   baseline " + b1 + " / " + b2);
          report.fanout(eb, bb);
          Scenarios.Fanout ep = Scenarios.fanout(e, k, paced, rate);
          Scenarios.Fanout bp = Scenarios.fanout(b, k, paced, rate);
          System.out.println("bench:   eve4j    " + ep + "\nbench:   baseline " + bp);
          report.fanout(ep, bp);
        }
        return null;
      });
    }
    if (only.contains("S3")) {
      int want = quick ? 1000 : 10_000;
      long fdLimit = openFileLimit();
      int max = (int) Math.min(want, fdLimit - 200);
      if (max < want) {
        report.note("S3: the open-file limit is " + fdLimit + ", so the largest level is " + max + " streams instead of "
            + want + " (raise `ulimit -n` to run it in full).");
      }
      int[] levels = quick ? new int[] {100, max} : new int[] {1000, max};
      for (int n : levels) {
        Scenarios.Idle e = on("eve4j", "", s -> Scenarios.idle(s, n, heartbeat));
        Scenarios.Idle b = on("baseline", "", s -> Scenarios.idle(s, n, heartbeat));
        report.idle(e, b, heartbeat);
      }
    }
    if (only.contains("S4")) {
      int events = quick ? 10_000 : 100_000;
      Duration warm = Duration.ofSeconds(quick ? 1 : 3);
      Scenarios.Replay[] r = both("create:" + (events - 8),
          (e, b) -> Scenarios.replay(new ServerProcess[] {e, b}, events, warm, 10));
      System.out.println("bench:   " + Arrays.toString(r));
      report.replay(r[0], r[1]);
    }
    if (only.contains("JMH")) {
      report.jmh(jmh(quick));
    }
    if (only.contains("PROFILE")) {
      int k = quick ? 100 : 1000;
      int deltas = quick ? 2000 : 10_000;
      Path s2 = work.resolve("eve4j-s2.jfr");
      on("eve4j", "", s -> {
        Scenarios.fanout(s, k, 2000, 0);
        s.jfrStart();
        Scenarios.Fanout f = Scenarios.fanout(s, k, deltas, 0);
        s.jfrStop(s2);
        return f;
      });
      report.profile(Profile.markdown(s2, "eve4j, S2 fan-out, K = " + k + ", a turn of " + deltas + " deltas", 12));
      int c = quick ? 16 : 256;
      Path s1 = work.resolve("eve4j-s1.jfr");
      on("eve4j", "", s -> {
        s.jfrStart();
        Scenarios.Turns t = Scenarios.turns(s, c, 50, Duration.ofSeconds(1), Duration.ofSeconds(quick ? 2 : 5));
        s.jfrStop(s1);
        return t;
      });
      report.profile(Profile.markdown(s1, "eve4j, S1 turns, C = " + c, 12));
    }

    report.finish(Duration.between(began, Instant.now()).truncatedTo(ChronoUnit.SECONDS));
    Files.writeString(out, report.markdown());
    System.out.println("bench: wrote " + out.toAbsolutePath());
  }

  private interface BothBody<T> {
    T run(ServerProcess eve4j, ServerProcess baseline) throws Exception;
  }

  /** Runs {@code body} with a fresh eve4j and a fresh baseline process, both up at once. */
  private <T> T both(String templates, BothBody<T> body) throws Exception {
    System.out.println("bench: eve4j and baseline …");
    try (ServerProcess e = ServerProcess.start("eve4j", "", serverLog);
        ServerProcess b = ServerProcess.start("baseline", templates, serverLog)) {
      return body.run(e, b);
    }
  }

  private interface Body<T> {
    T run(ServerProcess server) throws Exception;
  }

  /** Runs {@code body} against a fresh server process of {@code kind}. */
  private <T> T on(String kind, String templates, Body<T> body) throws Exception {
    System.out.println("bench: " + kind + " …");
    try (ServerProcess server = ServerProcess.start(kind, templates, serverLog)) {
      T result = body.run(server);
      System.out.println("bench:   " + (result instanceof Object[] a ? Arrays.toString(a) : result));
      return result;
    }
  }

  private Collection<RunResult> jmh(boolean quick) throws Exception {
    System.out.println("bench: JMH (log in " + work.resolve("jmh.log") + ")");
    OptionsBuilder options = new OptionsBuilder();
    options.include("dev\\.eve4j\\.bench\\.jmh\\..*")
        .forks(1)
        .warmupIterations(quick ? 1 : 3)
        .warmupTime(TimeValue.seconds(1))
        .measurementIterations(quick ? 1 : 5)
        .measurementTime(TimeValue.seconds(1))
        .jvmArgs("-Xms1g", "-Xmx1g")
        .output(work.resolve("jmh.log").toString());
    return new Runner(options.build()).run();
  }

  private static long openFileLimit() {
    try {
      for (String l : Files.readAllLines(Path.of("/proc/self/limits"))) {
        if (l.startsWith("Max open files")) {
          String soft = l.substring("Max open files".length()).trim().split("\\s+")[0];
          return soft.equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(soft);
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux: assume enough
    }
    return Long.MAX_VALUE;
  }
}
