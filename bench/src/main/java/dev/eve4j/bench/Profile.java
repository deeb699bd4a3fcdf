package dev.eve4j.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;

/**
 * Summarises a JFR recording of a server (what {@code jfr print --events jdk.ExecutionSample} shows,
 * counted): CPU samples by thread group, by top frame (self) and by frame anywhere on the stack
 * (inclusive), allocation by class, and GC pauses.
 */
final class Profile {
  /**
   * Library frames worth naming in the inclusive table, next to every {@code dev.eve4j} frame: the
   * encoding, id and time formatting of each event, the servlet output path, thread hand-offs.
   */
  private static final List<String> LANDMARKS = List.of("com.google.gson.Gson.toJson",
      "com.google.gson.Gson.toJsonTree", "java.security.SecureRandom.nextBytes",
      "java.time.format.DateTimeFormatter.format", "org.eclipse.jetty.ee10.servlet.HttpOutput.write",
      "org.eclipse.jetty.ee10.servlet.HttpOutput.flush", "org.eclipse.jetty.ee10.servlet.AsyncContextState.start",
      "org.eclipse.jetty.util.thread.QueuedThreadPool.execute", "sun.nio.ch.SocketChannelImpl.write",
      "sun.nio.ch.SocketChannelImpl.read", "org.eclipse.jetty.server.internal.HttpConnection.onFillable",
      "org.eclipse.jetty.ee10.servlet.ServletChannel.handle", "java.util.concurrent.locks.LockSupport.unpark");

  /** Native frames of socket reads and writes (threads inside a syscall, which execution samples miss). */
  private static final List<String> SOCKET_IO = List.of("sun.nio.ch.SocketDispatcher.", "sun.nio.ch.FileDispatcherImpl.write",
      "sun.nio.ch.FileDispatcherImpl.read", "sun.nio.ch.IOUtil.");

  private Profile() {}

  static String markdown(Path jfr, String title, int top) throws IOException {
    Map<String, Integer> threads = new HashMap<>();
    Map<String, Integer> self = new HashMap<>();
    Map<String, Integer> inclusive = new HashMap<>();
    Map<String, Long> allocation = new HashMap<>();
    long gcPauseNanos = 0;
    int gcs = 0;
    int samples = 0;
    int nativeIo = 0;
    Map<String, Integer> socketIo = new HashMap<>();
    long allocated = 0;
    try (RecordingFile file = new RecordingFile(jfr)) {
      while (file.hasMoreEvents()) {
        RecordedEvent e = file.readEvent();
        String type = e.getEventType().getName();
        if (type.equals("jdk.ExecutionSample") && e.getStackTrace() != null) {
          samples++;
          String thread = e.getThread("sampledThread") == null ? "?" : e.getThread("sampledThread").getJavaName();
          threads.merge(group(thread), 1, Integer::sum);
          List<RecordedFrame> frames = e.getStackTrace().getFrames();
          if (!frames.isEmpty()) {
            self.merge(name(frames.get(0)), 1, Integer::sum);
          }
          Set<String> seen = new HashSet<>();
          for (RecordedFrame f : frames) {
            String n = name(f);
            if (seen.add(n) && (n.startsWith("dev.eve4j.") && !n.contains("$$Lambda") || LANDMARKS.contains(n))) {
              inclusive.merge(n, 1, Integer::sum);
            }
          }
        } else if (type.equals("jdk.NativeMethodSample") && e.getStackTrace() != null
            && !e.getStackTrace().getFrames().isEmpty()) {
          String top0 = name(e.getStackTrace().getFrames().get(0));
          if (SOCKET_IO.stream().anyMatch(top0::startsWith)) {
            String thread = e.getThread("sampledThread") == null ? "?" : e.getThread("sampledThread").getJavaName();
            socketIo.merge(group(thread) + " in `" + top0 + "`", 1, Integer::sum);
            nativeIo++;
          }
        } else if (type.equals("jdk.ObjectAllocationSample")) {
          long w = e.getLong("weight");
          allocated += w;
          allocation.merge(e.getClass("objectClass").getName(), w, Long::sum);
        } else if (type.equals("jdk.GarbageCollection")) {
          gcs++;
          gcPauseNanos += e.getLong("sumOfPauses");
        }
      }
    }
    StringBuilder md = new StringBuilder();
    md.append("#### ").append(title).append("\n\n");
    md.append(String.format("%,d execution samples (threads running Java code, every 1 ms); %d GCs, %.0f ms of pauses; %.0f MB allocated (sampled estimate).%n%n",
        samples, gcs, gcPauseNanos / 1e6, allocated / 1e6));
    md.append("| thread group | share of samples |\n|---|---|\n");
    for (var en : sorted(threads, 8)) {
      md.append(String.format("| %s | %.1f %% |%n", en.getKey(), 100.0 * en.getValue() / samples));
    }
    md.append("\n| top frames (self) | share |\n|---|---|\n");
    for (var en : sorted(self, top)) {
      md.append(String.format("| `%s` | %.1f %% |%n", en.getKey(), 100.0 * en.getValue() / samples));
    }
    md.append("\n| eve4j and landmark frames on the stack (inclusive) | share |\n|---|---|\n");
    for (var en : sorted(inclusive, top + 8)) {
      md.append(String.format("| `%s` | %.1f %% |%n", en.getKey(), 100.0 * en.getValue() / samples));
    }
    md.append(String.format("%nThreads inside socket syscalls (jdk.NativeMethodSample, every 2 ms): %,d samples.%n%n",
        nativeIo));
    if (nativeIo > 0) {
      md.append("| thread group, native frame | samples |\n|---|---|\n");
      for (var en : sorted(socketIo, 4)) {
        md.append(String.format("| %s | %,d |%n", en.getKey(), en.getValue()));
      }
    }
    md.append("\n| allocated class | share of bytes |\n|---|---|\n");
    for (var en : sorted(allocation, 6)) {
      md.append(String.format("| `%s` | %.1f %% |%n", en.getKey(), 100.0 * en.getValue() / Math.max(1, allocated)));
    }
    return md.append('\n').toString();
  }

  private static String name(RecordedFrame f) {
    return f.getMethod().getType().getName() + "." + f.getMethod().getName();
  }

  /** Thread names without their numbers: qtp123-45 -> Jetty pool (qtp), eve4j-session-3 -> eve4j-session. */
  private static String group(String thread) {
    if (thread.startsWith("qtp")) {
      return thread.contains("acceptor") ? "Jetty acceptor" : "Jetty pool (qtp)";
    }
    return thread.replaceAll("(-\\d+)+$", "");
  }

  private static <V extends Comparable<V>> List<Map.Entry<String, V>> sorted(Map<String, V> m, int n) {
    return m.entrySet().stream().sorted(Map.Entry.<String, V>comparingByValue().reversed()).limit(n)
        .collect(Collectors.toList());
  }
}
