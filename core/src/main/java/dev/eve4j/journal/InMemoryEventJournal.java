package dev.eve4j.journal;

import dev.eve4j.protocol.EveException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Logs in memory. Readers never lock: lines are published through a volatile array reference and
 * a volatile size written after the line, so a reader that sees a size sees every line below it.
 */
final class InMemoryEventJournal implements EventJournal {
  private final ConcurrentHashMap<String, Log> logs = new ConcurrentHashMap<>();

  @Override
  public void create(String sessionId) {
    if (logs.putIfAbsent(sessionId, new Log()) != null) {
      throw new IllegalStateException("session already exists: " + sessionId);
    }
  }

  @Override
  public boolean contains(String sessionId) {
    return logs.containsKey(sessionId);
  }

  @Override
  public long append(String sessionId, byte[] line) {
    return live(sessionId).append(line);
  }

  @Override
  public long tailIndex(String sessionId) {
    return live(sessionId).size - 1L;
  }

  @Override
  public JournalCursor cursor(String sessionId, long startIndex) {
    if (startIndex < 0) {
      throw new IllegalArgumentException("startIndex must be >= 0");
    }
    return new Cursor(live(sessionId), startIndex);
  }

  @Override
  public void expire(String sessionId) {
    Log log = logs.get(sessionId);
    if (log != null) {
      log.expire();
    }
  }

  @Override
  public void close() {
    logs.values().forEach(Log::expire);
  }

  private Log live(String sessionId) {
    Log log = logs.get(sessionId);
    if (log == null) {
      throw EveException.sessionNotFound();
    }
    if (log.expired) {
      throw EveException.sessionExpired();
    }
    return log;
  }

  static final class Log {
    private volatile byte[][] lines = new byte[16][];
    private volatile int size;
    private volatile boolean expired;
    private final Object lock = new Object();
    private List<Runnable> waiters = new ArrayList<>();

    long append(byte[] line) {
      List<Runnable> toWake;
      int index;
      synchronized (lock) {
        if (expired) {
          throw EveException.sessionExpired();
        }
        index = size;
        byte[][] arr = lines;
        if (index == arr.length) {
          byte[][] grown = new byte[arr.length * 2][];
          System.arraycopy(arr, 0, grown, 0, arr.length);
          lines = grown;
          arr = grown;
        }
        arr[index] = line;
        size = index + 1;
        toWake = takeWaiters();
      }
      wakeAll(toWake);
      return index;
    }

    void expire() {
      List<Runnable> toWake;
      synchronized (lock) {
        if (expired) {
          return;
        }
        expired = true;
        toWake = takeWaiters();
      }
      wakeAll(toWake);
    }

    /** Registers or runs at once; the check and the registration are atomic with append. */
    void await(long position, Runnable wake) {
      synchronized (lock) {
        if (position >= size && !expired) {
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

    private static void wakeAll(List<Runnable> toWake) {
      for (Runnable r : toWake) {
        r.run();
      }
    }
  }

  static final class Cursor implements JournalCursor {
    private final Log log;
    private long position;
    private Runnable pending;

    Cursor(Log log, long position) {
      this.log = log;
      this.position = position;
    }

    @Override
    public long position() {
      return position;
    }

    @Override
    public byte[] poll() {
      int size = log.size; // volatile read first: every line below it is visible
      if (position >= size) {
        return null;
      }
      byte[] line = log.lines[(int) position];
      position++;
      return line;
    }

    @Override
    public boolean expired() {
      return log.expired && position >= log.size;
    }

    @Override
    public void awaitNext(Runnable wake) {
      Runnable w = wake;
      pending = w;
      log.await(position, w);
    }

    @Override
    public void close() {
      Runnable p = pending;
      if (p != null) {
        log.remove(p);
        pending = null;
      }
    }
  }
}
