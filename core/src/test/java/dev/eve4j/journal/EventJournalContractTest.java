package dev.eve4j.journal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.eve4j.journal.EventJournal.LogInfo;
import dev.eve4j.protocol.ErrorCode;
import dev.eve4j.protocol.EveException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What every {@link EventJournal} does, whatever keeps the events. Each journal's test extends this
 * class and says how to make one; the same behaviour then holds for all of them.
 */
abstract class EventJournalContractTest {
  private final List<EventJournal> opened = new ArrayList<>();

  /** A new, empty journal whose times come from {@code clock}. */
  protected abstract EventJournal newJournal(Clock clock);

  /**
   * Makes every event appended so far visible to readers, running the wake-ups it causes on the
   * calling thread. A no-op where appends are visible at once.
   */
  protected void settle(EventJournal journal) {}

  /** Events per session in the concurrency test (slow durable policies use fewer). */
  protected int eventsPerSession() {
    return 20_000;
  }

  @AfterEach
  void closeJournals() {
    opened.forEach(EventJournal::close);
  }

  protected final EventJournal journal() {
    return journal(Clock.systemUTC());
  }

  protected final EventJournal journal(Clock clock) {
    EventJournal j = newJournal(clock);
    opened.add(j);
    return j;
  }

  static byte[] line(String s) {
    return (s + "\n").getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void indexesStartAtZeroAndTailFollowsAppends() {
    EventJournal j = journal();
    j.create("s");
    assertEquals(-1, j.tailIndex("s"));
    assertEquals(0, j.append("s", line("a")));
    assertEquals(1, j.append("s", line("b")));
    settle(j);
    assertEquals(1, j.tailIndex("s"));
  }

  @Test
  void creatingAnExistingSessionFails() {
    EventJournal j = journal();
    j.create("s");
    assertThrows(IllegalStateException.class, () -> j.create("s"));
  }

  @Test
  void unknownSessionIs404AndExpiredIs410() {
    EventJournal j = journal();
    EveException unknown = assertThrows(EveException.class, () -> j.cursor("nope", 0));
    assertEquals(ErrorCode.SESSION_NOT_FOUND, unknown.code());
    assertEquals(ErrorCode.SESSION_NOT_FOUND, assertThrows(EveException.class, () -> j.tailIndex("nope")).code());
    assertEquals(ErrorCode.SESSION_NOT_FOUND,
        assertThrows(EveException.class, () -> j.append("nope", line("a"))).code());
    j.create("s");
    j.append("s", line("a"));
    j.expire("s");
    assertTrue(j.contains("s"), "an expired log is still known");
    assertEquals(ErrorCode.SESSION_EXPIRED, assertThrows(EveException.class, () -> j.tailIndex("s")).code());
    assertEquals(ErrorCode.SESSION_EXPIRED, assertThrows(EveException.class, () -> j.cursor("s", 0)).code());
    assertEquals(ErrorCode.SESSION_EXPIRED, assertThrows(EveException.class, () -> j.append("s", line("b"))).code());
  }

  @Test
  void cursorServesTheStoredBytesFromItsStartIndex() {
    EventJournal j = journal();
    j.create("s");
    List<byte[]> written = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      byte[] l = line("{\"i\":" + i + "}");
      written.add(l);
      j.append("s", l);
    }
    settle(j);
    JournalCursor c = j.cursor("s", 25);
    for (int i = 25; i < 40; i++) {
      assertEquals(i, c.position());
      assertArrayEquals(written.get(i), c.poll());
    }
    assertNull(c.poll());
    assertFalse(c.expired());
    JournalCursor past = j.cursor("s", 100);
    assertNull(past.poll());
  }

  @Test
  void openCursorDrainsWhatRemainsThenReportsExpiry() {
    EventJournal j = journal();
    j.create("s");
    j.append("s", line("a"));
    settle(j);
    JournalCursor c = j.cursor("s", 0);
    j.append("s", line("b"));
    j.expire("s");
    assertFalse(c.expired());
    assertArrayEquals(line("a"), c.poll());
    assertArrayEquals(line("b"), c.poll());
    assertNull(c.poll());
    assertTrue(c.expired());
    c.close();
  }

