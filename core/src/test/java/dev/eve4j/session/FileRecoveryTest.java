package dev.eve4j.session;

import dev.eve4j.journal.EventJournal;
import dev.eve4j.journal.FileJournalOptions;
import java.nio.file.Path;
import java.util.function.Supplier;
import org.junit.jupiter.api.io.TempDir;

/**
 * The restart cases on the durable file journal: each runtime opens the directory anew and closes
 * it (and its lock) when it stops, as a restarted process does.
 */
class FileRecoveryTest extends RecoveryTest {
  @TempDir
  Path dir;

  @Override
  Supplier<EventJournal> journals() {
    return () -> EventJournal.file(dir.resolve("journal"), FileJournalOptions.defaults());
  }
}
