package dev.eve4j.servlet.legacy;

import dev.eve4j.servlet.io.BodyReader;
import dev.eve4j.servlet.io.CursorStream;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.eve4j.EveRuntime;
import dev.eve4j.auth.Principal;
import dev.eve4j.auth.Scopes;
import dev.eve4j.journal.JournalCursor;
import dev.eve4j.protocol.ErrorCode;
import dev.eve4j.protocol.EveException;
import dev.eve4j.protocol.Json;
import dev.eve4j.protocol.RequestParser;
import dev.eve4j.protocol.Requests;
import dev.eve4j.session.ControlOutcome;
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
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Pattern;

/**
 * The seed-era eve protocol ("legacy profile", stream version 16, continuation tokens) for
 * eve/client 0.13 – 0.25.3, served from the same sessions and journals as {@code EveServlet}. Mount
 * it with async support at {@link LegacyOptions#servletMapping} of a prefix ({@code
 * /legacy/eve/v1/*} next to the current protocol, or {@code /eve/v1/*} where only legacy clients
 * are served).
 *
 * <p>Routes: {@code GET|HEAD /health}, {@code GET /info} (agent-info v1), {@code POST /session}
 * (202), {@code POST /session/{id}} (200; 404 unknown, 410 ended, 409 turn still active or stale
 * token), {@code GET /session/{id}/stream} (NDJSON, {@code x-eve-stream-version: 16}) and {@code
 * POST /session/{id}/cancel} (the 0.24.6+ {@code session.cancel()}). Errors are seed 004's
 * {@code {"error":{"code","message"}}}. Each canonical event is served as exactly one legacy line
 * ({@link LegacyRenderer}), so a legacy client's line count is the journal index.
 *
 * <p>A create or follow-up is answered once its turn's first event is in the journal (at most
 * {@link #FOLLOW_UP_SETTLE} later): a stream the client opens next then never finds the previous
 * turn's boundary as the last event and never ends early. I/O is asynchronous only; thread-safe.
 */
public final class LegacyEveServlet extends HttpServlet {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = Logger.getLogger(LegacyEveServlet.class.getName());
  private static final Pattern INTEGER = Pattern.compile("^-?\\d{1,16}$");
  private static final long MAX_SAFE_INTEGER = 9007199254740991L;
  private static final String HEALTH = "{\"ok\":true,\"status\":\"ready\",\"workflowId\":\"wf_compat\"}";
  private static final long BODY_READ_TIMEOUT_MS = 30_000;
  /** Longest wait for a follow-up's first event before it is answered anyway. */
  static final Duration FOLLOW_UP_SETTLE = Duration.ofSeconds(5);

  private final transient EveRuntime runtime;
  private final transient SessionService sessions;
  private final transient LegacyOptions options;
  private final transient ContinuationTokens tokens;
  private final transient ScheduledThreadPoolExecutor timer;
  private final transient Set<CursorStream> openStreams = ConcurrentHashMap.newKeySet();
  /** Sessions with a legacy follow-up between its checks and its reply: a second one is a 409. */
  private final transient Set<String> inFlight = ConcurrentHashMap.newKeySet();
  private final transient String info;

  public LegacyEveServlet(EveRuntime runtime) {
    this(runtime, LegacyOptions.defaults());
  }

  public LegacyEveServlet(EveRuntime runtime, LegacyOptions options) {
    this.runtime = Objects.requireNonNull(runtime, "runtime");
    this.options = Objects.requireNonNull(options, "options");
    this.sessions = runtime.sessions();
    this.tokens = new ContinuationTokens(options.tokenSecretOrRandom());
    this.info = AgentInfoV1.json(runtime.agent());
    this.timer = new ScheduledThreadPoolExecutor(1, r -> {
      Thread t = new Thread(r, "eve4j-legacy-timer");
      t.setDaemon(true);
      return t;
    });
    timer.setRemoveOnCancelPolicy(true);
  }

