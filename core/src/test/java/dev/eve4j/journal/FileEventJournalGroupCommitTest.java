package dev.eve4j.journal;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.io.TempDir;

/** The journal contract, on files, with {@code GROUP_COMMIT}. */
class FileEventJournalGroupCommitTest extends EventJournalContractTest {
  @TempDir Path dir;
  private final AtomicInteger journals = new AtomicInteger();

  @Override
  protected EventJournal newJournal(Clock clock) {
    return EventJournal.file(dir.resolve("j" + journals.incrementAndGet()),
        FileJournalOptions.defaults().withGroupCommit(Duration.ofMillis(2)).withClock(clock));
  }

  /** Shows every appended event now, instead of at the flusher's next pass. */
  @Override
  protected void settle(EventJournal journal) {
    ((FileEventJournal) journal).syncNow();
  }
}
