package dev.eve4j;

import dev.eve4j.agent.Agent;
import dev.eve4j.journal.EventJournal;
import dev.eve4j.session.SessionService;
import java.time.Clock;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One eve4j deployment: the agent, the journal and the sessions, shared by every protocol face.
 * Built once by {@link #builder()}; thread-safe; {@link #close()} stops running turns and releases
 * the threads and the journal.
 */
public final class EveRuntime implements AutoCloseable {
  private final Agent agent;
  private final EventJournal journal;
  private final ExecutorService pool;
  private final SessionService sessions;

  private EveRuntime(Builder b) {
    this.agent = b.agent;
    this.journal = b.journal;
    int threads = Math.max(2, java.lang.Runtime.getRuntime().availableProcessors());
    this.pool = Executors.newFixedThreadPool(threads, daemonThreads("eve4j-session-"));
    this.sessions = new SessionService(agent, journal, b.clock, pool);
  }

  public static Builder builder() {
    return new Builder();
  }

  public SessionService sessions() {
    return sessions;
  }

  public Agent agent() {
    return agent;
  }

  @Override
  public void close() {
    sessions.shutdown();
    pool.shutdown();
    try {
      pool.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    pool.shutdownNow();
    journal.close();
  }

  private static ThreadFactory daemonThreads(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  /** Collects the parts of a runtime; {@link #build()} checks them. Not thread-safe. */
  public static final class Builder {
    private Agent agent = Agent.scripted();
    private EventJournal journal;
    private Clock clock = Clock.systemUTC();

    private Builder() {}

    /** The agent every session runs (default: the offline scripted agent). */
    public Builder agent(Agent agent) {
      this.agent = Objects.requireNonNull(agent, "agent");
      return this;
    }

    /** Where events are kept (default: in memory). */
    public Builder journal(EventJournal journal) {
      this.journal = Objects.requireNonNull(journal, "journal");
      return this;
    }

    /** The clock of event timestamps and ids (default: system UTC). */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    public EveRuntime build() {
      if (journal == null) {
        journal = EventJournal.inMemory();
      }
      return new EveRuntime(this);
    }
  }
}