  /** Ends every open stream (clients reconnect from their cursor) and stops the timer. */
  @Override
  public void destroy() {
    openStreams.forEach(CursorStream::shutdown);
    timer.shutdown();
  }

  /** The runtime this servlet serves. */
  public EveRuntime runtime() {
    return runtime;
  }

  private enum Route {
    HEALTH, INFO, CREATE, MESSAGE, STREAM, CANCEL
  }

  @Override
  protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    String method = req.getMethod();
    String path = req.getPathInfo() == null ? "/" : req.getPathInfo();
    String[] seg = path.substring(1).split("/", -1);
    Route route = route(seg);
    if (route == null) {
      LegacyReply.error(new LegacyFailure(ErrorCode.SESSION_NOT_FOUND, "not_found",
          "No route for " + method + " " + path + ".")).write(resp);
      return;
    }
    String allowed = route == Route.HEALTH ? "GET, HEAD" : route == Route.INFO || route == Route.STREAM ? "GET"
        : "POST";
    if (!List.of(allowed.split(", ")).contains(method)) {
      JsonObject error = new JsonObject();
      error.addProperty("code", "method_not_allowed");
      error.addProperty("message", method + " is not allowed on " + path + ".");
      JsonObject body = new JsonObject();
      body.add("error", error);
      LegacyReply.json(405, body).header("allow", allowed).write(resp);
      return;
    }
    Principal caller = Principal.ANONYMOUS;
    if (route != Route.HEALTH) {
      try {
        caller = authenticate(req, route == Route.INFO || route == Route.STREAM ? Scopes.SESSIONS_READ
            : Scopes.SESSIONS_WRITE);
      } catch (EveException e) {
        LegacyReply.error(e).write(resp);
        return;
      }
    }
    if (route != Route.HEALTH && route != Route.INFO && route != Route.CREATE && seg[1].isEmpty()) {
      LegacyReply.error(LegacyFailure.badRequest("invalid_request", "Missing session id.")).write(resp);
      return;
    }
    Principal who = caller;
    switch (route) {
      case HEALTH:
        byte[] health = HEALTH.getBytes(StandardCharsets.UTF_8);
        resp.setStatus(200);
        resp.setContentType("application/json");
        resp.setContentLength(health.length);
        if (!method.equals("HEAD")) {
          resp.getOutputStream().write(health);
        }
        return;
      case INFO:
        new LegacyReply(200, new java.util.LinkedHashMap<>(), info).noStore().write(resp);
        return;
      case CREATE:
        withBody(req, resp, bytes -> create(bytes, who));
        return;
      case MESSAGE:
        String authorization = req.getHeader("authorization");
        withBody(req, resp, bytes -> followUp(seg[1], bytes, authorization, who));
        return;
      case STREAM:
        stream(req, resp, seg[1], who);
        return;
      case CANCEL:
        withBody(req, resp, bytes -> cancel(seg[1], bytes, who));
        return;
      default:
        throw new IllegalStateException("unrouted " + route);
    }
  }

  private static Route route(String[] seg) {
    if (seg.length == 1) {
      switch (seg[0]) {
        case "health":
          return Route.HEALTH;
        case "info":
          return Route.INFO;
        case "session":
          return Route.CREATE;
        default:
          return null;
      }
    }
    if (!seg[0].equals("session")) {
      return null;
    }
    if (seg.length == 2) {
      return Route.MESSAGE;
    }
    if (seg.length == 3 && seg[2].equals("stream")) {
      return Route.STREAM;
    }
    if (seg.length == 3 && seg[2].equals("cancel")) {
      return Route.CANCEL;
    }
    return null;
  }

  private Principal authenticate(HttpServletRequest req, String scope) {
    Principal p = options.authenticator().authenticate(req.getHeader("authorization"));
    if (!p.hasScope(scope)) {
      throw new EveException(ErrorCode.FORBIDDEN, "Forbidden.");
    }
    return p;
  }

  // ---- POST /session -----------------------------------------------------------------------

  private CompletableFuture<LegacyReply> create(byte[] bytes, Principal caller) {
    JsonObject body = object(bytes);
    // A token here comes from a client restored from a token alone; the real server ignored it too.
    body.remove("continuationToken");
    body.remove("agent");
    if (!present(body, "message")) {
      throw LegacyFailure.badRequest("invalid_request", "Expected a non-empty 'message'.");
    }
    Requests.CreateSession request = RequestParser.parseCreate(bytes(body));
    return sessions.create(request, caller).thenCompose(id -> once(id, caller, 0,
        LegacyReply.json(202, accepted(id, tokens.mint(id, 0))).noStore().header("x-eve-session-id", id)));
  }

  private static JsonObject accepted(String id, String token) {
    JsonObject o = new JsonObject();
    o.addProperty("ok", true);
    o.addProperty("sessionId", id);
    o.addProperty("continuationToken", token);
    return o;
  }

  // ---- POST /session/{id} ------------------------------------------------------------------

  /**
   * Checks in the order of seed 004's table (404 unknown, 410 ended, 409 turn still active, 409
   * stale token), then delivers and answers once the new turn's first event is in the journal.
   */
  private CompletableFuture<LegacyReply> followUp(String id, byte[] bytes, String authorization, Principal caller) {
    JsonObject body = object(bytes);
    String token = token(body, authorization);
    body.remove("continuationToken");
    body.remove("agent");
    body.remove("turnPolicy"); // a legacy follow-up never queues or steers: a running turn is a 409
    if (present(body, "message") && present(body, "inputResponses")) {
      throw LegacyFailure.badRequest("unsupported_combination",
          "Send 'inputResponses' and 'message' as two follow-ups: first the answers, then the message.");
    }
    Requests.SessionMessage message = RequestParser.parseMessage(bytes(body));
    String owner = sessions.owner(id).orElse(null);
    if (owner == null || !caller.mayAccess(owner)) {
      throw LegacyFailure.notFound(id);
    }
    SessionState state = sessions.state(id).orElseThrow(() -> LegacyFailure.notFound(id));
    if (!state.active()) {
      throw LegacyFailure.terminal(id);
    }
    if (!inFlight.add(id)) {
      throw LegacyFailure.turnActive(id);
    }
    boolean release = true;
    try {
      long tail = tailIndex(id, caller);
      byte[] last = tail >= 0 ? JournalScan.lineAt(sessions, id, caller, tail) : null;
      // Parked: the last event is turn.waiting{on:"input"}; the parked turn is still the session's
      // current work (RUNNING), also after a restart. Idle: the last event is a boundary.
      boolean lastIsPark = last != null && CanonicalLine.isInputPark(last);
      boolean parked = lastIsPark && state != SessionState.PREWARMED;
      boolean idle = !lastIsPark && (state == SessionState.PREWARMED
          || (state == SessionState.WAITING && last != null && CanonicalLine.isLegacyBoundary(last)));
      if (!parked && !idle) {
        throw LegacyFailure.turnActive(id);
      }
      checkToken(id, caller, token, tail);
      if (parked && message.inputResponses() == null) {
        throw LegacyFailure.conflict("input_required", "The turn of session " + id
            + " is waiting for input: answer it with 'inputResponses'.");
      }
      if (!parked && message.inputResponses() != null) {
        throw LegacyFailure.conflict("no_input_requested", "Session " + id + " is not waiting for input.");
      }
      if (parked) {
        checkAnswers(id, caller, tail, message.inputResponses());
      }
      CompletableFuture<LegacyReply> reply = deliver(id, message, caller, tail + 1);
      release = false;
      reply.whenComplete((r, e) -> inFlight.remove(id));
      return reply;
    } finally {
      if (release) {
        inFlight.remove(id);
      }
    }
  }

  /** The body's {@code continuationToken}, else (without app auth) a {@code Bearer eve:…} header. */
  private String token(JsonObject body, String authorization) {
    JsonElement t = body.get("continuationToken");
    if (t != null && !t.isJsonNull()) {
      if (!t.isJsonPrimitive() || !t.getAsJsonPrimitive().isString()) {
        throw LegacyFailure.badRequest("invalid_request", "Expected 'continuationToken' to be a string.");
      }
      return t.getAsString();
    }
    if (!options.authenticator().enabled() && authorization != null) {
      String h = authorization.trim();
      if (h.length() > 7 && h.regionMatches(true, 0, "Bearer ", 0, 7)) {
        return h.substring(7).trim();
      }
    }
    return null;
  }

  /** A token is current when it is this session's and no legacy boundary lies between it and the tail. */
  private void checkToken(String id, Principal caller, String token, long tail) {
    if (token == null || token.isEmpty()) {
      throw LegacyFailure.staleToken("Missing continuation token for session " + id + ".");
    }
    long minted = tokens.indexOf(id, token);
    if (minted < 0) {
      throw LegacyFailure.staleToken("The continuation token is not one of session " + id + ".");
    }
    if (minted > tail + 1
        || JournalScan.lastMatch(sessions, id, caller, minted, tail, CanonicalLine::isLegacyBoundary) >= 0) {
      throw LegacyFailure.staleToken("Stale continuation token: session " + id
          + " has moved on since it was issued; read the stream to catch up.");
    }
  }

  /** At least one answer must name a request of the parked turn that is still open. */
  private void checkAnswers(String id, Principal caller, long tail, List<Requests.InputResponse> answers) {
    long turnStart = JournalScan.lastMatch(sessions, id, caller, 0, tail + 1,
        line -> "turn.started".equals(CanonicalLine.type(line)));
    Set<String> open = new HashSet<>();
    JournalScan.forEach(sessions, id, caller, Math.max(0, turnStart), tail, line -> {
      String type = CanonicalLine.type(line);
      if (type.equals("input.requested") || type.equals("input.resolved")) {
        JsonElement list = CanonicalLine.data(CanonicalLine.parse(line))
            .get(type.equals("input.requested") ? "requests" : "resolutions");
        if (list != null && list.isJsonArray()) {
          for (JsonElement r : list.getAsJsonArray()) {
            JsonElement rid = r.isJsonObject() ? r.getAsJsonObject().get("requestId") : null;
            if (rid != null && rid.isJsonPrimitive()) {
              if (type.equals("input.requested")) {
                open.add(rid.getAsString());
              } else {
                open.remove(rid.getAsString());
              }
            }
          }
        }
      }
    });
    if (answers.stream().noneMatch(a -> open.contains(a.requestId()))) {
      throw LegacyFailure.conflict("unknown_input_request", "None of the answered requests is open in session "
          + id + ": open are " + open + ".");
    }
  }

  /** Sends, then answers 200 once the turn's first event (index {@code next}) is in the journal. */
  private CompletableFuture<LegacyReply> deliver(String id, Requests.SessionMessage message, Principal caller,
      long next) {
    LegacyReply ok = LegacyReply.json(200, accepted(id, tokens.mint(id, next))).noStore()
        .header("x-eve-session-id", id);
    CompletableFuture<String> sent;
    try {
      sent = sessions.send(id, message, caller);
    } catch (RuntimeException e) {
      sent = CompletableFuture.failedFuture(e);
    }
    return sent.handle((deliveryId, err) -> {
      if (err == null) {
        return once(id, caller, next, ok);
      }
      Throwable cause = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
      return CompletableFuture.<LegacyReply>failedFuture(cause instanceof EveException
          && ((EveException) cause).code() == ErrorCode.SESSION_NOT_ACTIVE ? LegacyFailure.terminal(id) : cause);
    }).thenCompose(f -> f);
  }

  /**
   * Completes with {@code reply} once event {@code index} of the session is in the journal, or after
   * {@link #FOLLOW_UP_SETTLE} (a request that starts nothing). Then the session already shows the
   * new turn (it is running, its first event is stored), so a stream opened next never ends early
   * on the previous boundary and a second request meets 409. The cursor is opened, armed and
   * closed on the one timer thread.
   */
  private CompletableFuture<LegacyReply> once(String id, Principal caller, long index, LegacyReply reply) {
    CompletableFuture<LegacyReply> result = new CompletableFuture<>();
    timer.execute(() -> {
      JournalCursor watch;
      try {
        watch = sessions.cursor(id, index, caller);
      } catch (RuntimeException e) {
        result.complete(reply); // ended meanwhile: nothing more to wait for
        return;
      }
      AtomicBoolean done = new AtomicBoolean();
      ScheduledFuture<?>[] fallback = new ScheduledFuture<?>[1];
      Runnable answer = () -> {
        if (done.compareAndSet(false, true)) {
          if (fallback[0] != null) {
            fallback[0].cancel(false);
          }
          watch.close();
          result.complete(reply);
        }
      };
      fallback[0] = timer.schedule(answer, FOLLOW_UP_SETTLE.toMillis(), TimeUnit.MILLISECONDS);
      watch.awaitNext(() -> timer.execute(answer));
    });
    return result;
  }

  // ---- POST /session/{id}/cancel -----------------------------------------------------------

  private CompletableFuture<LegacyReply> cancel(String id, byte[] bytes, Principal caller) {
    JsonObject body = bytes.length == 0 || new String(bytes, StandardCharsets.UTF_8).isBlank() ? new JsonObject()
        : object(bytes);
    body.remove("continuationToken");
    Requests.Cancel request = RequestParser.parseCancel(bytes(body));
    String owner = sessions.owner(id).orElse(null);
    if (owner == null || !caller.mayAccess(owner)) {
      throw LegacyFailure.notFound(id);
    }
    SessionState state = sessions.state(id).orElseThrow(() -> LegacyFailure.notFound(id));
    if (!state.active()) {
      throw LegacyFailure.terminal(id);
    }
    if (state != SessionState.RUNNING) {
      return CompletableFuture.completedFuture(LegacyReply.json(200, cancelled(id, "no_active_turn")).noStore());
    }
    return sessions.cancel(id, request, caller).thenApply(outcome -> outcome == ControlOutcome.NOTHING_TO_DO
        ? LegacyReply.json(200, cancelled(id, "no_active_turn")).noStore()
        : LegacyReply.json(202, cancelled(id, "accepted")).noStore());
  }

  /** The 0.24.6+ client requires {@code sessionId} in both outcomes. */
  private static JsonObject cancelled(String id, String status) {
    JsonObject o = new JsonObject();
    o.addProperty("ok", true);
    o.addProperty("sessionId", id);
    o.addProperty("status", status);
    return o;
  }

  // ---- GET /session/{id}/stream ------------------------------------------------------------

  private void stream(HttpServletRequest req, HttpServletResponse resp, String id, Principal caller)
      throws IOException {
    String startParam = req.getParameter("startIndex");
    long start = 0;
    if (startParam != null) {
      if (!INTEGER.matcher(startParam).matches() || Math.abs(Long.parseLong(startParam)) > MAX_SAFE_INTEGER) {
        LegacyReply.error(LegacyFailure.badRequest("invalid_start_index",
            "Invalid startIndex '" + startParam + "': expected an integer.")).write(resp);
        return;
      }
      start = Long.parseLong(startParam);
    }
    long from;
    JournalCursor cursor;
    try {
      long tail = tailIndex(id, caller);
      // Negative values count back from the end (eve/client 0.24.4+ asks for -1); seed 004 said 400.
      from = start >= 0 ? start : Math.max(0, tail + 1 + start);
      long resetPoint = from == 0 ? -1
          : JournalScan.lastMatch(sessions, id, caller, 0, from, CanonicalLine::isRendererResetPoint);
      cursor = sessions.cursor(id, Math.max(0, resetPoint), caller);
    } catch (EveException e) {
      LegacyReply.error(e).write(resp);
      return;
    }
    resp.setStatus(200);
    resp.setContentType("application/x-ndjson; charset=utf-8");
    resp.setHeader("cache-control", "no-cache, no-store, no-transform");
    resp.setHeader("x-accel-buffering", "no");
    resp.setHeader("x-eve-session-id", id);
    resp.setHeader("x-eve-stream-format", "ndjson");
    resp.setHeader("x-eve-stream-version", "16");
    AsyncContext async = req.startAsync();
    async.setTimeout(0);
    new LegacyStream(async, resp.getOutputStream(), cursor, from, new LegacyRenderer(id, tokens), timer,
        options.heartbeatInterval(), openStreams).start();
  }

  /** The tail index; an unknown (or another's) session is a 404 that names it. */
  private long tailIndex(String id, Principal caller) {
    try {
      return sessions.tailIndex(id, caller);
    } catch (EveException e) {
      if (e.code() == ErrorCode.SESSION_NOT_FOUND) {
        throw LegacyFailure.notFound(id);
      }
      throw e;
    }
  }

  // ---- bodies ------------------------------------------------------------------------------

  private static JsonObject object(byte[] bytes) {
    if (bytes.length == 0 || new String(bytes, StandardCharsets.UTF_8).isBlank()) {
      throw LegacyFailure.badRequest("invalid_request", "Expected a JSON object body.");
    }
    return RequestParser.object(bytes);
  }

  private static byte[] bytes(JsonObject o) {
    return Json.toJson(o).getBytes(StandardCharsets.UTF_8);
  }

  private static boolean present(JsonObject o, String key) {
    return o.has(key) && !o.get(key).isJsonNull();
  }

  /**
   * Reads the body asynchronously, runs {@code handler} on it and writes its reply (or the error)
   * when its future completes, on whichever thread completes it.
   */
  private void withBody(HttpServletRequest req, HttpServletResponse resp,
      Function<byte[], CompletableFuture<LegacyReply>> handler) {
    if (req.getContentLengthLong() > options.maxBodyBytes()) {
      try {
        LegacyReply.error(BodyReader.tooLarge(options.maxBodyBytes())).write(resp);
      } catch (IOException e) {
        LOG.log(Level.FINE, "could not write reply", e);
      }
      return;
    }
    AsyncContext async = req.startAsync();
    async.setTimeout(BODY_READ_TIMEOUT_MS);
    Once once = new Once(async, resp);
    async.addListener(once);
    try {
      req.getInputStream().setReadListener(new BodyReader(req.getInputStream(), options.maxBodyBytes(),
          bytes -> {
            CompletableFuture<LegacyReply> reply;
            try {
              reply = handler.apply(bytes);
            } catch (RuntimeException e) {
              reply = CompletableFuture.failedFuture(e);
            }
            reply.whenComplete((r, err) -> once.reply(err == null ? r : errorReply(err)));
          }, e -> once.reply(LegacyReply.error(e))));
    } catch (IOException | RuntimeException e) {
      once.reply(errorReply(e));
    }
  }

  private static LegacyReply errorReply(Throwable err) {
    Throwable cause = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
    if (cause instanceof EveException) {
      return LegacyReply.error((EveException) cause);
    }
    String errorId = UUID.randomUUID().toString();
    LOG.log(Level.SEVERE, "legacy request failed (errorId " + errorId + ")", cause);
    return LegacyReply.error(new EveException(ErrorCode.INTERNAL, "The request failed.", errorId, cause));
  }

  /** Completes an async request exactly once with a reply. */
  private static final class Once implements AsyncListener {
    private final AsyncContext async;
    private final HttpServletResponse resp;
    private boolean done;

    Once(AsyncContext async, HttpServletResponse resp) {
      this.async = async;
      this.resp = resp;
    }

    synchronized void reply(LegacyReply reply) {
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
      reply(LegacyReply.error(EveException.badRequest("Unreadable request body.")));
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
}
