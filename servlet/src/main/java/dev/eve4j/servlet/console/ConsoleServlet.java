package dev.eve4j.servlet.console;

import dev.eve4j.channel.ApiKey;
import dev.eve4j.channel.OperatorChannel;
import dev.eve4j.channel.Scope;
import dev.eve4j.servlet.io.CursorStream;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The operator console: mount it at {@code /console/*} with async support on, beside the {@code
 * ChannelServlet} at {@code /api/v1/*} (the page calls only that API).
 *
 * <ul>
 *   <li>{@code GET /console/} (and {@code index.html}, {@code console.css}, {@code console.js}): the
 *       single page, static files from this jar's classpath, no authentication. Strict headers: a
 *       Content-Security-Policy allowing only this origin's scripts and styles (no inline script, no
 *       eval, no framing), {@code nosniff}, {@code no-referrer}, and an ETag ({@code If-None-Match}
 *       answers 304). {@code /console} redirects to {@code /console/}.
 *   <li>{@code GET /console/events}: the workspace's live changes as Server-Sent Events, for the
 *       page's {@code fetch()} stream (so the token travels in a header, not in a URL that lands in
 *       logs). Needs {@code Authorization: Bearer vsl_…} with the {@code read} scope, the same keys
 *       as {@code /api/v1}. Frames: {@code event: ready} once, then {@code event: change} with {@code
 *       {vesselId, externalId, messageId?, kind}} per change, {@code event: reset} when the reader
 *       lost changes (re-read everything); blank-line heartbeats. {@code Last-Event-ID} resumes.
 * </ul>
 *
 * <p>The stream is the firehose's write loop ({@link CursorStream}) over a {@link ConsoleFeed}
 * cursor: async, no thread per connection, one bounded ring for every reader; an open
 * connection is closed when a new one would exceed {@link #MAX_CONNECTIONS}. Thread-safe.
 */
public final class ConsoleServlet extends HttpServlet {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = Logger.getLogger(ConsoleServlet.class.getName());
  /** The Content-Security-Policy of every console response. */
  public static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; "
      + "img-src 'self' https: data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
      + "form-action 'none'; object-src 'none'";
  /** Open event streams at most; a new one beyond this closes another. */
  public static final int MAX_CONNECTIONS = 512;
  private static final int RING = 4096;
  private static final Map<String, String> TYPES = Map.of(
      "index.html", "text/html; charset=utf-8",
      "console.css", "text/css; charset=utf-8",
      "console.js", "text/javascript; charset=utf-8");

  private final transient OperatorChannel channel;
  private final transient Duration heartbeat;
  private final transient Map<String, Asset> assets = new ConcurrentHashMap<>();
  private final transient Set<CursorStream> streams = ConcurrentHashMap.newKeySet();
  private final transient ScheduledThreadPoolExecutor timer;
  private transient volatile ConsoleFeed feed;

  private record Asset(byte[] bytes, String type, String etag) {}

  public ConsoleServlet(OperatorChannel channel) {
    this(channel, Duration.ofSeconds(15));
  }

  /** @param heartbeat silence after which the event stream writes a blank line */
  public ConsoleServlet(OperatorChannel channel, Duration heartbeat) {
    this.channel = Objects.requireNonNull(channel, "channel");
    this.heartbeat = Objects.requireNonNull(heartbeat, "heartbeat");
    this.timer = new ScheduledThreadPoolExecutor(1, r -> {
      Thread t = new Thread(r, "eve4j-console-timer");
      t.setDaemon(true);
      return t;
    });
    timer.setRemoveOnCancelPolicy(true);
  }

  @Override
  public void init() {
    feed();
  }

  private ConsoleFeed feed() {
    ConsoleFeed f = feed;
    if (f == null) {
      synchronized (this) {
        f = feed;
        if (f == null) {
          f = new ConsoleFeed(channel, RING);
          feed = f;
        }
      }
    }
    return f;
  }

  /** Ends every open stream and stops following the channel. */
  @Override
  public void destroy() {
    for (CursorStream s : Set.copyOf(streams)) {
      s.shutdown();
    }
    ConsoleFeed f = feed;
    feed = null;
    if (f != null) {
      try {
        f.close();
      } catch (Exception e) {
        LOG.log(Level.FINE, "unsubscribing the console feed failed", e);
      }
    }
    timer.shutdown();
  }

  /** Open event streams right now. */
  public int openStreams() {
    return streams.size();
  }

  @Override
  protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    String path = req.getPathInfo();
    if (path == null) {
      String query = req.getQueryString();
      resp.setStatus(301);
      resp.setHeader("location", req.getContextPath() + req.getServletPath() + "/" + (query == null ? "" : "?" + query));
      return;
    }
    if (path.equals("/events")) {
      events(req, resp);
      return;
    }
    String name = path.equals("/") ? "index.html" : path.substring(1);
    Asset asset = TYPES.containsKey(name) ? asset(name) : null;
    securityHeaders(resp);
    if (asset == null) {
      resp.setStatus(404);
      resp.setContentType("text/plain; charset=utf-8");
      resp.getWriter().write("Not found\n");
      return;
    }
    resp.setHeader("etag", asset.etag());
    resp.setHeader("cache-control", "no-cache");
    String match = req.getHeader("if-none-match");
    if (match != null && (match.equals(asset.etag()) || match.trim().equals("*"))) {
      resp.setStatus(304);
      return;
    }
    resp.setStatus(200);
    resp.setContentType(asset.type());
    resp.setContentLength(asset.bytes().length);
    if (!req.getMethod().equals("HEAD")) {
      resp.getOutputStream().write(asset.bytes());
    }
  }

  /** HEAD of a static file answers its headers; the stream has no head (it would hold a subscription). */
  @Override
  protected void doHead(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    if ("/events".equals(req.getPathInfo())) {
      resp.setStatus(405);
      resp.setHeader("allow", "GET");
      return;
    }
    doGet(req, resp);
  }

  private static void securityHeaders(HttpServletResponse resp) {
    resp.setHeader("content-security-policy", CSP);
    resp.setHeader("x-content-type-options", "nosniff");
    resp.setHeader("referrer-policy", "no-referrer");
    resp.setHeader("x-frame-options", "DENY");
  }

  private Asset asset(String name) {
    return assets.computeIfAbsent(name, n -> {
      try (InputStream in = ConsoleServlet.class.getResourceAsStream(n)) {
        if (in == null) {
          return null;
        }
        byte[] bytes = in.readAllBytes();
        byte[] hash = MessageDigest.getInstance("SHA-256").digest(bytes);
        return new Asset(bytes, TYPES.get(n), "\"" + HexFormat.of().formatHex(hash, 0, 12) + "\"");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
    });
  }

  // ------------------------------------------------------------------------------ the stream

  private void events(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    securityHeaders(resp);
    Optional<ApiKey> key = channel.authenticate(bearer(req.getHeader("authorization")));
    if (key.isEmpty()) {
      error(resp, 401, "unauthorized");
      return;
    }
    if (!key.get().has(Scope.READ)) {
      error(resp, 403, "insufficient_scope");
      return;
    }
    ConsoleFeed f = feed();
    while (streams.size() >= MAX_CONNECTIONS) {
      CursorStream oldest = streams.iterator().next();
      streams.remove(oldest);
      oldest.shutdown();
    }
    resp.setStatus(200);
    resp.setBufferSize(2048);
    resp.setContentType("text/event-stream; charset=utf-8");
    resp.setHeader("cache-control", "no-store, no-transform");
    resp.setHeader("x-accel-buffering", "no");
    AsyncContext async = req.startAsync();
    async.setTimeout(0);
    ConsoleFeed.Cursor cursor = f.cursor(key.get().workspaceId(), req.getHeader("last-event-id"));
    new EventStream(async, resp, cursor, f).start();
  }

  private static void error(HttpServletResponse resp, int status, String error) throws IOException {
    resp.setStatus(status);
    resp.setContentType("application/json");
    resp.getOutputStream().write(("{\"ok\":false,\"error\":\"" + error + "\"}").getBytes(StandardCharsets.UTF_8));
  }

  private static String bearer(String header) {
    if (header == null) {
      return null;
    }
    String h = header.trim();
    return h.length() > 7 && h.regionMatches(true, 0, "Bearer ", 0, 7) ? h.substring(7).trim() : null;
  }

  /** One open {@code /console/events} response: {@code ready}, then the cursor's frames. */
  private final class EventStream extends CursorStream {
    private final byte[] ready;
    private boolean readySent;

    EventStream(AsyncContext async, HttpServletResponse resp, ConsoleFeed.Cursor cursor, ConsoleFeed feed)
        throws IOException {
      super(async, resp.getOutputStream(), cursor, timer, heartbeat, streams);
      this.ready = ("retry: 2000\nevent: ready\ndata: {\"epoch\":\"" + feed.epoch() + "\"}\n\n")
          .getBytes(StandardCharsets.UTF_8);
    }

    @Override
    protected byte[] nextChunk() {
      if (!readySent) {
        readySent = true;
        return ready;
      }
      return cursor.poll();
    }
  }
}
