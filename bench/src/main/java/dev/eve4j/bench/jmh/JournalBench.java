package dev.eve4j.bench.jmh;

import dev.eve4j.journal.EventJournal;
import dev.eve4j.journal.JournalCursor;
import dev.eve4j.protocol.Event;
import dev.eve4j.protocol.EventData;
import dev.eve4j.protocol.Ids;
import dev.eve4j.protocol.Json;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Micro-benchmarks of the in-memory journal (appends, cursor reads, the wake-up of parked readers)
 * and of what each append costs the session before it (the event id and the line encoding). Run by
 * bench/run through {@code dev.eve4j.bench.BenchMain}; times are ns per operation.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class JournalBench {
  /** A message.appended line as eve4j serves it (233 bytes). */
  static final byte[] LINE = ("{\"type\":\"message.appended\",\"data\":{\"messageDelta\":\"AbCdEf\",\"sequence\":0,"
      + "\"stepIndex\":0,\"turnId\":\"turn_0\"},\"meta\":{\"at\":\"2026-11-23T18:06:59.689Z\","
      + "\"id\":\"evt_01M84SDZ39QKV1EJ5CV9NTTBTY\",\"deliveryIds\":[\"0c474373-282b-4042-b6c6-099741128d93\"]}}\n")
      .getBytes(StandardCharsets.UTF_8);
  static final int LOG_SIZE = 100_000;

  /** One session, recreated every 2^20 appends so that the log (and its array growth) stays bounded. */
  @State(Scope.Thread)
  public static class Appending {
    EventJournal journal;
    String id;
    int appended;

    @Setup(Level.Iteration)
    public void setUp() {
      journal = EventJournal.inMemory();
      id = "wrun_bench";
      journal.create(id);
    }

    void roll() {
      if (++appended == 1 << 20) {
        appended = 0;
        journal.delete(id);
        journal.create(id);
      }
    }

    @TearDown(Level.Iteration)
    public void tearDown() {
      journal.close();
    }
  }

  /** Append one line, nobody waiting (logs of up to 2^20 lines). */
  @Benchmark
  public long append(Appending s) {
    s.roll();
    return s.journal.append(s.id, LINE);
  }

  /** Readers parked at the tail; each wake-up reads to the end and parks again (what a stream does). */
  @State(Scope.Thread)
  public static class Followed {
    @Param({"1", "1000"})
    public int readers;
    EventJournal journal;
    String id = "wrun_bench";
    final List<JournalCursor> cursors = new ArrayList<>();
    long read;

    @Setup(Level.Iteration)
    public void setUp() {
      journal = EventJournal.inMemory();
      journal.create(id);
      for (int i = 0; i < readers; i++) {
        JournalCursor c = journal.cursor(id, 0);
        cursors.add(c);
        c.awaitNext(new Runnable() {
          @Override
          public void run() {
            while (c.poll() != null) {
              read++;
            }
            c.awaitNext(this);
          }
        });
      }
    }

    @TearDown(Level.Iteration)
    public void tearDown() {
      cursors.forEach(JournalCursor::close);
      cursors.clear();
      journal.close();
    }
  }

  /** Append one line and wake every parked reader, each of which reads it (ns per append). */
  @Benchmark
  public long appendAndWake(Followed s) {
    s.journal.append(s.id, LINE);
    return s.read;
  }

  /** A log of 100,000 lines, read from 0 by a new cursor. */
  @State(Scope.Benchmark)
  public static class Filled {
    EventJournal journal;
    String id = "wrun_bench";

    @Setup(Level.Trial)
    public void setUp() {
      journal = EventJournal.inMemory();
      journal.create(id);
      for (int i = 0; i < LOG_SIZE; i++) {
        journal.append(id, LINE);
      }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      journal.close();
    }
  }

  /** Replay: ns per line polled by a cursor over a stored log. */
  @Benchmark
  @OperationsPerInvocation(LOG_SIZE)
  public void cursorRead(Filled s, Blackhole bh) {
    try (JournalCursor c = s.journal.cursor(s.id, 0)) {
      for (byte[] line; (line = c.poll()) != null; ) {
        bh.consume(line);
      }
    }
  }

  /** What the session does per delta before the append: an event id (ULID from SecureRandom). */
  @Benchmark
  public String eventId() {
    return Ids.eventId(System.currentTimeMillis());
  }

  /** ... and the line encoding of a message.appended event. */
  @Benchmark
  public byte[] encodeDelta() {
    return Json.encodeLine(new Event(new EventData.MessageAppended("AbCdEf", 0, 0, "turn_0"),
        new Event.Meta("2026-11-23T18:06:59.689Z", "evt_01M84SDZ39QKV1EJ5CV9NTTBTY",
            List.of("0c474373-282b-4042-b6c6-099741128d93"))));
  }
}
