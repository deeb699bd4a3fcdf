package dev.eve4j.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.openjdk.jmh.results.RunResult;

/** Collects the figures of one run and renders bench/RESULTS.md. */
final class Report {
  private final boolean quick;
  private final Instant date = Instant.now().truncatedTo(ChronoUnit.SECONDS);
  private final List<String> notes = new ArrayList<>();
  private final List<String[]> targets = new ArrayList<>();
  private final StringBuilder s1 = new StringBuilder();
  private final StringBuilder s2 = new StringBuilder();
  private final StringBuilder s3 = new StringBuilder();
  private final StringBuilder s4 = new StringBuilder();
  private final StringBuilder jmh = new StringBuilder();
  private final StringBuilder profile = new StringBuilder();
  private final List<String> s1Ratios = new ArrayList<>();
  private boolean s1Met = true;
  private Duration took;

  private final String loadAtStart = loadAverage();

  Report(boolean quick) {
    this.quick = quick;
  }

  static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
    } catch (IOException | RuntimeException e) {
      return "unknown";
    }
  }

  void note(String text) {
    notes.add(text);
  }

  void turns(Scenarios.Turns e, Scenarios.Turns b) {
    if (s1.length() == 0) {
      s1.append(header());
    }
    String c = "C = " + e.clients();
    row(s1, c, "turns/s", e.turnsPerSecond(), b.turnsPerSecond(), "%,.0f");
    row(s1, c, "first delta p50 (ms)", e.firstDeltaMicros().p50() / 1e3, b.firstDeltaMicros().p50() / 1e3, "%.2f");
    row(s1, c, "first delta p99 (ms)", e.firstDeltaMicros().p99() / 1e3, b.firstDeltaMicros().p99() / 1e3, "%.2f");
    row(s1, c, "first delta max (ms)", e.firstDeltaMicros().max() / 1e3, b.firstDeltaMicros().max() / 1e3, "%.2f");
    row(s1, c, "session.waiting p50 (ms)", e.boundaryMicros().p50() / 1e3, b.boundaryMicros().p50() / 1e3, "%.2f");
    row(s1, c, "session.waiting p99 (ms)", e.boundaryMicros().p99() / 1e3, b.boundaryMicros().p99() / 1e3, "%.2f");
    row(s1, c, "session.waiting max (ms)", e.boundaryMicros().max() / 1e3, b.boundaryMicros().max() / 1e3, "%.2f");
    row(s1, c, "server CPU (cores)", e.serverCpu(), b.serverCpu(), "%.2f");
    row(s1, c, "driver CPU (cores)", e.driverCpu(), b.driverCpu(), "%.2f");
    row(s1, c, "failed turns", e.errors(), b.errors(), "%.0f");
    row(s1, c, "listen-queue overflows (kernel, machine-wide)", e.listenOverflows(), b.listenOverflows(), "%,.0f");
    double r = e.turnsPerSecond() / b.turnsPerSecond();
    s1Ratios.add(String.format("C=%d: %.2f×", e.clients(), r));
    s1Met &= r >= 0.5;
  }

  void fanout(Scenarios.Fanout e, Scenarios.Fanout b) {
    if (s2.length() == 0) {
      s2.append(header());
    }
    String k = String.format("K = %,d", e.readers())
        + (e.perSecond() > 0 ? String.format(", paced (%,d deltas, %d/s)", e.deltas(), e.perSecond()) : "");
    row(s2, k, "delivered events/s", e.eventsPerSecond(), b.eventsPerSecond(), "%,.0f");
    row(s2, k, "turn to last reader done (s)", e.seconds(), b.seconds(), "%.2f");
    row(s2, k, "append → receipt p50 (ms)", e.appendToReceiptMillis().p50(), b.appendToReceiptMillis().p50(), "%.0f");
    row(s2, k, "append → receipt p99 (ms)", e.appendToReceiptMillis().p99(), b.appendToReceiptMillis().p99(), "%.0f");
    row(s2, k, "append → receipt max (ms)", e.appendToReceiptMillis().max(), b.appendToReceiptMillis().max(), "%.0f");
    row(s2, k, "emission → receipt p50 (ms)", e.emitToReceiptMicros().p50() / 1e3, b.emitToReceiptMicros().p50() / 1e3,
        "%.1f");
    row(s2, k, "emission → receipt p99 (ms)", e.emitToReceiptMicros().p99() / 1e3, b.emitToReceiptMicros().p99() / 1e3,
        "%.1f");
    row(s2, k, "emission → receipt max (ms)", e.emitToReceiptMicros().max() / 1e3, b.emitToReceiptMicros().max() / 1e3,
        "%.1f");
    row(s2, k, "server CPU (cores)", e.serverCpu(), b.serverCpu(), "%.2f");
    row(s2, k, "driver CPU (cores)", e.driverCpu(), b.driverCpu(), "%.2f");
    row(s2, k, "events delivered", e.delivered(), b.delivered(), "%,.0f");
    row(s2, k, "bytes per client read (how finely the server flushed)", e.bytesPerRead(), b.bytesPerRead(), "%,.0f");
    row(s2, k, "readers that did not finish", e.incomplete(), b.incomplete(), "%.0f");
    if (e.readers() >= 1000 || quick && e.readers() >= 100) {
      long p99 = e.appendToReceiptMillis().p99();
      if (e.perSecond() == 0) {
        double r = e.eventsPerSecond() / b.eventsPerSecond();
        String capped = Math.max(e.driverCpu(), b.driverCpu()) >= 0.7
            ? "; the driver used most of a core, so both sides may be capped by the client here" : "";
        targets.add(new String[] {"S2 delivered events/s ≥ 0.8× baseline at K = " + e.readers(),
            String.format("%.2f× (%,.0f vs %,.0f%s)", r, e.eventsPerSecond(), b.eventsPerSecond(), capped),
            verdict(r >= 0.8)});
        targets.add(new String[] {"S2 p99 append → receipt < 50 ms at K = " + e.readers() + ", the 10,000-delta burst",
            String.format("%,d ms (baseline %,d ms)", p99, b.appendToReceiptMillis().p99()), verdict(p99 < 50)});
      } else {
        targets.add(new String[] {"S2 p99 append → receipt < 50 ms at K = " + e.readers() + ", paced "
            + e.perSecond() + " deltas/s", String.format("%,d ms (baseline %,d ms)", p99,
            b.appendToReceiptMillis().p99()), verdict(p99 < 50)});
      }
    }
  }

  void idle(Scenarios.Idle e, Scenarios.Idle b, Duration heartbeat) {
    if (s3.length() == 0) {
      s3.append(header());
    }
    String n = String.format("N = %,d", e.streams());
    row(s3, n, "heap per stream after GC (KiB)", e.heapPerStream() / 1024, b.heapPerStream() / 1024, "%.1f");
    row(s3, n, "RSS per stream (KiB)", e.rssPerStream() / 1024, b.rssPerStream() / 1024, "%.1f");
    row(s3, n, "heap after GC, before → with streams (MiB)", e.after().get("heap") / 1048576.0,
        b.after().get("heap") / 1048576.0, "%.1f", e.before().get("heap") / 1048576.0,
        b.before().get("heap") / 1048576.0);
    row(s3, n, "live threads, before → with streams", e.after().get("threads"), b.after().get("threads"), "%.0f",
        e.before().get("threads"), b.before().get("threads"));
    row(s3, n, "streams open after " + (heartbeat.toMillis() + 2000) / 1000 + " s", e.open(), b.open(), "%,.0f");
    row(s3, n, "streams that got a heartbeat", e.withHeartbeat(), b.withHeartbeat(), "%,.0f");
    row(s3, n, "time to attach all (s)", e.attachSeconds(), b.attachSeconds(), "%.2f");
    if (s3Target == null || e.streams() > s3Streams) {
      s3Streams = e.streams();
      double kib = e.heapPerStream() / 1024;
      long threadGrowth = e.after().get("threads") - e.before().get("threads");
      s3Target = new String[][] {
          {"S3 ≤ 16 KiB heap per idle stream (N = " + e.streams() + ")",
              String.format("%.1f KiB (baseline %.1f KiB)", kib, b.heapPerStream() / 1024), verdict(kib <= 16)},
          {"S3 no thread per stream (N = " + e.streams() + ")",
              String.format("%d → %d live threads (baseline %d → %d)", e.before().get("threads"),
                  e.after().get("threads"), b.before().get("threads"), b.after().get("threads")),
              verdict(threadGrowth <= 220 && threadGrowth < e.streams() / 4)}};
    }
  }

  private String[][] s3Target;
  private int s3Streams;

  void replay(Scenarios.Replay e, Scenarios.Replay b) {
    s4.append(header());
    String n = String.format("%,d events", e.events());
    row(s4, n, "MB/s (median of " + e.reads() + ")", e.mbPerSecond(), b.mbPerSecond(), "%,.0f");
    row(s4, n, "MB/s (best)", e.bestMbPerSecond(), b.bestMbPerSecond(), "%,.0f");
    row(s4, n, "bytes per read (MB)", e.bytes() / 1e6, b.bytes() / 1e6, "%.2f");
    double r = e.mbPerSecond() / b.mbPerSecond();
    targets.add(new String[] {"S4 replay MB/s ≥ 0.8× baseline",
        String.format("%.2f× (%,.0f vs %,.0f MB/s)", r, e.mbPerSecond(), b.mbPerSecond()), verdict(r >= 0.8)});
  }

  void jmh(Collection<RunResult> results) {
    jmh.append("| benchmark | params | ns/op | ± (99.9 %) |\n|---|---|---|---|\n");
    for (RunResult r : results) {
      var p = r.getParams();
      String params = String.join(", ", p.getParamsKeys().stream().map(key -> key + "=" + p.getParam(key)).toList());
      var score = r.getPrimaryResult();
      jmh.append(String.format("| `%s` | %s | %,.1f | %,.1f |%n",
          p.getBenchmark().replaceFirst(".*\\.", ""), params, score.getScore(), score.getScoreError()));
    }
  }

  void profile(String markdown) {
    profile.append(markdown);
  }

  void finish(Duration took) {
    this.took = took;
  }

  String markdown() throws IOException {
    StringBuilder md = new StringBuilder();
    md.append("# eve4j benchmark results\n\n");
    md.append("Written by `bench/run`").append(quick ? " **(--quick: smoke-test sizes, not comparable)**" : "")
        .append(". Figures are from one run on this machine; ratios are eve4j ÷ baseline (for times, lower is "
            + "better). Targets are reported, never asserted.\n\n");
    md.append("| | |\n|---|---|\n");
    md.append("| date | ").append(date).append(" |\n");
    md.append("| commit | ").append(System.getProperty("bench.commit", "unknown")).append(" |\n");
    md.append("| cores | ").append(Runtime.getRuntime().availableProcessors()).append(" (").append(cpuModel())
        .append(") |\n");
    md.append("| memory | ").append(memory()).append(" |\n");
    md.append("| JDK | ").append(System.getProperty("java.vm.name")).append(' ')
        .append(System.getProperty("java.runtime.version")).append(" |\n");
    md.append("| server JVM | `").append(String.join(" ", ServerProcess.JVM_FLAGS))
        .append("`, Jetty 12.0.38 ee10 with its defaults (both servers) |\n");
    md.append("| driver JVM | `").append(String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments()))
        .append("`, one NIO selector thread |\n");
    md.append("| open-file limit | ").append(limit()).append(" |\n");
    md.append("| load average (1 min) | ").append(loadAtStart).append(" at the start, ").append(loadAverage())
        .append(" at the end (other work on the machine competes with both sides) |\n");
    md.append("| run took | ").append(took == null ? "?" : took.toMinutes() + " min " + took.toSecondsPart() + " s")
        .append(" |\n\n");

    md.append("## Targets\n\n| target | measured | verdict |\n|---|---|---|\n");
    List<String[]> all = new ArrayList<>();
    if (!s1Ratios.isEmpty()) {
      all.add(new String[] {"S1 turns/s ≥ 0.5× baseline", String.join(", ", s1Ratios), verdict(s1Met)});
    }
    all.addAll(targets);
    if (s3Target != null) {
      all.addAll(List.of(s3Target));
    }
    for (String[] t : all) {
      md.append("| ").append(t[0]).append(" | ").append(t[1]).append(" | ").append(t[2]).append(" |\n");
    }
    md.append("\n## Scale\n\n");
    md.append("Sizes are those of issue 9 (S1 C = 1, 16, 256 with 50 deltas a turn; S2 K = 100, 1,000 with a turn "
        + "of 10,000 deltas; S3 N = 1,000, 10,000; S4 100,000 events) unless a note below says otherwise. To fit "
        + "10 minutes on 2 cores, S1 measures short windows and JMH runs 1 fork of 3 × 1 s warm-up and 5 × 1 s "
        + "measurement per benchmark, so its error bars are wide (one stalled iteration on a busy machine "
        + "shows as a large ±). Client and server share the 2 cores: the "
        + "driver's CPU is shown so that a driver-bound figure can be recognised.\n\n");
    for (String n : notes) {
      md.append("- ").append(n).append('\n');
    }
    section(md, "S1 turns: C clients, each creating sessions with a 50-delta message and reading to session.waiting",
        s1, "Times run from the client sending `POST /session` to the receipt of the first `message.appended` "
            + "and of `session.waiting` on the stream it opens right after the 202. A turn counts when its "
            + "session.waiting arrives inside the window.");
    section(md, "S2 fan-out: one session, K readers, a turn of 10,000 deltas", s2,
        "Delivered events/s = events received by all readers ÷ time from the message POST to the last reader's "
            + "session.waiting. The model emits the 10,000 deltas at once, so in the burst rows every server "
            + "builds a backlog that takes the whole delivery time to drain, and the delay percentiles measure "
            + "that drain (for the baseline too, whose lines are all published within milliseconds). The paced "
            + "rows send 1,000 deltas at 200 a second (200,000 events/s at K = 1,000), below what either side "
            + "can deliver, so their delays are the latency of the path itself. **append → receipt**: receipt time (`System.currentTimeMillis()` of the read) "
            + "minus the event's `meta.at`, which the server writes right before the journal append (baseline: "
            + "right before publishing the line); both are the one system clock of this machine, with millisecond "
            + "resolution. **emission → receipt**: each delta's text is the 6-character stamp of "
            + "`System.nanoTime()` (CLOCK_MONOTONIC, shared by all processes of the machine) taken when the model "
            + "emitted it (baseline: when the line was published), so it also counts the time the delta waited "
            + "in the session's actor queue before its append: the model emits all deltas at once.");
    section(md, "S3 idle streams: N followers of idle sessions, with heartbeats", s3,
        "Followers of 10 prewarmed sessions (nothing to read). Heap is `MemoryMXBean` heap used after two "
            + "`System.gc()` in the server process, before opening the streams and after one heartbeat interval "
            + "plus 2 s; RSS is `VmRSS` from /proc; per stream = difference ÷ N. A stream got a heartbeat when "
            + "it received a blank line after its opening one. Live threads are all the JVM's threads: "
            + "Jetty's pool (at most 200) grows when the heartbeats of many streams fall due together and "
            + "shrinks after 60 s idle; a thread per stream would add N.");
    section(md, "S4 replay: a session of 100,000 events read with follow=false from index 0", s4,
        "Both servers run at once; one connection per read reads the whole session: 3 s of unmeasured reads, "
            + "then 10 measured ones per server, alternating between the servers; MB = 10^6 bytes of "
            + "response body (the NDJSON lines, chunked framing excluded). The baseline serves byte-for-byte the "
            + "same lines (captured from eve4j) from an array.");
    section(md, "JMH: journal micro-benchmarks (in-memory journal)", jmh,
        "`append`: one 233-byte line, nobody waiting. `appendAndWake`: one append with `readers` cursors parked "
            + "at the tail, each woken and reading the line (the journal side of a fan-out, without the "
            + "servlet's dispatch). `cursorRead`: per line polled from a stored 100,000-line log. `eventId` and "
            + "`encodeDelta`: what the session spends per delta before its append (a ULID from SecureRandom, the "
            + "Gson line encoding).");
    section(md, "Profile of eve4j (JFR, `profile` settings)", profile,
        "Separate runs with a recording started in the server process (`jdk.jfr.Recording`), summarised from "
            + "`jdk.ExecutionSample`, `jdk.ObjectAllocationSample` and `jdk.GarbageCollection`.");
    md.append("## The baseline\n\n").append(
        "A minimal async servlet on the same Jetty (12.0.38 ee10, defaults) at the same routes: `POST /session` with "
            + "message N publishes precomputed lines of a turn of N deltas (captured once from an in-process eve4j "
            + "runtime with the same agent, so every line has eve4j's size); `POST /session/{id}` publishes them "
            + "from a thread of its own as fast as it can, stamping deltas as it goes; streams run eve4j's write "
            + "loop (opening blank line, write while `isReady()`, whole lines batched up to 32 KiB a write, flush "
            + "when caught up, blank line after 10 s of silence, wake-ups through `AsyncContext.start`) over an array instead of a journal cursor. No "
            + "journal, no session actor, no agent, no JSON encoding: it is the ceiling.\n");
    return md.toString();
  }

  private static void section(StringBuilder md, String title, StringBuilder body, String method) {
    if (body.length() == 0) {
      return;
    }
    md.append("\n## ").append(title).append("\n\n").append(method).append("\n\n").append(body);
  }

  private static String header() {
    return "| level | figure | eve4j | baseline | ratio |\n|---|---|---|---|---|\n";
  }

  private static void row(StringBuilder sb, String level, String figure, double e, double b, String fmt) {
    String ratio = b == 0 ? "—" : String.format("%.2f×", e / b);
    sb.append("| ").append(level).append(" | ").append(figure).append(" | ").append(String.format(fmt, e))
        .append(" | ").append(String.format(fmt, b)).append(" | ").append(ratio).append(" |\n");
  }

  private static void row(StringBuilder sb, String level, String figure, double e, double b, String fmt,
      double eBefore, double bBefore) {
    sb.append("| ").append(level).append(" | ").append(figure).append(" | ")
        .append(String.format(fmt, eBefore)).append(" → ").append(String.format(fmt, e)).append(" | ")
        .append(String.format(fmt, bBefore)).append(" → ").append(String.format(fmt, b)).append(" | — |\n");
  }

  private static String verdict(boolean met) {
    return met ? "met" : "**short**";
  }

  private static String cpuModel() {
    try {
      for (String l : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (l.startsWith("model name")) {
          return l.substring(l.indexOf(':') + 1).trim();
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux
    }
    return "unknown CPU";
  }

  private static String memory() {
    try {
      for (String l : Files.readAllLines(Path.of("/proc/meminfo"))) {
        if (l.startsWith("MemTotal:")) {
          return String.format("%.1f GiB", Long.parseLong(l.replaceAll("[^0-9]", "")) / 1048576.0);
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux
    }
    return "unknown";
  }

  private static String limit() {
    try {
      for (String l : Files.readAllLines(Path.of("/proc/self/limits"))) {
        if (l.startsWith("Max open files")) {
          return l.substring("Max open files".length()).trim().split("\\s+")[0];
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux
    }
    return "unknown";
  }
}
