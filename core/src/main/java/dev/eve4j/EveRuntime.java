package dev.eve4j;

import dev.eve4j.agent.Agent;
import dev.eve4j.journal.EventJournal;
import dev.eve4j.session.Retention;
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
  private final ExecutorService toolPool;
  private final java.util.concurrent.ScheduledExecutorService sweeper;
  private final SessionService sessions;

  private EveRuntime(Builder b) {
    this.agent = b.agent;
    this.journal = b.journal;
    int threads = Math.max(2, java.lang.Runtime.getRuntime().availableProcessors());
    this.pool = Executors.newFixedThreadPool(threads, daemonThreads("eve4j-session-"));
    this.toolPool = Executors.newCachedThreadPool(daemonThreads("eve4j-tool-"));
    this.sessions = new SessionService(agent, journal, b.clock, pool, toolPool, b.maxStepsPerTurn);
    if (b.retention.enabled()) {
      Retention retention = b.retention;
      this.sweeper = Executors.newSingleThreadScheduledExecutor(daemonThreads("eve4j-retention-"));
      long every = b.sweepInterval.toMillis();
      sweeper.scheduleWithFixedDelay(() -> {
        try {
          sessions.sweep(retention);
        } catch (RuntimeException e) {
          java.util.logging.Logger.getLogger(EveRuntime.class.getName())
              .log(java.util.logging.Level.WARNING, "retention sweep failed", e);
        }
      }, every, every, TimeUnit.MILLISECONDS);
    } else {
      this.sweeper = null;
    }
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
    if (sweeper != null) {
      sweeper.shutdownNow();
    }
    sessions.shutdown();
    pool.shutdown();
    try {
      pool.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    pool.shutdownNow();
    toolPool.shutdownNow();
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
    private int maxStepsPerTurn = 20;
    private Retention retention = Retention.none();
    private java.time.Duration sweepInterval = java.time.Duration.ofMinutes(1);

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

    /** Model steps per turn before the turn fails with {@code STEP_LIMIT_EXCEEDED} (default 20). */
    public Builder maxStepsPerTurn(int steps) {
      if (steps < 1) {
        throw new IllegalArgumentException("maxStepsPerTurn must be at least 1, was " + steps);
      }
      this.maxStepsPerTurn = steps;
      return this;
    }

    /** How long history is kept (default: forever), checked every {@code sweepInterval}. */
    public Builder retention(Retention retention, java.time.Duration sweepInterval) {
      this.retention = Objects.requireNonNull(retention, "retention");
      if (sweepInterval.isNegative() || sweepInterval.isZero()) {
        throw new IllegalArgumentException("sweepInterval must be positive, was " + sweepInterval);
      }
      this.sweepInterval = sweepInterval;
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
