package dev.eve4j.bench;

import dev.eve4j.bench.driver.Client;
import dev.eve4j.bench.driver.Conn;
import dev.eve4j.bench.driver.Handler;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/**
 * The load scenarios. Each drives one server process through a {@link Client} (one selector
 * thread in this, the runner's, JVM) and returns its figures. Handlers run on the client's loop
 * thread, so their counters need no locks; the calling thread only waits on latches and futures.
 */
final class Scenarios {
  /** Connections that may be connecting (no response head yet) at once: the accept backlog is 50. */
  private static final int MAX_CONNECTING = 200;

  private Scenarios() {}

  // ---- S1 turns ---------------------------------------------------------------------------

  /** One or more measured windows of S1 at one level (merged by {@link #merge}). */
  record Turns(int clients, double seconds, int turns, int errors, Recorder firstDelta, Recorder boundary,
      long serverCpuNanos, long driverCpuNanos, long listenOverflows) {
    double turnsPerSecond() {
      return turns / seconds;
    }

    Recorder.Percentiles firstDeltaMicros() {
      return firstDelta.percentiles();
    }

    Recorder.Percentiles boundaryMicros() {
      return boundary.percentiles();
    }

    double serverCpu() {
      return serverCpuNanos / (seconds * 1e9);
    }

    double driverCpu() {
      return driverCpuNanos / (seconds * 1e9);
    }

    static Turns merge(List<Turns> runs) {
      Recorder first = new Recorder();
      Recorder boundary = new Recorder();
      double seconds = 0;
      int turns = 0;
      int errors = 0;
      long serverCpu = 0;
      long driverCpu = 0;
      long overflows = 0;
      for (Turns t : runs) {
        first.addAll(t.firstDelta);
        boundary.addAll(t.boundary);
        seconds += t.seconds;
        turns += t.turns;
        errors += t.errors;
        serverCpu += t.serverCpuNanos;
        driverCpu += t.driverCpuNanos;
        overflows += t.listenOverflows;
      }
      return new Turns(runs.get(0).clients, seconds, turns, errors, first, boundary, serverCpu, driverCpu, overflows);
    }

    @Override
    public String toString() {
      return String.format("Turns[C=%d, %.0f turns/s, first delta %s µs, boundary %s µs, errors %d, server CPU %.2f, "
          + "driver CPU %.2f, listen overflows %d]", clients, turnsPerSecond(), firstDeltaMicros(), boundaryMicros(),
          errors, serverCpu(), driverCpu(), listenOverflows);
    }
  }

