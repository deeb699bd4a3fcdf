package dev.eve4j.journal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Group commit for a {@link FileEventJournal}: appenders {@link #enqueue} the logs they wrote; the
 * flusher thread {@code eve4j-journal-flusher} runs a {@link #pass} as soon as a log is queued,
 * but at most once per interval. A pass fsyncs every queued log (through the journal's {@link
 * Flush}), spread over up to {@value #FSYNC_THREADS} threads since concurrent fsyncs of different
 * files share the file system's journal commits, then runs the readers' wake-ups on its own thread.
 *
 * <p>Thread-safe. Passes are exclusive, wake-ups included ({@code passLock}); the fsync part holds
 * {@code flushLock}, which {@link #flushOne} (expiry) also takes.
 */
final class FileGroupCommit {
  private static final Logger LOG = Logger.getLogger(FileGroupCommit.class.getName());
  static final int FSYNC_THREADS = 4;

  /** Fsyncs one log and publishes it; returns the wake-ups to run once no log lock is held. */
  interface Flush {
    List<Runnable> flush(FileLog log, FileLayout.SyncedDirs synced);
  }

  private final long intervalNanos;
  private final Flush flush;
  private final ConcurrentLinkedQueue<FileLog> dirty = new ConcurrentLinkedQueue<>();
  private final ReentrantLock passLock = new ReentrantLock();
  private final ReentrantLock flushLock = new ReentrantLock();
  private final Object signal = new Object();
  private boolean stopping; // guarded by signal
  private final Thread flusher;
  private final ExecutorService helpers;

  FileGroupCommit(long intervalNanos, Flush flush) {
    this.intervalNanos = intervalNanos;
    this.flush = flush;
    AtomicInteger n = new AtomicInteger();
    this.helpers = Executors.newFixedThreadPool(FSYNC_THREADS - 1, r -> {
      Thread t = new Thread(r, "eve4j-journal-fsync-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    this.flusher = new Thread(this::loop, "eve4j-journal-flusher");
    flusher.setDaemon(true);
    flusher.start();
  }

  /** Queues a log for the next pass (once; called after its appender wrote). */
  void enqueue(FileLog log) {
    if (log.queued.compareAndSet(false, true)) {
      dirty.add(log);
      synchronized (signal) {
        signal.notifyAll();
      }
    }
  }

  /** One pass on the calling thread, after any pass in progress (wake-ups included) has ended. */
  void pass() {
    passLock.lock();
    try {
      passLocked();
    } finally {
      passLock.unlock();
    }
  }

  /** Flushes one log now, exclusive with passes' fsyncs; returns its wake-ups. */
  List<Runnable> flushOne(FileLog log) {
    flushLock.lock();
    try {
      return flush.flush(log, new FileLayout.SyncedDirs());
    } finally {
      flushLock.unlock();
    }
  }

  /** Stops the flusher thread; the caller runs the last {@link #pass}, then {@link #shutdown}. */
  void stop() {
    synchronized (signal) {
      stopping = true;
      signal.notifyAll();
    }
    try {
      flusher.join(TimeUnit.SECONDS.toMillis(30));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  void shutdown() {
    helpers.shutdown();
  }

  private void loop() {
    long lastPass = System.nanoTime();
    try {
      while (true) {
        synchronized (signal) {
          while (dirty.isEmpty() && !stopping) {
            signal.wait();
          }
          long wait;
          while (!stopping && (wait = lastPass + intervalNanos - System.nanoTime()) > 0) {
            TimeUnit.NANOSECONDS.timedWait(signal, wait);
          }
          if (stopping) {
            return;
          }
        }
        lastPass = System.nanoTime();
        pass();
      }
    } catch (InterruptedException e) {
      LOG.warning("journal flusher interrupted; group commits now happen only at expiry and close");
    } catch (RuntimeException | Error e) {
      LOG.log(Level.SEVERE, "journal flusher died", e);
      throw e;
    }
  }

  private void passLocked() {
    List<Runnable> wakes = new ArrayList<>();
    flushLock.lock();
    try {
      List<FileLog> batch = new ArrayList<>();
      for (FileLog log; (log = dirty.poll()) != null; ) {
        log.queued.set(false); // before its tail is read: a later append queues it again
        batch.add(log);
      }
      int parts = Math.max(1, Math.min(FSYNC_THREADS, batch.size()));
      List<Future<List<Runnable>>> others = new ArrayList<>();
      for (int p = 1; p < parts; p++) {
        List<FileLog> part = slice(batch, p, parts);
        try {
          others.add(helpers.submit(() -> flushAll(part)));
        } catch (RejectedExecutionException closing) {
          wakes.addAll(flushAll(part));
        }
      }
      wakes.addAll(flushAll(slice(batch, 0, parts)));
      boolean interrupted = false;
      for (Future<List<Runnable>> f : others) {
        while (true) {
          try {
            wakes.addAll(f.get());
            break;
          } catch (InterruptedException e) {
            interrupted = true; // the pass must finish: its logs are no longer queued
          } catch (ExecutionException e) {
            LOG.log(Level.SEVERE, "journal flush failed", e.getCause());
            break;
          }
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    } finally {
      flushLock.unlock();
    }
    FileLog.runAll(wakes);
  }

  private static List<FileLog> slice(List<FileLog> batch, int part, int parts) {
    List<FileLog> out = new ArrayList<>();
    for (int i = part; i < batch.size(); i += parts) {
      out.add(batch.get(i));
    }
    return out;
  }

  private List<Runnable> flushAll(List<FileLog> part) {
    List<Runnable> wakes = new ArrayList<>();
    FileLayout.SyncedDirs synced = new FileLayout.SyncedDirs();
    for (FileLog log : part) {
      try {
        wakes.addAll(flush.flush(log, synced));
      } catch (RuntimeException e) {
        log.broken = true;
        LOG.log(Level.SEVERE, "cannot flush the journal of session " + log.id, e);
      }
    }
    return wakes;
  }
}
