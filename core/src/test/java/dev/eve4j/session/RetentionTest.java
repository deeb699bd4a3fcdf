package dev.eve4j.session;

import static dev.eve4j.session.Harness.type;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.eve4j.EveRuntime;
import dev.eve4j.journal.EventJournal;
import dev.eve4j.journal.FileJournalOptions;
import dev.eve4j.protocol.ErrorCode;
import dev.eve4j.protocol.EveException;
import dev.eve4j.protocol.Requests;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class RetentionTest {
  /** A clock the test moves. */
  static final class TestClock extends Clock {
    volatile Instant now = Instant.parse("2026-11-23T12:00:00Z");

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  private static void assertExpired(Harness h, String id) {
    assertEquals(ErrorCode.SESSION_EXPIRED, assertThrows(EveException.class, () -> h.sessions.tailIndex(id)).code());
    ExecutionException e = assertThrows(ExecutionException.class,
        () -> h.sessions.send(id, Requests.SessionMessage.of("again")).get(5, TimeUnit.SECONDS));
    assertEquals(ErrorCode.SESSION_NOT_ACTIVE, ((EveException) e.getCause()).code());
  }

  @Test
  void sessionsIdleLongerThanTheMaxAgeExpireAndStayExpiredAfterARestart(@TempDir Path dir) throws Exception {
    TestClock clock = new TestClock();
    FileJournalOptions opts = FileJournalOptions.defaults().withClock(clock);
    String old;
    String fresh;
    try (Harness h = new Harness(EveRuntime.builder().clock(clock).journal(EventJournal.file(dir, opts)).build())) {
      old = h.create("old");
      h.read(old, 0, type("session.waiting"));
      clock.now = clock.now.plus(Duration.ofDays(2));
      fresh = h.create("fresh");
      h.read(fresh, 0, type("session.waiting"));
      assertEquals(1, h.sessions.sweep(Retention.none().withMaxAge(Duration.ofDays(1))));
      assertExpired(h, old);
      assertEquals(12, h.sessions.tailIndex(fresh), "kept");
    }
    try (Harness h = new Harness(EveRuntime.builder().clock(clock).journal(EventJournal.file(dir, opts)).build())) {
      assertExpired(h, old);
      h.send(fresh, "still here");
    }
  }

  @Test
  void countAndByteLimitsExpireTheOldestFirst() throws Exception {
    try (Harness h = new Harness(EveRuntime.builder().build())) {
      String a = h.create("a");
      h.read(a, 0, type("session.waiting"));
      String b = h.create("b");
      h.read(b, 0, type("session.waiting"));
      String c = h.create("c");
      h.read(c, 0, type("session.waiting"));
      assertEquals(1, h.sessions.sweep(Retention.none().withMaxSessions(2)));
      assertExpired(h, a);
      assertEquals(12, h.sessions.tailIndex(b), "kept");
      assertEquals(12, h.sessions.tailIndex(c), "kept");
      assertEquals(2, h.sessions.sweep(Retention.none().withMaxBytes(1)), "nothing fits in one byte");
      assertExpired(h, b);
      assertExpired(h, c);
    }
  }

  @Test
  void sessionsActiveInTheSameMillisecondExpireInTheOrderTheyWereMade(@TempDir Path dir) throws Exception {
    TestClock frozen = new TestClock(); // every append at the same instant: the journal's times tie
    EventJournal journal = EventJournal.file(dir, FileJournalOptions.defaults().withClock(frozen));
    try (Harness h = new Harness(EveRuntime.builder().clock(frozen).journal(journal).build())) {
      java.util.List<String> ids = new java.util.ArrayList<>();
      for (int i = 0; i < 6; i++) {
        String id = h.create("s" + i);
        h.read(id, 0, type("session.waiting"));
        ids.add(id);
      }
      assertEquals(3, h.sessions.sweep(Retention.none().withMaxSessions(3)));
      for (int i = 0; i < 3; i++) {
        assertExpired(h, ids.get(i));
      }
      for (int i = 3; i < 6; i++) {
        assertEquals(12, h.sessions.tailIndex(ids.get(i)), "kept: s" + i);
      }
    }
  }
}
