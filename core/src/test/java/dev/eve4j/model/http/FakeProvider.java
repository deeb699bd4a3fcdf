package dev.eve4j.model.http;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A fake model provider: a real HTTP server (the JDK's) on 127.0.0.1, port 0, that answers each
 * request with the next scripted {@link Response} and records what it was sent. Responses can
 * stream a body in small flushed pieces, stall, drop the connection mid-body, or notice that the
 * client closed it.
 */
public final class FakeProvider implements AutoCloseable {
  /** What the server does with one request. Runs on a server thread; may block. */
  public interface Response {
    void answer(HttpExchange exchange) throws IOException;
  }

  /** One request as received. */
  public record Request(String method, String path, Map<String, List<String>> headers, String body) {
    public JsonObject json() {
      return JsonParser.parseString(body).getAsJsonObject();
    }

    public String header(String name) {
      for (Map.Entry<String, List<String>> e : headers.entrySet()) {
        if (e.getKey().equalsIgnoreCase(name)) {
          return e.getValue().get(0);
        }
      }
      return null;
    }
  }

  private final HttpServer server;
  private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "fake-provider");
    t.setDaemon(true);
    return t;
  });
  private final ConcurrentLinkedQueue<Response> script = new ConcurrentLinkedQueue<>();
  private final LinkedBlockingQueue<Request> received = new LinkedBlockingQueue<>();
  /** Released by {@link #close}: responses that stall wait on it. */
  private final CountDownLatch closing = new CountDownLatch(1);

  private FakeProvider() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(pool);
    server.createContext("/", exchange -> {
      byte[] body = exchange.getRequestBody().readAllBytes();
      received.add(new Request(exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
          Map.copyOf(exchange.getRequestHeaders()), new String(body, StandardCharsets.UTF_8)));
      Response next = script.poll();
      if (next == null) {
        next = json(500, "{\"error\":{\"message\":\"the fake provider has no response scripted\"}}");
      }
      // Not in a finally: after a throw the server closes the connection mid-body (see dropAfter).
      next.answer(exchange);
      exchange.close();
    });
    server.start();
  }

  public static FakeProvider start(Response... responses) throws IOException {
    FakeProvider p = new FakeProvider();
    p.then(responses);
    return p;
  }

  /** Queues responses for the next requests, in order. */
  public FakeProvider then(Response... responses) {
    script.addAll(List.of(responses));
    return this;
  }

  /** {@code http://127.0.0.1:<port>}. */
  public String baseUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** The next request received, waiting up to 5 s. */
  public Request request() throws InterruptedException {
    Request r = received.poll(5, TimeUnit.SECONDS);
    if (r == null) {
      throw new AssertionError("the fake provider received no request within 5 s");
    }
    return r;
  }

  /** The requests received so far and not yet taken. */
  public List<Request> drain() {
    List<Request> out = new ArrayList<>();
    received.drainTo(out);
    return out;
  }

  @Override
  public void close() {
    closing.countDown();
    server.stop(0);
    pool.shutdownNow();
  }

  // ---- responses ------------------------------------------------------------------------------

  /** 200 {@code text/event-stream}, the body written in flushed pieces of {@code piece} bytes. */
  public static Response sse(String body, int piece) {
    return exchange -> {
      exchange.getResponseHeaders().set("content-type", "text/event-stream; charset=utf-8");
      exchange.sendResponseHeaders(200, 0);
      write(exchange.getResponseBody(), body.getBytes(StandardCharsets.UTF_8), piece);
    };
  }

  /** 200 {@code text/event-stream}, written in pieces of 61 bytes (splitting lines and characters). */
  public static Response sse(String body) {
    return sse(body, 61);
  }

  /** A whole JSON body with this status and extra headers ({@code name, value, name, value, …}). */
  public static Response json(int status, String body, String... headers) {
    return exchange -> {
      exchange.getResponseHeaders().set("content-type", "application/json");
      for (int i = 0; i + 1 < headers.length; i += 2) {
        exchange.getResponseHeaders().add(headers[i], headers[i + 1]);
      }
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
      if (bytes.length > 0) {
        exchange.getResponseBody().write(bytes);
      }
    };
  }

  /** Streams {@code partial}, then drops the connection without ending the chunked body. */
  public static Response dropAfter(String partial) {
    return exchange -> {
      exchange.getResponseHeaders().set("content-type", "text/event-stream");
      exchange.sendResponseHeaders(200, 0);
      write(exchange.getResponseBody(), partial.getBytes(StandardCharsets.UTF_8), 1 << 16);
      // The JDK server closes the connection of a handler that throws, mid-chunk.
      throw new IOException("fake provider drops the connection");
    };
  }

  /** Sends nothing at all (not even the status line) until the provider closes. */
  public Response stallBeforeHeaders() {
    return exchange -> await(closing);
  }

  /** Streams {@code partial}, then sends nothing more until the provider closes. */
  public Response stallAfter(String partial) {
    return exchange -> {
      exchange.getResponseHeaders().set("content-type", "text/event-stream");
      exchange.sendResponseHeaders(200, 0);
      write(exchange.getResponseBody(), partial.getBytes(StandardCharsets.UTF_8), 1 << 16);
      await(closing);
    };
  }

  /**
   * Streams {@code first}, then an SSE comment every 20 ms until a write fails because the client
   * closed the connection, which counts down {@code clientClosed}; gives up after 10 s.
   */
  public Response streamUntilClientCloses(String first, CountDownLatch clientClosed) {
    return exchange -> {
      exchange.getResponseHeaders().set("content-type", "text/event-stream");
      exchange.sendResponseHeaders(200, 0);
      OutputStream out = exchange.getResponseBody();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      try {
        write(out, first.getBytes(StandardCharsets.UTF_8), 1 << 16);
        while (System.nanoTime() < deadline) {
          // paces the keep-alive comments; returns early when the fake is closed
          try {
            if (closing.await(20, TimeUnit.MILLISECONDS)) {
              return;
            }
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
          }
          out.write(": keep-alive\n\n".getBytes(StandardCharsets.UTF_8));
          out.flush();
        }
      } catch (IOException closed) {
        clientClosed.countDown();
        throw closed;
      }
    };
  }

  private static void write(OutputStream out, byte[] bytes, int piece) throws IOException {
    for (int i = 0; i < bytes.length; i += piece) {
      out.write(bytes, i, Math.min(piece, bytes.length - i));
      out.flush();
    }
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
