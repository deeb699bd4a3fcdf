package dev.eve4j.servlet.channel;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.eve4j.auth.Principal;
import dev.eve4j.auth.Scopes;
import dev.eve4j.channel.AgentRequest;
import dev.eve4j.channel.ApiKey;
import dev.eve4j.channel.CancelResult;
import dev.eve4j.channel.ChannelException;
import dev.eve4j.channel.ChannelJson;
import dev.eve4j.channel.CreatedApiKey;
import dev.eve4j.channel.Idempotency;
import dev.eve4j.channel.InboundFile;
import dev.eve4j.channel.InboundFiles;
import dev.eve4j.channel.Limits;
import dev.eve4j.channel.Manifest;
import dev.eve4j.channel.Message;
import dev.eve4j.channel.MessagePage;
import dev.eve4j.channel.OperatorChannel;
import dev.eve4j.channel.PushResult;
import dev.eve4j.channel.Scope;
import dev.eve4j.channel.Vessel;
import dev.eve4j.channel.VesselRef;
import dev.eve4j.channel.VesselStatus;
import dev.eve4j.channel.WebhookEndpoint;
import dev.eve4j.channel.Webhooks;
import dev.eve4j.protocol.EveException;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The operator channel's raw HTTP API: mount it at {@code /api/v1/*} with async support on.
 *
 * <p>Agent routes authenticate with an API key ({@code Authorization: Bearer vsl_…}, 401 when
 * missing, unknown or revoked); {@code GET} needs the {@code read} scope, every other method
 * {@code push} (403 {@code insufficient_scope}). {@code GET /manifest} is open, and so is a signed
 * download {@code GET /files/{id}?expires=&sig=} (the signature is the credential). The management
 * routes ({@code /keys}, {@code /workspace}) use the configured admin authenticator and the {@code
 * eve4j.admin} scope. Pushes, respond, cancel, vessel deletes, file uploads and file resolves honour
 * {@code Idempotency-Key}. A file upload's raw body is bounded by the channel's {@code maxFileBytes}
 * instead of {@link ChannelServletOptions#maxBodyBytes()}.
 *
 * <p>I/O is asynchronous only: bodies are read by a {@link jakarta.servlet.ReadListener} with a size
 * limit, replies are written by a {@link jakarta.servlet.WriteListener}, and channel calls (which may
 * block on journal I/O) run on the servlet's own worker pool, never on a container thread.
 * Thread-safe.
 */
public final class ChannelServlet extends HttpServlet {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = Logger.getLogger(ChannelServlet.class.getName());
  private static final String INSUFFICIENT_SCOPE = "insufficient_scope";

  private final transient OperatorChannel channel;
  private final transient ChannelServletOptions options;
  private final transient ExecutorService workers;
  private final transient String manifest;

  public ChannelServlet(OperatorChannel channel) {
    this(channel, ChannelServletOptions.defaults());
  }

  public ChannelServlet(OperatorChannel channel, ChannelServletOptions options) {
    this.channel = Objects.requireNonNull(channel, "channel");
    this.options = Objects.requireNonNull(options, "options");
    AtomicInteger n = new AtomicInteger();
    this.workers = Executors.newFixedThreadPool(options.workerThreads(), r -> {
      Thread t = new Thread(r, "eve4j-channel-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    this.manifest = ChannelJson.GSON.toJson(Manifest.json(inboundFiles(channel)));
  }

  /** The channel's inbound files, or null when it holds none. */
  private static InboundFiles inboundFiles(OperatorChannel channel) {
    try {
      return channel.files();
    } catch (UnsupportedOperationException e) {
      return null;
    }
  }

  /** The channel this servlet serves. */
  public OperatorChannel channel() {
    return channel;
  }

  @Override
  public void destroy() {
    workers.shutdown();
  }

  /** A matched route: who may call it, whether it reads a body and honours Idempotency-Key, and what it does. */
  private enum Access {
    OPEN, API, ADMIN
  }

  private interface Handler {
    Reply handle(Call call);
  }

  /**
   * A route; {@code bodyLimit} (0: {@link ChannelServletOptions#maxBodyBytes()}) bounds the body read,
   * {@code before} (or null) checks the request once authorized, before its body is read; a {@code
   * transfer} (a file upload or download) may take {@link #TRANSFER_TIMEOUT} when that is longer than
   * {@link ChannelServletOptions#requestTimeout()}.
   */
  private record Route(Access access, boolean body, boolean idempotent, Handler handler, long bodyLimit,
      java.util.function.Consumer<Call> before, boolean transfer) {
    Route(Access access, boolean body, boolean idempotent, Handler handler) {
      this(access, body, idempotent, handler, 0, null, false);
    }
  }

  /** How long a file upload or download may take at least: 25 MB over a slow link. */
  private static final java.time.Duration TRANSFER_TIMEOUT = java.time.Duration.ofMinutes(10);

  /** What a handler gets: the request's parts, the caller's workspace, the body. */
  private static final class Call {
    final HttpServletRequest req;
    final List<String> seg;
    String workspaceId;
    byte[] body;

    Call(HttpServletRequest req, List<String> seg) {
      this.req = req;
      this.seg = seg;
    }

    JsonElement json() {
      return ChannelJson.parse(body);
    }

    String param(String name) {
      return req.getParameter(name);
    }

    /** A query parameter read from the query string alone (never from a form body), or null. */
    String queryParam(String name) {
      return ChannelServlet.queryParam(req, name);
    }
  }

  /** A query parameter read from the query string alone (a raw upload body is never parsed as a form), or null. */
  static String queryParam(HttpServletRequest req, String name) {
    String q = req.getQueryString();
    if (q == null) {
      return null;
    }
    for (String pair : q.split("&")) {
      int eq = pair.indexOf('=');
      String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      if (k.equals(name)) {
        return eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      }
    }
    return null;
  }

  @Override
  protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    List<String> seg = segments(req);
    String method = req.getMethod();
    Route route;
    try {
      route = route(method, seg, req);
    } catch (ChannelException e) {
      answerNow(req, resp, Reply.error(e));
      return;
    }
    if (route == null) {
      answerNow(req, resp, Reply.error(404, "Not found"));
      return;
    }
    Call call = new Call(req, seg);
    String idempotencyKey = route.idempotent() ? req.getHeader("idempotency-key") : null;
    try {
      authorize(route.access(), method, req, call);
      if (idempotencyKey != null) {
        Idempotency.checkKey(idempotencyKey);
      }
      if (route.before() != null) {
        route.before().accept(call);
      }
    } catch (ChannelException e) {
      answerNow(req, resp, Reply.error(e));
      return;
    }
    long declared = req.getContentLengthLong();
    long limit = route.bodyLimit() > 0 ? route.bodyLimit() : options.maxBodyBytes();
    ChannelException overLimit = route.bodyLimit() > 0 ? ChannelException.fileTooLarge(limit)
        : BodyReader.tooLarge(limit);
    if (route.body() && declared > limit) {
      answerNow(req, resp, Reply.error(overLimit));
      return;
    }
    AsyncContext async = req.startAsync();
    async.setTimeout(route.transfer() ? Math.max(options.requestTimeout().toMillis(), TRANSFER_TIMEOUT.toMillis())
        : options.requestTimeout().toMillis());
    Exchange exchange = new Exchange(async, resp);
    if (!route.body()) {
      dispatch(exchange, route, call, idempotencyKey);
      return;
    }
    req.getInputStream().setReadListener(new BodyReader(req.getInputStream(), limit, overLimit, bytes -> {
      call.body = bytes;
      dispatch(exchange, route, call, idempotencyKey);
    }, e -> exchange.reply(Reply.error(e))));
  }

  /** Answers a request that never went async (a refusal before any work). */
  private static void answerNow(HttpServletRequest req, HttpServletResponse resp, Reply reply) {
    AsyncContext async = req.startAsync();
    new Exchange(async, resp).reply(reply);
  }

  /** Runs the route on a worker; the reply is written from there. */
  private void dispatch(Exchange exchange, Route route, Call call, String idempotencyKey) {
    try {
      workers.execute(() -> exchange.reply(traced(route, call, run(route, call, idempotencyKey))));
    } catch (RejectedExecutionException e) {
      exchange.reply(Reply.error(503, "The channel is shutting down"));
    }
  }

  private Reply run(Route route, Call call, String idempotencyKey) {
    if (idempotencyKey == null) {
      return safely(route.handler(), call);
    }
    Idempotency keys = channel.idempotency();
    Idempotency.Claim claim;
    try {
      claim = keys.begin(call.workspaceId, idempotencyKey);
    } catch (ChannelException e) {
      return Reply.error(e);
    }
    if (claim instanceof Idempotency.Replay) {
      return replay((Idempotency.Replay) claim);
    }
    if (claim instanceof Idempotency.InProgress) {
      return Reply.error(409, Idempotency.IN_PROGRESS);
    }
    Idempotency.Started started = (Idempotency.Started) claim;
    Reply reply = null;
    try {
      reply = safely(route.handler(), call);
      return reply;
    } finally {
      try {
        if (reply == null) {
          keys.abandon(started);
        } else {
          keys.complete(started, reply.status(), reply.body());
        }
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "could not record an idempotency key", e);
      }
    }
  }

  /** Files an agent's request for the vessel trace (the channel keeps it only in debug mode). */
  private Reply traced(Route route, Call call, Reply reply) {
    String method = call.req.getMethod();
    if (route.access() == Access.API && call.workspaceId != null && !method.equals("GET")) {
      try {
        String path = "/" + String.join("/", call.seg);
        String body = call.body == null ? null : new String(call.body, java.nio.charset.StandardCharsets.UTF_8);
        channel.recordRequest(call.workspaceId, new AgentRequest(method, path, body, reply.status(), reply.body()));
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "could not record an agent request for the trace", e);
      }
    }
    return reply;
  }

  /** The recorded response, 200, with {@code replayed: true} where the body has that field. */
  private static Reply replay(Idempotency.Replay r) {
    JsonElement body = ChannelJson.parse(r.body());
    if (body.isJsonObject() && body.getAsJsonObject().has("replayed")) {
      body.getAsJsonObject().addProperty("replayed", true);
    }
    return new Reply(200, new java.util.LinkedHashMap<>(), ChannelJson.GSON.toJson(body))
        .header("idempotent-replayed", "true");
  }

  private static Reply safely(Handler h, Call call) {
    try {
      return h.handle(call);
    } catch (ChannelException e) {
      return Reply.error(e);
    } catch (EveException e) {
      return Reply.error(e.code().httpStatus(), e.getMessage());
    } catch (RuntimeException e) {
      String errorId = UUID.randomUUID().toString();
      LOG.log(Level.SEVERE, "channel request failed (errorId " + errorId + ")", e);
      Reply r = Reply.error(500, "The request failed");
      JsonObject o = ChannelJson.parse(r.body()).getAsJsonObject();
      o.addProperty("errorId", errorId);
      return Reply.json(500, o);
    }
  }

  // ------------------------------------------------------------------------------------ auth

  private void authorize(Access access, String method, HttpServletRequest req, Call call) {
    String header = req.getHeader("authorization");
    switch (access) {
      case OPEN:
        return;
      case ADMIN: {
        Principal p;
        try {
          p = options.adminAuthenticator().authenticate(header);
        } catch (EveException e) {
          throw new ChannelException(401, "unauthorized");
        }
        if (!p.hasScope(Scopes.ADMIN)) {
          throw new ChannelException(403, INSUFFICIENT_SCOPE);
        }
        String ws = req.getParameter("workspace");
        call.workspaceId = ws == null || ws.isEmpty() ? channel.defaultWorkspace().id() : ws;
        if (channel.workspace(call.workspaceId).isEmpty()) {
          throw ChannelException.notFound("Workspace not found");
        }
        return;
      }
      default: {
        Optional<ApiKey> key = channel.authenticate(bearer(header));
        if (key.isEmpty()) {
          throw new ChannelException(401, "unauthorized");
        }
        Scope needed = method.equals("GET") || method.equals("HEAD") ? Scope.READ : Scope.PUSH;
        if (!key.get().has(needed)) {
          throw new ChannelException(403, INSUFFICIENT_SCOPE);
        }
        call.workspaceId = key.get().workspaceId();
      }
    }
  }

  private static String bearer(String header) {
    if (header == null) {
      return null;
    }
    String h = header.trim();
    return h.length() > 7 && h.regionMatches(true, 0, "Bearer ", 0, 7) ? h.substring(7).trim() : null;
  }

  // ---------------------------------------------------------------------------------- routes

  /** The path below the mount, split and percent-decoded per segment ({@code /} inside an id stays encoded-safe). */
  private static List<String> segments(HttpServletRequest req) {
    String uri = req.getRequestURI();
    String prefix = req.getContextPath() + req.getServletPath();
    String rest = uri.length() >= prefix.length() ? uri.substring(prefix.length()) : "";
    List<String> out = new ArrayList<>();
    for (String s : rest.split("/", -1)) {
      if (!s.isEmpty()) {
        out.add(URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8));
      }
    }
    return out;
  }

  private Route route(String method, List<String> s, HttpServletRequest req) {
    int n = s.size();
    if (n == 0) {
      return null;
    }
    String head = s.get(0);
    switch (head) {
      case "manifest":
        return n == 1 ? only(method, "GET", new Route(Access.OPEN, false, false, c -> new Reply(200,
            new java.util.LinkedHashMap<>(), manifest))) : null;
      case "push":
        if (n == 1) {
          return only(method, "POST", new Route(Access.API, true, true, this::push));
        }
        return n == 2 && s.get(1).equals("many") ? only(method, "POST", new Route(Access.API, true, true,
            this::pushMany)) : null;
      case "surface":
        return n == 1 ? only(method, "POST", new Route(Access.API, true, true, c -> pushed(channel.surface(
            c.workspaceId, c.json())))) : null;
      case "event":
        return n == 1 ? only(method, "POST", new Route(Access.API, true, true, c -> pushed(channel.event(
            c.workspaceId, c.json())))) : null;
      case "poll":
        if (n == 1) {
          return only(method, "GET", new Route(Access.API, false, false, this::poll));
        }
        return n == 2 && s.get(1).equals("ack") ? only(method, "POST", new Route(Access.API, true, false,
            this::ack)) : null;
      case "vessels":
        return vesselRoute(method, s);
      case "files":
        return fileRoute(method, s, req);
      case "messages":
        if (n == 2) {
          switch (method) {
            case "GET":
              return new Route(Access.API, false, false, c -> {
                JsonObject o = ok();
                o.add("message", channel.message(c.workspaceId, s.get(1)).toJson());
                return Reply.ok(o);
              });
            case "PATCH":
              return new Route(Access.API, true, false, c -> {
                JsonObject o = ok();
                o.add("message", channel.editMessage(c.workspaceId, s.get(1), c.json()).toJson());
                return Reply.ok(o);
              });
            case "DELETE":
              return new Route(Access.API, false, false, c -> {
                channel.deleteMessage(c.workspaceId, s.get(1));
                JsonObject o = ok();
                o.addProperty("deleted", 1);
                o.addProperty("messageId", s.get(1));
                return Reply.ok(o);
              });
            default:
              throw new ChannelException(405, "Method not allowed");
          }
        }
        if (n == 3 && s.get(2).equals("resolve")) {
          return only(method, "POST", new Route(Access.API, true, false, c -> Reply.ok(channel.resolveInteraction(
              c.workspaceId, s.get(1), c.json()))));
        }
        if (n == 3 && s.get(2).equals("ack")) {
          return only(method, "POST", new Route(Access.API, true, false, c -> Reply.ok(channel.ackMessage(
              c.workspaceId, s.get(1), c.json()))));
        }
        if (n == 3 && s.get(2).equals("respond")) {
          return only(method, "POST", new Route(Access.API, true, true, c -> Reply.ok(channel.respond(
              c.workspaceId, s.get(1), c.json()).toJson())));
        }
        if (n == 3 && s.get(2).equals("cancel")) {
          return only(method, "POST", new Route(Access.API, false, true, c -> cancel(c, s.get(1))));
        }
        return null;
      case "keys":
        if (n == 1) {
          return method.equals("GET") ? new Route(Access.ADMIN, false, false, this::listKeys)
              : only(method, "POST", new Route(Access.ADMIN, true, false, this::createKey));
        }
        return n == 2 ? only(method, "DELETE", new Route(Access.ADMIN, false, false, c -> revokeKey(c, s.get(1))))
            : null;
      case "webhooks":
        return webhookRoute(method, s);
      case "workspace":
        if (n != 1) {
          return null;
        }
        return method.equals("GET") ? new Route(Access.ADMIN, false, false, c -> workspaceReply(c.workspaceId))
            : only(method, "PATCH", new Route(Access.ADMIN, true, false, c -> {
              channel.updateWorkspace(c.workspaceId, c.json());
              return workspaceReply(c.workspaceId);
            }));
      default:
        return null;
    }
  }

  /** {@code /vessels}, {@code /vessels/{uuid}[/…]} and {@code /vessels/by-external/{id}[/…]}. */
  private Route vesselRoute(String method, List<String> s) {
    if (s.size() == 1) {
      return method.equals("GET") ? new Route(Access.API, false, false, this::listVessels)
          : only(method, "POST", new Route(Access.API, true, false, c -> {
            PushResult r = channel.openVessel(c.workspaceId, c.json());
            JsonObject o = pushedJson(r);
            o.addProperty("externalId", r.vessel());
            return Reply.json(201, o);
          }));
    }
    VesselRef ref;
    List<String> rest;
    if (s.get(1).equals("by-external")) {
      if (s.size() < 3) {
        return null;
      }
      ref = VesselRef.external(s.get(2));
      rest = s.subList(3, s.size());
    } else {
      ref = VesselRef.id(s.get(1));
      rest = s.subList(2, s.size());
    }
    if (rest.isEmpty()) {
      switch (method) {
        case "GET":
          return new Route(Access.API, false, false, c -> vesselReply(channel.vessel(c.workspaceId, ref)));
        case "PATCH":
          return new Route(Access.API, true, false, c -> vesselReply(channel.updateVessel(c.workspaceId, ref,
              c.json())));
        case "DELETE":
          return new Route(Access.API, false, true, c -> {
            Vessel v = channel.deleteVessel(c.workspaceId, ref);
            JsonObject o = ok();
            o.addProperty("deleted", true);
            o.addProperty("vesselId", v.id());
            o.addProperty("externalId", v.externalId());
            return Reply.ok(o);
          });
        default:
          throw new ChannelException(405, "Method not allowed");
      }
    }
    if (rest.size() == 1 && rest.get(0).equals("messages")) {
      if (method.equals("DELETE")) {
        return new Route(Access.API, false, false, c -> {
          java.util.Map<String, String> q = new java.util.HashMap<>();
          for (String k : List.of("afterMessageId", "after", "beforeMessageId", "before", "source", "dryRun")) {
            if (c.param(k) != null) {
              q.put(k, c.param(k));
            }
          }
          return Reply.ok(channel.clearMessages(c.workspaceId, ref, q));
        });
      }
      return method.equals("GET") ? new Route(Access.API, false, false, c -> messages(c, ref))
          : only(method, "POST", new Route(Access.API, true, false, c -> Reply.json(201, pushedJson(
              channel.postUserMessage(c.workspaceId, ref, c.json())))));
    }
    if (rest.size() == 1 && rest.get(0).equals("trace")) {
      return only(method, "GET", new Route(Access.API, false, false, c -> {
        JsonObject o = ok();
        o.add("trace", channel.trace(c.workspaceId, ref));
        return Reply.ok(o);
      }));
    }
    return null;
  }

  /**
   * {@code POST /files?filename=} (raw bytes, the file's Content-Type), {@code GET /files/{id}} (a
   * signed download when the query has {@code sig} or {@code expires}, no Authorization; otherwise
   * the file's state and a fresh downloadUrl for a key), {@code POST /files/{id}/resolve}.
   */
  private Route fileRoute(String method, List<String> s, HttpServletRequest req) {
    InboundFiles files = inboundFiles(channel);
    int n = s.size();
    if (files == null) {
      return null;
    }
    if (n == 1) {
      return only(method, "POST", new Route(Access.API, true, true, c -> {
        InboundFile f = files.upload(c.workspaceId, c.queryParam("filename"), c.req.getContentType(), c.body);
        JsonObject o = ok();
        JsonObject j = f.toJson();
        j.remove("status");
        j.entrySet().forEach(e -> o.add(e.getKey(), e.getValue()));
        return Reply.json(201, o);
      }, files.maxFileBytes(), c -> files.checkUpload(c.queryParam("filename"), c.req.getContentType(),
          c.req.getContentLengthLong()), true));
    }
    String fileId = s.get(1);
    if (n == 2) {
      boolean signed = queryParam(req, "sig") != null || queryParam(req, "expires") != null;
      if (signed) {
        return only(method, "GET", new Route(Access.OPEN, false, false, c -> Reply.file(files.open(fileId,
            c.queryParam("expires"), c.queryParam("sig"))), 0, null, true));
      }
      return only(method, "GET", new Route(Access.API, false, false, c -> {
        InboundFile f = files.file(c.workspaceId, fileId);
        JsonObject o = ok();
        f.toJson().entrySet().forEach(e -> o.add(e.getKey(), e.getValue()));
        o.addProperty("downloadUrl", files.downloadUrl(fileId));
        if (f.url() != null) {
          o.addProperty("url", f.url());
        }
        return Reply.ok(o);
      }));
    }
    return n == 3 && s.get(2).equals("resolve") ? only(method, "POST", new Route(Access.API, true, true,
        c -> Reply.ok(files.resolve(c.workspaceId, fileId, c.json())))) : null;
  }

  private static Route only(String method, String allowed, Route route) {
    if (!method.equals(allowed)) {
      throw new ChannelException(405, "Method not allowed");
    }
    return route;
  }

  // -------------------------------------------------------------------------------- handlers

  private static JsonObject ok() {
    JsonObject o = new JsonObject();
    o.addProperty("ok", true);
    return o;
  }

  private static JsonObject pushedJson(PushResult r) {
    JsonObject o = r.toJson(false);
    o.remove("replayed");
    return o;
  }

  private static Reply pushed(PushResult r) {
    return Reply.ok(r.toJson(false));
  }

  private Reply push(Call c) {
    return pushed(channel.push(c.workspaceId, c.json()));
  }

  private Reply pushMany(Call c) {
    JsonArray results = new JsonArray();
    channel.pushMany(c.workspaceId, c.json()).forEach(r -> results.add(r.toResultJson()));
    JsonObject o = ok();
    o.add("results", results);
    o.addProperty("replayed", false);
    return Reply.ok(o);
  }

  private Reply poll(Call c) {
    boolean ack = bool(c.param("ack"), "ack", false);
    int limit = limit(c.param("limit"), Limits.MAX_PAGE);
    JsonArray events = new JsonArray();
    channel.poll(c.workspaceId, limit, ack).forEach(events::add);
    JsonObject o = ok();
    o.add("events", events);
    return Reply.ok(o);
  }

  private Reply ack(Call c) {
    JsonElement body = c.json();
    JsonArray ids = body.isJsonObject() && body.getAsJsonObject().has("ids")
        && body.getAsJsonObject().get("ids").isJsonArray() ? body.getAsJsonObject().getAsJsonArray("ids") : null;
    if (ids == null) {
      throw ChannelException.badRequest("Expected {\"ids\": [event ids]}");
    }
    List<String> list = new ArrayList<>();
    for (JsonElement e : ids) {
      if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
        throw ChannelException.badRequest("Expected {\"ids\": [event ids]}");
      }
      list.add(e.getAsString());
    }
    JsonObject o = ok();
    o.addProperty("acked", channel.ack(c.workspaceId, list));
    return Reply.ok(o);
  }

  private Reply listVessels(Call c) {
    String status = c.param("status");
    VesselStatus st = null;
    if (status != null && !status.isEmpty()) {
      st = VesselStatus.fromWire(status).orElseThrow(() -> ChannelException.badRequest(
          "status must be active, waiting or resolved"));
    }
    boolean archived = bool(c.param("archived"), "archived", false);
    JsonArray rows = new JsonArray();
    channel.vessels(c.workspaceId, st, archived).forEach(v -> rows.add(v.toJson()));
    JsonObject o = ok();
    o.add("vessels", rows);
    return Reply.ok(o);
  }

  private static Reply vesselReply(Vessel v) {
    JsonObject o = ok();
    o.add("vessel", v.toJson());
    return Reply.ok(o);
  }

  private Reply messages(Call c, VesselRef ref) {
    int limit = limit(c.param("limit"), Limits.DEFAULT_PAGE);
    MessagePage page = channel.messages(c.workspaceId, ref, limit, c.param("before"));
    JsonArray rows = new JsonArray();
    page.messages().forEach(m -> rows.add(m.toJson()));
    JsonObject o = ok();
    o.add("messages", rows);
    o.addProperty("has_more", page.hasMore());
    return Reply.ok(o);
  }

  private Reply cancel(Call c, String messageId) {
    CancelResult r = channel.cancelAndNotify(c.workspaceId, messageId);
    Message m = r.message();
    JsonObject o = ok();
    o.addProperty("messageId", m.id());
    o.addProperty("vesselId", m.vesselId());
    o.add("cancelRequestedAt", m.toJson().get("cancel_requested_at"));
    // message.cancelled went synchronously to every active endpoint: a 2xx means cancel is wired.
    o.addProperty("delivered", r.delivered());
    o.addProperty("endpoints", r.endpoints());
    return Reply.ok(o);
  }

  /**
   * Admin routes: {@code GET|POST /webhooks}, {@code PATCH|DELETE /webhooks/{id}}, {@code GET
   * /webhooks/deliveries?endpoint=&vessel=&limit=}, {@code GET /webhooks/deliveries/{id}}, {@code
   * POST /webhooks/deliveries/{id}/replay}.
   */
  private Route webhookRoute(String method, List<String> s) {
    Webhooks hooks = channel.webhooks();
    int n = s.size();
    if (n == 1) {
      return method.equals("GET") ? new Route(Access.ADMIN, false, false, c -> {
        JsonArray a = new JsonArray();
        hooks.endpoints(c.workspaceId).forEach(e -> a.add(e.toJson()));
        JsonObject o = ok();
        o.add("webhooks", a);
        return Reply.ok(o);
      }) : only(method, "POST", new Route(Access.ADMIN, true, false, c -> {
        JsonObject b = object(c);
        WebhookEndpoint.Created created = hooks.create(c.workspaceId, string(b, "url"), events(b));
        JsonObject o = ok();
        o.add("webhook", created.endpoint().toJson());
        o.addProperty("secret", created.secret());
        return Reply.json(201, o);
      }));
    }
    if (s.get(1).equals("deliveries")) {
      if (n == 2) {
        return only(method, "GET", new Route(Access.ADMIN, false, false, c -> {
          JsonArray a = new JsonArray();
          hooks.deliveries(c.workspaceId, c.param("endpoint"), c.param("vessel"), limit(c.param("limit"),
              Limits.DEFAULT_PAGE)).forEach(d -> a.add(d.toJson()));
          JsonObject o = ok();
          o.add("deliveries", a);
          return Reply.ok(o);
        }));
      }
      if (n == 3) {
        return only(method, "GET", new Route(Access.ADMIN, false, false, c -> {
          JsonObject o = ok();
          o.add("delivery", hooks.delivery(c.workspaceId, s.get(2)).toJson());
          return Reply.ok(o);
        }));
      }
      return n == 4 && s.get(3).equals("replay") ? only(method, "POST", new Route(Access.ADMIN, false, false,
          c -> {
            JsonObject o = ok();
            o.add("delivery", hooks.replay(c.workspaceId, s.get(2)).toJson());
            return Reply.json(202, o);
          })) : null;
    }
    if (n != 2) {
      return null;
    }
    switch (method) {
      case "PATCH":
        return new Route(Access.ADMIN, true, false, c -> {
          JsonObject b = object(c);
          Boolean active = null;
          if (b.has("active") && !b.get("active").isJsonNull()) {
            if (!b.get("active").isJsonPrimitive() || !b.get("active").getAsJsonPrimitive().isBoolean()) {
              throw ChannelException.badRequest("active: Expected boolean");
            }
            active = b.get("active").getAsBoolean();
          }
          JsonObject o = ok();
          o.add("webhook", hooks.update(c.workspaceId, s.get(1), b.has("url") ? string(b, "url") : null, events(b),
              active).toJson());
          return Reply.ok(o);
        });
      case "DELETE":
        return new Route(Access.ADMIN, false, false, c -> {
          JsonObject o = ok();
          o.add("webhook", hooks.delete(c.workspaceId, s.get(1)).toJson());
          return Reply.ok(o);
        });
      default:
        throw new ChannelException(405, "Method not allowed");
    }
  }

  private static JsonObject object(Call c) {
    JsonElement e = c.json();
    if (!e.isJsonObject()) {
      throw ChannelException.badRequest("Expected a JSON object");
    }
    return e.getAsJsonObject();
  }

  private static String string(JsonObject o, String key) {
    JsonElement e = o.get(key);
    if (e == null || !e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
      throw ChannelException.badRequest(key + ": Required string");
    }
    return e.getAsString();
  }

  private static Set<String> events(JsonObject o) {
    JsonElement e = o.get("events");
    if (e == null || e.isJsonNull()) {
      return null;
    }
    if (!e.isJsonArray()) {
      throw ChannelException.badRequest("events: Expected array");
    }
    Set<String> out = new java.util.LinkedHashSet<>();
    for (JsonElement x : e.getAsJsonArray()) {
      if (!x.isJsonPrimitive() || !x.getAsJsonPrimitive().isString()) {
        throw ChannelException.badRequest("events: Expected an array of event names");
      }
      out.add(x.getAsString());
    }
    return out;
  }

  private Reply listKeys(Call c) {
    JsonArray keys = new JsonArray();
    channel.keys(c.workspaceId).forEach(k -> keys.add(k.toJson()));
    JsonObject o = ok();
    o.add("keys", keys);
    return Reply.ok(o);
  }

  private Reply createKey(Call c) {
    JsonElement body = c.body.length == 0 ? new JsonObject() : c.json();
    if (!body.isJsonObject()) {
      throw ChannelException.badRequest("Expected {\"name\"?, \"scopes\"?: [\"read\", \"push\"]}");
    }
    JsonObject o = body.getAsJsonObject();
    String name = o.has("name") && o.get("name").isJsonPrimitive() ? o.get("name").getAsString() : null;
    Set<Scope> scopes = EnumSet.noneOf(Scope.class);
    if (!o.has("scopes")) {
      scopes = Scope.all();
    } else if (o.get("scopes").isJsonArray()) {
      for (JsonElement e : o.getAsJsonArray("scopes")) {
        if (!e.isJsonPrimitive()) {
          throw ChannelException.badRequest("scopes must be an array of read and/or push");
        }
        scopes.add(Scope.fromWire(e.getAsString()).orElseThrow(() -> ChannelException.badRequest(
            "Unknown scope '" + e.getAsString() + "': use read and/or push")));
      }
    } else {
      throw ChannelException.badRequest("scopes must be an array of read and/or push");
    }
    CreatedApiKey k = channel.createKey(c.workspaceId, name, scopes);
    JsonObject out = ok();
    out.add("key", k.key().toJson());
    out.addProperty("secret", k.secret());
    return Reply.json(201, out);
  }

  private Reply revokeKey(Call c, String id) {
    if (channel.keys(c.workspaceId).stream().noneMatch(k -> k.id().equals(id))) {
      throw ChannelException.notFound("Key not found");
    }
    ApiKey k = channel.revokeKey(id).orElseThrow(() -> ChannelException.notFound("Key not found"));
    JsonObject o = ok();
    o.add("key", k.toJson());
    return Reply.ok(o);
  }

  private Reply workspaceReply(String id) {
    JsonObject o = ok();
    o.add("workspace", channel.workspace(id).orElseThrow(() -> ChannelException.notFound("Workspace not found"))
        .toJson());
    return Reply.ok(o);
  }

  private static boolean bool(String v, String name, boolean dflt) {
    if (v == null || v.isEmpty()) {
      return dflt;
    }
    switch (v) {
      case "true":
      case "1":
        return true;
      case "false":
      case "0":
        return false;
      default:
        throw ChannelException.badRequest(name + " must be true or false");
    }
  }

  private static int limit(String v, int dflt) {
    if (v == null || v.isEmpty()) {
      return dflt;
    }
    try {
      int n = Integer.parseInt(v);
      if (n >= 1 && n <= Limits.MAX_PAGE) {
        return n;
      }
    } catch (NumberFormatException ignored) {
      // reported below
    }
    throw ChannelException.badRequest("limit must be an integer 1-" + Limits.MAX_PAGE);
  }
}
