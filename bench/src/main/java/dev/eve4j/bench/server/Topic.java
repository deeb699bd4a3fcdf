package dev.eve4j.bench.server;

import java.util.ArrayList;
import java.util.List;

/**
 * The baseline's per-session line list: lines are published through a volatile size written after
 * the line (readers never lock), and readers waiting at the end are woken after each publish.
 * Publishing is single-threaded per topic; reads and waits come from any thread.
 */
final class Topic {
  private volatile byte[][] lines = new byte[16][];
  private volatile int size;
  private final Object lock = new Object();
  private List<Runnable> waiters = new ArrayList<>();

  int size() {
    return size;
  }

  /** Line i; the caller has read {@link #size()} &gt; i first. */
  byte[] line(int i) {
    return lines[i];
  }

  void publish(byte[] line) {
    List<Runnable> wake;
    synchronized (lock) {
      int n = size;
      if (n == lines.length) {
        byte[][] grown = new byte[n * 2][];
        System.arraycopy(lines, 0, grown, 0, n);
        lines = grown;
      }
      lines[n] = line;
      size = n + 1;
      wake = takeWaiters();
    }
    wake.forEach(Runnable::run);
  }

  void publishAll(byte[][] all) {
    List<Runnable> wake;
    synchronized (lock) {
      int n = size;
      if (n + all.length > lines.length) {
        byte[][] grown = new byte[Math.max(16, Integer.highestOneBit(n + all.length) * 2)][];
        System.arraycopy(lines, 0, grown, 0, n);
        lines = grown;
      }
      System.arraycopy(all, 0, lines, n, all.length);
      size = n + all.length;
      wake = takeWaiters();
    }
    wake.forEach(Runnable::run);
  }

  /** Runs {@code wake} once a line at {@code position} exists (at once if it does already). */
  void await(int position, Runnable wake) {
    synchronized (lock) {
      if (position >= size) {
        waiters.add(wake);
        return;
      }
    }
    wake.run();
  }

  void remove(Runnable wake) {
    synchronized (lock) {
      waiters.remove(wake);
    }
  }

  private List<Runnable> takeWaiters() {
    if (waiters.isEmpty()) {
      return List.of();
    }
    List<Runnable> w = waiters;
    waiters = new ArrayList<>();
    return w;
  }
}
