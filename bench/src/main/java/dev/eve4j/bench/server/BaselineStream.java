package dev.eve4j.bench.server;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import java.io.IOException;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One baseline stream: the same write loop as eve4j's {@code NdjsonStream} (an initial blank line,
 * write while {@code isReady()}, whole lines batched up to 32 KiB per write, flush once caught up,
 * a blank line after the heartbeat interval of silence, wake-ups through {@link
 * AsyncContext#start}) over a {@link Topic} of precomputed lines instead of a journal cursor. Keep
 * it in step with {@code NdjsonStream}, or the comparison measures the difference. The {@link #demand} counter keeps the loop on one thread at a
 * time.
 */
final class BaselineStream implements WriteListener, AsyncListener {
  private static final byte[] BLANK = {'\n'};
  private static final int BATCH_BYTES = 32 * 1024;

  private final AsyncContext async;
  private final ServletOutputStream out;
  private final Topic topic;
  private final int endIndex;
  private final ScheduledExecutorService timer;
  private final long heartbeatNanos;
  private final Set<BaselineStream> registry;
  private final Runnable onAppended = this::onAppended;

  private final AtomicInteger demand = new AtomicInteger();
  private volatile boolean closed;
  private volatile boolean armed;
  private volatile boolean heartbeatDue;
  private volatile long lastWriteNanos = System.nanoTime();
  private volatile ScheduledFuture<?> heartbeatTask;
  // Loop-confined.
  private int position;
  private boolean initialSent;
  private boolean needFlush;
  private boolean finishing;

  BaselineStream(AsyncContext async, ServletOutputStream out, Topic topic, int start, int endIndex,
      ScheduledExecutorService timer, long heartbeatNanos, Set<BaselineStream> registry) {
    this.async = async;
    this.out = out;
    this.topic = topic;
    this.position = start;
    this.endIndex = endIndex;
    this.timer = timer;
    this.heartbeatNanos = heartbeatNanos;
    this.registry = registry;
    async.addListener(this);
    registry.add(this);
    if (endIndex == Integer.MAX_VALUE) {
      heartbeatTask = timer.schedule(this::heartbeatTick, heartbeatNanos, TimeUnit.NANOSECONDS);
    }
  }

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
        finish();
      }
    } while (demand.decrementAndGet() != 0);
  }

  private void loop() throws IOException {
    while (!closed) {
      if (!out.isReady()) {
        return;
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
        topic.await(position, onAppended);
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
    if (position > endIndex) {
      finishing = true;
      return null;
    }
    int size = topic.size();
    if (position < size) {
      byte[] line = topic.line(position++);
      if (position >= size || position > endIndex) {
        return line;
      }
      // As eve4j's loop does: several whole lines (up to 32 KiB) in one write during replay and
      // bursts; a live tail finds one line and writes it at once.
      int from = position - 1;
      int bytes = line.length;
      while (position < size && position <= endIndex && bytes < BATCH_BYTES) {
        bytes += topic.line(position++).length;
      }
      byte[] batch = new byte[bytes];
      int at = 0;
      for (int i = from; i < position; i++) {
        byte[] l = topic.line(i);
        System.arraycopy(l, 0, batch, at, l.length);
        at += l.length;
      }
      return batch;
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

  void finish() {
    if (cleanup()) {
      try {
        async.complete();
      } catch (IllegalStateException alreadyDone) {
        // the client is gone
      }
    }
  }

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
    topic.remove(onAppended);
    registry.remove(this);
    return true;
  }

  @Override
  public void onError(Throwable t) {
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
