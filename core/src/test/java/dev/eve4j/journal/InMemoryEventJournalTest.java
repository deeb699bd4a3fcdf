package dev.eve4j.journal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.eve4j.protocol.ErrorCode;
import dev.eve4j.protocol.EveException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class InMemoryEventJournalTest {

  private static byte[] line(String s) {
    return (s + "\n").getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void indexesStartAtZeroAndTailFollowsAppends() {
    EventJournal j = EventJournal.inMemory();
    j.create("s");
    assertEquals(-1, j.tailIndex("s"));
    assertEquals(0, j.append("s", line("a")));
    assertEquals(1, j.append("s", line("b")));
    assertEquals(1, j.tailIndex("s"));
  }

  @Test
  void unknownSessionIs404AndExpiredIs410() {
    EventJournal j = EventJournal.inMemory();
    EveException unknown = assertThrows(EveException.class, () -> j.cursor("nope", 0));
    assertEquals(ErrorCode.SESSION_NOT_FOUND, unknown.code());
    j.create("s");
    j.append("s", line("a"));
    j.expire("s");
    assertEquals(ErrorCode.SESSION_EXPIRED, assertThrows(EveException.class, () -> j.tailIndex("s")).code());
    assertEquals(ErrorCode.SESSION_EXPIRED, assertThrows(EveException.class, () -> j.cursor("s", 0)).code());
    assertEquals(ErrorCode.SESSION_EXPIRED, assertThrows(EveException.class, () -> j.append("s", line("b"))).code());
  }

  @Test
  void cursorServesTheStoredBytesFromItsStartIndex() {
    EventJournal j = EventJournal.inMemory();
    j.create("s");
    List<byte[]> written = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      byte[] l = line("{\"i\":" + i + "}");
      written.add(l);
      j.append("s", l);
    }
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
    EventJournal j = EventJournal.inMemory();
    j.create("s");
    j.append("s", line("a"));
    JournalCursor c = j.cursor("s", 0);
    j.append("s", line("b"));
    j.expire("s");
    assertFalse(c.expired());
    assertArrayEquals(line("a"), c.poll());
    assertArrayEquals(line("b"), c.poll());
    assertNull(c.poll());
    assertTrue(c.expired());
  }

  @Test
  void awaitNextRunsAtOnceWhenDataIsThereAndOnAppendOtherwise() {
    EventJournal j = EventJournal.inMemory();
    j.create("s");
    JournalCursor c = j.cursor("s", 0);
    AtomicInteger wakes = new AtomicInteger();
    c.awaitNext(wakes::incrementAndGet);
    assertEquals(0, wakes.get());
    j.append("s", line("a"));
    assertEquals(1, wakes.get());
    j.append("s", line("b"));
    assertEquals(1, wakes.get(), "a wake-up is one-shot");
    c.awaitNext(wakes::incrementAndGet);
    assertEquals(2, wakes.get(), "data already there: runs at once");
    c.poll();
    c.poll();
    c.awaitNext(wakes::incrementAndGet);
    c.close();
    j.append("s", line("c"));
    assertEquals(2, wakes.get(), "a closed cursor is not woken");
  }

  /**
   * Writers append concurrently (as several sessions' actors do on one journal) while readers follow
   * live with wake-ups: every reader sees every line of its session, in index order, with no gap and
   * no duplicate, and the live read equals a replay from 0.
   */
  @Test
  @Timeout(60)
  void concurrentAppendsAndLiveReadersSeeAGapFreeLogEqualToReplay() throws Exception {
    EventJournal j = EventJournal.inMemory();
    int sessions = 4;
    int perSession = 20_000;
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
        w.get(30, TimeUnit.SECONDS);
      }
      for (int s = 0; s < sessions; s++) {
        String sid = "s" + s;
        assertEquals(perSession - 1, j.tailIndex(sid));
        JournalCursor replay = j.cursor(sid, 0);
        for (int r = 0; r < readersPerSession; r++) {
          List<byte[]> live = reads.get(s * readersPerSession + r).get(30, TimeUnit.SECONDS);
          assertEquals(perSession, live.size());
          for (int i = 0; i < perSession; i++) {
            assertArrayEquals(line(sid + ":" + i), live.get(i), "line " + i + " of " + sid);
          }
        }
        for (int i = 0; i < perSession; i++) {
          assertArrayEquals(line(sid + ":" + i), replay.poll());
        }
        assertNull(replay.poll());
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private static List<byte[]> readLive(EventJournal j, String sid, int expected, CountDownLatch go)
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
    return got;
  }
}