  @Test
  void awaitNextRunsAtOnceWhenDataIsThereAndOnAppendOtherwise() {
    EventJournal j = journal();
    j.create("s");
    JournalCursor c = j.cursor("s", 0);
    AtomicInteger wakes = new AtomicInteger();
    c.awaitNext(wakes::incrementAndGet);
    assertEquals(0, wakes.get());
    j.append("s", line("a"));
    settle(j);
    assertEquals(1, wakes.get());
    j.append("s", line("b"));
    settle(j);
    assertEquals(1, wakes.get(), "a wake-up is one-shot");
    c.awaitNext(wakes::incrementAndGet);
    assertEquals(2, wakes.get(), "data already there: runs at once");
    c.poll();
    c.poll();
    c.awaitNext(wakes::incrementAndGet);
    c.close();
    j.append("s", line("c"));
    settle(j);
    assertEquals(2, wakes.get(), "a closed cursor is not woken");
  }

  @Test
  void expiryWakesWaitingReaders() {
    EventJournal j = journal();
    j.create("s");
    JournalCursor c = j.cursor("s", 0);
    AtomicInteger wakes = new AtomicInteger();
    c.awaitNext(wakes::incrementAndGet);
    j.expire("s");
    assertEquals(1, wakes.get());
    assertNull(c.poll());
    assertTrue(c.expired());
    c.close();
  }

  @Test
  void infoTellsTimesSizesAndExpiry() {
    TestClock clock = new TestClock(Instant.parse("2025-01-01T00:00:00Z"));
    EventJournal j = journal(clock);
    assertEquals(Optional.empty(), j.info("nope"));
    j.create("s");
    Instant created = clock.instant();
    assertEquals(Optional.of(new LogInfo(created, created, 0, 0, false)), j.info("s"));
    clock.advance(Duration.ofSeconds(5));
    j.append("s", line("a"));
    clock.advance(Duration.ofSeconds(5));
    j.append("s", line("bcd"));
    Instant last = clock.instant();
    clock.advance(Duration.ofSeconds(5));
    settle(j);
    assertEquals(Optional.of(new LogInfo(created, last, 2, 6, false)), j.info("s"));
    j.expire("s");
    assertEquals(Optional.of(new LogInfo(created, last, 2, 6, true)), j.info("s"));
  }

  @Test
  void sessionIdsListsEveryLogExpiredOrNot() {
    EventJournal j = journal();
    j.create("a");
    j.create("b");
    j.create("c");
    j.expire("b");
    j.delete("c");
    assertEquals(Set.of("a", "b"), Set.copyOf(j.sessionIds()));
  }

  @Test
  void deleteForgetsTheSessionStopsItsReadersAndFreesItsId() {
    EventJournal j = journal();
    j.create("s");
    j.append("s", line("a"));
    settle(j);
    JournalCursor c = j.cursor("s", 1);
    AtomicInteger wakes = new AtomicInteger();
    c.awaitNext(wakes::incrementAndGet);
    j.delete("s");
    assertEquals(1, wakes.get(), "a waiting reader learns the log is gone");
    assertNull(c.poll());
    assertTrue(c.expired());
    c.close();
    assertFalse(j.contains("s"));
    assertFalse(j.sessionIds().contains("s"));
    assertEquals(Optional.empty(), j.info("s"));
    assertEquals(ErrorCode.SESSION_NOT_FOUND, assertThrows(EveException.class, () -> j.cursor("s", 0)).code());
    assertEquals(ErrorCode.SESSION_NOT_FOUND, assertThrows(EveException.class, () -> j.append("s", line("b"))).code());
    j.delete("s"); // idempotent

    j.create("s");
    assertEquals(0, j.append("s", line("fresh")));
    settle(j);
    JournalCursor fresh = j.cursor("s", 0);
    assertArrayEquals(line("fresh"), fresh.poll());
    assertNull(fresh.poll());
  }

