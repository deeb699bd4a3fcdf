package dev.eve4j.servlet.gateway;

import dev.eve4j.servlet.io.BodyReader;
import dev.eve4j.servlet.io.Bodies;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.eve4j.EveRuntime;
import dev.eve4j.auth.Authenticator;
import dev.eve4j.auth.Principal;
import dev.eve4j.auth.Scopes;
import dev.eve4j.journal.JournalCursor;
import dev.eve4j.protocol.ErrorCode;
import dev.eve4j.protocol.EveException;
import dev.eve4j.protocol.Json;
import dev.eve4j.protocol.Requests;
import dev.eve4j.session.SessionService;
import dev.eve4j.session.SessionState;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The LLM gateway face: {@code GET /models}, {@code POST /chat} (one agent run streamed as
 * Server-Sent Events) and {@code POST /chat/relay/{relayId}} (answers to the permission requests a
 * run raises), served from the same sessions as the eve routes. Mount it at {@code /models} and
 * {@code /chat/*} with async support on; it routes on the path inside the context.
 *
 * <p>Each {@code /chat} request is its own run ({@link ChatRun}): it creates an eve session owned
 * by the caller (or continues one it names), reads that session's journal from the run's start and
 * streams the run's turn in the gateway vocabulary ({@link ChatProjection}); the response ends with
 * the turn. A client that disconnects ends the run: its turn is cancelled. Relays are the turn's
 * open tool approvals (and questions): {@code relayId} is the eve request id, and an answer is
 * delivered to the session as {@code inputResponses}; each relay is answered at most once.
 *
 * <p>Errors are {@code {"error": "…"}} (500s add the {@code errorId} of the log line) with 400
 * (invalid JSON, a missing or wrong field, an unknown model), 404 (unknown route, session or relay),
 * 409 (the session named is busy with another run), 413 (body too large), 401/403 (auth) or 500.
 * A failure once the stream has started is an {@code error} event.
 *
 * <p>I/O is asynchronous only: bodies are read by a {@link jakarta.servlet.ReadListener} with a
 * size limit, each stream is one {@link jakarta.servlet.WriteListener} loop, and no thread is held
 * per open stream. Thread-safe.
 */
public final class GatewayServlet extends HttpServlet {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = Logger.getLogger(GatewayServlet.class.getName());
  private static final String RELAY_PREFIX = "/chat/relay/";

  private final transient SessionService sessions;
  private final transient GatewayOptions options;
  private final transient String agentId;
  private final transient String modelId;
  private final transient Set<String> modelNames;
  private final transient String models;
  private final transient ScheduledThreadPoolExecutor timer;
  private final transient Set<ChatRun> runs = ConcurrentHashMap.newKeySet();
  private final transient Relays relays = new Relays();

  public GatewayServlet(EveRuntime runtime) {
    this(runtime, GatewayOptions.defaults());
  }

  public GatewayServlet(EveRuntime runtime, GatewayOptions options) {
    Objects.requireNonNull(runtime, "runtime");
    this.options = Objects.requireNonNull(options, "options");
    this.sessions = runtime.sessions();
    this.agentId = runtime.agent().name();
    this.modelId = runtime.agent().model().id();
    int slash = modelId.indexOf('/');
    String provider = slash > 0 ? modelId.substring(0, slash) : "eve4j";
    String name = slash > 0 ? modelId.substring(slash + 1) : modelId;
    this.modelNames = Set.of(modelId, provider + ":" + name, name);
    // One runtime serves one model, so the default is that model whatever DEFAULT_MODEL says; a
    // DEFAULT_MODEL naming another is a configuration mistake worth a line in the log.
    String defaultModel = modelId;
    if (options.defaultModel() != null && !modelNames.contains(options.defaultModel())) {
      LOG.warning(() -> "the default model '" + options.defaultModel() + "' is not served here; the default is "
          + modelId + ", the runtime's model (choose it with EVE4J_MODEL)");
    }
    JsonObject m = new JsonObject();
    m.addProperty("id", modelId);
    m.addProperty("provider", provider);
    JsonArray list = new JsonArray();
    list.add(m);
    JsonObject body = new JsonObject();
    body.add("models", list);
    body.addProperty("defaultModel", defaultModel);
    this.models = Json.toJson(body);
    this.timer = new ScheduledThreadPoolExecutor(1, r -> {
      Thread t = new Thread(r, "eve4j-gateway-timer");
      t.setDaemon(true);
      return t;
    });
    timer.setRemoveOnCancelPolicy(true);
  }

  /** Open {@code /chat} streams right now (each holds one cursor and, while parked, its relays). */
  public int openRuns() {
    return runs.size();
  }

  /** Relays shown to a client and not answered yet. */
  public int openRelays() {
    return relays.size();
  }

  /** Ends every open stream (cancelling its run) and stops the heartbeat timer. */
  @Override
  public void destroy() {
    runs.forEach(ChatRun::shutdown);
    timer.shutdown();
  }

  @Override
  protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    String path = (req.getServletPath() == null ? "" : req.getServletPath())
        + (req.getPathInfo() == null ? "" : req.getPathInfo());
    String method = req.getMethod();
    try {
      if (path.equals("/models") && (method.equals("GET") || method.equals("HEAD"))) {
        require(req, Scopes.SESSIONS_READ);
        byte[] body = models.getBytes(StandardCharsets.UTF_8);
        resp.setStatus(200);
        resp.setContentType("application/json");
        resp.setContentLength(body.length);
        if (method.equals("GET")) {
          resp.getOutputStream().write(body);
        }
      } else if ((path.equals("/chat") || path.equals("/chat/")) && method.equals("POST")) {
        Principal caller = require(req, Scopes.SESSIONS_WRITE);
        withBody(req, resp, (exchange, bytes) -> chat(exchange, ChatRequest.parse(bytes), caller));
      } else if (path.startsWith(RELAY_PREFIX) && path.length() > RELAY_PREFIX.length()
          && path.indexOf('/', RELAY_PREFIX.length()) < 0 && method.equals("POST")) {
        Principal caller = require(req, Scopes.SESSIONS_WRITE);
        String relayId = path.substring(RELAY_PREFIX.length());
        withBody(req, resp, (exchange, bytes) -> exchange.reply(answer(relayId, RelayAnswer.parse(bytes), caller)));
      } else {
        Bodies.closeIfUnread(req, resp);
        error(404, "Not found: " + method + " " + path + ".").write(resp);
      }
    } catch (EveException e) {
      Bodies.closeIfUnread(req, resp);
      error(e).write(resp);
    }
  }

  // ---- POST /chat --------------------------------------------------------------------------

  private void chat(Exchange exchange, ChatRequest request, Principal caller) {
    if (request.model() != null && !modelNames.contains(request.model())) {
      throw EveException.badRequest("Unknown model '" + request.model() + "'. This server serves " + modelId
          + " (GET /models).");
    }
    if (request.sessionId() == null) {
      JsonArray context = null;
      if (!request.context().isEmpty()) {
        context = new JsonArray();
        context.add("The conversation so far:");
        request.context().forEach(context::add);
      }
      sessions.create(new Requests.CreateSession(request.message(), context, null), caller)
          .whenComplete((id, err) -> {
            if (err != null) {
              exchange.fail(err);
            } else {
              exchange.stream(id, 0, null, caller);
            }
          });
      return;
    }
    String id = request.sessionId();
    Optional<String> owner = sessions.owner(id);
    if (owner.isEmpty() || !caller.mayAccess(owner.get())) {
      throw new EveException(ErrorCode.SESSION_NOT_FOUND, "Session '" + id + "' not found.");
    }
    SessionState state = sessions.state(id).orElse(SessionState.RESET);
    if (!state.active()) {
      throw new EveException(ErrorCode.SESSION_NOT_FOUND, "Session '" + id + "' has ended.");
    }
    if (state == SessionState.RUNNING) {
      throw new EveException(ErrorCode.SESSION_NOT_READY, "Session '" + id
          + "' is busy with another run; send the next message after its harness_end.");
    }
    // The run's events follow the current tail; reading from there misses nothing.
    long from = sessions.tailIndex(id, caller) + 1;
    sessions.send(id, new Requests.SessionMessage(request.message(), null, Requests.TurnPolicy.QUEUE, null, null),
        caller).whenComplete((deliveryId, err) -> {
          if (err != null) {
            exchange.fail(err);
          } else {
            exchange.stream(id, from, deliveryId, caller);
          }
        });
  }

  /** Starts the SSE response of a run whose delivery the session has taken. */
  private void startRun(AsyncContext async, HttpServletResponse resp, String sessionId, long from,
      String deliveryId, Principal caller) throws IOException {
    JournalCursor cursor = sessions.cursor(sessionId, from, caller);
    ChatRun[] self = new ChatRun[1];
    ChatProjection projection = new ChatProjection(sessionId, deliveryId, agentId, modelId,
        new ChatProjection.RelaySink() {
          @Override
          public void opened(String relayId, boolean question, List<String> labels) {
            String owner = sessions.owner(sessionId).orElse(caller.subject());
            relays.add(new Relays.Relay(relayId, sessionId, owner, question, labels, self[0]));
          }

          @Override
          public void closed(String relayId) {
            relays.close(relayId);
          }
        });
    resp.setStatus(200);
    resp.setContentType("text/event-stream;charset=utf-8");
    resp.setHeader("cache-control", "no-store, no-transform");
    resp.setHeader("x-accel-buffering", "no");
    ChatRun run = new ChatRun(sessionId, async, resp.getOutputStream(), cursor, projection, timer,
        options.heartbeatInterval(), () -> cancel(sessionId, projection.turnId(), caller), closed -> {
          runs.remove(closed);
          relays.closeAll(closed);
        });
    self[0] = run;
    runs.add(run);
    try {
      run.start();
    } catch (RuntimeException e) {
      run.finish();
      throw e;
    }
  }

  /**
   * Cancels a run's turn. Before its {@code turn.started} was read the id is unknown; the session
   * was idle when the run began, so the running turn is the run's.
   */
  private void cancel(String sessionId, String turnId, Principal caller) {
    sessions.cancel(sessionId, new Requests.Cancel(turnId), caller).whenComplete((outcome, err) -> {
      if (err != null) {
        LOG.log(Level.FINE, "cancelling the run of " + sessionId + " failed", err);
      }
    });
  }

  // ---- POST /chat/relay/{relayId} ----------------------------------------------------------

  private CompletableFuture<JsonObject> answer(String relayId, RelayAnswer answer, Principal caller) {
    Relays.Relay relay = relays.get(relayId);
    if (relay == null || !caller.mayAccess(relay.owner())
        || (answer.sessionId() != null && !answer.sessionId().equals(relay.sessionId()))) {
      throw notFoundRelay(relayId);
    }
    answer.checkFits(relay);
    if (!relays.take(relay)) {
      throw notFoundRelay(relayId);
    }
    Requests.InputResponse response;
    if (relay.question()) {
      boolean option = relay.options().contains(answer.answer());
      response = new Requests.InputResponse(relayId, option ? answer.answer() : null, option ? null : answer.answer());
    } else {
      boolean approved = answer.approved();
      response = new Requests.InputResponse(relayId, approved ? "approve" : "cancel",
          approved ? null : answer.reason());
    }
    return sessions.send(relay.sessionId(), new Requests.SessionMessage(null, List.of(response), null, null, null),
        caller).thenApply(deliveryId -> {
          JsonObject o = new JsonObject();
          o.addProperty("success", true);
          return o;
        });
  }

  private static EveException notFoundRelay(String relayId) {
    return new EveException(ErrorCode.SESSION_NOT_FOUND, "Relay '" + relayId + "' not found or already answered.");
  }

  // ---- plumbing ----------------------------------------------------------------------------

  private Principal require(HttpServletRequest req, String scope) {
    Authenticator authenticator = options.authenticator();
    Principal p = authenticator.authenticate(req.getHeader("authorization"));
    if (!p.hasScope(scope)) {
      throw new EveException(ErrorCode.FORBIDDEN, "Forbidden.");
    }
    return p;
  }

  /** What a route does with a body it has read; may throw {@link EveException} for a 4xx. */
  private interface BodyHandler {
    void handle(Exchange exchange, byte[] body);
  }

  /** Reads the body asynchronously, then runs {@code handler} on it on the container's thread. */
  private void withBody(HttpServletRequest req, HttpServletResponse resp, BodyHandler handler) throws IOException {
    if (req.getContentLengthLong() > options.maxBodyBytes()) {
      Bodies.closeIfUnread(req, resp);
      error(BodyReader.tooLarge(options.maxBodyBytes())).write(resp);
      return;
    }
    AsyncContext async = req.startAsync();
    // No async timeout: a run may wait for an approval for long. A stalled upload is cut by the
    // connector's idle timeout (a read error, answered 400); a stream's heartbeats keep it alive.
    async.setTimeout(0);
    Exchange exchange = new Exchange(async, resp);
    async.addListener(exchange);
    try {
      req.getInputStream().setReadListener(new BodyReader(req.getInputStream(), options.maxBodyBytes(), bytes -> {
        try {
          handler.handle(exchange, bytes);
        } catch (RuntimeException e) {
          exchange.fail(e);
        }
      }, exchange::fail));
    } catch (IOException | RuntimeException e) {
      exchange.fail(e);
    }
  }

  /**
   * One request after its body was read: answered exactly once, with a JSON reply or by handing the
   * response to a {@link ChatRun}.
   */
  private final class Exchange implements AsyncListener {
    private final AsyncContext async;
    private final HttpServletResponse resp;
    private boolean done;

    Exchange(AsyncContext async, HttpServletResponse resp) {
      this.async = async;
      this.resp = resp;
    }

    void reply(CompletableFuture<JsonObject> body) {
      body.whenComplete((o, err) -> {
        if (err != null) {
          fail(err);
        } else {
          send(new Reply(200, o));
        }
      });
    }

    void fail(Throwable err) {
      send(errorReply(err));
    }

    /**
     * Hands the response to a run, on a container thread (the session's actor completed us). If the
     * client went away while the session took the message, the run has no reader: its turn is
     * cancelled at once.
     */
    void stream(String sessionId, long from, String deliveryId, Principal caller) {
      try {
        async.start(() -> {
          synchronized (this) {
            if (done) {
              cancel(sessionId, null, caller);
              return;
            }
            done = true;
          }
          try {
            startRun(async, resp, sessionId, from, deliveryId, caller);
          } catch (IOException | RuntimeException e) {
            cancel(sessionId, null, caller);
            synchronized (this) {
              done = false;
            }
            fail(e);
          }
        });
      } catch (IllegalStateException gone) {
        cancel(sessionId, null, caller);
      }
    }

    private synchronized void send(Reply reply) {
      if (done) {
        return;
      }
      done = true;
      try {
        reply.write(resp);
      } catch (IOException | RuntimeException e) {
        LOG.log(Level.FINE, "could not write reply", e);
      } finally {
        try {
          async.complete();
        } catch (IllegalStateException ignored) {
          // the container already ended the request
        }
      }
    }

    @Override
    public void onTimeout(AsyncEvent event) {
      send(error(400, "Unreadable request body."));
    }

    @Override
    public synchronized void onError(AsyncEvent event) {
      done = true;
    }

    @Override
    public synchronized void onComplete(AsyncEvent event) {
      done = true;
    }

    @Override
    public void onStartAsync(AsyncEvent event) {}
  }

  /** A JSON reply. */
  private record Reply(int status, JsonObject body) {
    void write(HttpServletResponse resp) throws IOException {
      byte[] bytes = Json.toJson(body).getBytes(StandardCharsets.UTF_8);
      resp.setStatus(status);
      if (status == 401) {
        resp.setHeader("www-authenticate", "Bearer");
      }
      resp.setContentType("application/json");
      resp.setContentLength(bytes.length);
      resp.getOutputStream().write(bytes);
    }
  }

  private static Reply error(int status, String message) {
    JsonObject o = new JsonObject();
    o.addProperty("error", message);
    return new Reply(status, o);
  }

  private static Reply error(EveException e) {
    // The session API's "not active" (unknown, another's, ended) is "not found" on this face.
    boolean gone = e.code() == ErrorCode.SESSION_NOT_ACTIVE;
    JsonObject o = new JsonObject();
    o.addProperty("error", gone ? "Session not found." : e.getMessage());
    if (e.errorId() != null) {
      o.addProperty("errorId", e.errorId());
    }
    return new Reply(gone ? 404 : e.code().httpStatus(), o);
  }

  private static Reply errorReply(Throwable err) {
    Throwable cause = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
    if (cause instanceof EveException) {
      return error((EveException) cause);
    }
    String errorId = UUID.randomUUID().toString();
    LOG.log(Level.SEVERE, "gateway request failed (errorId " + errorId + ")", cause);
    return error(new EveException(ErrorCode.INTERNAL, "The request failed.", errorId, cause));
  }
}
