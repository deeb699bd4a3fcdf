package dev.eve4j.servlet;

import com.google.gson.JsonObject;
import dev.eve4j.auth.Principal;
import dev.eve4j.journal.JournalCursor;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One open {@code GET /v1/events} response: a bounded queue filled by the {@link EventsHub} and a
 * single demand-driven write loop that drains it. The loop takes from the queue only while the
 * container says {@code isReady()}, so a client that stops reading leaves events in the queue, and
 * the hub drops the connection when the queue is full. A resumed connection first replays (from the
 * conversation's journal, or from the hub's ring for the all-conversations feed), then drains the
 * queue, skipping what the replay already wrote.
 *
 * <p>Threads: the container calls {@link #onWritePossible} and the listener methods; the hub calls
 * {@link #accepts}, {@link #offer} and {@link #takeWakeUp} on session actor threads (under its lock)
 * and {@link #wake}/{@link #close} after it; timers re-enter through {@link AsyncContext#start}. The
 * {@link #demand} counter lets one thread at a time run the loop, and a wake-up during a run causes
 * one more pass. The response is completed exactly once, and every way it ends (completion, error,
 * client gone, eviction, slow consumer, shutdown) removes the connection from the hub.
 */
final class EventsConnection implements WriteListener, AsyncListener {
  private static final Logger LOG = Logger.getLogger(EventsConnection.class.getName());
  private static final byte[] OPENED = ": connected\n\n".getBytes(StandardCharsets.UTF_8);
  private static final byte[] HEARTBEAT = ": heartbeat\n\n".getBytes(StandardCharsets.UTF_8);

  /** Why the server ends a connection; {@code wire} is written as a final comment when possible. */
  enum Close {
    EVICTED("evicted"), SLOW_CONSUMER("slow-consumer"), SHUTDOWN("shutdown");

    final byte[] comment;

    Close(String wire) {
      this.comment = (": closed " + wire + "\n\n").getBytes(StandardCharsets.UTF_8);
    }
  }

  private final EventsHub hub;
  private final Principal principal;
  /** The one conversation this connection follows, or null for every one the principal may read. */
  private final String conversationKey;
  private final String epoch;
  private final ArrayBlockingQueue<EventsHub.Published> queue;
  private final ScheduledExecutorService timer;
  private final Duration heartbeat;

  private final AtomicInteger demand = new AtomicInteger();
  /** Set by the loop when it parks on an empty queue; whoever clears it must wake the loop. */
  private final AtomicBoolean armed = new AtomicBoolean();
  private volatile AsyncContext async;
  private volatile ServletOutputStream out;
  private volatile Close closeReason;
  private volatile boolean forceEnd;
  private volatile boolean heartbeatDue;
  private volatile boolean closed;
  private volatile ScheduledFuture<?> heartbeatTask;
  private volatile ScheduledFuture<?> forceTask;
  private volatile Replay replay;

  // Loop-confined (guarded by demand).
  private final ArrayDeque<byte[]> pending = new ArrayDeque<>();
  private EventsCursor written;
  private boolean openedSent;
  private boolean needFlush;
  private boolean finishing;

  EventsConnection(EventsHub hub, Principal principal, String conversationKey, int queueCapacity,
      ScheduledExecutorService timer, Duration heartbeat, EventsCursor resumeAfter) {
    this.hub = hub;
    this.principal = principal;
    this.conversationKey = conversationKey;
    this.epoch = hub.epoch();
    this.queue = new ArrayBlockingQueue<>(queueCapacity);
    this.timer = timer;
    this.heartbeat = heartbeat;
    this.written = resumeAfter == null ? new EventsCursor(-1, 0) : resumeAfter;
  }

  // ---- called by the hub (under its lock, on session actor threads: quick, never blocking) ----

  boolean accepts(EventsHub.Published p) {
    return conversationKey != null ? conversationKey.equals(p.sessionId) : principal.mayAccess(p.owner);
  }

  /** False when the queue is full: the hub then drops this connection. */
  boolean offer(EventsHub.Published p) {
    return queue.offer(p);
  }

  /** True when the loop is parked and the caller must {@link #wake} it (outside the hub's lock). */
  boolean takeWakeUp() {
    return armed.get() && armed.compareAndSet(true, false);
  }

  // ---- set-up (the request thread) ------------------------------------------------------------

  /** Replays the conversation's journal from {@code cursor} before the live queue. */
  void replayJournal(JournalCursor cursor) {
    replay = new JournalReplay(cursor);
  }

  /** Replays events the hub still held before the live queue (all-conversations resume). */
  void replayHeld(List<EventsHub.Published> held) {
    if (!held.isEmpty()) {
      replay = new HeldReplay(held.iterator());
    }
  }

  /** Hands the response to the loop; the container calls {@link #onWritePossible} next. */
  void start(AsyncContext async, ServletOutputStream out) {
    this.async = async;
    this.out = out;
    async.addListener(this);
    long nanos = heartbeat.toNanos();
    heartbeatTask = timer.scheduleAtFixedRate(() -> {
      heartbeatDue = true;
      signal();
    }, nanos, nanos, TimeUnit.NANOSECONDS);
    out.setWriteListener(this);
    if (closed) {
      cancelTimers(); // ended before the timer existed
    }
  }

  // ---- the write loop -------------------------------------------------------------------------

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
        LOG.log(Level.FINE, "firehose write failed", t);
        end();
      }
    } while (demand.decrementAndGet() != 0);
  }

  private void loop() throws IOException {
    while (!closed) {
      if (forceEnd) {
        end(); // a dropped client that never read again: give its socket back
        return;
      }
      if (!out.isReady()) {
        return; // the container calls onWritePossible once the client has read enough
      }
      byte[] chunk = next();
      if (chunk != null) {
        out.write(chunk);
        needFlush = true;
        continue;
      }
      if (needFlush) {
        needFlush = false;
        out.flush();
        continue;
      }
      if (finishing) {
        end();
        return;
      }
      armed.set(true);
      if (queue.isEmpty() && !heartbeatDue && closeReason == null) {
        return; // parked: an offer, a heartbeat or a close wakes it
      }
      if (!armed.compareAndSet(true, false)) {
        return; // someone else took the wake-up and will run the loop again
      }
    }
  }

  /** The next bytes to write, or null when there is nothing to write now. */
  private byte[] next() {
    if (!openedSent) {
      openedSent = true;
      return OPENED; // commits the headers at once, so the client knows it is subscribed
    }
    if (finishing) {
      return null;
    }
    Close reason = closeReason;
    if (reason != null) {
      finishing = true;
      return reason.comment;
    }
    while (pending.isEmpty()) {
      Replay r = replay;
      if (r != null) {
        if (!r.next()) {
          r.close();
          replay = null;
        }
        continue;
      }
      EventsHub.Published p = queue.poll();
      if (p == null) {
        break;
      }
      add(conversationKey != null ? p.index : p.seq, p.frames());
    }
    byte[] frame = pending.poll();
    if (frame != null) {
      return frame;
    }
    if (heartbeatDue) {
      heartbeatDue = false;
      return HEARTBEAT;
    }
    return null;
  }

  /** Queues the frames of one event at {@code base}, skipping those a resumed client already has. */
  private void add(long base, List<byte[]> dataFrames) {
    for (int part = 0; part < dataFrames.size(); part++) {
      if (written.covers(base, part)) {
        continue;
      }
      written = new EventsCursor(base, part);
      String id = conversationKey != null ? EventsCursor.keyed(base, part) : EventsCursor.global(epoch, base, part);
      byte[] idLine = ("id: " + id + "\n").getBytes(StandardCharsets.UTF_8);
      byte[] data = dataFrames.get(part);
      byte[] frame = new byte[idLine.length + data.length];
      System.arraycopy(idLine, 0, frame, 0, idLine.length);
      System.arraycopy(data, 0, frame, idLine.length, data.length);
      pending.add(frame);
    }
  }

  // ---- wake-ups and endings -------------------------------------------------------------------

  /** Runs the loop on a container thread (the hub calls this after a successful take of the wake-up). */
  void wake() {
    AsyncContext a = async;
    if (a == null || closed) {
      return; // not started yet: start() runs the loop
    }
    try {
      a.start(this::pump);
    } catch (IllegalStateException completed) {
      cleanup();
    }
  }

  private void signal() {
    if (takeWakeUp()) {
      wake();
    }
  }

  /**
   * Ends the connection for {@code reason}: it leaves the hub at once; the loop writes a final
   * comment when the client can take it and completes the response. A client that does not read
   * again is cut after one heartbeat interval.
   */
  void close(Close reason) {
    if (closed || closeReason != null) {
      return;
    }
    closeReason = reason;
    hub.unregister(this);
    queue.clear();
    try {
      forceTask = timer.schedule(() -> {
        forceEnd = true;
        wake();
      }, heartbeat.toNanos(), TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException shuttingDown) {
      // the servlet is being destroyed: the container ends the connection anyway
    }
    if (closed) {
      cancelTimers();
    }
    // Wake the loop even if it is not parked: a loop blocked on isReady() returns at once.
    armed.set(false);
    wake();
  }

  /** Completes the response once, after releasing everything. */
  private void end() {
    if (cleanup()) {
      try {
        async.complete();
      } catch (IllegalStateException alreadyDone) {
        // the container already ended the request (client gone)
      }
    }
  }

  /** Releases the subscription, timers and any replay once; true for the caller that did it. */
  private boolean cleanup() {
    synchronized (this) {
      if (closed) {
        return false;
      }
      closed = true;
    }
    hub.unregister(this);
    cancelTimers();
    queue.clear();
    Replay r = replay;
    if (r != null) {
      r.close();
    }
    return true;
  }

  private void cancelTimers() {
    ScheduledFuture<?> h = heartbeatTask;
    if (h != null) {
      h.cancel(false);
    }
    ScheduledFuture<?> f = forceTask;
    if (f != null) {
      f.cancel(false);
    }
  }

  @Override
  public void onError(Throwable t) {
    end(); // WriteListener: the client went away. Reading never changes a session.
  }

  @Override
  public void onComplete(AsyncEvent event) {
    cleanup();
  }

  @Override
  public void onTimeout(AsyncEvent event) {
    end();
  }

  @Override
  public void onError(AsyncEvent event) {
    end();
  }

  @Override
  public void onStartAsync(AsyncEvent event) {}

  // ---- replays ----------------------------------------------------------------------------------

  /** A source of events written before the live queue; loop-confined except {@link #close}. */
  private interface Replay {
    /** Adds the next event's frames (maybe none); false when the replay is over. */
    boolean next();

    void close();
  }

  /** The all-conversations feed: the events the hub still held after the resume position. */
  private final class HeldReplay implements Replay {
    private final Iterator<EventsHub.Published> it;

    HeldReplay(Iterator<EventsHub.Published> it) {
      this.it = it;
    }

    @Override
    public boolean next() {
      if (!it.hasNext()) {
        return false;
      }
      EventsHub.Published p = it.next();
      add(p.seq, p.frames());
      return true;
    }

    @Override
    public void close() {}
  }

  /**
   * A conversation feed: its journal from the start of the turn around the resume position (so
   * {@code message_complete} can be rebuilt) up to what is stored now. Events appended meanwhile are
   * in the live queue too; {@link #add} skips those the replay already wrote.
   */
  private final class JournalReplay implements Replay {
    private final JournalCursor cursor;
    private final EventsMapping.TurnTracker tracker = new EventsMapping.TurnTracker();
    private boolean closed;

    JournalReplay(JournalCursor cursor) {
      this.cursor = cursor;
    }

    // Synchronized only because cleanup() may close it from a container thread while the loop reads.
    @Override
    public synchronized boolean next() {
      if (closed) {
        return false;
      }
      long index = cursor.position();
      byte[] line = cursor.poll();
      if (line == null) {
        return false;
      }
      JsonObject event = EventsMapping.parse(line);
      String type = EventsMapping.type(event);
      if (type == null) {
        return true;
      }
      JsonObject data = EventsMapping.data(event);
      EventsMapping.TurnSummary summary = EventsMapping.tracked(type) ? tracker.observe(type, index, data) : null;
      if (EventsMapping.mapped(type) && !written.covers(index, Integer.MAX_VALUE)) {
        add(index, EventsMapping.dataFrames(conversationKey, type, data, summary));
      }
      return true;
    }

    @Override
    public synchronized void close() {
      if (!closed) {
        closed = true;
        cursor.close();
      }
    }
  }
}
