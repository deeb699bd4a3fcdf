package dev.eve4j.servlet.legacy;

import dev.eve4j.auth.Principal;
import dev.eve4j.journal.JournalCursor;
import dev.eve4j.session.SessionService;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Short reads of one session's journal for the legacy face: looking back from an index for the
 * nearest event of a kind (a step start, a boundary), in windows that grow from the end, so the
 * cost is the distance to that event rather than the length of the session. Stateless.
 */
final class JournalScan {
  private static final int FIRST_WINDOW = 16;
  private static final int MAX_WINDOW = 4096;

  private JournalScan() {}

  /**
   * The last index in {@code [floor, before)} whose line matches, or -1.
   *
   * @throws dev.eve4j.protocol.EveException 404 unknown or another's session, 410 expired
   */
  static long lastMatch(SessionService sessions, String id, Principal caller, long floor, long before,
      Predicate<byte[]> match) {
    long end = before;
    int window = FIRST_WINDOW;
    long low = Math.max(0, floor);
    while (end > low) {
      long start = Math.max(low, end - window);
      long found = -1;
      try (JournalCursor c = sessions.cursor(id, start, caller)) {
        for (long i = start; i < end; i++) {
          byte[] line = c.poll();
          if (line == null) {
            break;
          }
          if (match.test(line)) {
            found = i;
          }
        }
      }
      if (found >= 0) {
        return found;
      }
      end = start;
      window = Math.min(window * 4, MAX_WINDOW);
    }
    return -1;
  }

  /** The line at {@code index}, or null when there is none (yet). */
  static byte[] lineAt(SessionService sessions, String id, Principal caller, long index) {
    try (JournalCursor c = sessions.cursor(id, index, caller)) {
      return c.poll();
    }
  }

  /** Feeds the stored lines of {@code [from, to]} to {@code sink}, in order. */
  static void forEach(SessionService sessions, String id, Principal caller, long from, long to, Consumer<byte[]> sink) {
    try (JournalCursor c = sessions.cursor(id, from, caller)) {
      for (long i = from; i <= to; i++) {
        byte[] line = c.poll();
        if (line == null) {
          return;
        }
        sink.accept(line);
      }
    }
  }
}
