package dev.eve4j.servlet;

import com.google.gson.JsonObject;
import dev.eve4j.protocol.Event;
import dev.eve4j.protocol.EveException;
import dev.eve4j.session.SessionEventListener;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The firehose's fan-out: sees every appended event of every session (as a {@link
 * SessionEventListener}, on the session's actor thread) and hands the mapped ones to the open
 * connections.
 *
 * <p>What runs on an actor is bounded and never waits on a client: a type check, a {@link
 * Published} record, a slot in the resume ring, and per open connection a filter test and a
 * non-blocking offer to its bounded queue. Mapping to JSON happens later, once per event, on the
 * first connection thread that writes it. A connection whose queue is full is dropped from the fan-out
 * there and then (and told to close); it never slows the agent or the other connections.
 *
 * <p>Publishing, registering and the resume snapshot share one short lock, so every connection sees
 * events in one global order and a resume snapshot plus the live tail has neither a gap nor a
 * duplicate. Nothing that can block or call out to the container runs under it. Thread-safe.
 */
final class EventsHub implements SessionEventListener {
  private static final Logger LOG = Logger.getLogger(EventsHub.class.getName());

  /** Numbers this instance's global sequence, so ids from before a restart are recognised as gone. */
  private final String epoch;
  private final int maxConnections;
  /** The last {@code ring.length} published events, slot {@code seq % length}; guarded by this. */
  private final Published[] ring;
  /** Open connections, oldest first; guarded by this. */
  private final List<EventsConnection> connections = new ArrayList<>();
  /** Last assigned global sequence (the first event is 1); guarded by this. */
  private long seq;
  private volatile int connectionCount;
  private final ConcurrentHashMap<String, EventsMapping.TurnTracker> turns = new ConcurrentHashMap<>();

  EventsHub(int maxConnections, int resumeBufferSize) {
    this.maxConnections = maxConnections;
    this.ring = new Published[resumeBufferSize];
    this.epoch = randomEpoch();
  }

  String epoch() {
    return epoch;
  }

  int connectionCount() {
    return connectionCount;
  }

  /**
   * The index to start a conversation replay from so that {@code message_complete} can be rebuilt:
   * the start of the latest turn if it is at or before {@code index}, else 0.
   */
  long replayStart(String sessionId, long index) {
    EventsMapping.TurnTracker t = turns.get(sessionId);
    long start = t == null ? -1 : t.turnStart();
    return start >= 0 && start <= index ? start : 0;
  }

  // ---- the session feed (actor threads) ---------------------------------------------------

  @Override
  public void onEvent(String sessionId, String owner, long index, Event event, byte[] line) {
    String type = event.type();
    boolean mapped = EventsMapping.mapped(type);
    EventsMapping.TurnSummary summary = null;
    if (EventsMapping.tracked(type)) {
      // Only two tracked types carry data the summary needs; the others are not parsed here.
      JsonObject data = type.equals("message.completed") || type.equals("result.completed")
          ? EventsMapping.data(EventsMapping.parse(line)) : new JsonObject();
      summary = turns.computeIfAbsent(sessionId, k -> new EventsMapping.TurnTracker()).observe(type, index, data);
    } else if (type.equals("session.completed")) {
      turns.remove(sessionId);
    }
    if (mapped) {
      publish(sessionId, owner, index, type, line, summary);
    }
  }

  private void publish(String sessionId, String owner, long index, String type, byte[] line,
      EventsMapping.TurnSummary summary) {
    List<EventsConnection> wake = null;
    List<EventsConnection> overflowed = null;
    synchronized (this) {
      Published p = new Published(++seq, sessionId, owner, index, type, line, summary);
      ring[(int) (p.seq % ring.length)] = p;
      for (int i = 0; i < connections.size(); ) {
        EventsConnection c = connections.get(i);
        if (!c.accepts(p)) {
          i++;
        } else if (c.offer(p)) {
          if (c.takeWakeUp()) {
            (wake == null ? wake = new ArrayList<>(4) : wake).add(c);
          }
          i++;
        } else {
          connections.remove(i);
          (overflowed == null ? overflowed = new ArrayList<>(1) : overflowed).add(c);
        }
      }
      connectionCount = connections.size();
    }
    if (overflowed != null) {
      for (EventsConnection c : overflowed) {
        c.close(EventsConnection.Close.SLOW_CONSUMER);
      }
    }
    if (wake != null) {
      for (EventsConnection c : wake) {
        c.wake();
      }
    }
  }

