package dev.eve4j.servlet.console;

import com.google.gson.JsonObject;
import dev.eve4j.channel.ChannelJson;
import dev.eve4j.channel.OperatorChannel;
import dev.eve4j.journal.JournalCursor;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The console's change feed: every {@link OperatorChannel#onChange change} of the channel, numbered
 * and kept in one bounded ring shared by all connections, read through {@link JournalCursor}s so
 * the firehose's write loop ({@link dev.eve4j.servlet.io.CursorStream}) serves it unchanged.
 *
 * <p>Each change becomes one SSE frame {@code id: <epoch>-<seq>}, {@code event: change}, {@code
 * data: {vesselId, externalId, messageId?, kind}}. A cursor reads only its workspace's frames. A
 * reader that falls more than {@code capacity} changes behind (or resumes from an id of another
 * epoch or one already overwritten) gets one {@code event: reset} frame instead of the lost ones and
 * continues from the oldest change held: the page then re-reads everything, so a slow client costs
 * no memory and never blocks the writers. Publishing runs on the channel's writing thread under the
 * vessel lock: a copy into the ring under a short lock, then the one-shot wake-ups (which only hand
 * the loop to the container). Thread-safe.
 */
final class ConsoleFeed implements AutoCloseable {
  private final String epoch;
  private final Frame[] ring;
  private final Set<Waiter> waiters = new LinkedHashSet<>();
  private final AutoCloseable subscription;
  /** The last assigned sequence (the first change is 1); guarded by this. */
  private long seq;

  private record Frame(long seq, String workspaceId, byte[] bytes) {}

  private record Waiter(Cursor cursor, Runnable wake) {}

  ConsoleFeed(OperatorChannel channel, int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be positive");
    }
    byte[] b = new byte[4];
    new SecureRandom().nextBytes(b);
    this.epoch = HexFormat.of().formatHex(b);
    this.ring = new Frame[capacity];
    this.subscription = channel.onChange(this::publish);
  }

  String epoch() {
    return epoch;
  }

  /** The next sequence a reader starting now would get. */
  synchronized long head() {
    return seq + 1;
  }

  private void publish(String workspaceId, JsonObject change) {
    List<Runnable> wake = new ArrayList<>();
    synchronized (this) {
      long s = ++seq;
      String frame = "id: " + epoch + "-" + s + "\nevent: change\ndata: " + ChannelJson.GSON.toJson(change) + "\n\n";
      ring[(int) (s % ring.length)] = new Frame(s, workspaceId, frame.getBytes(StandardCharsets.UTF_8));
      for (java.util.Iterator<Waiter> it = waiters.iterator(); it.hasNext();) {
        Waiter w = it.next();
        if (w.cursor.workspaceId.equals(workspaceId)) {
          it.remove();
          wake.add(w.wake);
        }
      }
    }
    for (Runnable r : wake) {
      r.run();
    }
  }

  /**
   * A cursor over {@code workspaceId}'s changes: after the frame {@code lastEventId} names when it is
   * still held, else from now on (with a leading {@code reset} when a resume id could not be honoured).
   */
  synchronized Cursor cursor(String workspaceId, String lastEventId) {
    long start = seq + 1;
    boolean reset = false;
    if (lastEventId != null && !lastEventId.isBlank()) {
      long after = parse(lastEventId);
      if (after >= 0 && after <= seq && after + 1 > seq - ring.length) {
        start = after + 1;
      } else {
        reset = true;
      }
    }
    return new Cursor(workspaceId, start, reset);
  }

  private long parse(String id) {
    String prefix = epoch + "-";
    if (!id.startsWith(prefix)) {
      return -1;
    }
    try {
      return Long.parseLong(id.substring(prefix.length()));
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  @Override
  public void close() throws Exception {
    subscription.close();
  }

  /** One reader's position; used by one write loop at a time. */
  final class Cursor implements JournalCursor {
    private final String workspaceId;
    private long next;
    private boolean resetDue;

    private Cursor(String workspaceId, long next, boolean resetDue) {
      this.workspaceId = workspaceId;
      this.next = next;
      this.resetDue = resetDue;
    }

    @Override
    public long position() {
      return next;
    }

    /** The next frame of this workspace (a reset when changes were overwritten), or null. */
    @Override
    public byte[] poll() {
      synchronized (ConsoleFeed.this) {
        long oldest = Math.max(1, seq - ring.length + 1);
        if (next < oldest) {
          next = oldest;
          resetDue = true;
        }
        if (resetDue) {
          resetDue = false;
          return ("id: " + epoch + "-" + (next - 1) + "\nevent: reset\ndata: {}\n\n").getBytes(StandardCharsets.UTF_8);
        }
        while (next <= seq) {
          Frame f = ring[(int) (next % ring.length)];
          next++;
          if (f.workspaceId.equals(workspaceId)) {
            return f.bytes;
          }
        }
        return null;
      }
    }

    @Override
    public boolean expired() {
      return false;
    }

    @Override
    public void awaitNext(Runnable wake) {
      boolean now;
      synchronized (ConsoleFeed.this) {
        now = resetDue || next <= seq;
        if (!now) {
          waiters.add(new Waiter(this, wake));
        }
      }
      if (now) {
        wake.run();
      }
    }

    @Override
    public void close() {
      synchronized (ConsoleFeed.this) {
        waiters.removeIf(w -> w.cursor == this);
      }
    }
  }
}
