package dev.eve4j.journal;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The bound on open files of a {@link FileEventJournal}: at most {@code maxOpenLogs} session logs
 * have their two channels open; opening one more first closes the least recently used log that no
 * thread is using. Closed logs reopen transparently on their next use.
 *
 * <p>Thread-safe. Every file operation runs inside {@link #withChannels}, which pins the log so
 * that no other thread closes its channels meanwhile. A pinned operation must not pin another log
 * (with a bound of one log it would wait for itself), so callers never run wake-ups or other
 * callbacks inside it. Pinning an open log is lock-free; opening, evicting and retiring take one
 * short global lock.
 *
 * <p>A {@link FileChannel} is closed by the JDK when a thread doing I/O on it is interrupted, which
 * would break the channel for every other user of the log. Such a closed channel is reopened here
 * and the operation retried, unless the interrupted thread is the caller (its operation fails with
 * the interrupt). Operations must therefore be idempotent: positional reads and writes only.
 */
final class FileHandles {

  /** A file operation on a log's pinned data and index channels; rerun after an interrupt. */
  interface ChannelOp<T> {
    T run(FileChannel data, FileChannel index) throws IOException;
  }

  /** The log was retired (expired data deleted, log deleted, journal closed): no file to use. */
  static final class RetiredException extends IOException {
    private static final long serialVersionUID = 1L;

    RetiredException(String sessionId) {
      super("the files of session " + sessionId + " are closed for good");
    }
  }

  private static final long WAIT_MILLIS = 50;

  private final int maxOpenLogs;
  private final Object lock = new Object();
  /** Logs whose channels are open. Guarded by lock. */
  private final List<FileLog> open = new ArrayList<>();
  /** Threads waiting in lock for a pin to drop; unpin notifies only when there is one. */
  private volatile int waiting;
  private final AtomicInteger openChannels = new AtomicInteger();
  /** Guarded by lock. */
  private int peakChannels;
  /** Guarded by lock. */
  private boolean closed;

  FileHandles(int maxOpenFiles) {
    this.maxOpenLogs = Math.max(1, maxOpenFiles / 2);
  }

  /** Runs {@code op} with the log's channels open and pinned, reopening them if needed. */
  <T> T withChannels(FileLog log, ChannelOp<T> op) throws IOException {
    pin(log);
    try {
      for (int attempt = 0; ; attempt++) {
        FileChannel data = log.data;
        FileChannel index = log.index;
        try {
          return op.run(data, index);
        } catch (ClosedChannelException e) {
          // Pinned channels are closed only by an interrupt: repair them for everyone.
          reopen(log, data, index);
          if (e instanceof ClosedByInterruptException || Thread.currentThread().isInterrupted() || attempt == 2) {
            throw e;
          }
        }
      }
    } finally {
      unpin(log);
    }
  }

  /** Closes the log's channels once no thread uses them, and never opens them again. */
  void retire(FileLog log) throws InterruptedIOException {
    synchronized (lock) {
      log.retired = true;
      waiting++;
      try {
        while (true) {
          int pins = log.pins.get();
          if (pins < 0) {
            return;
          }
          if (pins == 0 && log.pins.compareAndSet(0, -1)) {
            closeLocked(log);
            return;
          }
          waitLocked();
        }
      } finally {
        waiting--;
      }
    }
  }

  /** Retires every open log and refuses to open any (journal close). */
  void closeAll() throws InterruptedIOException {
    List<FileLog> snapshot;
    synchronized (lock) {
      closed = true;
      snapshot = List.copyOf(open);
    }
    for (FileLog log : snapshot) {
      retire(log);
    }
  }

  /** Channels open right now (two per open log). */
  int openChannels() {
    return openChannels.get();
  }

  /** The most channels ever open at once. */
  int peakChannels() {
    synchronized (lock) {
      return peakChannels;
    }
  }

  private void pin(FileLog log) throws IOException {
    while (true) {
      int pins = log.pins.get();
      if (pins >= 0 && !log.retired) { // a retiring log takes no new pins, so retire() cannot starve
        if (log.pins.compareAndSet(pins, pins + 1)) {
          log.lastUse = System.nanoTime();
          return;
        }
        continue;
      }
      synchronized (lock) {
        if (log.retired || closed) {
          throw new RetiredException(log.id);
        }
        if (log.pins.get() >= 0) {
          continue; // another thread opened it meanwhile
        }
        waiting++; // before looking at pins, so that an unpin after the look notifies us
        try {
          while (open.size() >= maxOpenLogs && !evictOneLocked()) {
            waitLocked();
            if (log.retired || closed) {
              throw new RetiredException(log.id);
            }
            if (log.pins.get() >= 0) {
              break;
            }
          }
        } finally {
          waiting--;
        }
        if (log.pins.get() >= 0) {
          continue;
        }
        openLocked(log);
        log.lastUse = System.nanoTime();
        log.pins.set(1);
        return;
      }
    }
  }

  private void unpin(FileLog log) {
    if (log.pins.decrementAndGet() == 0 && waiting > 0) {
      synchronized (lock) {
        lock.notifyAll();
      }
    }
  }

  /** Closes the least recently used unpinned log; false when every open log is pinned. */
  private boolean evictOneLocked() {
    while (true) {
      FileLog victim = null;
      long oldest = Long.MAX_VALUE;
      for (FileLog l : open) {
        if (l.pins.get() == 0 && (victim == null || l.lastUse - oldest < 0)) {
          victim = l;
          oldest = l.lastUse;
        }
      }
      if (victim == null) {
        return false;
      }
      if (victim.pins.compareAndSet(0, -1)) {
        closeLocked(victim);
        return true;
      }
      // pinned between the look and the CAS: look again
    }
  }

  private void openLocked(FileLog log) throws IOException {
    FileChannel data = FileChannel.open(log.dataPath(), StandardOpenOption.CREATE, StandardOpenOption.READ,
        StandardOpenOption.WRITE);
    FileChannel index;
    try {
      index = FileChannel.open(log.indexPath(), StandardOpenOption.CREATE, StandardOpenOption.READ,
          StandardOpenOption.WRITE);
    } catch (IOException | RuntimeException e) {
      closeQuietly(data);
      throw e;
    }
    log.data = data;
    log.index = index;
    open.add(log);
    peakChannels = Math.max(peakChannels, openChannels.addAndGet(2));
  }

  private void closeLocked(FileLog log) {
    open.remove(log);
    closeQuietly(log.data);
    closeQuietly(log.index);
    log.data = null;
    log.index = null;
    openChannels.addAndGet(-2);
    log.onClosed();
  }

  /** Replaces channels an interrupt closed, unless another thread already did. */
  private void reopen(FileLog log, FileChannel data, FileChannel index) throws IOException {
    synchronized (lock) {
      if (log.data != data || log.index != index) {
        return;
      }
      FileChannel freshData = FileChannel.open(log.dataPath(), StandardOpenOption.READ, StandardOpenOption.WRITE);
      FileChannel freshIndex;
      try {
        freshIndex = FileChannel.open(log.indexPath(), StandardOpenOption.READ, StandardOpenOption.WRITE);
      } catch (IOException | RuntimeException e) {
        closeQuietly(freshData);
        throw e;
      }
      closeQuietly(data);
      closeQuietly(index);
      log.data = freshData;
      log.index = freshIndex;
    }
  }

  private void waitLocked() throws InterruptedIOException {
    try {
      lock.wait(WAIT_MILLIS); // timed: a missed notify costs a pause, never a hang
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while waiting for a journal file handle");
    }
  }

  private static void closeQuietly(FileChannel c) {
    if (c == null) {
      return;
    }
    try {
      c.close();
    } catch (IOException ignored) {
      // closing a channel we only read or already fsynced loses nothing
    }
  }
}
