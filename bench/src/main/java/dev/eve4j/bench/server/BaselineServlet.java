package dev.eve4j.bench.server;

import dev.eve4j.bench.Stamp;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The baseline: a minimal async servlet with eve4j's routes and response shapes but no journal, no
 * agent and no encoding. {@code POST /session} with message N publishes the precomputed lines of a
 * turn of N deltas at once (the S1 and S4 sessions); without a body it makes an empty session, and
 * {@code POST /session/{id}} with message N then publishes that turn line by line from a thread of
 * its own as fast as it can (with N/R: R deltas a second), stamping each delta and its {@code
 * meta.at} as it goes (S2). {@code GET
 * /session/{id}/stream} serves them with {@link BaselineStream}. Thread-safe.
 */
final class BaselineServlet extends HttpServlet {
  private static final long serialVersionUID = 1L;
  private static final Pattern MESSAGE = Pattern.compile("\"message\"\\s*:\\s*\"(\\d+(?:/\\d+)?)\"");
  private static final DateTimeFormatter AT =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  private final transient Templates templates = new Templates();
  private final transient ConcurrentHashMap<String, Topic> topics = new ConcurrentHashMap<>();
  private final transient Set<BaselineStream> open = ConcurrentHashMap.newKeySet();
  private final transient ScheduledThreadPoolExecutor timer;
  private final long heartbeatNanos;
  private final AtomicLong ids = new AtomicLong();

  BaselineServlet(Duration heartbeat) {
    this.heartbeatNanos = heartbeat.toNanos();
    this.timer = new ScheduledThreadPoolExecutor(1, r -> {
      Thread t = new Thread(r, "baseline-stream-timer");
      t.setDaemon(true);
      return t;
    });
    timer.setRemoveOnCancelPolicy(true);
    // Precompute what the runner says this run will ask for, e.g. "create:50,send:10000".
    for (String spec : System.getProperty("bench.templates", "").split(",")) {
      if (!spec.isBlank()) {
        String[] kv = spec.trim().split(":", 2);
        if (kv[0].equals("create")) {
          templates.created(kv[1]);
        } else {
          templates.prewarmedTurn(kv[1]);
        }
      }
    }
  }

  @Override
  public void destroy() {
    open.forEach(BaselineStream::finish);
    timer.shutdown();
  }

  @Override
  protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    String path = req.getPathInfo() == null ? "/" : req.getPathInfo();
    String[] seg = path.substring(1).split("/", -1);
    String method = req.getMethod();
    if (method.equals("POST") && seg.length == 1 && seg[0].equals("session")) {
      String id = String.format("wrun_%026d", ids.incrementAndGet());
      Topic topic = new Topic();
      String message = message(req);
      if (message != null) {
        topic.publishAll(templates.created(message).lines());
      }
      topics.put(id, topic);
      accepted(resp, id, null);
    } else if (method.equals("POST") && seg.length == 2 && seg[0].equals("session")) {
      Topic topic = topics.get(seg[1]);
      String message = message(req);
      if (topic == null || message == null) {
        resp.sendError(404);
        return;
      }
      Templates.Template turn = templates.prewarmedTurn(message);
      int slash = message.indexOf('/');
      int perSecond = slash < 0 ? 0 : Integer.parseInt(message.substring(slash + 1));
      Thread publisher = new Thread(() -> publish(topic, turn, perSecond), "baseline-turn");
      publisher.setDaemon(true);
      publisher.start();
      accepted(resp, seg[1], UUID.randomUUID().toString());
    } else if (method.equals("GET") && seg.length == 3 && seg[0].equals("session") && seg[2].equals("stream")) {
      stream(req, resp, seg[1]);
    } else {
      resp.sendError(404);
    }
  }

  /** The message text when it is N or N/R (deltas, deltas per second), else null. */
  private static String message(HttpServletRequest req) throws IOException {
    String body = new String(req.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    Matcher m = MESSAGE.matcher(body);
    return m.find() ? m.group(1) : null;
  }

  private static void accepted(HttpServletResponse resp, String id, String deliveryId) throws IOException {
    String json = "{\"ok\":true,\"sessionId\":\"" + id + "\",\"status\":\"accepted\""
        + (deliveryId == null ? "" : ",\"deliveryId\":\"" + deliveryId + "\"") + "}";
    byte[] body = json.getBytes(StandardCharsets.UTF_8);
    resp.setStatus(202);
    resp.setContentType("application/json");
    resp.setHeader("cache-control", "no-store");
    resp.setHeader("x-eve-session-id", id);
    resp.setContentLength(body.length);
    resp.getOutputStream().write(body);
  }

  /**
   * Publishes a turn as fast as possible (or its deltas {@code perSecond}, as the bench model paces
   * them), stamping each delta with the time of its publication.
   */
  private static void publish(Topic topic, Templates.Template turn, int perSecond) {
    long atMillis = -1;
    byte[] at = null;
    byte[][] lines = turn.lines();
    long start = System.nanoTime();
    long period = perSecond <= 0 ? 0 : 1_000_000_000L / perSecond;
    int delta = 0;
    for (int i = 0; i < lines.length; i++) {
      byte[] line = lines[i];
      if (turn.stampAt()[i] >= 0) {
        if (period > 0) {
          long due = start + delta++ * period;
          for (long wait; (wait = due - System.nanoTime()) > 0; ) {
            java.util.concurrent.locks.LockSupport.parkNanos(wait);
          }
        }
        line = line.clone();
        long millis = System.currentTimeMillis();
        if (millis != atMillis) {
          atMillis = millis;
          at = AT.format(Instant.ofEpochMilli(millis)).getBytes(StandardCharsets.US_ASCII);
        }
        System.arraycopy(at, 0, line, turn.atAt()[i], at.length);
        Stamp.write(System.nanoTime(), line, turn.stampAt()[i]);
      }
      topic.publish(line);
    }
  }

  private void stream(HttpServletRequest req, HttpServletResponse resp, String id) throws IOException {
    Topic topic = topics.get(id);
    if (topic == null) {
      resp.sendError(404);
      return;
    }
    String startParam = req.getParameter("startIndex");
    int tail = topic.size() - 1;
    int start = startParam == null ? 0 : Integer.parseInt(startParam);
    if (start < 0) {
      start = Math.max(0, tail + 1 + start);
    }
    String follow = req.getParameter("follow");
    boolean bounded = "0".equals(follow) || "false".equals(follow);
    resp.setStatus(200);
    resp.setContentType("application/x-ndjson; charset=utf-8");
    resp.setHeader("cache-control", "no-store, no-transform");
    resp.setHeader("x-accel-buffering", "no");
    resp.setHeader("x-eve-session-id", id);
    resp.setHeader("x-eve-stream-format", "ndjson");
    resp.setHeader("x-eve-stream-version", "26");
    if (bounded) {
      resp.setHeader("x-eve-stream-tail-index", Integer.toString(tail));
    }
    AsyncContext async = req.startAsync();
    async.setTimeout(0);
    new BaselineStream(async, resp.getOutputStream(), topic, start, bounded ? tail : Integer.MAX_VALUE, timer,
        heartbeatNanos, open).start();
  }
}
