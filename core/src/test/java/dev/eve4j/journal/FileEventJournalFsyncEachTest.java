package dev.eve4j.journal;

import dev.eve4j.journal.FileJournalOptions.Durability;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.io.TempDir;

/** The journal contract, on files, with {@code FSYNC_EACH}. */
class FileEventJournalFsyncEachTest extends EventJournalContractTest {
  @TempDir Path dir;
  private final AtomicInteger journals = new AtomicInteger();

  @Override
  protected EventJournal newJournal(Clock clock) {
    return EventJournal.file(dir.resolve("j" + journals.incrementAndGet()),
        FileJournalOptions.defaults().withDurability(Durability.FSYNC_EACH).withClock(clock));
  }

  /** One fsync per event: fewer events keep the test short. */
  @Override
  protected int eventsPerSession() {
    return 2_000;
  }
}