  /**
   * C clients, each in a loop: POST /session with a 50-delta message, then read its stream to
   * session.waiting and close it. Counts the turns that end inside the measured window.
   */
  static Turns turns(ServerProcess server, int clients, int deltas, Duration warmup, Duration window)
      throws Exception {
    try (Client client = new Client(server.port)) {
      long start = System.nanoTime();
      long measureStart = start + warmup.toNanos();
      long measureEnd = measureStart + window.toNanos();
      Recorder firstDelta = new Recorder();
      Recorder boundary = new Recorder();
      int[] counts = new int[2]; // turns in window, errors
      CountDownLatch done = new CountDownLatch(clients);
      byte[] create = Client.post("/eve/v1/session", "{\"message\":\"" + deltas + "\"}");

      final class TurnClient {
        Conn control;
        long t0;
        long firstDeltaAt;

        void next() {
          if (System.nanoTime() >= measureEnd) {
            done.countDown();
            return;
          }
          if (control == null || control.isClosed()) {
            control = client.open();
          }
          t0 = System.nanoTime();
          firstDeltaAt = 0;
          control.send(create, new Handler() {
            int status;
            String id;
            boolean ended;

            @Override
            public void onHead(Conn c, int s, long nanos) {
              status = s;
            }

            @Override
            public void onLine(Conn c, byte[] b, int off, int len, long nanos) {
              id = Lines.sessionId(b, off, len);
            }

            @Override
            public void onEnd(Conn c, long nanos) {
              ended = true;
              if (status == 202 && id != null) {
                stream(id);
              } else {
                counts[1]++;
                next();
              }
            }

            @Override
            public void onClosed(Conn c, Throwable error) {
              if (!ended) {
                counts[1]++;
                control = null;
                next();
              }
            }
          });
        }

        void stream(String id) {
          Conn s = client.open();
          s.send(Client.get("/eve/v1/session/" + id + "/stream"), new Handler() {
            boolean finished;

            @Override
            public void onLine(Conn c, byte[] b, int off, int len, long nanos) {
              if (len == 0) {
                return;
              }
              if (firstDeltaAt == 0 && Lines.startsWith(b, off, len, Lines.DELTA)) {
                firstDeltaAt = nanos;
              } else if (Lines.startsWith(b, off, len, Lines.WAITING)) {
                finished = true;
                if (nanos >= measureStart && nanos < measureEnd) {
                  counts[0]++;
                  firstDelta.add((firstDeltaAt - t0) / 1000);
                  boundary.add((nanos - t0) / 1000);
                }
                c.close();
                next();
              }
            }

            @Override
            public void onClosed(Conn c, Throwable error) {
              if (!finished) {
                counts[1]++;
                next();
              }
            }
          });
        }
      }

      client.execute(() -> {
        for (int i = 0; i < clients; i++) {
          new TurnClient().next();
        }
      });
      sleepUntil(measureStart);
      long serverCpu0 = server.cpuNanos();
      long driverCpu0 = client.cpuNanos();
      long overflows0 = listenOverflows();
      sleepUntil(measureEnd);
      long serverCpu = server.cpuNanos() - serverCpu0;
      long driverCpu = client.cpuNanos() - driverCpu0;
      long overflows = listenOverflows() - overflows0;
      if (!done.await(60, TimeUnit.SECONDS)) {
        throw new IllegalStateException("S1: clients did not finish their last turn within 60 s");
      }
      CompletableFuture<int[]> snapshot = new CompletableFuture<>();
      client.execute(() -> snapshot.complete(counts.clone()));
      int[] c = snapshot.get(10, TimeUnit.SECONDS);
      client.close(); // the recorders are ours from here on
      return new Turns(clients, window.toNanos() / 1e9, c[0], c[1], firstDelta, boundary, serverCpu, driverCpu,
          overflows);
    }
  }

  // ---- S2 fan-out -------------------------------------------------------------------------

  record Fanout(int readers, int deltas, int perSecond, long delivered, double seconds, double eventsPerSecond,
      Recorder.Percentiles appendToReceiptMillis, Recorder.Percentiles emitToReceiptMicros, int incomplete,
      double serverCpu, double driverCpu, double bytesPerRead) {}

