package dev.eve4j.journal;

/**
 * A reader's position in one session's log. Replay and live tail are the same cursor: it serves
 * stored lines, then waits for new ones. Not thread-safe: one reader (one write loop) uses it at a
 * time; {@link #awaitNext} may call back from another thread.
 */
public interface JournalCursor extends AutoCloseable {

  /** Index of the next event this cursor returns. */
  long position();

  /** The next event line and advances, or null when none is stored yet (or the log expired). */
  byte[] poll();

  /** True when the log has expired and every line before the expiry has been polled. */
  boolean expired();

  /**
   * Registers a one-shot wake-up for when an event at {@link #position()} exists or the log
   * expires. If that is already true, {@code wake} runs at once on the calling thread; otherwise it
   * runs on the appending thread, so it must be short and must not block (hand off to an executor).
   */
  void awaitNext(Runnable wake);

  /** Drops a pending wake-up. Idempotent. */
  @Override
  void close();
}
