package dev.eve4j.journal;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Collection;
import java.util.Objects;
import java.util.Optional;

/**
 * The append-only, gap-free log of every session's events: the only source of truth for what
 * happened in a session. Each event is stored as the exact NDJSON line served to readers
 * (serialized once). Indexes start at 0 and have no gaps; an event gets its index before any
 * reader is woken ("append, then publish").
 *
 * <p>Implementations are thread-safe. Appends for one session come from that session's serial
 * executor only (different sessions append concurrently); readers, {@link #expire}, {@link #delete},
 * {@link #info} and {@link #sessionIds} are called from any thread. Wake-ups registered with {@link
 * JournalCursor#awaitNext} run on the thread that makes the event visible: the appending thread, or
 * a journal thread where appends become visible later (the file journal's group commit).
 */
public interface EventJournal extends AutoCloseable {

  /** A journal kept in memory: fast, lost at exit. */
  static EventJournal inMemory() {
    return new InMemoryEventJournal();
  }

  /**
   * Opens (creating it if needed) the durable journal kept in {@code directory}: one append-only file
   * per session plus an index, recovered after a crash on first use of each log. The directory is
   * locked against a second journal until {@link #close()}.
   *
   * @throws java.io.UncheckedIOException when the directory cannot be created, read or locked
   * @throws IllegalStateException when another journal (this JVM or another process) has it open
   */
  static EventJournal file(Path directory, FileJournalOptions options) {
    return FileEventJournal.open(directory, options);
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

  /**
   * Removes the session's log entirely (its events and any expiry marker), as retention does: the
   * session becomes unknown (404) and its id may be created again. Open cursors stop: they may serve
   * lines they still hold, then report {@link JournalCursor#expired()}. No-op for an unknown session.
   *
   * <p>The default throws {@link UnsupportedOperationException} (journals written before this
   * method existed); both built-in journals implement it.
   */
  default void delete(String sessionId) {
    throw new UnsupportedOperationException(getClass().getName() + " cannot delete logs");
  }

  /**
   * Ids of every session with a log, expired or not: a snapshot, in no particular order. The
   * default throws {@link UnsupportedOperationException}; both built-in journals implement it.
   */
  default Collection<String> sessionIds() {
    throw new UnsupportedOperationException(getClass().getName() + " cannot list its logs");
  }

  /**
   * What retention needs to know about a log, or empty for an unknown session. Works for expired
   * logs too. Counts what readers can see (under group commit, events not yet durable are left out).
   * The default throws {@link UnsupportedOperationException}; both built-in journals implement it.
   */
  default Optional<LogInfo> info(String sessionId) {
    throw new UnsupportedOperationException(getClass().getName() + " cannot describe its logs");
  }

  /**
   * Flushes what is pending and releases every resource. Open cursors stop (they report {@link
   * JournalCursor#expired()}); the journal is not used afterwards.
   */
  @Override
  void close();

  /**
   * A snapshot of one log for retention decisions.
   *
   * @param createdAt when {@link #create} made the log
   * @param lastAppendAt when the last event was appended, or {@code createdAt} when none was
   * @param eventCount events in the log ({@link #tailIndex} + 1 while it is live)
   * @param byteSize total bytes of those event lines
   * @param expired true once {@link #expire} was called (the history then answers 410)
   */
  record LogInfo(Instant createdAt, Instant lastAppendAt, long eventCount, long byteSize, boolean expired) {
    public LogInfo {
      Objects.requireNonNull(createdAt, "createdAt");
      Objects.requireNonNull(lastAppendAt, "lastAppendAt");
      if (eventCount < 0 || byteSize < 0) {
        throw new IllegalArgumentException("eventCount and byteSize must be >= 0");
      }
    }
  }
}
