package dev.eve4j.journal;

import dev.eve4j.protocol.EveException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Logs in memory. Readers never lock: lines are published through a volatile array reference and
 * a volatile size written after the line, so a reader that sees a size sees every line below it.
 */
final class InMemoryEventJournal implements EventJournal {
  private final ConcurrentHashMap<String, Log> logs = new ConcurrentHashMap<>();
  private final Clock clock;

  InMemoryEventJournal() {
    this(Clock.systemUTC());
  }

  /** The clock gives {@link LogInfo}'s times. */
  InMemoryEventJournal(Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  @Override
  public void create(String sessionId) {
    if (logs.putIfAbsent(sessionId, new Log(clock)) != null) {
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
  public void delete(String sessionId) {
    Log log = logs.remove(sessionId);
    if (log != null) {
      log.expire(); // open cursors drain the lines they can still reach, then report expiry
    }
  }

  @Override
  public Collection<String> sessionIds() {
    return List.copyOf(logs.keySet());
  }

  @Override
  public Optional<LogInfo> info(String sessionId) {
    Log log = logs.get(sessionId);
    return log == null ? Optional.empty() : Optional.of(log.info());
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
    private final Clock clock;
    private final long createdAt;
    // Guarded by lock (read for info() only).
    private long lastAppendAt;
    private long byteSize;

    Log(Clock clock) {
      this.clock = clock;
      this.createdAt = clock.millis();
      this.lastAppendAt = createdAt;
    }

    LogInfo info() {
      synchronized (lock) {
        return new LogInfo(Instant.ofEpochMilli(createdAt), Instant.ofEpochMilli(lastAppendAt), size, byteSize,
            expired);
      }
    }

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
        lastAppendAt = clock.millis();
        byteSize += line.length;
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
