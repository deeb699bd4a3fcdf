package dev.eve4j.servlet.events;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A firehose client on a plain socket (HTTP/1.1, chunked), so a test controls exactly when bytes
 * are read: {@link #open} reads the response head and the {@code : connected} comment (proof that
 * the subscription exists), and frames are read only after {@link #startReading}. A client that
 * never starts reading, with a small receive buffer, is the slow consumer. Not thread-safe apart
 * from the reader thread it starts.
 */
final class Sse implements AutoCloseable {
  static final Duration WAIT = Duration.ofSeconds(15);

  /** One SSE frame: an event ({@code id} + {@code data}) or a comment. */
  record Frame(String id, JsonObject data, String comment) {
    boolean isEvent() {
      return data != null;
    }

    JsonObject message() {
      return data.getAsJsonObject("message");
    }

    String type() {
      return data == null ? null : message().get("type").getAsString();
    }

    String conversationKey() {
      return data.get("conversationKey").getAsString();
    }

    @Override
    public String toString() {
      return data != null ? "id:" + id + " " + data : ":" + comment;
    }
  }

  private static final Object END = new Object();

  private final Socket socket;
  private final BufferedInputStream in;
  final int status;
  final Map<String, String> headers;
  final String body;
  private final boolean chunked;
  private final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();
  private final ByteArrayOutputStream partial = new ByteArrayOutputStream();
  private volatile boolean cleanEnd;
  private volatile boolean ended;
  private Thread reader;

  private Sse(Socket socket, BufferedInputStream in, int status, Map<String, String> headers, String body,
      boolean chunked) {
    this.socket = socket;
    this.in = in;
    this.status = status;
    this.headers = headers;
    this.body = body;
    this.chunked = chunked;
  }

  /**
   * Sends {@code GET pathAndQuery} and reads the response head; for a 200, also the first chunk (the
   * {@code : connected} comment). {@code receiveBuffer} > 0 shrinks the socket's receive buffer.
   */
  static Sse open(int port, String pathAndQuery, int receiveBuffer, String... headerPairs) throws IOException {
    Socket s = new Socket();
    if (receiveBuffer > 0) {
      s.setReceiveBufferSize(receiveBuffer);
    }
    s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
    s.setSoTimeout((int) WAIT.toMillis());
    StringBuilder req = new StringBuilder("GET " + pathAndQuery + " HTTP/1.1\r\nHost: 127.0.0.1:" + port
        + "\r\nAccept: text/event-stream\r\n");
    for (int i = 0; i + 1 < headerPairs.length; i += 2) {
      req.append(headerPairs[i]).append(": ").append(headerPairs[i + 1]).append("\r\n");
    }
    req.append("\r\n");
    OutputStream out = s.getOutputStream();
    out.write(req.toString().getBytes(StandardCharsets.UTF_8));
    out.flush();
    BufferedInputStream in = new BufferedInputStream(s.getInputStream(), 512);
    String statusLine = line(in);
    int status = Integer.parseInt(statusLine.split(" ")[1]);
    Map<String, String> headers = new LinkedHashMap<>();
    for (String h = line(in); !h.isEmpty(); h = line(in)) {
      int colon = h.indexOf(':');
      headers.put(h.substring(0, colon).trim().toLowerCase(Locale.ROOT), h.substring(colon + 1).trim());
    }
    boolean chunked = "chunked".equalsIgnoreCase(headers.get("transfer-encoding"));
    String body = null;
    if (status != 200) {
      int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
      body = new String(in.readNBytes(length), StandardCharsets.UTF_8);
      s.close();
    }
    Sse sse = new Sse(s, in, status, headers, body, chunked);
    if (status == 200) {
      Frame first = sse.readFrameNow();
      if (first == null || first.isEvent() || !"connected".equals(first.comment())) {
        throw new IOException("expected the ': connected' comment first, got " + first);
      }
    }
    return sse;
  }

  /**
   * Reads event frames on this thread, before {@link #startReading}, up to and including the first of
   * {@code type}; the client then stops reading until told.
   */
  List<Frame> readNowUntil(String type) throws IOException {
    List<Frame> out = new ArrayList<>();
    while (true) {
      Frame f = readFrameNow();
      if (f == null) {
        throw new AssertionError("the response ended before " + type + "; got " + out);
      }
      if (f.isEvent()) {
        out.add(f);
        if (type.equals(f.type())) {
          return out;
        }
      }
    }
  }

  /** Reads frames on a background thread from now on. */
  Sse startReading() {
    reader = new Thread(() -> {
      try {
        while (true) {
          Frame f = readFrameNow();
          if (f == null) {
            break;
          }
          queue.add(f);
        }
      } catch (IOException e) {
        // the connection was cut: ended, not cleanly
      } finally {
        ended = true;
        queue.add(END);
      }
    }, "sse-reader");
    reader.setDaemon(true);
    reader.start();
    return this;
  }

  /** The next frame (comments included), or null at the end of the response. */
  Frame next(Duration timeout) {
    try {
      Object o = queue.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
      if (o == null) {
        throw new AssertionError("no frame within " + timeout);
      }
      if (o == END) {
        queue.add(END);
        return null;
      }
      return (Frame) o;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** The next event frame (comments skipped), or null at the end of the response. */
  Frame nextEvent(Duration timeout) {
    for (Frame f = next(timeout); ; f = next(timeout)) {
      if (f == null || f.isEvent()) {
        return f;
      }
    }
  }

  /** Event frames up to and including the first whose message type is {@code type}. */
  List<Frame> eventsUntil(String type) {
    List<Frame> out = new ArrayList<>();
    while (true) {
      Frame f = nextEvent(WAIT);
      if (f == null) {
        throw new AssertionError("the response ended before " + type + "; got " + out);
      }
      out.add(f);
      if (type.equals(f.type())) {
        return out;
      }
    }
  }

  /** Every frame up to the end of the response. */
  List<Frame> untilEnd(Duration timeout) {
    List<Frame> out = new ArrayList<>();
    for (Frame f = next(timeout); f != null; f = next(timeout)) {
      out.add(f);
    }
    return out;
  }

  /** Whether the response ended with the chunked terminator (not a cut connection). */
  boolean endedCleanly() {
    return ended && cleanEnd;
  }

  /** Drops the connection without reading further (a closed tab, an aborted fetch). */
  void abort() {
    try {
      socket.close();
    } catch (IOException ignored) {
      // closing anyway
    }
  }

  @Override
  public void close() {
    abort();
  }

  /** Reads the next SSE frame from the socket on this thread; null at the end of the response. */
  private Frame readFrameNow() throws IOException {
    while (true) {
      byte[] buf = partial.toByteArray();
      int end = indexOf(buf);
      if (end >= 0) {
        partial.reset();
        partial.write(buf, end + 2, buf.length - end - 2);
        return parse(new String(buf, 0, end, StandardCharsets.UTF_8));
      }
      byte[] chunk = readChunk();
      if (chunk == null) {
        return null;
      }
      partial.write(chunk);
    }
  }

  private byte[] readChunk() throws IOException {
    if (!chunked) {
      byte[] b = new byte[4096];
      int n = in.read(b);
      if (n < 0) {
        cleanEnd = true;
        return null;
      }
      return java.util.Arrays.copyOf(b, n);
    }
    // Jetty sends a chunk's closing CRLF in front of the next chunk, so it is read there.
    String size = line(in);
    if (size.isEmpty()) {
      size = line(in);
    }
    int n = Integer.parseInt(size.split(";")[0].trim(), 16);
    if (n == 0) {
      line(in);
      cleanEnd = true;
      return null;
    }
    byte[] data = in.readNBytes(n);
    if (data.length < n) {
      throw new IOException("connection cut inside a chunk");
    }
    return data;
  }

  private static Frame parse(String text) {
    String id = null;
    StringBuilder data = null;
    String comment = null;
    for (String l : text.split("\n", -1)) {
      if (l.startsWith(":")) {
        comment = l.substring(1).trim();
      } else if (l.startsWith("id:")) {
        id = l.substring(3).trim();
      } else if (l.startsWith("data:")) {
        data = (data == null ? new StringBuilder() : data.append('\n')).append(l.substring(5).trim());
      }
    }
    JsonObject json = data == null ? null : JsonParser.parseString(data.toString()).getAsJsonObject();
    return new Frame(id, json, comment);
  }

  private static int indexOf(byte[] b) {
    for (int i = 0; i + 1 < b.length; i++) {
      if (b[i] == '\n' && b[i + 1] == '\n') {
        return i;
      }
    }
    return -1;
  }

  /** One CRLF-terminated line, without the terminator; EOF is an IOException. */
  private static String line(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    for (int c = in.read(); c != '\n'; c = in.read()) {
      if (c < 0) {
        throw new IOException("connection closed");
      }
      if (c != '\r') {
        b.write(c);
      }
    }
    return b.toString(StandardCharsets.UTF_8);
  }
}
