package dev.eve4j.servlet;

import dev.eve4j.journal.JournalCursor;
import dev.eve4j.servlet.io.CursorStream;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.ServletOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One open {@code /eve/v1/.../stream} response (see {@link CursorStream} for the write loop): the
 * events from the cursor's start to {@code endIndex} for bounded reads, or following the journal,
 * with heartbeats, until the lease (only with {@code streamControlVersion=1}) or the history ends.
 */
final class NdjsonStream extends CursorStream {
  private static final byte[] LEASE_ENDED =
      "{\"$eve\":\"stream.lease-ended\",\"version\":1}\n".getBytes(StandardCharsets.UTF_8);

  /** Upper bound of one batched write of whole lines. */
  private static final int BATCH_BYTES = 32 * 1024;
  /** Last index to serve for bounded reads; Long.MAX_VALUE when following. */
  private final long endIndex;
  private volatile boolean leaseDue;
  private volatile ScheduledFuture<?> leaseTask;

  NdjsonStream(AsyncContext async, ServletOutputStream out, JournalCursor cursor, long endIndex,
      ScheduledExecutorService timer, Duration heartbeat, Duration lease, Set<CursorStream> registry) {
    super(async, out, cursor, timer, endIndex == Long.MAX_VALUE ? heartbeat : null, registry);
    this.endIndex = endIndex;
    if (endIndex == Long.MAX_VALUE && lease != null) {
      leaseTask = timer.schedule(() -> {
        leaseDue = true;
        wake();
      }, lease.toNanos(), TimeUnit.NANOSECONDS);
    }
  }

  @Override
  protected byte[] nextChunk() {
    if (leaseDue) {
      endAfterFlush();
      return LEASE_ENDED; // the client reconnects from its cursor at once
    }
    if (cursor.position() > endIndex) {
      endAfterFlush();
      return null;
    }
    byte[] line = cursor.poll();
    if (line == null) {
      if (cursor.expired()) {
        endAfterFlush();
      }
      return null;
    }
    // Replay and bursts: hand the container several whole lines in one write (fewer writes and
    // isReady() round trips); a live tail usually finds one line and writes it at once.
    byte[] next = cursor.position() <= endIndex ? cursor.poll() : null;
    if (next == null) {
      return line;
    }
    // Gather first, then copy once into an array of exactly the right size (no 32 KiB scratch).
    java.util.ArrayList<byte[]> lines = new java.util.ArrayList<>(8);
    lines.add(line);
    int size = line.length;
    while (next != null) {
      lines.add(next);
      size += next.length;
      if (size >= BATCH_BYTES || cursor.position() > endIndex) {
        break;
      }
      next = cursor.poll();
    }
    byte[] batch = new byte[size];
    int at = 0;
    for (byte[] l : lines) {
      System.arraycopy(l, 0, batch, at, l.length);
      at += l.length;
    }
    return batch;
  }

  @Override
  protected void onClosed() {
    ScheduledFuture<?> l = leaseTask;
    if (l != null) {
      l.cancel(false);
    }
  }
}
