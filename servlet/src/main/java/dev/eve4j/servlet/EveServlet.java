package dev.eve4j.servlet;

import dev.eve4j.servlet.io.BodyReader;
import dev.eve4j.servlet.io.Bodies;
import dev.eve4j.servlet.io.CursorStream;
import com.google.gson.JsonObject;
import dev.eve4j.EveRuntime;
import dev.eve4j.auth.Principal;
import dev.eve4j.auth.Scopes;
import dev.eve4j.journal.JournalCursor;
import dev.eve4j.protocol.AgentInfo;
import dev.eve4j.protocol.ErrorCode;
import dev.eve4j.protocol.EveException;
import dev.eve4j.protocol.Json;
import dev.eve4j.protocol.RequestParser;
import dev.eve4j.protocol.Requests;
import dev.eve4j.session.ControlOutcome;
import dev.eve4j.session.SessionService;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Pattern;

/**
 * The eve session API (stream version 26) as a servlet: mount it at {@code /eve/v1/*} with async
 * support on. It serves {@code /health}, {@code /info}, {@code /session} (create),
 * {@code /session/{id}} (follow-up), {@code /session/{id}/stream} and the control routes
 * {@code cancel}, {@code clear}, {@code compact} and {@code reset}, with the eve server's exact
 * status codes and flat error bodies.
 *
 * <p>I/O is asynchronous only: bodies are read by a {@link jakarta.servlet.ReadListener} with a
 * size limit, streams are written by one {@link jakarta.servlet.WriteListener} loop each, and no
 * thread is held per open stream. Thread-safe: the container may call it from any thread.
 */
public final class EveServlet extends HttpServlet {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = Logger.getLogger(EveServlet.class.getName());
  private static final Pattern INTEGER = Pattern.compile("^-?\\d+$");
  private static final String HEALTH = "{\"ok\":true,\"status\":\"ready\",\"workflowId\":\"workflow//eve//workflowEntry\"}";
  private static final String EXPOSED = "x-eve-session-id, x-eve-stream-format, x-eve-stream-version, "
      + "x-eve-stream-tail-index";
  private static final long BODY_READ_TIMEOUT_MS = 30_000;
  /** h3, eve's HTTP framework, pretty-prints its 404 bodies with two-space indents. */
  private static final com.google.gson.Gson PRETTY = new com.google.gson.GsonBuilder().setPrettyPrinting()
      .disableHtmlEscaping().create();

  private final transient EveRuntime runtime;
  private final transient SessionService sessions;
  private final transient EveServletOptions options;
  private final transient ScheduledThreadPoolExecutor timer;
  private final transient Set<CursorStream> openStreams = ConcurrentHashMap.newKeySet();
  private final transient String info;

  public EveServlet(EveRuntime runtime) {
    this(runtime, EveServletOptions.defaults());
  }

  public EveServlet(EveRuntime runtime, EveServletOptions options) {
    this.runtime = Objects.requireNonNull(runtime, "runtime");
    this.options = Objects.requireNonNull(options, "options");
    this.sessions = runtime.sessions();
    this.info = AgentInfo.json(runtime.agent().name(), runtime.agent().model().id(),
        runtime.agent().tools().stream().map(t -> new AgentInfo.ToolEntry(t.name(), t.description(), t.inputSchema(),
            t.approval().mayRequireApproval())).collect(java.util.stream.Collectors.toList()));
    this.timer = new ScheduledThreadPoolExecutor(1, r -> {
      Thread t = new Thread(r, "eve4j-stream-timer");
      t.setDaemon(true);
      return t;
    });
    timer.setRemoveOnCancelPolicy(true);
  }

  /** Ends every open stream (clients reconnect from their cursor) and stops the stream timer. */
  @Override
  public void destroy() {
    openStreams.forEach(CursorStream::shutdown);
    timer.shutdown();
  }