  /**
   * K readers follow one prewarmed session; once all are attached, one message starts a turn of
   * {@code deltas} deltas, all at once or {@code perSecond} a second (when &gt; 0). Every reader
   * reads to session.waiting.
   */
  static Fanout fanout(ServerProcess server, int readers, int deltas, int perSecond) throws Exception {
    try (Client client = new Client(server.port)) {
      String id = Lines.sessionIdOf(postOnce(client, "/eve/v1/session", null));
      Recorder appendDelay = new Recorder();
      Recorder emitDelay = new Recorder();
      long[] delivered = new long[1];
      long[] lastDone = new long[1];
      CountDownLatch attached = new CountDownLatch(readers);
      CountDownLatch finished = new CountDownLatch(readers);
      byte[] get = Client.get("/eve/v1/session/" + id + "/stream");
      List<Conn> conns = new ArrayList<>();
      openRamped(client, readers, i -> new Handler() {
        boolean done;

        @Override
        public void onHead(Conn c, int status, long nanos) {
          attached.countDown();
        }

        @Override
        public void onLine(Conn c, byte[] b, int off, int len, long nanos) {
          if (len == 0 || done) {
            return;
          }
          delivered[0]++;
          if (Lines.startsWith(b, off, len, Lines.DELTA)) {
            emitDelay.add(Stamp.elapsedNanos(b, off + Lines.DELTA.length, nanos) / 1000);
            int at = Lines.indexOf(b, off + Lines.DELTA.length, off + len, Lines.AT);
            appendDelay.add(c.readMillis() - Stamp.isoMillis(b, at + Lines.AT.length));
          } else if (Lines.startsWith(b, off, len, Lines.WAITING)) {
            done = true;
            lastDone[0] = Math.max(lastDone[0], nanos);
            finished.countDown();
            c.close();
          }
        }

        @Override
        public void onClosed(Conn c, Throwable error) {
          if (!done) {
            done = true;
            attached.countDown();
            finished.countDown();
          }
        }
      }, get, conns);
      if (!attached.await(120, TimeUnit.SECONDS)) {
        throw new IllegalStateException("S2: readers did not attach within 120 s");
      }
      long serverCpu0 = server.cpuNanos();
      long driverCpu0 = client.cpuNanos();
      long t0 = System.nanoTime();
      String message = perSecond > 0 ? deltas + "/" + perSecond : Integer.toString(deltas);
      postOnce(client, "/eve/v1/session/" + id, "{\"message\":\"" + message + "\"}");
      boolean all = finished.await(300, TimeUnit.SECONDS);
      long serverCpu = server.cpuNanos() - serverCpu0;
      long driverCpu = client.cpuNanos() - driverCpu0;
      CompletableFuture<Fanout> result = new CompletableFuture<>();
      client.execute(() -> {
        int incomplete = 0;
        long bytes = 0;
        long reads = 0;
        for (Conn c : conns) {
          bytes += c.bodyBytes;
          reads += c.reads;
          if (!c.isClosed()) {
            incomplete++;
            c.close();
          }
        }
        double seconds = (lastDone[0] - t0) / 1e9;
        result.complete(new Fanout(readers, deltas, perSecond, delivered[0], seconds, delivered[0] / seconds,
            appendDelay.percentiles(), emitDelay.percentiles(), all ? incomplete : readers,
            serverCpu / (seconds * 1e9), driverCpu / (seconds * 1e9), bytes / (double) Math.max(1, reads)));
      });
      return result.get(60, TimeUnit.SECONDS);
    }
  }

  // ---- S3 idle streams --------------------------------------------------------------------

  record Idle(int streams, Map<String, Long> before, Map<String, Long> after, int open, int withHeartbeat,
      double attachSeconds) {
    double heapPerStream() {
      return (after.get("heap") - before.get("heap")) / (double) streams;
    }

    double rssPerStream() {
      return (after.get("rssKb") - before.get("rssKb")) * 1024.0 / streams;
    }
  }

