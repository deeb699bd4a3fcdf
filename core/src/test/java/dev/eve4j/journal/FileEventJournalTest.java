package dev.eve4j.journal;

import static dev.eve4j.journal.EventJournalContractTest.line;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.eve4j.journal.EventJournal.LogInfo;
import dev.eve4j.journal.EventJournalContractTest.TestClock;
import dev.eve4j.journal.FileJournalOptions.Durability;
import dev.eve4j.protocol.ErrorCode;
import dev.eve4j.protocol.EveException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** What only the file journal does: persistence, recovery, the handle bound, group commit. */
class FileEventJournalTest {
  private static final Instant T0 = Instant.parse("2025-03-01T10:00:00Z");

  @TempDir Path temp;
  private Path dir;
  private final TestClock clock = new TestClock(T0);
  private final List<EventJournal> opened = new ArrayList<>();

  @BeforeEach
  void journalDirectory() {
    dir = temp.resolve("journal");
  }

  @AfterEach
  void closeJournals() {
    opened.forEach(EventJournal::close);
  }

  private FileEventJournal open(FileJournalOptions options) {
    FileEventJournal j = (FileEventJournal) EventJournal.file(dir, options.withClock(clock));
    opened.add(j);
    return j;
  }

  /** The policy, with a 1 ms group-commit interval where it applies. */
  private FileEventJournal open(Durability durability) {
    return open(options(durability, FileJournalOptions.DEFAULT_MAX_OPEN_FILES));
  }

  private FileJournalOptions options(Durability durability, int maxOpenFiles) {
    return new FileJournalOptions(durability, Duration.ofMillis(1), maxOpenFiles, clock);
  }

  private Path sessionDir(String id) {
    return dir.resolve("sessions").resolve(String.format("%02x", FileLayout.shardOf(id)))
        .resolve(FileLayout.encodeName(id));
  }

  private Path dataFile(String id) {
    return sessionDir(id).resolve("events.ndjson");
  }

  private Path indexFile(String id) {
    return sessionDir(id).resolve("events.idx");
  }

  private static void settle(EventJournal j) {
    ((FileEventJournal) j).syncNow();
  }

  private static List<byte[]> readAll(EventJournal j, String id, long from) {
    JournalCursor c = j.cursor(id, from);
    List<byte[]> got = new ArrayList<>();
    for (byte[] l; (l = c.poll()) != null; ) {
      got.add(l);
    }
    c.close();
    return got;
  }

  private static void assertLines(List<byte[]> expected, List<byte[]> actual) {
    assertEquals(expected.size(), actual.size(), "number of events");
    for (int i = 0; i < expected.size(); i++) {
      assertArrayEquals(expected.get(i), actual.get(i), "event " + i);
    }
  }

