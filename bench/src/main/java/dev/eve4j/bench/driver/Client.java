package dev.eve4j.bench.driver;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * A non-blocking HTTP/1.1 client: one selector thread drives every connection ({@link Conn}), so
 * ten thousand open streams cost ten thousand sockets and no thread each. It reads responses as a
 * streaming client does (chunked or sized bodies, split into lines as they arrive) and timestamps
 * each read. Everything but {@link #execute}, {@link #cpuNanos} and {@link #close} runs on the
 * loop thread.
 */
public final class Client implements AutoCloseable {
  final InetSocketAddress address;
  private final Selector selector;
  private final Thread thread;
  private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
  private final ByteBuffer readBuffer = ByteBuffer.allocate(256 * 1024);
  private volatile boolean running = true;
  /** System.currentTimeMillis() of the latest read (loop-confined). */
  long readMillis;

  public Client(int port) throws IOException {
    this.address = new InetSocketAddress("127.0.0.1", port);
    this.selector = Selector.open();
    this.thread = new Thread(this::loop, "bench-driver");
    thread.setDaemon(true);
    thread.start();
  }

  /** Runs {@code task} on the loop thread. */
  public void execute(Runnable task) {
    tasks.add(task);
    selector.wakeup();
  }

  /** Opens a connection (loop thread only); requests sent before it is connected wait for it. */
  public Conn open() {
    return new Conn(this, selector);
  }

  /** CPU time the loop thread has used. */
  public long cpuNanos() {
    return ManagementFactory.getThreadMXBean().getThreadCpuTime(thread.getId());
  }

  private void loop() {
    while (running) {
      try {
        selector.select(100);
        for (Runnable t; (t = tasks.poll()) != null; ) {
          t.run();
        }
        var keys = selector.selectedKeys();
        for (SelectionKey key : keys) {
          Conn conn = (Conn) key.attachment();
          if (!key.isValid()) {
            continue;
          }
          int ready = key.readyOps();
          if ((ready & SelectionKey.OP_CONNECT) != 0) {
            conn.onConnectable();
          }
          if (key.isValid() && (ready & SelectionKey.OP_WRITE) != 0) {
            conn.onWritable();
          }
          if (key.isValid() && (ready & SelectionKey.OP_READ) != 0) {
            conn.onReadable(readBuffer);
          }
        }
        keys.clear();
      } catch (Throwable t) {
        t.printStackTrace();
      }
    }
    try {
      for (SelectionKey key : selector.keys()) {
        ((Conn) key.attachment()).close();
      }
      selector.close();
    } catch (IOException ignored) {
      // closing
    }
  }

  /** Stops the loop and closes every connection. */
  @Override
  public void close() {
    if (!running) {
      return;
    }
    running = false;
    selector.wakeup();
    try {
      thread.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** {@code GET path} with the stream's Accept header. */
  public static byte[] get(String path) {
    return ("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/x-ndjson\r\n\r\n")
        .getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  }

  /** {@code POST path} with a JSON body, or none when {@code json} is null. */
  public static byte[] post(String path, String json) {
    byte[] body = json == null ? new byte[0] : json.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    String head = "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        + (json == null ? "" : "Content-Type: application/json\r\n") + "Content-Length: " + body.length + "\r\n\r\n";
    byte[] h = head.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    byte[] all = new byte[h.length + body.length];
    System.arraycopy(h, 0, all, 0, h.length);
    System.arraycopy(body, 0, all, h.length, body.length);
    return all;
  }
}
