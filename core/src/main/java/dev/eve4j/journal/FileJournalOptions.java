package dev.eve4j.journal;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of the durable file journal ({@link EventJournal#file}). Immutable and thread-safe; the
 * {@code with…} methods return copies, and the constructor rejects bad values at once.
 *
 * @param durability when an appended event is on stable storage, and when readers see it
 * @param groupCommitInterval with {@link Durability#GROUP_COMMIT}, the shortest time between two
 *     flushes: an event waits at most about this long (plus one fsync) before readers see it.
 *     Ignored by the other policies.
 * @param maxOpenFiles most files the journal keeps open for session logs at once (each open log
 *     uses two); logs beyond it are closed least-recently-used first and reopened on demand. The
 *     journal holds one more file (its directory lock) and opens directories briefly to fsync them.
 * @param clock the time written as a log's creation, append and expiry times
 */
public record FileJournalOptions(Durability durability, Duration groupCommitInterval, int maxOpenFiles,
    Clock clock) {

  /** Flushes at most every 25 ms under {@link Durability#GROUP_COMMIT}. */
  public static final Duration DEFAULT_GROUP_COMMIT_INTERVAL = Duration.ofMillis(25);

  /** 256 files: 128 session logs open at once. */
  public static final int DEFAULT_MAX_OPEN_FILES = 256;

  /** When an appended event is durable, and so when readers may see it. */
  public enum Durability {
    /**
     * {@code append} returns once the event is fsynced; readers see it at once. One fsync per event:
     * the safest and the slowest.
     */
    FSYNC_EACH,
    /**
     * {@code append} returns at once; a flusher thread fsyncs the logs written since its last pass,
     * at most once per {@link #groupCommitInterval}, and only then shows their new events to readers
     * (poll, wake-ups and the tail index). A crash loses at most the events no reader has seen.
     */
    GROUP_COMMIT,
    /**
     * {@code append} writes to the operating system and returns; readers see the event at once;
     * nothing is fsynced. Events survive a crash of the JVM, not of the machine.
     */
    NONE
  }

  public FileJournalOptions {
    Objects.requireNonNull(durability, "durability");
    Objects.requireNonNull(groupCommitInterval, "groupCommitInterval");
    Objects.requireNonNull(clock, "clock");
    if (groupCommitInterval.isNegative() || groupCommitInterval.isZero()) {
      throw new IllegalArgumentException("groupCommitInterval must be positive, was " + groupCommitInterval);
    }
    if (maxOpenFiles < 2) {
      throw new IllegalArgumentException(
          "maxOpenFiles must be at least 2 (an open session log uses two files), was " + maxOpenFiles);
    }
  }

  /** Group commit every 25 ms, 256 open files, the system UTC clock. */
  public static FileJournalOptions defaults() {
    return new FileJournalOptions(Durability.GROUP_COMMIT, DEFAULT_GROUP_COMMIT_INTERVAL, DEFAULT_MAX_OPEN_FILES,
        Clock.systemUTC());
  }

  public FileJournalOptions withDurability(Durability d) {
    return new FileJournalOptions(d, groupCommitInterval, maxOpenFiles, clock);
  }

  /** Selects {@link Durability#GROUP_COMMIT} with this interval. */
  public FileJournalOptions withGroupCommit(Duration interval) {
    return new FileJournalOptions(Durability.GROUP_COMMIT, interval, maxOpenFiles, clock);
  }

  public FileJournalOptions withMaxOpenFiles(int n) {
    return new FileJournalOptions(durability, groupCommitInterval, n, clock);
  }

  public FileJournalOptions withClock(Clock c) {
    return new FileJournalOptions(durability, groupCommitInterval, maxOpenFiles, c);
  }
}
