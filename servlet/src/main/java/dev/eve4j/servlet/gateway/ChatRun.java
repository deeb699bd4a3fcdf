package dev.eve4j.servlet.gateway;

import dev.eve4j.journal.JournalCursor;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One {@code POST /chat} response: the per-request orchestrator of the gateway. A demand-driven
 * write loop pulls the session's journal lines through a cursor (from the index where the run's
 * delivery was made, so nothing is missed), maps them with a {@link ChatProjection} and writes SSE
 * frames while the container says it is ready; when the cursor is empty it registers a wake-up
 * and returns. No thread is held while the run waits.
 *
 * <p>The response ends once: after the run's turn ({@code harness_end}, then the session's
 * {@code session.waiting}), or early: the
 * client went away (a failed write, an async error), the servlet is destroyed, or the loop failed.
 * Ending early cancels the run's turn ({@code onAbort}): as the gateway defines it, a run lives as
 * long as its stream. Either way the cursor, the heartbeat timer and the run's open relays are
 * released ({@code onClosed}).
 *
 * <p>Threads: the container calls {@link #onWritePossible} and the listener methods; journal
 * wake-ups and timers re-enter through {@link AsyncContext#start}. The {@link #demand} counter makes
 * sure one thread at a time runs the loop, and that a wake-up arriving during a run causes one more
 * pass.
 */
final class ChatRun implements WriteListener, AsyncListener {
  private static final Logger LOG = Logger.getLogger(ChatRun.class.getName());

  private final AsyncContext async;
  private final ServletOutputStream out;
  private final JournalCursor cursor;
  private final ChatProjection projection;
  private final ScheduledExecutorService timer;
  private final long heartbeatNanos;
  private final Runnable onAbort;
  private final Consumer<ChatRun> onClosed;
  private final String sessionId;

  private final AtomicInteger demand = new AtomicInteger();
  private volatile boolean closed;
  private volatile boolean armed;
  private volatile boolean heartbeatDue;
  private volatile boolean stopRequested;
  private volatile long lastWriteNanos = System.nanoTime();
  private volatile ScheduledFuture<?> heartbeatTask;
  // Loop-confined (guarded by demand).
  private final ArrayDeque<byte[]> pending = new ArrayDeque<>();
  private boolean needFlush;
  private boolean finishing;

  /**
   * @param onAbort cancels the run's turn; called at most once, when the response ends before the
   *     turn did
   * @param onClosed releases what the servlet holds for this run; called exactly once
   */
  ChatRun(String sessionId, AsyncContext async, ServletOutputStream out, JournalCursor cursor,
      ChatProjection projection, ScheduledExecutorService timer, Duration heartbeat, Runnable onAbort,
      Consumer<ChatRun> onClosed) {
    this.sessionId = sessionId;
    this.async = async;
    this.out = out;
    this.cursor = cursor;
    this.projection = projection;
    this.timer = timer;
    this.heartbeatNanos = heartbeat.toNanos();
    this.onAbort = onAbort;
    this.onClosed = onClosed;
    pending.add(projection.connected());
    async.addListener(this);
    heartbeatTask = timer.schedule(this::heartbeatTick, heartbeatNanos, TimeUnit.NANOSECONDS);
  }

  String sessionId() {
    return sessionId;
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
        LOG.log(Level.FINE, "gateway stream of " + sessionId + " failed", t);
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
    while (true) {
      byte[] frame = pending.poll();
      if (frame != null) {
        return frame;
      }
      if (finishing) {
        return null;
      }
      if (stopRequested || projection.done()) {
        finishing = true;
        return null;
      }
      byte[] line = cursor.poll();
      if (line != null) {
        pending.addAll(projection.accept(line));
        continue;
      }
      if (cursor.expired()) {
        pending.addAll(projection.sessionGone());
        continue;
      }
      if (heartbeatDue) {
        heartbeatDue = false;
        return ChatProjection.ping();
      }
      return null;
    }
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

  /** Ends the response: normally after the run's last frame, early (cancelling the turn) otherwise. */
  void finish() {
    if (cleanup()) {
      try {
        async.complete();
      } catch (IllegalStateException alreadyDone) {
        // completed by the container (client gone)
      }
    }
  }

  /** Asks the loop to end the response after what it has written (servlet destroyed). */
  void shutdown() {
    stopRequested = true;
    wake();
  }

  /** Releases the cursor, the timer and the run's relays once; true for the caller that did it. */
  private boolean cleanup() {
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
    try {
      if (!projection.turnOver()) {
        onAbort.run();
      }
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "could not cancel the run of " + sessionId, e);
    } finally {
      onClosed.accept(this);
    }
    return true;
  }

  @Override
  public void onError(Throwable t) {
    // WriteListener: the client went away.
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