  private List<byte[]> appendSome(EventJournal j, String id, int n) {
    List<byte[]> lines = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      clock.advance(Duration.ofMillis(10));
      byte[] l = line("{\"type\":\"message.appended\",\"data\":{\"i\":" + i + ",\"text\":\"" + "x".repeat(i % 50) + "\"}}");
      lines.add(l);
      j.append(id, l);
    }
    return lines;
  }

  private static long size(List<byte[]> lines) {
    return lines.stream().mapToLong(l -> l.length).sum();
  }

  private void appendBytes(Path file, byte[] bytes) throws IOException {
    Files.write(file, bytes, StandardOpenOption.APPEND);
  }

  // ---- persistence ----------------------------------------------------------------------------------

  @ParameterizedTest
  @EnumSource(Durability.class)
  void eventsIndexesTimesAndExpiryPersistAcrossReopen(Durability durability) {
    FileEventJournal j = open(durability);
    j.create("a");
    Instant createdA = clock.instant();
    List<byte[]> a = appendSome(j, "a", 300); // more than a ring and a read batch hold
    Instant lastA = clock.instant();
    clock.advance(Duration.ofSeconds(1));
    j.create("b");
    List<byte[]> b = appendSome(j, "b", 2);
    j.expire("b");
    j.create("c");
    appendSome(j, "c", 1);
    j.delete("c");
    j.close();

    FileEventJournal r = open(durability);
    assertEquals(Set.of("a", "b"), Set.copyOf(r.sessionIds()));
    assertEquals(299, r.tailIndex("a"));
    assertLines(a, readAll(r, "a", 0));
    assertLines(a.subList(123, 300), readAll(r, "a", 123));
    assertEquals(Optional.of(new LogInfo(createdA, lastA, 300, size(a), false)), r.info("a"));

    assertEquals(ErrorCode.SESSION_EXPIRED, assertThrows(EveException.class, () -> r.tailIndex("b")).code());
    assertEquals(ErrorCode.SESSION_EXPIRED, assertThrows(EveException.class, () -> r.cursor("b", 0)).code());
    assertTrue(r.info("b").orElseThrow().expired());
    assertEquals(2, r.info("b").orElseThrow().eventCount());
    assertEquals(size(b), r.info("b").orElseThrow().byteSize());
    assertFalse(Files.exists(dataFile("b")), "expired history is deleted");
    assertTrue(Files.exists(sessionDir("b").resolve("expired")));
    assertFalse(r.contains("c"));
    assertFalse(Files.exists(sessionDir("c")));

    assertEquals(300, r.append("a", line("{\"after\":\"reopen\"}")));
    r.close();
    FileEventJournal again = open(durability);
    assertEquals(300, again.tailIndex("a"));
    assertArrayEquals(line("{\"after\":\"reopen\"}"), readAll(again, "a", 300).get(0));
  }

  @Test
  void theFilesHoldTheLinesAndTheDocumentedIndex() throws IOException {
    FileEventJournal j = open(Durability.FSYNC_EACH);
    j.create("s");
    List<byte[]> lines = appendSome(j, "s", 3);
    j.close();

    ByteArrayOutputStream all = new ByteArrayOutputStream();
    lines.forEach(all::writeBytes);
    assertArrayEquals(all.toByteArray(), Files.readAllBytes(dataFile("s")));
    ByteBuffer idx = ByteBuffer.wrap(Files.readAllBytes(indexFile("s")));
    assertEquals(32 + 3 * 16, idx.capacity());
    assertEquals(0x45564A49, idx.getInt(0), "magic EVJI");
    assertEquals(1, idx.getInt(4), "version");
    assertEquals(T0.toEpochMilli(), idx.getLong(8), "createdAt");
    assertEquals(3, idx.getLong(16), "checkpoint after a clean close");
    long end = 0;
    for (int i = 0; i < 3; i++) {
      end += lines.get(i).length;
      assertEquals(end, idx.getLong(32 + i * 16), "end offset of line " + i);
      assertEquals(T0.plusMillis(10L * (i + 1)).toEpochMilli(), idx.getLong(32 + i * 16 + 8), "time of line " + i);
    }
  }

  @ParameterizedTest
  @EnumSource(Durability.class)
  void theCheckpointFollowsIdleLogsSoRecoveryReadsOnlyTheirLastBurst(Durability durability) throws IOException {
    FileEventJournal j = open(durability);
    j.create("s");
    appendSome(j, "s", 10);
    settle(j);
    assertEquals(0, headerCheckpoint("s"), "a busy log is left alone");
    j.checkpointAll(false); // what the checkpointer does once the log has been idle for a second
    assertEquals(10, headerCheckpoint("s"));
    appendSome(j, "s", FileLog.CHECKPOINT_EVERY);
    settle(j);
    assertEquals(10 + FileLog.CHECKPOINT_EVERY, headerCheckpoint("s"), "a long burst moves it on the way");
  }

  private long headerCheckpoint(String id) throws IOException {
    return ByteBuffer.wrap(Files.readAllBytes(indexFile(id))).getLong(16);
  }

  @Test
  void openingListsSessionsWithoutOpeningTheirFiles() {
    FileEventJournal j = open(Durability.NONE);
    for (int i = 0; i < 50; i++) {
      j.create("s" + i);
      appendSome(j, "s" + i, 3);
    }
    j.close();
    FileEventJournal r = open(Durability.NONE);
    assertEquals(50, r.sessionIds().size());
    assertTrue(r.contains("s7"));
    assertEquals(0, r.peakOpenChannels(), "no log was read to list them");
    assertEquals(2, r.tailIndex("s7"));
    assertEquals(2, r.peakOpenChannels(), "first use opens that one log");
  }

  // ---- recovery -------------------------------------------------------------------------------------

  @ParameterizedTest
  @EnumSource(Durability.class)
  void aTornLastLineAndIndexEntriesPastTheDataAreCutOff(Durability durability) throws IOException {
    FileEventJournal j = open(durability);
    j.create("s");
    List<byte[]> lines = appendSome(j, "s", 5);
    j.close();
    long dataSize = Files.size(dataFile("s"));
    appendBytes(dataFile("s"), "{\"type\":\"message.appe".getBytes()); // the crash cut this write short
    ByteBuffer extra = ByteBuffer.allocate(32);
    extra.putLong(dataSize + 21).putLong(1L).putLong(dataSize + 400).putLong(2L);
    appendBytes(indexFile("s"), extra.array()); // entries written, data not

    FileEventJournal r = open(durability);
    assertEquals(4, r.tailIndex("s"));
    assertLines(lines, readAll(r, "s", 0));
    assertEquals(dataSize, Files.size(dataFile("s")), "the torn line is cut off");
    assertEquals(32 + 5 * 16, Files.size(indexFile("s")), "entries past the data are cut off");
    assertEquals(5, r.append("s", line("{\"next\":5}")));
    settle(r);
    assertArrayEquals(line("{\"next\":5}"), readAll(r, "s", 5).get(0));
    r.close();
    assertEquals(5, open(durability).tailIndex("s"));
  }

  @Test
  void zerosWhereAWriteNeverLandedEndTheLog() throws IOException {
    FileEventJournal j = open(Durability.FSYNC_EACH);
    j.create("s");
    List<byte[]> lines = appendSome(j, "s", 5);
    j.close();
    long dataSize = Files.size(dataFile("s"));
    // a later line reached the disk but the block before it did not: it reads as zeros
    appendBytes(dataFile("s"), new byte[300]);
    appendBytes(dataFile("s"), line("{\"late\":true}"));

    FileEventJournal r = open(Durability.FSYNC_EACH);
    assertLines(lines, readAll(r, "s", 0));
    assertEquals(dataSize, Files.size(dataFile("s")));
  }

  @Test
  void completeLinesMissingFromTheIndexAreIndexedAgain() throws IOException {
    FileEventJournal j = open(Durability.FSYNC_EACH);
    j.create("s");
    List<byte[]> lines = appendSome(j, "s", 5);
    j.close();
    try (var c = FileChannel.open(indexFile("s"), StandardOpenOption.WRITE)) {
      c.truncate(32 + 3 * 16); // the index lagged: only the data file is fsynced per append
    }
    FileEventJournal r = open(Durability.FSYNC_EACH);
    assertEquals(4, r.tailIndex("s"));
    assertLines(lines, readAll(r, "s", 0));
    assertEquals(32 + 5 * 16, Files.size(indexFile("s")));
  }

  @Test
  void anIndexPointingIntoATruncatedDataFileIsCutBack() throws IOException {
    FileEventJournal j = open(Durability.NONE);
    j.create("s");
    List<byte[]> lines = appendSome(j, "s", 5);
    j.close();
    long keep = size(lines.subList(0, 3));
    try (var c = FileChannel.open(dataFile("s"), StandardOpenOption.WRITE)) {
      c.truncate(keep + 7); // line 3 half there, line 4 not at all
    }
    FileEventJournal r = open(Durability.NONE);
    assertEquals(2, r.tailIndex("s"));
    assertLines(lines.subList(0, 3), readAll(r, "s", 0));
    assertEquals(keep, Files.size(dataFile("s")));
    assertEquals(32 + 3 * 16, Files.size(indexFile("s")));
  }

  @Test
  void aLostIndexIsRebuiltFromTheData() throws IOException {
    FileEventJournal j = open(Durability.FSYNC_EACH);
    j.create("s");
    List<byte[]> lines = appendSome(j, "s", 700);
    j.close();
    Files.delete(indexFile("s"));
    FileEventJournal r = open(Durability.FSYNC_EACH);
    assertEquals(699, r.tailIndex("s"));
    assertLines(lines, readAll(r, "s", 0));
    assertLines(lines.subList(650, 700), readAll(r, "s", 650));
  }

  /** A copy of the directory taken while the journal runs is what a crash of the JVM leaves. */
  @ParameterizedTest
  @EnumSource(Durability.class)
  void aJournalThatWasNeverClosedRecoversEverythingItShowed(Durability durability) throws IOException {
    FileEventJournal j = open(durability);
    j.create("s");
    List<byte[]> lines = appendSome(j, "s", 1000); // checkpoints move on the way: recovery reads the rest
    settle(j);
    Path copy = temp.resolve("crash-copy");
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        if (!p.getFileName().toString().equals("journal.lock")) {
          Files.copy(p, copy.resolve(dir.relativize(p).toString()));
        }
      }
    }
    EventJournal r = EventJournal.file(copy, FileJournalOptions.defaults().withDurability(durability));
    opened.add(r);
    assertEquals(999, r.tailIndex("s"));
    assertLines(lines, readAll(r, "s", 0));
  }

  // ---- expiry and deletion -------------------------------------------------------------------------

  @Test
  void expiredEventsAreDeletedOnceTheLastOpenCursorCloses() {
    FileEventJournal j = open(Durability.NONE);
    j.create("s");
    j.append("s", line("a"));
    j.append("s", line("b"));
    JournalCursor c = j.cursor("s", 0);
    j.expire("s");
    assertTrue(Files.exists(dataFile("s")), "an open cursor still reads the history");
    assertArrayEquals(line("a"), c.poll());
    assertArrayEquals(line("b"), c.poll());
    assertTrue(c.expired());
    c.close();
    assertFalse(Files.exists(dataFile("s")));
    assertFalse(Files.exists(indexFile("s")));
    assertTrue(Files.exists(sessionDir("s").resolve("expired")));
  }

  @Test
  void deleteRemovesTheSessionDirectory() {
    FileEventJournal j = open(Durability.NONE);
    j.create("s");
    j.append("s", line("a"));
    j.delete("s");
    assertFalse(Files.exists(sessionDir("s")));
    j.close();
    assertFalse(open(Durability.NONE).contains("s"));
  }

  // ---- the handle bound ----------------------------------------------------------------------------

  /** FSYNC_EACH shares every handle path with these two; its 10,000 fsyncs would only add minutes. */
  @ParameterizedTest
  @EnumSource(value = Durability.class, names = {"NONE", "GROUP_COMMIT"})
  @Timeout(120)
  void twoThousandSessionsStayWithinSixteenOpenFiles(Durability durability) throws Exception {
    int before = openFileDescriptors();
    FileEventJournal j = open(options(durability, 16));
    int sessions = 2_000;
    int writers = 4;
    int rounds = 3;
    ExecutorService pool = Executors.newFixedThreadPool(writers + 2);
    try {
      List<Future<?>> work = new ArrayList<>();
      CountDownLatch go = new CountDownLatch(1);
      AtomicInteger reads = new AtomicInteger();
      for (int w = 0; w < writers; w++) {
        int first = w;
        work.add(pool.submit(() -> {
          go.await();
          for (int s = first; s < sessions; s += writers) {
            j.create("s" + s);
          }
          for (int round = 0; round < rounds; round++) {
            for (int s = first; s < sessions; s += writers) {
              assertEquals(round, j.append("s" + s, line("s" + s + ":" + round)));
            }
          }
          return null;
        }));
      }
      List<Future<?>> readers = new ArrayList<>();
      for (int r = 0; r < 2; r++) {
        readers.add(pool.submit(() -> {
          go.await();
          while (!work.stream().allMatch(Future::isDone)) {
            String id = "s" + ThreadLocalRandom.current().nextInt(sessions);
            if (j.contains(id)) {
              List<byte[]> got = readAll(j, id, 0);
              for (int i = 0; i < got.size(); i++) {
                assertArrayEquals(line(id + ":" + i), got.get(i));
              }
              reads.incrementAndGet();
            }
          }
          return null;
        }));
      }
      go.countDown();
      for (Future<?> f : work) {
        f.get(100, TimeUnit.SECONDS);
      }
      for (Future<?> f : readers) {
        f.get(100, TimeUnit.SECONDS);
      }
      assertTrue(reads.get() > 0, "readers ran alongside the writers");
    } finally {
      pool.shutdownNow();
    }
    settle(j);
    for (int s = 0; s < sessions; s++) {
      List<byte[]> got = readAll(j, "s" + s, 0);
      assertEquals(rounds, got.size(), "events of s" + s);
      for (int i = 0; i < rounds; i++) {
        assertArrayEquals(line("s" + s + ":" + i), got.get(i));
      }
    }
    assertTrue(j.peakOpenChannels() <= 16, "peak " + j.peakOpenChannels());
    if (before >= 0) {
      int growth = openFileDescriptors() - before;
      // 16 channels + the lock file; the slack is for jars the JVM may open meanwhile
      assertTrue(growth <= 16 + 1 + 8, "file descriptors grew by " + growth);
    }
  }

  private static int openFileDescriptors() {
    Path fds = Path.of("/proc/self/fd");
    if (!Files.isDirectory(fds)) {
      return -1;
    }
    try (Stream<Path> s = Files.list(fds)) {
      return (int) s.count();
    } catch (IOException e) {
      return -1;
    }
  }

  // ---- durability policies -------------------------------------------------------------------------

  @Test
  void groupCommitShowsNothingBeforeTheFlusherHasFsyncedIt() {
    FileEventJournal j = open(FileJournalOptions.defaults().withGroupCommit(Duration.ofHours(1)));
    j.create("s");
    JournalCursor c = j.cursor("s", 0);
    AtomicInteger wakes = new AtomicInteger();
    c.awaitNext(wakes::incrementAndGet);
    assertEquals(0, j.append("s", line("a")));
    assertEquals(1, j.append("s", line("b")));

    assertEquals(0, j.durableCount("s"));
    assertEquals(-1, j.tailIndex("s"));
    assertNull(c.poll());
    assertEquals(0, wakes.get());
    assertEquals(0, j.info("s").orElseThrow().eventCount());
    long forces = j.forceCount();

    j.syncNow(); // the flusher's pass, on this thread
    assertEquals(forces + 1, j.forceCount(), "one fsync for the pass");
    assertEquals(2, j.durableCount("s"));
    assertEquals(1, wakes.get());
    assertEquals(1, j.tailIndex("s"));
    assertArrayEquals(line("a"), c.poll());
    assertArrayEquals(line("b"), c.poll());

    for (int i = 0; i < 100; i++) {
      j.append("s", line("more" + i));
    }
    assertNull(c.poll());
    j.syncNow();
    assertEquals(forces + 2, j.forceCount(), "a hundred appends, one fsync");
    assertArrayEquals(line("more0"), c.poll());
  }

  @Test
  @Timeout(60)
  void underGroupCommitNoReaderEverRunsAheadOfTheFsync() throws Exception {
    FileEventJournal j = open(FileJournalOptions.defaults().withGroupCommit(Duration.ofMillis(1)));
    int sessions = 3;
    int perSession = 3_000;
    ExecutorService pool = Executors.newFixedThreadPool(sessions * 3);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<?>> all = new ArrayList<>();
      for (int s = 0; s < sessions; s++) {
        String sid = "s" + s;
        j.create(sid);
        for (int r = 0; r < 2; r++) {
          all.add(pool.submit(() -> {
            JournalCursor c = j.cursor(sid, 0);
            go.await();
            Semaphore wake = new Semaphore(0);
            while (c.position() < perSession) {
              byte[] l = c.poll();
              if (l == null) {
                c.awaitNext(wake::release);
                assertTrue(wake.tryAcquire(10, TimeUnit.SECONDS), "woken at " + c.position());
                continue;
              }
              long index = c.position() - 1;
              long durable = j.durableCount(sid);
              assertTrue(index < durable, "read event " + index + " with only " + durable + " fsynced");
              assertArrayEquals(line(sid + ":" + index), l);
            }
            c.close();
            return null;
          }));
        }
        all.add(pool.submit(() -> {
          go.await();
          for (int i = 0; i < perSession; i++) {
            j.append(sid, line(sid + ":" + i));
          }
          return null;
        }));
      }
      go.countDown();
      for (Future<?> f : all) {
        f.get(50, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void fsyncEachFsyncsBeforeAppendReturns() {
    FileEventJournal j = open(Durability.FSYNC_EACH);
    j.create("s");
    long forces = j.forceCount();
    for (int i = 0; i < 10; i++) {
      j.append("s", line("e" + i));
      assertEquals(forces + i + 1, j.forceCount());
      assertEquals(i + 1, j.durableCount("s"));
      assertEquals(i, j.tailIndex("s"));
    }
  }

  @Test
  void noSyncNeverFsyncsAndShowsAtOnce() {
    FileEventJournal j = open(Durability.NONE);
    j.create("s");
    j.append("s", line("a"));
    assertEquals(0, j.tailIndex("s"));
    j.close();
    assertEquals(0, j.forceCount());
  }

  // ---- robustness ----------------------------------------------------------------------------------

  @Test
  void anInterruptedReaderFailsAloneAndTheLogKeepsWorking() {
    FileEventJournal j = open(Durability.NONE);
    j.create("s");
    List<byte[]> lines = appendSome(j, "s", 300);
    JournalCursor c = j.cursor("s", 0); // event 0 is no longer in the ring: it is read from the file
    Thread.currentThread().interrupt();
    UncheckedIOException e;
    try {
      e = assertThrows(UncheckedIOException.class, c::poll);
    } finally {
      Thread.interrupted();
    }
    assertInstanceOf(ClosedByInterruptException.class, e.getCause());
    assertLines(lines, readAll(j, "s", 0)); // the channel the interrupt closed was reopened
    assertEquals(300, j.append("s", line("after")));
  }

  @Test
  void anySessionIdNamesADirectoryAndSurvivesReopen() {
    Set<String> ids = Set.of("../escape", "a/b\\c", "ünï cødé", "CON", "a%41", ".", "ses_01JABCDEF");
    FileEventJournal j = open(Durability.NONE);
    for (String id : ids) {
      j.create(id);
      j.append(id, line(id.length() + ""));
    }
    j.close();
    FileEventJournal r = open(Durability.NONE);
    assertEquals(ids, Set.copyOf(r.sessionIds()));
    for (String id : ids) {
      assertArrayEquals(line(id.length() + ""), readAll(r, id, 0).get(0));
    }
    try (Stream<Path> s = Files.list(dir)) {
      assertEquals(Set.of("journal.lock", "sessions", "trash"),
          Set.copyOf(s.map(p -> p.getFileName().toString()).toList()), "nothing escaped the directory");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void aSecondJournalOnTheSameDirectoryIsRefused() {
    open(Durability.NONE);
    assertThrows(IllegalStateException.class, () -> open(Durability.NONE));
  }

  @Test
  void onlyWholeNdjsonLinesAreAccepted() {
    FileEventJournal j = open(Durability.NONE);
    j.create("s");
    assertThrows(IllegalArgumentException.class, () -> j.append("s", "{}".getBytes()));
    assertThrows(IllegalArgumentException.class, () -> j.append("s", "{}\n{}\n".getBytes()));
    assertThrows(IllegalArgumentException.class, () -> j.append("s", "{\0}\n".getBytes()));
    assertEquals(-1, j.tailIndex("s"), "a rejected line changes nothing");
  }

  @Test
  void optionsRejectBadValues() {
    FileJournalOptions d = FileJournalOptions.defaults();
    assertEquals(Durability.GROUP_COMMIT, d.durability());
    assertEquals(Duration.ofMillis(25), d.groupCommitInterval());
    assertThrows(IllegalArgumentException.class, () -> d.withMaxOpenFiles(1));
    assertThrows(IllegalArgumentException.class, () -> d.withGroupCommit(Duration.ZERO));
    assertThrows(NullPointerException.class, () -> d.withClock(null));
  }
}
