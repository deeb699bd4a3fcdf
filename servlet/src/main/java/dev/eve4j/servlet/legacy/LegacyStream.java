package dev.eve4j.servlet.legacy;

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
 * One open legacy {@code /stream} response: the demand-driven write loop of {@code EveServlet}'s
 * streams (write only while {@code isReady()}, register a journal wake-up when the cursor is empty,
 * no thread held), with the legacy rules for its end.
 *
 * <p>It ends when it is caught up and the last event it saw is a legacy turn boundary. Closing
 * earlier would cost legacy clients a reconnect each time (they retry at once, three times, then
 * report the turn {@code completed}); closing there lets a manual {@code session.stream()} of
 * those clients end, as it only ends on a clean end of the response. It never sends the lease
 * record ({@code $eve}), which these clients would count as an event. Blank-line heartbeats after
 * the configured silence are skipped by every client.
 *
 * <p>Threads: the container calls {@link #onWritePossible}; journal wake-ups and timers re-enter
 * through {@link AsyncContext#start}. The {@link #demand} counter lets one thread at a time run
 * the loop, and a wake-up arriving during a run causes one more pass.
 */
final class LegacyStream implements WriteListener, AsyncListener {
  private static final Logger LOG = Logger.getLogger(LegacyStream.class.getName());
  private static final byte[] BLANK = "\n".getBytes(StandardCharsets.UTF_8);

  private final AsyncContext async;
  private final ServletOutputStream out;
  private final JournalCursor cursor;
  /** The first index to send; events before it only feed the renderer. */
  private final long startIndex;
  private final LegacyRenderer renderer;
  private final ScheduledExecutorService timer;
  private final long heartbeatNanos;
  private final Set<LegacyStream> registry;

  private final AtomicInteger demand = new AtomicInteger();
  private volatile boolean closed;
  private volatile boolean armed;
  private volatile boolean heartbeatDue;
  private volatile boolean stopRequested;
  private volatile long lastWriteNanos = System.nanoTime();
  private volatile ScheduledFuture<?> heartbeatTask;
  // Loop-confined (guarded by demand).
  private boolean initialSent;
  private boolean needFlush;
  private boolean finishing;

  LegacyStream(AsyncContext async, ServletOutputStream out, JournalCursor cursor, long startIndex,
      LegacyRenderer renderer, ScheduledExecutorService timer, Duration heartbeat, Set<LegacyStream> registry) {
    this.async = async;
    this.out = out;
    this.cursor = cursor;
    this.startIndex = startIndex;
    this.renderer = renderer;
    this.timer = timer;
    this.heartbeatNanos = heartbeat.toNanos();
    this.registry = registry;
    async.addListener(this);
    registry.add(this);
    heartbeatTask = timer.schedule(this::heartbeatTick, heartbeatNanos, TimeUnit.NANOSECONDS);
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
        LOG.log(Level.FINE, "legacy stream write failed", t);
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
      return BLANK; // sends the headers at once; every client skips blank lines
    }
    if (finishing) {
      return null;
    }
    if (stopRequested) {
      finishing = true;
      return null;
    }
    for (;;) {
      long index = cursor.position();
      byte[] line = cursor.poll();
      if (line == null) {
        break;
      }
      if (index < startIndex) {
        renderer.skip(index, line);
        continue;
      }
      return renderer.render(index, line);
    }
    if (cursor.expired() || (cursor.position() >= startIndex && renderer.atBoundary())) {
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

  /** Ends the response normally (boundary reached, history gone, shutdown). */
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

  /** Releases the cursor and the timer once; true for the caller that did it. */
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
