package dev.eve4j.channel;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A webhook endpoint on 127.0.0.1: records each POST and answers with the next scripted status
 * ({@code 0} = never answer in time), then 200.
 */
final class WebhookReceiver implements AutoCloseable {
  record Received(byte[] body, String signature, String event, String delivery) {
    String text() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  private final HttpServer server;
  private final ExecutorService pool = Executors.newCachedThreadPool();
  private final BlockingQueue<Integer> script = new LinkedBlockingQueue<>();
  private final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
  private final CountDownLatch closing = new CountDownLatch(1);

  WebhookReceiver() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 0);
    server.setExecutor(pool);
    server.createContext("/", ex -> {
      byte[] body;
      try (InputStream in = ex.getRequestBody()) {
        body = in.readAllBytes();
      }
      Map<String, java.util.List<String>> h = ex.getRequestHeaders();
      received.add(new Received(body, ex.getRequestHeaders().getFirst("X-Vessels-Signature"),
          ex.getRequestHeaders().getFirst("X-Vessels-Event"), h.containsKey("X-Vessels-Delivery")
          ? ex.getRequestHeaders().getFirst("X-Vessels-Delivery") : null));
      Integer status = script.poll();
      if (status == null) {
        status = 200;
      }
      if (status == 0) {
        try {
          closing.await(10, TimeUnit.SECONDS); // longer than the attempt timeout of the tests
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        status = 200;
      }
      byte[] out = "{\"ok\":true}".getBytes(StandardCharsets.UTF_8);
      ex.sendResponseHeaders(status, out.length);
      try (OutputStream os = ex.getResponseBody()) {
        os.write(out);
      }
    });
    server.start();
  }

  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/hooks/vessels";
  }

  WebhookReceiver answer(int... statuses) {
    for (int s : statuses) {
      script.add(s);
    }
    return this;
  }

  Received next() throws InterruptedException {
    Received r = received.poll(10, TimeUnit.SECONDS);
    if (r == null) {
      throw new AssertionError("no webhook arrived within 10 s");
    }
    return r;
  }

  /** Nothing more arrives within {@code ms}. */
  Received poll(long ms) throws InterruptedException {
    return received.poll(ms, TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() {
    closing.countDown();
    server.stop(0);
    pool.shutdownNow();
  }
}
