package dev.eve4j.channel;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A {@link WebhookOptions.Scheduler} that records every delay asked for. Running: tasks run at once
 * on a pool (the waits are asserted, not waited). Held: tasks queue until the test runs them.
 */
final class RecordingScheduler implements WebhookOptions.Scheduler, AutoCloseable {
  final List<Duration> delays = new CopyOnWriteArrayList<>();
  private final boolean hold;
  private final BlockingQueue<Runnable> held = new LinkedBlockingQueue<>();
  private final ExecutorService pool = Executors.newCachedThreadPool();

  private RecordingScheduler(boolean hold) {
    this.hold = hold;
  }

  static RecordingScheduler running() {
    return new RecordingScheduler(false);
  }

  static RecordingScheduler held() {
    return new RecordingScheduler(true);
  }

  @Override
  public void schedule(Runnable task, Duration delay) {
    delays.add(delay);
    if (hold) {
      held.add(task);
    } else {
      pool.execute(task);
    }
  }

  /** Runs the next held task on this thread. */
  void runNext() throws InterruptedException {
    Runnable r = held.poll(10, TimeUnit.SECONDS);
    if (r == null) {
      throw new AssertionError("no task was scheduled within 10 s");
    }
    r.run();
  }

  List<Duration> waits() {
    return delays.stream().filter(d -> !d.isZero()).toList();
  }

  @Override
  public void close() {
    pool.shutdownNow();
  }
}
