package dev.eve4j.servlet;

import dev.eve4j.EveRuntime;
import dev.eve4j.auth.Principal;
import dev.eve4j.auth.Scopes;
import dev.eve4j.journal.JournalCursor;
import dev.eve4j.protocol.EveException;
import dev.eve4j.session.SessionService;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The event firehose {@code GET /v1/events[?conversationKey=<sessionId>]}: Server-Sent Events of
 * assistant activity (text and reasoning deltas, tool calls and results, approvals and questions
 * waiting, completed and cancelled turns), projected from the canonical journal events. Mount it at
 * {@code /v1/events} with async support on.
 *
 * <p>Each frame is {@code id: <cursor>} and {@code data: {"conversationKey":…,"message":{"type":…}}}.
 * With {@code conversationKey} (an eve session id) the feed carries that conversation; without it,
 * every conversation the caller may read. A reconnect with {@code Last-Event-ID} resumes after that
 * frame with no gap and no duplicate (from the journal for one conversation; from a bounded
 * in-memory buffer for all of them). Needs the {@code chat.read} scope.
 *
 * <p>Connections are bounded ({@link EventsServletOptions}): the oldest is evicted at the cap, and a
 * client that falls more than {@code queueCapacity} events behind is closed; neither ever slows the
 * agent or the other clients. No thread is held per connection. Thread-safe.
 */
public final class EventsServlet extends HttpServlet {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = Logger.getLogger(EventsServlet.class.getName());
  /** Small, so a client that stops reading makes the container report not-ready soon. */
  private static final int RESPONSE_BUFFER_BYTES = 2048;

  private final transient SessionService sessions;
  private final transient EventsServletOptions options;
  private final transient EventsHub hub;
  private final transient ScheduledThreadPoolExecutor timer;
  private transient volatile AutoCloseable subscription;

  public EventsServlet(EveRuntime runtime) {
    this(runtime, EventsServletOptions.defaults());
  }

  public EventsServlet(EveRuntime runtime, EventsServletOptions options) {
    this.sessions = Objects.requireNonNull(runtime, "runtime").sessions();
    this.options = Objects.requireNonNull(options, "options");
    this.hub = new EventsHub(options.maxConnections(), options.resumeBufferSize());
    this.timer = new ScheduledThreadPoolExecutor(1, r -> {
      Thread t = new Thread(r, "eve4j-firehose-timer");
      t.setDaemon(true);
      return t;
    });
    timer.setRemoveOnCancelPolicy(true);
  }

  /** Starts following the runtime's sessions (the container calls it before the first request). */
  @Override
  public void init() {
    if (subscription == null) {
      subscription = sessions.subscribe(hub);
    }
  }

  /** Stops following the sessions, ends every open connection and stops the timer. */
  @Override
  public void destroy() {
    AutoCloseable s = subscription;
    subscription = null;
    if (s != null) {
      try {
        s.close();
      } catch (Exception e) {
        LOG.log(Level.FINE, "unsubscribing the firehose failed", e);
      }
    }
    hub.closeAll(EventsConnection.Close.SHUTDOWN);
    timer.shutdown();
  }

  /** Open firehose connections (subscriptions to the event feed) right now. */
  public int openConnections() {
    return hub.connectionCount();
  }

  @Override
  protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    EventsConnection connection;
    try {
      Principal caller = RequestAuth.require(options.authenticator(), req, Scopes.CHAT_READ);
      connection = subscribe(req, caller);
    } catch (EveException e) {
      Reply.error(e).write(resp);
      return;
    }
    try {
      resp.setStatus(200);
      resp.setBufferSize(RESPONSE_BUFFER_BYTES);
      resp.setContentType("text/event-stream");
      resp.setHeader("cache-control", "no-store, no-transform");
      resp.setHeader("x-accel-buffering", "no");
      AsyncContext async = req.startAsync();
      async.setTimeout(0);
      connection.start(async, resp.getOutputStream());
    } catch (IOException | RuntimeException e) {
      connection.close(EventsConnection.Close.SHUTDOWN);
      throw e;
    }
  }

  /** A stream has no head of its own: HEAD is not served (it would hold a subscription with no body). */
  @Override
  protected void doHead(HttpServletRequest req, HttpServletResponse resp) {
    resp.setStatus(405);
    resp.setHeader("allow", "GET");
  }

  /** Checks the request and registers its connection with the hub (before any byte is written). */
  private EventsConnection subscribe(HttpServletRequest req, Principal caller) {
    String key = req.getParameter("conversationKey");
    if (key != null && key.isEmpty()) {
      throw EveException.badRequest("conversationKey must not be empty.");
    }
    String lastId = req.getHeader("last-event-id");
    boolean resume = lastId != null && !lastId.isBlank();
    EventsCursor after = !resume ? null
        : key != null ? EventsCursor.parseKeyed(lastId) : EventsCursor.parseGlobal(lastId, hub.epoch());
    if (key != null) {
      Optional<String> owner = sessions.owner(key);
      if (owner.isEmpty() || !caller.mayAccess(owner.get())) {
        throw EveException.sessionNotFound(); // another's conversation is indistinguishable from none
      }
    }
    EventsConnection c = new EventsConnection(hub, caller, key, options.queueCapacity(), timer,
        options.heartbeatInterval(), after);
    // Register first, then read history: whatever is appended in between is in the live queue too,
    // and the connection skips what the replay already wrote.
    List<EventsHub.Published> held = hub.register(c, key == null ? after : null);
    if (key == null) {
      c.replayHeld(held);
    } else if (after != null) {
      try {
        JournalCursor cursor = sessions.cursor(key, hub.replayStart(key, after.base()), caller);
        c.replayJournal(cursor);
      } catch (RuntimeException e) {
        hub.unregister(c);
        throw e;
      }
    }
    return c;
  }
}
