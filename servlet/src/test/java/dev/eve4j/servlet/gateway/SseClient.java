package dev.eve4j.servlet.gateway;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * An SSE reader over the JDK HttpClient: sends {@code POST /chat} and parses the response as it
 * arrives ({@code event:} and {@code data:} lines, comments, blank-line frame ends) on a reader
 * thread, so a test can act on a frame (answer a relay) while the stream goes on.
 */
final class SseClient implements AutoCloseable {
  /** One SSE event (comments are counted, not kept). */
  record Frame(String event, JsonObject data) {
    String type() {
      return event;
    }

    String string(String field) {
      return data.get(field).getAsString();
    }

    @Override
    public String toString() {
      return event + " " + data;
    }
  }

  private static final Object END = new Object();

  final int status;
  final String contentType;
  /** The body of a non-200 reply. */
  final String body;
  private final InputStream in;
  private final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();
  private volatile int comments;

  private SseClient(int status, String contentType, String body, InputStream in) {
    this.status = status;
    this.contentType = contentType;
    this.body = body;
    this.in = in;
  }

  static SseClient post(HttpClient http, URI uri, String json, String... headers) {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri).header("content-type", "application/json")
        .header("accept", "text/event-stream").POST(HttpRequest.BodyPublishers.ofString(json));
    for (int i = 0; i + 1 < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    HttpResponse<InputStream> r;
    try {
      r = http.sendAsync(b.build(), HttpResponse.BodyHandlers.ofInputStream())
          .get(GatewayTestServer.WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new AssertionError("POST " + uri + " failed", e);
    }
    String type = r.headers().firstValue("content-type").orElse("");
    if (r.statusCode() != 200) {
      try (InputStream body = r.body()) {
        return new SseClient(r.statusCode(), type, new String(body.readAllBytes(), StandardCharsets.UTF_8), null);
      } catch (IOException e) {
        throw new AssertionError(e);
      }
    }
    SseClient c = new SseClient(200, type, null, r.body());
    Thread t = new Thread(c::read, "sse-client");
    t.setDaemon(true);
    t.start();
    return c;
  }

  private void read() {
    try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      String event = null;
      StringBuilder data = null;
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        if (line.isEmpty()) {
          if (event != null || data != null) {
            queue.add(new Frame(event, data == null ? null
                : JsonParser.parseString(data.toString()).getAsJsonObject()));
          }
          event = null;
          data = null;
        } else if (line.startsWith(":")) {
          comments++;
        } else if (line.startsWith("event: ")) {
          event = line.substring(7);
        } else if (line.startsWith("data: ")) {
          data = data == null ? new StringBuilder(line.substring(6)) : data.append('\n').append(line.substring(6));
        } else {
          queue.add(new AssertionError("not an SSE line: " + line));
        }
      }
    } catch (IOException e) {
      // cut: the end
    } finally {
      queue.add(END);
    }
  }

  /** The next frame, or null at the end of the response. */
  Frame next() {
    try {
      Object o = queue.poll(GatewayTestServer.WAIT.toMillis(), TimeUnit.MILLISECONDS);
      if (o == null) {
        throw new AssertionError("no frame within " + GatewayTestServer.WAIT);
      }
      if (o == END) {
        queue.add(END);
        return null;
      }
      if (o instanceof AssertionError) {
        throw (AssertionError) o;
      }
      return (Frame) o;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** Frames up to and including the first of {@code type}. */
  List<Frame> until(String type) {
    List<Frame> out = new ArrayList<>();
    while (true) {
      Frame f = next();
      if (f == null) {
        throw new AssertionError("the stream ended before " + type + "; got " + out);
      }
      out.add(f);
      if (type.equals(f.type())) {
        return out;
      }
    }
  }

  /** Every remaining frame, until the server ends the response. */
  List<Frame> rest() {
    List<Frame> out = new ArrayList<>();
    for (Frame f = next(); f != null; f = next()) {
      out.add(f);
    }
    return out;
  }

  int comments() {
    return comments;
  }

  @Override
  public void close() {
    if (in != null) {
      try {
        in.close();
      } catch (IOException ignored) {
        // closing a cut stream
      }
    }
  }
}