  @Override
  protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    String method = req.getMethod();
    String path = req.getPathInfo() == null ? "/" : req.getPathInfo();
    String origin = req.getHeader("origin");
    boolean cors = options.corsEnabled() && options.originAllowed(origin);
    if (cors) {
      resp.setHeader("access-control-allow-origin", options.corsAllowedOrigins().contains("*") ? "*" : origin);
      resp.setHeader("vary", "origin");
      resp.setHeader("access-control-expose-headers", EXPOSED);
    }
    String[] seg = path.substring(1).split("/", -1);
    Route route = route(method, seg);
    if (route == Route.NONE) {
      notFound(req, resp, method);
      return;
    }
    if (method.equals("OPTIONS")) {
      if (!cors) {
        notFound(req, resp, method);
        return;
      }
      resp.setStatus(204);
      resp.setHeader("access-control-allow-methods", "GET, HEAD, POST, OPTIONS");
      resp.setHeader("access-control-allow-headers", "authorization, content-type");
      resp.setHeader("access-control-max-age", "600");
      return;
    }
    if (route == Route.WRONG_METHOD) {
      notFound(req, resp, method);
      return;
    }
    Principal principal = Principal.ANONYMOUS;
    if (route != Route.HEALTH) {
      try {
        principal = RequestAuth.require(options.authenticator(), req,
            route == Route.INFO || route == Route.STREAM ? Scopes.SESSIONS_READ : Scopes.SESSIONS_WRITE);
      } catch (EveException e) {
        Bodies.closeIfUnread(req, resp);
        Reply.error(e).write(resp);
        return;
      }
    }
    Principal caller = principal;
    if (route != Route.HEALTH && route != Route.INFO && route != Route.CREATE && seg[1].isEmpty()) {
      Bodies.closeIfUnread(req, resp);
      Reply.error(EveException.badRequest("Missing session id.")).write(resp);
      return;
    }
    switch (route) {
      case HEALTH:
        resp.setStatus(200);
        resp.setContentType("application/json");
        byte[] body = HEALTH.getBytes(StandardCharsets.UTF_8);
        resp.setContentLength(body.length);
        if (!method.equals("HEAD")) {
          resp.getOutputStream().write(body);
        }
        return;
      case INFO:
        Reply r = new Reply(200, new java.util.LinkedHashMap<>(), "application/json; charset=utf-8", info);
        r.noStore().write(resp);
        return;
      case CREATE:
        withBody(req, resp, bytes -> sessions.create(checked(RequestParser.parseCreate(bytes)), caller).thenApply(id -> {
          JsonObject o = accepted(id);
          return Reply.json(202, o).noStore().header("x-eve-session-id", id);
        }));
        return;
      case MESSAGE:
        String sid = seg[1];
        withBody(req, resp, bytes -> sessions.send(sid, checked(RequestParser.parseMessage(bytes)), caller).thenApply(deliveryId -> {
          JsonObject o = accepted(sid);
          o.addProperty("deliveryId", deliveryId);
          return Reply.json(202, o).noStore().header("x-eve-session-id", sid);
        }));
        return;
      case STREAM:
        stream(req, resp, seg[1], caller);
        return;
      case CONTROL:
        control(req, resp, seg[1], seg[2], caller);
        return;
      default:
        notFound(req, resp, method);
    }
  }

  private enum Route {
    HEALTH, INFO, CREATE, MESSAGE, STREAM, CONTROL, WRONG_METHOD, NONE
  }

  private static Route route(String method, String[] seg) {
    boolean get = method.equals("GET") || method.equals("HEAD");
    boolean post = method.equals("POST");
    boolean options = method.equals("OPTIONS");
    Route r;
    if (seg.length == 1 && seg[0].equals("health")) {
      return get || options ? Route.HEALTH : Route.WRONG_METHOD;
    } else if (seg.length == 1 && seg[0].equals("info")) {
      r = Route.INFO;
      return method.equals("GET") || options ? r : Route.WRONG_METHOD;
    } else if (seg.length == 1 && seg[0].equals("session")) {
      return post || options ? Route.CREATE : Route.WRONG_METHOD;
    } else if (seg.length == 2 && seg[0].equals("session")) {
      return post || options ? Route.MESSAGE : Route.WRONG_METHOD;
    } else if (seg.length == 3 && seg[0].equals("session") && seg[2].equals("stream")) {
      return method.equals("GET") || options ? Route.STREAM : Route.WRONG_METHOD;
    } else if (seg.length == 3 && seg[0].equals("session") && Set.of("cancel", "clear", "compact", "reset")
        .contains(seg[2])) {
      return post || options ? Route.CONTROL : Route.WRONG_METHOD;
    }
    return Route.NONE;
  }

  private static JsonObject accepted(String sessionId) {
    JsonObject o = new JsonObject();
    o.addProperty("ok", true);
    o.addProperty("sessionId", sessionId);
    o.addProperty("status", "accepted");
    return o;
  }

  private static JsonObject status(String status) {
    JsonObject o = new JsonObject();
    o.addProperty("ok", true);
    o.addProperty("status", status);
    return o;
  }

  private void control(HttpServletRequest req, HttpServletResponse resp, String id, String action,
      Principal caller) {
    withBody(req, resp, bytes -> {
      switch (action) {
        case "cancel":
          return sessions.cancel(id, RequestParser.parseCancel(bytes), caller).thenApply(outcome -> outcome
              == ControlOutcome.NOTHING_TO_DO ? Reply.json(200, status("no_active_turn")).noStore()
              : Reply.json(202, accepted(id)).noStore());
        case "reset":
          return sessions.reset(id, RequestParser.parseReset(bytes), caller).thenApply(outcome -> {
            if (outcome == ControlOutcome.NOTHING_TO_DO) {
              return Reply.json(200, status("no_active_session")).noStore();
            }
            JsonObject o = new JsonObject();
            o.addProperty("ok", true);
            o.addProperty("previousSessionId", id);
            o.addProperty("status", "reset");
            return Reply.json(200, o).noStore();
          });
        default:
          RequestParser.parseControl(bytes);
          CompletableFuture<ControlOutcome> f = action.equals("clear") ? sessions.clear(id, caller)
              : sessions.compact(id, caller);
          return f.thenApply(outcome -> outcome == ControlOutcome.NOTHING_TO_DO
              ? Reply.json(200, status("no_active_session")).noStore()
              : Reply.json(202, accepted(id)).noStore());
      }
    });
  }

  /**
   * Reads the body asynchronously, runs {@code handler} on it and writes its reply (or the error)
   * when its future completes, on whichever thread completes it.
   */
  /** The parsed create request, once its files pass the upload policy (else 413 or 415). */
  private Requests.CreateSession checked(Requests.CreateSession request) {
    options.uploadPolicy().check(request.message());
    return request;
  }

  /** The parsed follow-up, once its files pass the upload policy (else 413 or 415). */
  private Requests.SessionMessage checked(Requests.SessionMessage message) {
    options.uploadPolicy().check(message.message());
    return message;
  }

  private void withBody(HttpServletRequest req, HttpServletResponse resp,
      Function<byte[], CompletableFuture<Reply>> handler) {
    long declared = req.getContentLengthLong();
    if (declared > options.maxBodyBytes()) {
      Bodies.closeIfUnread(req, resp);
      writeNow(resp, Reply.error(BodyReader.tooLarge(options.maxBodyBytes())));
      return;
    }
    AsyncContext async = req.startAsync();
    async.setTimeout(BODY_READ_TIMEOUT_MS);
    Once once = new Once(async, resp);
    async.addListener(once);
    try {
      req.getInputStream().setReadListener(new BodyReader(req.getInputStream(), options.maxBodyBytes(), bytes -> {
        CompletableFuture<Reply> reply;
        try {
          reply = handler.apply(bytes);
        } catch (RuntimeException e) {
          reply = CompletableFuture.failedFuture(e);
        }
        reply.whenComplete((r, err) -> {
          Reply out = err == null ? r : errorReply(err);
          // The future often completes on a session actor: write on a container thread instead, so
          // session threads never do socket I/O (bench S1 found them writing 202s).
          try {
            async.start(() -> once.reply(out));
          } catch (IllegalStateException ended) {
            once.reply(out);
          }
        });
      }, e -> once.reply(Reply.error(e))));
    } catch (IOException | RuntimeException e) {
      once.reply(errorReply(e));
    }
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

    synchronized void reply(Reply reply) {
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
      reply(Reply.error(EveException.badRequest("Unreadable request body.")));
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

  private static Reply errorReply(Throwable err) {
    Throwable cause = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
    if (cause instanceof EveException) {
      return Reply.error((EveException) cause);
    }
    String errorId = UUID.randomUUID().toString();
    LOG.log(Level.SEVERE, "request failed (errorId " + errorId + ")", cause);
    return Reply.error(new EveException(ErrorCode.INTERNAL, "The request failed.", errorId, cause));
  }

  private static void writeNow(HttpServletResponse resp, Reply reply) {
    try {
      reply.write(resp);
    } catch (IOException e) {
      LOG.log(Level.FINE, "could not write reply", e);
    }
  }

  private void stream(HttpServletRequest req, HttpServletResponse resp, String id, Principal caller)
      throws IOException {
    String startParam = req.getParameter("startIndex");
    long start = 0;
    if (startParam != null) {
      if (!INTEGER.matcher(startParam).matches() || startParam.replace("-", "").length() > 16
          || Math.abs(Long.parseLong(startParam)) > 9007199254740991L) {
        Reply.error(EveException.badRequest("Expected startIndex to be an integer.")).write(resp);
        return;
      }
      start = Long.parseLong(startParam);
    }
    String follow = req.getParameter("follow");
    String includeTail = req.getParameter("includeTailIndex");
    boolean bounded = "0".equals(follow) || "false".equals(follow) || "1".equals(includeTail)
        || "true".equals(includeTail);
    boolean lease = "1".equals(req.getParameter("streamControlVersion"));
    long tail;
    JournalCursor cursor;
    try {
      tail = sessions.tailIndex(id, caller);
      long from = start >= 0 ? start : Math.max(0, tail + 1 + start);
      cursor = sessions.cursor(id, from, caller);
    } catch (EveException e) {
      Reply.error(e).write(resp);
      return;
    }
    resp.setStatus(200);
    resp.setContentType("application/x-ndjson; charset=utf-8");
    resp.setHeader("cache-control", "no-store, no-transform");
    resp.setHeader("x-accel-buffering", "no");
    resp.setHeader("x-eve-session-id", id);
    resp.setHeader("x-eve-stream-format", "ndjson");
    resp.setHeader("x-eve-stream-version", "26");
    if (bounded) {
      resp.setHeader("x-eve-stream-tail-index", Long.toString(tail));
    }
    AsyncContext async = req.startAsync();
    async.setTimeout(0);
    NdjsonStream stream = new NdjsonStream(async, resp.getOutputStream(), cursor, bounded ? tail : Long.MAX_VALUE,
        timer, options.heartbeatInterval(), lease ? options.leaseDuration() : null, openStreams);
    stream.start();
  }

  private static void notFound(HttpServletRequest req, HttpServletResponse resp, String method) throws IOException {
    Bodies.closeIfUnread(req, resp);
    // The shape of eve's HTTP framework (h3) for paths and methods no route serves.
    JsonObject o = new JsonObject();
    o.addProperty("error", true);
    o.addProperty("status", 404);
    String url = req.getRequestURL() + (req.getQueryString() == null ? "" : "?" + req.getQueryString());
    o.addProperty("message", "Cannot find any route matching [" + method + "] " + url);
    new Reply(404, new java.util.LinkedHashMap<>(), "application/json; charset=utf-8", PRETTY.toJson(o)).write(resp);
  }

  /** The runtime this servlet serves. */
  public EveRuntime runtime() {
    return runtime;
  }

  static String json(Object o) {
    return Json.toJson(o);
  }
}