  // ---- connections (container threads) ------------------------------------------------------

  /**
   * Adds a connection to the fan-out, evicting the oldest one when the cap is reached. With {@code
   * resumeAfter} (all-conversations feed only), returns the held events after that position that the
   * connection may see; they precede everything it is offered afterwards.
   *
   * @throws EveException 410 when the events after {@code resumeAfter} are no longer held, 400 when
   *     the position was never issued
   */
  List<Published> register(EventsConnection c, EventsCursor resumeAfter) {
    EventsConnection evicted = null;
    List<Published> backlog = List.of();
    synchronized (this) {
      if (resumeAfter != null) {
        backlog = heldSince(c, resumeAfter);
      }
      if (connections.size() >= maxConnections) {
        evicted = connections.remove(0);
      }
      connections.add(c);
      connectionCount = connections.size();
    }
    if (evicted != null) {
      evicted.close(EventsConnection.Close.EVICTED);
    }
    return backlog;
  }

  /** Guarded by this. The resume position's own event is included: its later parts may be unsent. */
  private List<Published> heldSince(EventsConnection c, EventsCursor after) {
    if (after.base() > seq) {
      throw EveException.badRequest("Last-Event-ID is ahead of this feed.");
    }
    long oldest = Math.max(1, seq - ring.length + 1);
    if (after.base() < oldest) {
      throw EventsCursor.gone();
    }
    List<Published> out = new ArrayList<>();
    for (long s = Math.max(after.base(), 1); s <= seq; s++) {
      Published p = ring[(int) (s % ring.length)];
      if (c.accepts(p)) {
        out.add(p);
      }
    }
    return out;
  }

  /** Removes a connection from the fan-out (it ended or was dropped). Idempotent. */
  void unregister(EventsConnection c) {
    synchronized (this) {
      if (connections.remove(c)) {
        connectionCount = connections.size();
      }
    }
  }

  /** Closes every connection (server shutdown). */
  void closeAll(EventsConnection.Close reason) {
    List<EventsConnection> all;
    synchronized (this) {
      all = new ArrayList<>(connections);
      connections.clear();
      connectionCount = 0;
    }
    for (EventsConnection c : all) {
      try {
        c.close(reason);
      } catch (RuntimeException e) {
        LOG.log(Level.FINE, "closing a firehose connection failed", e);
      }
    }
  }

  private static String randomEpoch() {
    long v = new SecureRandom().nextLong() >>> 24; // 40 bits: 8 base-36 digits at most
    return Long.toString(v, 36);
  }

  /**
   * One mapped canonical event as the fan-out carries it: where it comes from, its global sequence,
   * and its data frames, mapped on first use and then shared by every connection. Thread-safe.
   */
  static final class Published {
    final long seq;
    final String sessionId;
    final String owner;
    final long index;
    private final String type;
    private final EventsMapping.TurnSummary summary;
    private byte[] line; // dropped once mapped
    private List<byte[]> frames;

    Published(long seq, String sessionId, String owner, long index, String type, byte[] line,
        EventsMapping.TurnSummary summary) {
      this.seq = seq;
      this.sessionId = sessionId;
      this.owner = owner;
      this.index = index;
      this.type = type;
      this.line = line;
      this.summary = summary;
    }

    /** The {@code data:} frames of this event (often one, sometimes none), mapped once. */
    synchronized List<byte[]> frames() {
      if (frames == null) {
        frames = List.copyOf(EventsMapping.dataFrames(sessionId, type,
            EventsMapping.data(EventsMapping.parse(line)), summary));
        line = null;
      }
      return frames;
    }
  }
}
