package dev.eve4j.servlet;

import dev.eve4j.journal.JournalCursor;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One open {@code /stream} response: a single demand-driven write loop over a journal cursor.
 * Replay and live tail are the same loop. It writes only while {@code isReady()}, and when the
 * cursor is empty it registers a wake-up and returns: no thread waits for events, no lock is held
 * while writing, and a slow client only makes its cursor lag behind the journal.
 *
 * <p>Threads: the container calls {@link #onWritePossible}; journal wake-ups and timers re-enter
 * through {@link AsyncContext#start}. The {@link #demand} counter makes sure one thread at a time
 * runs the loop, and that a wake-up arriving during a run causes one more pass.
 */
final class NdjsonStream implements WriteListener, AsyncListener {
  private static final Logger LOG = Logger.getLogger(NdjsonStream.class.getName());
  private static final byte[] BLANK = "\n".getBytes(StandardCharsets.UTF_8);
  private static final byte[] LEASE_ENDED =
      "{\"$eve\":\"stream.lease-ended\",\"version\":1}\n".getBytes(StandardCharsets.UTF_8);

  private final AsyncContext async;
  private final ServletOutputStream out;
  private final JournalCursor cursor;
  /** Last index to serve for bounded reads; Long.MAX_VALUE when following. */
  private final long endIndex;
  private final ScheduledExecutorService timer;
  private final long heartbeatNanos;
  private final Set<NdjsonStream> registry;

  private final AtomicInteger demand = new AtomicInteger();
  private volatile boolean closed;
  private volatile boolean armed;
  private volatile boolean heartbeatDue;
  private volatile boolean leaseDue;
  private volatile boolean stopRequested;
  private volatile long lastWriteNanos = System.nanoTime();
  private volatile ScheduledFuture<?> heartbeatTask;
  private volatile ScheduledFuture<?> leaseTask;
  // Loop-confined (guarded by demand).
  private boolean initialSent;
  private boolean needFlush;
  private boolean finishing;

  NdjsonStream(AsyncContext async, ServletOutputStream out, JournalCursor cursor, long endIndex,
      ScheduledExecutorService timer, Duration heartbeat, Duration lease, Set<NdjsonStream> registry) {
    this.async = async;
    this.out = out;
    this.cursor = cursor;
    this.endIndex = endIndex;
    this.timer = timer;
    this.heartbeatNanos = heartbeat.toNanos();
    this.registry = registry;
    async.addListener(this);
    registry.add(this);
    if (endIndex == Long.MAX_VALUE) {
      heartbeatTask = timer.schedule(this::heartbeatTick, heartbeatNanos, TimeUnit.NANOSECONDS);
      if (lease != null) {
        leaseTask = timer.schedule(() -> {
          leaseDue = true;
          wake();
        }, lease.toNanos(), TimeUnit.NANOSECONDS);
      }
    }
  }

  /** Hands the response to the loop; the container calls onWritePossible next. */
  void start() {
    out.setWriteListener(this);
  }

  @Override
  public void onWritePossible() {
    pump();
  }

  private void pump() {
    if (demand.getAndIncrement() != 0) {
      return;
    }
    do {
      try {
        loop();
      } catch (Throwable t) {
        LOG.log(Level.FINE, "stream write failed", t);
        finish();
      }
    } while (demand.decrementAndGet() != 0);
  }

  private void loop() throws IOException {
    while (!closed) {
      if (!out.isReady()) {
        return; // the container calls onWritePossible when the client has read enough
      }
      byte[] chunk = next();
      if (chunk != null) {
        out.write(chunk);
        lastWriteNanos = System.nanoTime();
        needFlush = true;
        continue;
      }
      if (needFlush) {
        needFlush = false;
        out.flush();
        continue;
      }
      if (finishing) {
        finish();
        return;
      }
      if (!armed) {
        armed = true;
        cursor.awaitNext(this::onAppended);
      }
      return;
    }
  }

  /** The next bytes to write, or null when there is nothing to write now. */
  private byte[] next() {
    if (!initialSent) {
      initialSent = true;
      return BLANK;
    }
    if (finishing) {
      return null;
    }
    if (stopRequested) {
      finishing = true;
      return null;
    }
    if (leaseDue) {
      finishing = true;
      return LEASE_ENDED;
    }
    if (cursor.position() > endIndex) {
      finishing = true;
      return null;
    }
    byte[] line = cursor.poll();
    if (line != null) {
      return line;
    }
    if (cursor.expired()) {
      finishing = true;
      return null;
    }
    if (heartbeatDue) {
      heartbeatDue = false;
      return BLANK;
    }
    return null;
  }

  private void onAppended() {
    armed = false;
    wake();
  }

  private void wake() {
    if (closed) {
      return;
    }
    try {
      async.start(this::pump);
    } catch (IllegalStateException completed) {
      cleanup();
    }
  }

  private void heartbeatTick() {
    if (closed) {
      return;
    }
    long idle = System.nanoTime() - lastWriteNanos;
    if (idle >= heartbeatNanos - TimeUnit.MILLISECONDS.toNanos(5)) {
      heartbeatDue = true;
      wake();
      heartbeatTask = timer.schedule(this::heartbeatTick, heartbeatNanos, TimeUnit.NANOSECONDS);
    } else {
      heartbeatTask = timer.schedule(this::heartbeatTick, heartbeatNanos - idle, TimeUnit.NANOSECONDS);
    }
  }

  /** Ends the response normally (bounded read done, lease ended, history gone, shutdown). */
  void finish() {
    if (cleanup()) {
      try {
        async.complete();
      } catch (IllegalStateException alreadyDone) {
        // completed by the container (client gone)
      }
    }
  }

  /** Asks the loop to end the response after what it has written (server shutdown). */
  void shutdown() {
    stopRequested = true;
    wake();
  }

  /** Releases the cursor and timers once; true for the caller that did it. */
  private boolean cleanup() {
    if (closed) {
      return false;
    }
    synchronized (this) {
      if (closed) {
        return false;
      }
      closed = true;
    }
    ScheduledFuture<?> h = heartbeatTask;
    if (h != null) {
      h.cancel(false);
    }
    ScheduledFuture<?> l = leaseTask;
    if (l != null) {
      l.cancel(false);
    }
    cursor.close();
    registry.remove(this);
    return true;
  }

  @Override
  public void onError(Throwable t) {
    // WriteListener: the client went away. Reading never changes the session.
    finish();
  }

  @Override
  public void onComplete(AsyncEvent event) {
    cleanup();
  }

  @Override
  public void onTimeout(AsyncEvent event) {
    finish();
  }

  @Override
  public void onError(AsyncEvent event) {
    finish();
  }

  @Override
  public void onStartAsync(AsyncEvent event) {}
}
