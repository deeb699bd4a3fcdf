package dev.eve4j.session;

import dev.eve4j.agent.Agent;
import dev.eve4j.auth.Principal;
import dev.eve4j.journal.EventJournal;
import dev.eve4j.journal.JournalCursor;
import dev.eve4j.protocol.EveException;
import dev.eve4j.protocol.Ids;
import dev.eve4j.protocol.Requests;
import java.time.Clock;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

/**
 * The registry of sessions and the entry point of every session request. Each session is an
 * actor: no two turns of one session run at once, and a follow-up that arrives during a turn waits
 * for the next turn. Methods return futures that complete once the session has taken the request
 * (never after the work it starts). Thread-safe.
 */
public final class SessionService {
  private final Agent agent;
  private final EventJournal journal;
  private final Clock clock;
  private final Executor pool;
  private final Executor toolPool;
  private final int maxStepsPerTurn;
  private final ConcurrentHashMap<String, Session> sessions = new ConcurrentHashMap<>();
  /** The order sessions were made in (created or recovered): breaks ties of the journal's millisecond times. */
  private final ConcurrentHashMap<String, Long> madeOrder = new ConcurrentHashMap<>();
  private final java.util.concurrent.atomic.AtomicLong made = new java.util.concurrent.atomic.AtomicLong();
  private final java.util.List<SessionEventListener> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final SessionRegistry registry;

  /**
   * @param pool runs the session actors (tasks never block)
   * @param toolPool runs tool functions (which may block)
   * @param maxStepsPerTurn model steps after which a turn fails with {@code STEP_LIMIT_EXCEEDED}
   */
  public SessionService(Agent agent, EventJournal journal, Clock clock, Executor pool, Executor toolPool,
      int maxStepsPerTurn) {
    if (maxStepsPerTurn < 1) {
      throw new IllegalArgumentException("maxStepsPerTurn must be at least 1, was " + maxStepsPerTurn);
    }
    this.toolPool = Objects.requireNonNull(toolPool, "toolPool");
    this.maxStepsPerTurn = maxStepsPerTurn;
    this.agent = Objects.requireNonNull(agent, "agent");
    this.journal = Objects.requireNonNull(journal, "journal");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.pool = Objects.requireNonNull(pool, "pool");
    this.registry = new SessionRegistry(journal);
    recover();
  }

  /** The agent every session of this service runs. */
  public Agent agent() {
    return agent;
  }

  /**
   * Creates a session: parked (prewarm) without a message, else with its first turn queued.
   * Completes with the session id.
   */
  public CompletableFuture<String> create(Requests.CreateSession request) {
    return create(request, Principal.ANONYMOUS);
  }

  /** Creates a session owned by {@code principal} (see {@link Principal#mayAccess}). */
  public CompletableFuture<String> create(Requests.CreateSession request, Principal principal) {
    checkOutputSchema(request.outputSchema());
    String id = Ids.sessionId(clock.millis());
    journal.create(id);
    Session session = newSession(id, principal.subject());
    registry.created(id, principal.subject());
    sessions.put(id, session);
    if (request.prewarm()) {
      return CompletableFuture.completedFuture(id);
    }
    Requests.SessionMessage first = new Requests.SessionMessage(request.message(), null, null,
        request.clientContext(), request.outputSchema());
    return session.deliver(first).thenApply(deliveryId -> id);
  }

  /**
   * Delivers a follow-up (a message or input responses). Completes with the delivery id that the
   * events of its turn carry in {@code meta.deliveryIds}; fails with 409 {@code session_not_active}
   * for unknown, reset or ended sessions.
   */
  public CompletableFuture<String> send(String sessionId, Requests.SessionMessage message) {
    return send(sessionId, message, Principal.ANONYMOUS);
  }

