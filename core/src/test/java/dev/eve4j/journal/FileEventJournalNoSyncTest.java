package dev.eve4j.journal;

import dev.eve4j.journal.FileJournalOptions.Durability;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.io.TempDir;

/** The journal contract, on files, with {@code NONE}. */
class FileEventJournalNoSyncTest extends EventJournalContractTest {
  @TempDir Path dir;
  private final AtomicInteger journals = new AtomicInteger();

  @Override
  protected EventJournal newJournal(Clock clock) {
    return EventJournal.file(dir.resolve("j" + journals.incrementAndGet()),
        FileJournalOptions.defaults().withDurability(Durability.NONE).withClock(clock));
  }
}
