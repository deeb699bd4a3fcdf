package dev.eve4j.session;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs tasks one at a time, in submission order, on a shared pool: the "actor" of one session. No
 * two tasks of one serial executor ever overlap, so the state they touch needs no lock. After a
 * batch it yields the pool thread so one busy session cannot starve the others. Thread-safe.
 */
final class SerialExecutor implements Executor {
  private static final Logger LOG = Logger.getLogger(SerialExecutor.class.getName());
  private static final int BATCH = 64;

  private final Executor pool;
  private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
  private boolean scheduled;

  SerialExecutor(Executor pool) {
    this.pool = pool;
  }

  @Override
  public void execute(Runnable task) {
    synchronized (tasks) {
      tasks.add(task);
      if (scheduled) {
        return;
      }
      scheduled = true;
    }
    pool.execute(this::drain);
  }

  private void drain() {
    for (int i = 0; i < BATCH; i++) {
      Runnable next;
      synchronized (tasks) {
        next = tasks.poll();
        if (next == null) {
          scheduled = false;
          return;
        }
      }
      try {
        next.run();
      } catch (Throwable t) {
        LOG.log(Level.SEVERE, "session task failed", t);
      }
    }
    pool.execute(this::drain);
  }
}
