package dev.eve4j.servlet.legacy;

import dev.eve4j.journal.JournalCursor;
import dev.eve4j.servlet.io.CursorStream;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.ServletOutputStream;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;

/**
 * One open legacy {@code /stream} response: the write loop of {@link CursorStream}, with the legacy
 * rendering of each line and the legacy rule for its end.
 *
 * <p>It ends when it is caught up and the last event it saw is a legacy turn boundary. Closing
 * earlier would cost legacy clients a reconnect each time (they retry at once, three times, then
 * report the turn {@code completed}); closing there lets a manual {@code session.stream()} of
 * those clients end, as it only ends on a clean end of the response. It never sends the lease
 * record ({@code $eve}), which these clients would count as an event. Blank-line heartbeats after
 * the configured silence are skipped by every client.
 */
final class LegacyStream extends CursorStream {
  /** The first index to send; events before it only feed the renderer. */
  private final long startIndex;
  private final LegacyRenderer renderer;

  LegacyStream(AsyncContext async, ServletOutputStream out, JournalCursor cursor, long startIndex,
      LegacyRenderer renderer, ScheduledExecutorService timer, Duration heartbeat, Set<CursorStream> registry) {
    super(async, out, cursor, timer, heartbeat, registry);
    this.startIndex = startIndex;
    this.renderer = renderer;
  }

  @Override
  protected byte[] nextChunk() {
    for (;;) {
      long index = cursor.position();
      byte[] line = cursor.poll();
      if (line == null) {
        break;
      }
      if (index < startIndex) {
        renderer.skip(index, line);
        continue;
      }
      return renderer.render(index, line);
    }
    if (cursor.expired() || (cursor.position() >= startIndex && renderer.atBoundary())) {
      endAfterFlush();
    }
    return null;
  }
}
