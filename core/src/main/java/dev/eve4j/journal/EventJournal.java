package dev.eve4j.journal;

/**
 * The append-only, gap-free log of every session's events: the only source of truth for what
 * happened in a session. Each event is stored as the exact NDJSON line served to readers
 * (serialized once). Indexes start at 0 and have no gaps; an event gets its index before any
 * reader is woken ("append, then publish").
 *
 * <p>Implementations are thread-safe. Appends for one session come from that session's serial
 * executor only; readers call from any thread.
 */
public interface EventJournal extends AutoCloseable {

  /** A journal kept in memory: fast, lost at exit. */
  static EventJournal inMemory() {
    return new InMemoryEventJournal();
  }

  /** Creates the empty log of a new session. */
  void create(String sessionId);

  /** True when the session has a log, expired or not. */
  boolean contains(String sessionId);

  /**
   * Appends one event line (UTF-8 JSON terminated by {@code \n}) and wakes the readers waiting
   * for it. Returns its index.
   *
   * @throws dev.eve4j.protocol.EveException 404 for an unknown session, 410 once expired
   */
  long append(String sessionId, byte[] line);

  /**
   * Index of the last event, -1 when there is none.
   *
   * @throws dev.eve4j.protocol.EveException 404 for an unknown session, 410 once expired
   */
  long tailIndex(String sessionId);

  /**
   * A cursor positioned at {@code startIndex} (0 or more; past the tail it waits for new events).
   *
   * @throws dev.eve4j.protocol.EveException 404 for an unknown session, 410 once expired
   */
  JournalCursor cursor(String sessionId, long startIndex);

  /**
   * Marks the session's history as gone: new reads answer 410 {@code session_expired}, open
   * cursors serve what remains and then report {@link JournalCursor#expired()}.
   */
  void expire(String sessionId);

  @Override
  void close();
}
