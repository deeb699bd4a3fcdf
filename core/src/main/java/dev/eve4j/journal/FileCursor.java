package dev.eve4j.journal;

/**
 * A reader's position in a {@link FileLog}. It holds no file: a line comes from the batch it read
 * last, from the log's ring of recent lines, or from a fresh batch read (one index read and one data
 * read of up to 256 lines or 64 KiB, with the log's files pinned only for that read). A live tail
 * therefore rarely touches the disk, and a replay reads in large sequential steps.
 *
 * <p>Not thread-safe, like every {@link JournalCursor}: one reader uses it at a time. {@link #poll}
 * may throw {@link java.io.UncheckedIOException} when the files cannot be read.
 */
final class FileCursor implements JournalCursor {
  private final FileEventJournal journal;
  private final FileLog log;
  private long position;
  private byte[][] batch;
  private long batchStart;
  private Runnable pending;
  private boolean closed;

  FileCursor(FileEventJournal journal, FileLog log, long position) {
    this.journal = journal;
    this.log = log;
    this.position = position;
  }

  @Override
  public long position() {
    return position;
  }

  @Override
  public byte[] poll() {
    if (log.state == FileLog.GONE) {
      batch = null;
      return null;
    }
    long visible = log.visible.count(); // volatile read first: every line below it is readable
    if (position >= visible) {
      return null;
    }
    byte[] line = null;
    if (batch != null) {
      long k = position - batchStart;
      if (k >= 0 && k < batch.length) {
        line = batch[(int) k];
      } else {
        batch = null;
      }
    }
    if (line == null) {
      line = log.cached(position);
    }
    if (line == null) {
      byte[][] read = journal.read(log, position, visible);
      if (read == null) {
        return null; // the files are gone (deleted, or the journal closed)
      }
      batch = read;
      batchStart = position;
      line = read[0];
    }
    position++;
    if (batch != null && position - batchStart >= batch.length) {
      batch = null;
    }
    return line;
  }

  @Override
  public boolean expired() {
    int state = log.state;
    return state == FileLog.GONE || (state == FileLog.EXPIRED && position >= log.visible.count());
  }

  @Override
  public void awaitNext(Runnable wake) {
    pending = wake;
    log.await(position, wake);
  }

  @Override
  public void close() {
    Runnable p = pending;
    if (p != null) {
      log.removeWaiter(p);
      pending = null;
    }
    batch = null;
    if (!closed) {
      closed = true;
      journal.cursorClosed(log);
    }
  }
}