  /** {@link #send(String, Requests.SessionMessage)} as {@code principal}: another's session is not active. */
  public CompletableFuture<String> send(String sessionId, Requests.SessionMessage message, Principal principal) {
    try {
      checkOutputSchema(message.outputSchema());
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    Session s = visible(sessionId, principal);
    if (s == null) {
      return CompletableFuture.failedFuture(EveException.sessionNotActive());
    }
    return s.deliver(message);
  }

  private Session newSession(String id, String owner) {
    madeOrder.put(id, made.incrementAndGet());
    return new Session(id, owner, agent, journal, clock, pool, toolPool, maxStepsPerTurn, listeners, registry);
  }

  /**
   * Finds the sessions a durable journal holds from before a restart. Reads the registry and the
   * last event of each session only; sessions whose last turn was running or parked are replayed.
   */
  private void recover() {
    java.util.Map<String, String> owners = new java.util.LinkedHashMap<>();
    java.util.Map<String, java.util.Map<String, String>> summaries = new java.util.HashMap<>();
    for (com.google.gson.JsonObject e : registry.entries()) {
      String sid = e.get("sessionId").getAsString();
      if ("create".equals(e.get("op").getAsString())) {
        owners.put(sid, e.get("owner").getAsString());
      } else if ("summary".equals(e.get("op").getAsString())) {
        summaries.computeIfAbsent(sid, k -> new java.util.HashMap<>())
            .put(e.get("eventId").getAsString(), e.get("text").getAsString());
      }
    }
    int recovered = 0;
    for (java.util.Map.Entry<String, String> o : owners.entrySet()) {
      String sid = o.getKey();
      if (!journal.contains(sid)) {
        continue; // deleted by retention
      }
      Session s = newSession(sid, o.getValue());
      long tail;
      try {
        tail = journal.tailIndex(sid);
      } catch (EveException expired) {
        s.recoverExpired();
        sessions.put(sid, s);
        continue;
      }
      String lastType = null;
      if (tail >= 0) {
        JournalCursor c = journal.cursor(sid, tail);
        try {
          byte[] line = c.poll();
          lastType = line == null ? null : com.google.gson.JsonParser.parseString(
              new String(line, java.nio.charset.StandardCharsets.UTF_8)).getAsJsonObject().get("type").getAsString();
        } finally {
          c.close();
        }
      }
      s.recover(lastType, summaries.getOrDefault(sid, java.util.Map.of()));
      sessions.put(sid, s);
      recovered++;
    }
    if (recovered > 0) {
      int n = recovered;
      java.util.logging.Logger.getLogger(SessionService.class.getName())
          .info(() -> "recovered " + n + " sessions from the journal");
    }
  }

  /**
   * Expires the sessions that {@code retention} no longer keeps (oldest activity first) and returns
   * how many. Called periodically by the runtime; safe to call from any thread at any time.
   */
  public int sweep(Retention retention) {
    if (!retention.enabled()) {
      return 0;
    }
    java.time.Instant now = clock.instant();
    java.util.List<java.util.Map.Entry<String, dev.eve4j.journal.EventJournal.LogInfo>> live = new java.util.ArrayList<>();
    for (String sid : sessions.keySet()) {
      journal.info(sid).filter(i -> !i.expired()).ifPresent(i -> live.add(java.util.Map.entry(sid, i)));
    }
    // oldest activity first; sessions active in the same millisecond in the order they were made
    live.sort(java.util.Comparator.<java.util.Map.Entry<String, dev.eve4j.journal.EventJournal.LogInfo>, java.time.Instant>
        comparing(e -> e.getValue().lastAppendAt())
        .thenComparing(e -> madeOrder.getOrDefault(e.getKey(), Long.MAX_VALUE)));
    long bytes = live.stream().mapToLong(e -> e.getValue().byteSize()).sum();
    int count = live.size();
    int expired = 0;
    for (java.util.Map.Entry<String, dev.eve4j.journal.EventJournal.LogInfo> e : live) {
      boolean tooOld = retention.maxAge() != null
          && e.getValue().lastAppendAt().plus(retention.maxAge()).isBefore(now);
      boolean tooMany = retention.maxSessions() > 0 && count > retention.maxSessions();
      boolean tooBig = retention.maxBytes() > 0 && bytes > retention.maxBytes();
      if (!tooOld && !tooMany && !tooBig) {
        continue;
      }
      Session s = sessions.remove(e.getKey());
      if (s != null) {
        madeOrder.remove(e.getKey());
        s.expire();
        count--;
        bytes -= e.getValue().byteSize();
        expired++;
      }
    }
    if (expired > 0) {
      int n = expired;
      java.util.logging.Logger.getLogger(SessionService.class.getName())
          .info(() -> "retention expired " + n + " sessions");
    }
    return expired;
  }

  /** A schema that does not compile is a 400 before anything is created or queued. */
  private static void checkOutputSchema(com.google.gson.JsonObject schema) {
    if (schema != null) {
      dev.eve4j.schema.JsonSchema.compile(schema);
    }
  }

  /** Cancels the running turn (the one named, if {@code turnId} is given). */
  public CompletableFuture<ControlOutcome> cancel(String sessionId, Requests.Cancel request) {
    return cancel(sessionId, request, Principal.ANONYMOUS);
  }

  public CompletableFuture<ControlOutcome> cancel(String sessionId, Requests.Cancel request, Principal principal) {
    Session s = visible(sessionId, principal);
    return s == null ? CompletableFuture.completedFuture(ControlOutcome.NOTHING_TO_DO) : s.cancel(request.turnId());
  }

  /** Queues a compaction of the conversation (after any running turn). */
  public CompletableFuture<ControlOutcome> compact(String sessionId) {
    return compact(sessionId, Principal.ANONYMOUS);
  }

  public CompletableFuture<ControlOutcome> compact(String sessionId, Principal principal) {
    Session s = visible(sessionId, principal);
    return s == null ? CompletableFuture.completedFuture(ControlOutcome.NOTHING_TO_DO) : s.compact();
  }

  /** Queues clearing the conversation context (after any running turn). */
  public CompletableFuture<ControlOutcome> clear(String sessionId) {
    return clear(sessionId, Principal.ANONYMOUS);
  }

  public CompletableFuture<ControlOutcome> clear(String sessionId, Principal principal) {
    Session s = visible(sessionId, principal);
    return s == null ? CompletableFuture.completedFuture(ControlOutcome.NOTHING_TO_DO) : s.clear();
  }

  /** Ends the session at once: running work stops, history becomes unavailable (410). */
  public CompletableFuture<ControlOutcome> reset(String sessionId, Requests.Reset request) {
    return reset(sessionId, request, Principal.ANONYMOUS);
  }

  public CompletableFuture<ControlOutcome> reset(String sessionId, Requests.Reset request, Principal principal) {
    Session s = visible(sessionId, principal);
    return s == null ? CompletableFuture.completedFuture(ControlOutcome.NOTHING_TO_DO) : s.reset(request.reason());
  }

  /** The session's state, empty when unknown. */
  public Optional<SessionState> state(String sessionId) {
    Session s = sessions.get(sessionId);
    return s == null ? Optional.empty() : Optional.of(s.state());
  }

  /** Index of the session's last event (-1 when none); 404 unknown, 410 expired. */
  public long tailIndex(String sessionId) {
    return journal.tailIndex(sessionId);
  }

  /** {@link #tailIndex(String)} as {@code principal}: another's session is not found (404). */
  public long tailIndex(String sessionId, Principal principal) {
    checkReadable(sessionId, principal);
    return journal.tailIndex(sessionId);
  }

  /** A cursor over the session's events from {@code startIndex} (>= 0); 404 unknown, 410 expired. */
  public JournalCursor cursor(String sessionId, long startIndex) {
    return journal.cursor(sessionId, startIndex);
  }

  /** {@link #cursor(String, long)} as {@code principal}: another's session is not found (404). */
  public JournalCursor cursor(String sessionId, long startIndex, Principal principal) {
    checkReadable(sessionId, principal);
    return journal.cursor(sessionId, startIndex);
  }

  /** The owner (creator's subject) of a session, empty when unknown. */
  public Optional<String> owner(String sessionId) {
    Session s = sessions.get(sessionId);
    return s == null ? Optional.empty() : Optional.of(s.owner);
  }

  /**
   * Registers a listener for every event appended from now on, to any session. Closing the handle
   * unregisters it.
   */
  public AutoCloseable subscribe(SessionEventListener listener) {
    Objects.requireNonNull(listener, "listener");
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  /** Sessions are private to their owner: another principal (without the admin scope) does not see them. */
  private Session visible(String sessionId, Principal principal) {
    Session s = sessions.get(sessionId);
    return s != null && principal.mayAccess(s.owner) ? s : null;
  }

  private void checkReadable(String sessionId, Principal principal) {
    Session s = sessions.get(sessionId);
    if (s != null && !principal.mayAccess(s.owner)) {
      throw EveException.sessionNotFound();
    }
  }

  /** Stops every session's running work (no events). */
  public void shutdown() {
    sessions.values().forEach(Session::shutdown);
  }
}
