package dev.eve4j.journal;

import java.time.Clock;

/** The journal contract, kept in memory. */
class InMemoryEventJournalTest extends EventJournalContractTest {

  @Override
  protected EventJournal newJournal(Clock clock) {
    return new InMemoryEventJournal(clock);
  }
}