  @Test
  void deletingAnExpiredSessionForgetsIt() {
    EventJournal j = journal();
    j.create("s");
    j.append("s", line("a"));
    j.expire("s");
    j.delete("s");
    assertFalse(j.contains("s"));
    assertEquals(Optional.empty(), j.info("s"));
  }

  @Test
  void closeStopsOpenCursors() {
    EventJournal j = newJournal(Clock.systemUTC());
    j.create("s");
    j.append("s", line("a"));
    settle(j);
    JournalCursor c = j.cursor("s", 1);
    AtomicInteger wakes = new AtomicInteger();
    c.awaitNext(wakes::incrementAndGet);
    j.close();
    assertEquals(1, wakes.get());
    assertNull(c.poll());
    assertTrue(c.expired());
    c.close();
  }

  /**
   * Writers append concurrently (as several sessions' actors do on one journal) while readers follow
   * live with wake-ups: every reader sees every line of its session, in index order, with no gap and
   * no duplicate, and the live read equals a replay from 0.
   */
  @Test
  @Timeout(120)
  void concurrentAppendsAndLiveReadersSeeAGapFreeLogEqualToReplay() throws Exception {
    EventJournal j = journal();
    int sessions = 4;
    int perSession = eventsPerSession();
    int readersPerSession = 3;
    ExecutorService pool = Executors.newFixedThreadPool(sessions + sessions * readersPerSession);
    try {
      for (int s = 0; s < sessions; s++) {
        j.create("s" + s);
      }
      CountDownLatch go = new CountDownLatch(1);
      List<Future<List<byte[]>>> reads = new ArrayList<>();
      for (int s = 0; s < sessions; s++) {
        String sid = "s" + s;
        for (int r = 0; r < readersPerSession; r++) {
          reads.add(pool.submit(() -> readLive(j, sid, perSession, go)));
        }
      }
      List<Future<?>> writes = new ArrayList<>();
      for (int s = 0; s < sessions; s++) {
        String sid = "s" + s;
        writes.add(pool.submit(() -> {
          go.await();
          for (int i = 0; i < perSession; i++) {
            long index = j.append(sid, line(sid + ":" + i));
            assertEquals(i, index);
          }
          return null;
        }));
      }
      go.countDown();
      for (Future<?> w : writes) {
        w.get(60, TimeUnit.SECONDS);
      }
      for (int s = 0; s < sessions; s++) {
        String sid = "s" + s;
        for (int r = 0; r < readersPerSession; r++) {
          List<byte[]> live = reads.get(s * readersPerSession + r).get(60, TimeUnit.SECONDS);
          assertEquals(perSession, live.size());
          for (int i = 0; i < perSession; i++) {
            assertArrayEquals(line(sid + ":" + i), live.get(i), "line " + i + " of " + sid);
          }
        }
        assertEquals(perSession - 1, j.tailIndex(sid));
        JournalCursor replay = j.cursor(sid, 0);
        for (int i = 0; i < perSession; i++) {
          assertArrayEquals(line(sid + ":" + i), replay.poll());
        }
        assertNull(replay.poll());
      }
    } finally {
      pool.shutdownNow();
    }
  }

  static List<byte[]> readLive(EventJournal j, String sid, int expected, CountDownLatch go)
      throws InterruptedException {
    JournalCursor c = j.cursor(sid, 0);
    go.await();
    List<byte[]> got = new ArrayList<>();
    Semaphore wake = new Semaphore(0);
    while (got.size() < expected) {
      byte[] l = c.poll();
      if (l != null) {
        got.add(l);
        continue;
      }
      c.awaitNext(wake::release);
      if (!wake.tryAcquire(10, TimeUnit.SECONDS)) {
        throw new AssertionError("reader of " + sid + " was never woken at " + c.position());
      }
    }
    c.close();
    return got;
  }

  /** A clock that moves only when told. */
  static final class TestClock extends Clock {
    private volatile Instant now;

    TestClock(Instant start) {
      this.now = start;
    }

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      throw new UnsupportedOperationException();
    }
  }
}
