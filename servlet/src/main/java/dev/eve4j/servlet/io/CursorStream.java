package dev.eve4j.servlet.io;

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
 * One open streaming response over a journal cursor: a single demand-driven write loop. It writes
 * only while {@code isReady()}, flushes when it has nothing more to say, and when the cursor is
 * empty registers a journal wake-up and returns: no thread waits for events, no lock is held while
 * writing, and a slow client only makes its cursor lag behind the journal. Replay and live tail are
 * the same loop. Subclasses say what to write next ({@link #nextChunk()}) and when to end
 * ({@link #endAfterFlush()}); the base writes one blank line first (sending the headers), blank-line
 * heartbeats after {@code heartbeat} of silence, and completes the response exactly once.
 *
 * <p>Threads: the container calls {@link #onWritePossible}; journal wake-ups and timers re-enter
 * through {@link AsyncContext#start}. The {@code demand} counter lets one thread at a time run the
 * loop, and a wake-up arriving during a run causes one more pass. {@link #nextChunk()} therefore
 * runs on one thread at a time. Shared plumbing of eve4j's servlets: not a stable API.
 */
public abstract class CursorStream implements WriteListener, AsyncListener {
  private static final Logger LOG = Logger.getLogger(CursorStream.class.getName());
  /** A blank line: the first write, and the heartbeat every NDJSON client skips. */
  protected static final byte[] BLANK = "\n".getBytes(StandardCharsets.UTF_8);

  private final AsyncContext async;
  private final ServletOutputStream out;
  /** The journal cursor this stream serves; only {@link #nextChunk()} polls it. */
  protected final JournalCursor cursor;
  private final ScheduledExecutorService timer;
  private final long heartbeatNanos;
  private final Set<CursorStream> registry;

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

  /**
   * @param heartbeat silence after which a blank line is written, or null for none
   * @param registry the open streams of the servlet (this one is added, and removed when it ends)
   */
  protected CursorStream(AsyncContext async, ServletOutputStream out, JournalCursor cursor,
      ScheduledExecutorService timer, Duration heartbeat, Set<CursorStream> registry) {
    this.async = async;
    this.out = out;
    this.cursor = cursor;
    this.timer = timer;
    this.heartbeatNanos = heartbeat == null ? 0 : heartbeat.toNanos();
    this.registry = registry;
    async.addListener(this);
    registry.add(this);
    if (heartbeat != null) {
      heartbeatTask = timer.schedule(this::heartbeatTick, heartbeatNanos, TimeUnit.NANOSECONDS);
    }
  }

  /**
   * The next bytes to write (one whole line), or null when there is nothing to write now. Call
   * {@link #endAfterFlush()} to end the response once what is written has been flushed.
   */
  protected abstract byte[] nextChunk();

  /** Released once when the stream ends, after the cursor is closed (cancel own timers here). */
  protected void onClosed() {}

  /** Ends the response after the bytes written so far. Loop-confined: call from {@link #nextChunk()}. */
  protected final void endAfterFlush() {
    finishing = true;
  }

  /** Runs the loop soon on a container thread (for wake-ups from timers of the subclass). */
  protected final void wake() {
    if (closed) {
      return;
    }
    try {
      async.start(this::pump);
    } catch (IllegalStateException completed) {
      cleanup();
    }
  }

  protected final ScheduledExecutorService timer() {
    return timer;
  }

  /** Hands the response to the loop; the container calls onWritePossible next. */
  public final void start() {
    out.setWriteListener(this);
  }

  /** Asks the loop to end the response after what it has written (server shutdown). */
  public final void shutdown() {
    stopRequested = true;
    wake();
  }

  @Override
  public final void onWritePossible() {
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
    byte[] chunk = nextChunk();
    if (chunk != null || finishing) {
      return chunk;
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

  /** Ends the response now (after a write failure, a timeout, or when the loop is done). */
  public final void finish() {
    if (cleanup()) {
      try {
        async.complete();
      } catch (IllegalStateException alreadyDone) {
        // completed by the container (client gone)
      }
    }
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
    cursor.close();
    registry.remove(this);
    onClosed();
    return true;
  }

  @Override
  public final void onError(Throwable t) {
    // WriteListener: the client went away. Reading never changes the session.
    finish();
  }

  @Override
  public final void onComplete(AsyncEvent event) {
    cleanup();
  }

  @Override
  public final void onTimeout(AsyncEvent event) {
    finish();
  }

  @Override
  public final void onError(AsyncEvent event) {
    finish();
  }

  @Override
  public final void onStartAsync(AsyncEvent event) {}
}
