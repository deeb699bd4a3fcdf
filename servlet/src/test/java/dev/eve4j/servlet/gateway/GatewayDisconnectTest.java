package dev.eve4j.servlet.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.eve4j.session.SessionState;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A client that goes away mid-run ends the run: the turn is cancelled, the model call stops, and the
 * stream's cursor, timer and relays are released. The client is a plain socket, so the test knows
 * exactly when it is gone.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class GatewayDisconnectTest {
  private static final Pattern SESSION = Pattern.compile("\"sessionId\":\"([^\"]+)\"");
  private static GatewayTestServer server;
  private static final ConcurrentHashMap<String, CountDownLatch> cancelled = new ConcurrentHashMap<>();
  private static AutoCloseable subscription;

  @BeforeAll
  static void start() {
    server = GatewayTestServer.start();
    subscription = server.runtime().sessions().subscribe((sessionId, owner, index, event, line) -> {
      if (event.type().equals("turn.cancelled")) {
        latch(sessionId).countDown();
      }
    });
  }

  @AfterAll
  static void stop() throws Exception {
    subscription.close();
    server.close();
  }

  private static CountDownLatch latch(String sessionId) {
    return cancelled.computeIfAbsent(sessionId, k -> new CountDownLatch(1));
  }

  /** A raw {@code POST /chat}; reads until {@code marker} has been seen {@code times} times; the session id. */
  private static String readUntil(Socket socket, String body, String marker, int times) throws IOException {
    socket.connect(new InetSocketAddress("127.0.0.1", server.port()), 5000);
    socket.setSoTimeout((int) GatewayTestServer.WAIT.toMillis());
    byte[] json = body.getBytes(StandardCharsets.UTF_8);
    OutputStream out = socket.getOutputStream();
    out.write(("POST /chat HTTP/1.1\r\nHost: 127.0.0.1:" + server.port() + "\r\nContent-Type: application/json\r\n"
        + "Content-Length: " + json.length + "\r\n\r\n").getBytes(StandardCharsets.UTF_8));
    out.write(json);
    out.flush();
    InputStream in = socket.getInputStream();
    StringBuilder seen = new StringBuilder();
    byte[] buf = new byte[4096];
    while (count(seen, marker) < times) {
      int n = in.read(buf);
      if (n < 0) {
        throw new AssertionError("the response ended early: " + seen);
      }
      seen.append(new String(buf, 0, n, StandardCharsets.UTF_8));
    }
    assertTrue(seen.toString().startsWith("HTTP/1.1 200"), seen.toString());
    Matcher m = SESSION.matcher(seen);
    assertTrue(m.find(), seen.toString());
    return m.group(1);
  }

  private static int count(CharSequence s, String marker) {
    int n = 0;
    for (int i = s.toString().indexOf(marker); i >= 0; i = s.toString().indexOf(marker, i + 1)) {
      n++;
    }
    return n;
  }

  private static List<String> types(String sessionId) {
    return server.journal(sessionId).stream().map(e -> e.get("type").getAsString())
        .collect(java.util.stream.Collectors.toList());
  }

  @Test
  void disconnectMidRunCancelsTheTurnAndReleasesTheRun() throws Exception {
    String sessionId;
    try (Socket socket = new Socket()) {
      sessionId = readUntil(socket, "{\"message\":\"slow: walk\"}", "event: text", 3);
      assertEquals(1, server.gateway().openRuns());
    }
    // Gone: the next writes fail, the run cancels its turn.
    assertTrue(latch(sessionId).await(15, TimeUnit.SECONDS), "the turn was not cancelled");
    GatewayTestServer.await("the run is released", () -> server.gateway().openRuns() == 0);
    String id = sessionId;
    GatewayTestServer.await("the session is idle", () -> server.runtime().sessions().state(id)
        .orElseThrow() == SessionState.WAITING);
    List<String> types = types(sessionId);
    int cancelledAt = types.indexOf("turn.cancelled");
    assertTrue(cancelledAt > 0, types.toString());
    assertTrue(types.subList(cancelledAt, types.size()).stream().noneMatch(t -> t.equals("message.appended")),
        "no text after the cancel: " + types);
    long deltas = types.stream().filter(t -> t.equals("message.appended")).count();
    assertTrue(deltas < 40, "the model call stopped early, after " + deltas + " of 40 deltas");
    // The session itself stays usable: a new run on it completes.
    List<SseClient.Frame> again = server.chat("{\"sessionId\":\"" + sessionId + "\",\"message\":\"still there?\"}").rest();
    assertEquals("completed", again.get(again.size() - 1).string("status"));
  }

  @Test
  void disconnectWhileWaitingForARelayCancelsAndClosesTheRelay() throws Exception {
    String sessionId;
    try (Socket socket = new Socket()) {
      sessionId = readUntil(socket, "{\"message\":\"approve: nowhere\"}", "event: relay", 1);
      assertEquals(1, server.gateway().openRelays());
    }
    // Nothing is written while the run waits; the heartbeat finds the client gone.
    assertTrue(latch(sessionId).await(15, TimeUnit.SECONDS), "the turn was not cancelled");
    GatewayTestServer.await("the run and its relay are released",
        () -> server.gateway().openRuns() == 0 && server.gateway().openRelays() == 0);
    JsonObject relay = server.journal(sessionId).stream().filter(e -> e.get("type").getAsString()
        .equals("input.requested")).findFirst().orElseThrow();
    String relayId = relay.getAsJsonObject("data").getAsJsonArray("requests").get(0).getAsJsonObject()
        .get("requestId").getAsString();
    assertEquals(404, server.relay(relayId, "{\"response\":{\"approved\":true}}").statusCode());
    assertTrue(types(sessionId).stream().noneMatch(t -> t.equals("action.result")), "the tool never ran");
  }
}
