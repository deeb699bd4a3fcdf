package dev.eve4j.bench.server;

import dev.eve4j.EveRuntime;
import dev.eve4j.bench.BenchModel;
import dev.eve4j.journal.JournalCursor;
import dev.eve4j.protocol.RequestParser;
import dev.eve4j.session.SessionService;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The baseline's precomputed lines: the exact lines eve4j journals for a turn of N deltas, captured
 * once per N from an in-process runtime with the same agent (so every line has the size eve4j
 * serves). Built lazily and cached; thread-safe.
 */
final class Templates {
  static final byte[] DELTA_PREFIX =
      "{\"type\":\"message.appended\",\"data\":{\"messageDelta\":\"".getBytes(StandardCharsets.UTF_8);
  private static final byte[] AT_KEY = "\"meta\":{\"at\":\"".getBytes(StandardCharsets.UTF_8);
  private static final byte[] WAITING = "{\"type\":\"session.waiting\"".getBytes(StandardCharsets.UTF_8);

  /**
   * One turn's lines. {@code stampAt[i]} / {@code atAt[i]}: where line i's delta stamp and {@code
   * meta.at} start, -1 for lines that are not deltas.
   */
  record Template(byte[][] lines, int[] stampAt, int[] atAt) {}

  private final Map<String, Template> cache = new ConcurrentHashMap<>();

  /** The lines of a session created with {@code message} (e.g. "50"), through session.waiting. */
  Template created(String message) {
    return cache.computeIfAbsent("create:" + message, k -> capture(false, message));
  }

  /** The lines of a prewarmed session's first turn for {@code message}, through session.waiting. */
  Template prewarmedTurn(String message) {
    return cache.computeIfAbsent("send:" + message, k -> capture(true, message));
  }

  private static Template capture(boolean prewarm, String text) {
    // The lines are the same whatever the pace; capturing should not take the paced time.
    BenchModel.disablePacing();
    byte[] message = ("{\"message\":\"" + text + "\"}").getBytes(StandardCharsets.UTF_8);
    try (EveRuntime runtime = EveRuntime.builder().agent(BenchModel.agent()).build()) {
      SessionService sessions = runtime.sessions();
      String id;
      if (prewarm) {
        id = sessions.create(RequestParser.parseCreate(new byte[0])).get(30, TimeUnit.SECONDS);
        sessions.send(id, RequestParser.parseMessage(message)).get(30, TimeUnit.SECONDS);
      } else {
        id = sessions.create(RequestParser.parseCreate(message)).get(30, TimeUnit.SECONDS);
      }
      List<byte[]> lines = new ArrayList<>();
      JournalCursor cursor = sessions.cursor(id, 0);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (true) {
        byte[] line = cursor.poll();
        if (line == null) {
          CountDownLatch more = new CountDownLatch(1);
          cursor.awaitNext(more::countDown);
          if (!more.await(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
            throw new IllegalStateException("capturing the turn of '" + text + "' timed out");
          }
          continue;
        }
        lines.add(line);
        if (startsWith(line, 0, WAITING)) {
          break;
        }
      }
      cursor.close();
      byte[][] arr = lines.toArray(new byte[0][]);
      int[] stampAt = new int[arr.length];
      int[] atAt = new int[arr.length];
      for (int i = 0; i < arr.length; i++) {
        boolean delta = startsWith(arr[i], 0, DELTA_PREFIX);
        stampAt[i] = delta ? DELTA_PREFIX.length : -1;
        atAt[i] = delta ? indexOf(arr[i], AT_KEY) + AT_KEY.length : -1;
      }
      return new Template(arr, stampAt, atAt);
    } catch (Exception e) {
      throw new IllegalStateException("cannot capture the turn of '" + text + "'", e);
    }
  }

  static boolean startsWith(byte[] b, int off, byte[] prefix) {
    if (b.length - off < prefix.length) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if (b[off + i] != prefix[i]) {
        return false;
      }
    }
    return true;
  }

  private static int indexOf(byte[] b, byte[] key) {
    outer:
    for (int i = 0; i + key.length <= b.length; i++) {
      for (int j = 0; j < key.length; j++) {
        if (b[i + j] != key[j]) {
          continue outer;
        }
      }
      return i;
    }
    throw new IllegalStateException("no " + new String(key, StandardCharsets.UTF_8) + " in a line");
  }
}
