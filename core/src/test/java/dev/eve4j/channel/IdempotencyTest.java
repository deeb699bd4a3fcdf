package dev.eve4j.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.eve4j.journal.EventJournal;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class IdempotencyTest {
  private TestClock clock;
  private EventJournal journal;
  private OperatorChannel channel;
  private Idempotency keys;
  private String ws;

  @BeforeEach
  void open() {
    clock = new TestClock(Instant.parse("2026-06-01T23:30:00Z"));
    journal = EventJournal.inMemory();
    channel = OperatorChannel.open(journal, ChannelOptions.defaults().withClock(clock));
    keys = channel.idempotency();
    ws = channel.defaultWorkspace().id();
  }

  @Test
  void startedThenInProgressThenReplayed() {
    Idempotency.Started s = assertInstanceOf(Idempotency.Started.class, keys.begin(ws, "k1"));
    assertInstanceOf(Idempotency.InProgress.class, keys.begin(ws, "k1"));
    keys.complete(s, 200, "{\"ok\":true}");
    Idempotency.Replay r = assertInstanceOf(Idempotency.Replay.class, keys.begin(ws, "k1"));
    assertEquals(200, r.status());
    assertEquals("{\"ok\":true}", r.body());
    assertInstanceOf(Idempotency.Started.class, keys.begin(channel.createWorkspace("b").id(), "k1"),
        "keys are per workspace");
  }

  @Test
  void failuresReleaseTheKey() {
    Idempotency.Started s = assertInstanceOf(Idempotency.Started.class, keys.begin(ws, "k"));
    keys.complete(s, 400, "{\"ok\":false}");
    Idempotency.Started again = assertInstanceOf(Idempotency.Started.class, keys.begin(ws, "k"));
    keys.abandon(again);
    assertInstanceOf(Idempotency.Started.class, keys.begin(ws, "k"));
  }

  @Test
  void aCompletedKeyExpiresAfter24Hours() {
    Idempotency.Started s = (Idempotency.Started) keys.begin(ws, "day");
    keys.complete(s, 200, "{}");
    clock.advance(Duration.ofHours(24).minusMillis(1));
    assertInstanceOf(Idempotency.Replay.class, keys.begin(ws, "day"));
    clock.advance(Duration.ofMillis(1));
    assertInstanceOf(Idempotency.Started.class, keys.begin(ws, "day"));
  }

  @Test
  void recordsSurviveARestartAndOldDayLogsAreDeleted() {
    Idempotency.Started s = (Idempotency.Started) keys.begin(ws, "persisted");
    keys.complete(s, 200, "{\"messageId\":\"m\"}");
    Idempotency.Started open = (Idempotency.Started) keys.begin(ws, "never-finished");
    assertEquals(open.key(), "never-finished");
    OperatorChannel reopened = OperatorChannel.open(journal, ChannelOptions.defaults().withClock(clock));
    Idempotency.Replay r = assertInstanceOf(Idempotency.Replay.class, reopened.idempotency().begin(ws, "persisted"));
    assertEquals("{\"messageId\":\"m\"}", r.body());
    assertInstanceOf(Idempotency.Started.class, reopened.idempotency().begin(ws, "never-finished"),
        "claims in progress do not survive a restart");
    clock.advance(Duration.ofHours(49));
    OperatorChannel later = OperatorChannel.open(journal, ChannelOptions.defaults().withClock(clock));
    assertInstanceOf(Idempotency.Started.class, later.idempotency().begin(ws, "persisted"));
    assertEquals(0, journal.sessionIds().stream().filter(id -> id.startsWith(JournalIdempotency.PREFIX)).count());
  }

  @Test
  void keysMustBe1To255Characters() {
    assertEquals(400, assertThrows(ChannelException.class, () -> keys.begin(ws, "")).status());
    assertEquals(400, assertThrows(ChannelException.class, () -> keys.begin(ws, "x".repeat(256))).status());
    assertInstanceOf(Idempotency.Started.class, keys.begin(ws, "x".repeat(255)));
  }
}