  /**
   * N followers spread over 10 prewarmed sessions (nothing to read), kept open for one heartbeat
   * interval plus 2 s; the server's heap after a full GC, RSS and threads before and after.
   */
  static Idle idle(ServerProcess server, int streams, Duration heartbeat) throws Exception {
    try (Client client = new Client(server.port)) {
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        ids.add(Lines.sessionIdOf(postOnce(client, "/eve/v1/session", null)));
      }
      Map<String, Long> before = server.stats();
      int[] blanks = new int[streams];
      CountDownLatch attached = new CountDownLatch(streams);
      List<Conn> conns = new ArrayList<>();
      long t0 = System.nanoTime();
      openRamped(client, streams, i -> new Handler() {
        @Override
        public void onHead(Conn c, int status, long nanos) {
          if (status == 200) {
            attached.countDown();
          }
        }

        @Override
        public void onLine(Conn c, byte[] b, int off, int len, long nanos) {
          if (len == 0) {
            blanks[i]++;
          }
        }
      }, i -> Client.get("/eve/v1/session/" + ids.get(i % ids.size()) + "/stream"), conns);
      if (!attached.await(120, TimeUnit.SECONDS)) {
        throw new IllegalStateException("S3: only " + (streams - attached.getCount()) + " of " + streams
            + " streams attached within 120 s");
      }
      double attachSeconds = (System.nanoTime() - t0) / 1e9;
      Thread.sleep(heartbeat.toMillis() + 2000);
      Map<String, Long> after = server.stats();
      CompletableFuture<int[]> counts = new CompletableFuture<>();
      client.execute(() -> {
        int open = 0;
        int beat = 0;
        for (int i = 0; i < conns.size(); i++) {
          open += conns.get(i).isClosed() ? 0 : 1;
          beat += blanks[i] >= 2 ? 1 : 0; // the first blank line is the stream's opening one
          conns.get(i).close();
        }
        counts.complete(new int[] {open, beat});
      });
      int[] c = counts.get(60, TimeUnit.SECONDS);
      return new Idle(streams, before, after, c[0], c[1], attachSeconds);
    }
  }

  // ---- S4 replay --------------------------------------------------------------------------

  record Replay(int events, long bytes, double mbPerSecond, double bestMbPerSecond, int reads) {}

  /**
   * On each server, a session of {@code events} events (a turn of events - 8 deltas), read with
   * {@code follow=false} from index 0 on a new connection per read: unmeasured reads for {@code
   * warmup} (at least 3 each), then {@code reads} measured ones per server, alternating between the
   * two servers so that other load on the machine hits both alike. MB/s is 10^6 bytes of response
   * body per second; the median and best reads are reported.
   */
  static Replay[] replay(ServerProcess[] servers, int events, Duration warmup, int reads) throws Exception {
    Client[] clients = new Client[servers.length];
    String[] paths = new String[servers.length];
    try {
      for (int s = 0; s < servers.length; s++) {
        clients[s] = new Client(servers[s].port);
        String id = Lines.sessionIdOf(postOnce(clients[s], "/eve/v1/session",
            "{\"message\":\"" + (events - 8) + "\"}"));
        long[] first = read(clients[s], "/eve/v1/session/" + id + "/stream", true);
        if (first[1] != events) {
          throw new IllegalStateException("S4: the session has " + first[1] + " events, expected " + events);
        }
        paths[s] = "/eve/v1/session/" + id + "/stream?startIndex=0&follow=false";
      }
      long warmEnd = System.nanoTime() + warmup.toNanos();
      for (int i = 0; i < 3 || System.nanoTime() < warmEnd; i++) {
        for (int s = 0; s < servers.length; s++) {
          read(clients[s], paths[s], false);
        }
      }
      double[][] rates = new double[servers.length][reads];
      long[] bytes = new long[servers.length];
      for (int i = 0; i < reads; i++) {
        for (int s = 0; s < servers.length; s++) {
          long[] r = read(clients[s], paths[s], false);
          if (r[1] != events) {
            throw new IllegalStateException("S4: a replay returned " + r[1] + " events, expected " + events);
          }
          bytes[s] = r[0];
          rates[s][i] = r[0] / (r[2] / 1e9) / 1e6;
        }
      }
      Replay[] out = new Replay[servers.length];
      for (int s = 0; s < servers.length; s++) {
        double[] sorted = rates[s].clone();
        java.util.Arrays.sort(sorted);
        out[s] = new Replay(events, bytes[s], sorted[reads / 2], sorted[reads - 1], reads);
      }
      return out;
    } finally {
      for (Client c : clients) {
        if (c != null) {
          c.close();
        }
      }
    }
  }

  /** One stream read on a new connection: {body bytes, events, nanos}; a follow read stops at session.waiting. */
  private static long[] read(Client client, String path, boolean untilWaiting) throws Exception {
    CompletableFuture<long[]> f = new CompletableFuture<>();
    client.execute(() -> {
      Conn c = client.open();
      long t0 = System.nanoTime();
      long[] lines = new long[1];
      c.send(Client.get(path), new Handler() {
        @Override
        public void onLine(Conn conn, byte[] b, int off, int len, long nanos) {
          if (len == 0) {
            return;
          }
          lines[0]++;
          if (untilWaiting && Lines.startsWith(b, off, len, Lines.WAITING)) {
            f.complete(new long[] {conn.bodyBytes, lines[0], nanos - t0});
            conn.close();
          }
        }

        @Override
        public void onEnd(Conn conn, long nanos) {
          f.complete(new long[] {conn.bodyBytes, lines[0], nanos - t0});
          conn.close();
        }

        @Override
        public void onClosed(Conn conn, Throwable error) {
          f.completeExceptionally(new IOException("stream closed early", error));
        }
      });
    });
    return f.get(120, TimeUnit.SECONDS);
  }

  // ---- helpers ----------------------------------------------------------------------------

  /** A request on a new connection; the body of a 2xx reply. */
  static String postOnce(Client client, String path, String json) throws Exception {
    CompletableFuture<String> f = new CompletableFuture<>();
    client.execute(() -> {
      Conn c = client.open();
      StringBuilder body = new StringBuilder();
      int[] status = new int[1];
      c.send(Client.post(path, json), new Handler() {
        @Override
        public void onHead(Conn conn, int s, long nanos) {
          status[0] = s;
        }

        @Override
        public void onLine(Conn conn, byte[] b, int off, int len, long nanos) {
          body.append(new String(b, off, len, StandardCharsets.UTF_8));
        }

        @Override
        public void onEnd(Conn conn, long nanos) {
          if (status[0] / 100 == 2) {
            f.complete(body.toString());
          } else {
            f.completeExceptionally(new IOException("POST " + path + " answered " + status[0] + ": " + body));
          }
          conn.close();
        }

        @Override
        public void onClosed(Conn conn, Throwable error) {
          f.completeExceptionally(new IOException("POST " + path + " failed", error));
        }
      });
    });
    return f.get(60, TimeUnit.SECONDS);
  }

  private static void openRamped(Client client, int count, IntFunction<Handler> handlers, byte[] request,
      List<Conn> conns) {
    openRamped(client, count, handlers, i -> request, conns);
  }

  /**
   * Opens {@code count} streams with at most {@link #MAX_CONNECTING} waiting for their response
   * head at once (a burst of thousands of SYNs overflows the accept backlog and costs seconds of
   * retransmits). {@code conns} gets every connection, on the loop thread.
   */
  private static void openRamped(Client client, int count, IntFunction<Handler> handlers,
      IntFunction<byte[]> requests, List<Conn> conns) {
    client.execute(() -> {
      ArrayDeque<Integer> pending = new ArrayDeque<>();
      for (int i = 0; i < count; i++) {
        pending.add(i);
      }
      final class Ramp {
        void openNext() {
          Integer i = pending.poll();
          if (i == null) {
            return;
          }
          Handler h = handlers.apply(i);
          Conn c = client.open();
          conns.add(c);
          c.send(requests.apply(i), new Handler() {
            boolean headed;

            @Override
            public void onHead(Conn conn, int status, long nanos) {
              headed = true;
              h.onHead(conn, status, nanos);
              openNext();
            }

            @Override
            public void onLine(Conn conn, byte[] b, int off, int len, long nanos) {
              h.onLine(conn, b, off, len, nanos);
            }

            @Override
            public void onEnd(Conn conn, long nanos) {
              h.onEnd(conn, nanos);
            }

            @Override
            public void onClosed(Conn conn, Throwable error) {
              h.onClosed(conn, error);
              if (!headed) {
                openNext();
              }
            }
          });
        }
      }
      Ramp ramp = new Ramp();
      for (int i = 0; i < MAX_CONNECTING; i++) {
        ramp.openNext();
      }
    });
  }

  /**
   * The kernel's count of connections dropped because a listen queue was full (TcpExt
   * ListenOverflows, machine-wide; -1 where /proc/net/netstat is missing). Each drop costs the
   * client a SYN retransmit, 1 s or more.
   */
  static long listenOverflows() {
    try {
      List<String> lines = java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/net/netstat"));
      for (int i = 0; i + 1 < lines.size(); i++) {
        if (lines.get(i).startsWith("TcpExt:") && lines.get(i + 1).startsWith("TcpExt:")) {
          List<String> names = List.of(lines.get(i).split("\\s+"));
          String[] values = lines.get(i + 1).split("\\s+");
          int at = names.indexOf("ListenOverflows");
          return at < 0 ? -1 : Long.parseLong(values[at]);
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux
    }
    return -1;
  }

  private static void sleepUntil(long nanos) throws InterruptedException {
    long left;
    while ((left = nanos - System.nanoTime()) > 0) {
      TimeUnit.NANOSECONDS.sleep(Math.min(left, 100_000_000L));
    }
  }
}
