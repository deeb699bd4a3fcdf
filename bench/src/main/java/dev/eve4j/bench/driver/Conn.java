package dev.eve4j.bench.driver;

import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One HTTP/1.1 connection of a {@link Client}: one request at a time (keep-alive, no pipelining),
 * responses parsed incrementally (head, then a chunked, sized or until-close body) and handed to
 * the request's {@link Handler} line by line. Loop thread only.
 */
public final class Conn {
  private enum State { IDLE, HEAD, CHUNK_SIZE, CHUNK_DATA, CHUNK_END, TRAILER, SIZED, UNTIL_CLOSE }

  private final Client client;
  private SocketChannel channel;
  private SelectionKey key;
  private boolean connected;
  private boolean closed;
  private ByteBuffer out;
  private Handler handler;
  /** Bytes spent on this connection's bodies (what a reader downloads), for throughput figures. */
  public long bodyBytes;
  /** Reads that returned bytes: with bodyBytes, how finely the server split what it wrote. */
  public long reads;
  /** Free for the owner (e.g. per-stream counters). */
  public Object attachment;

  private State state = State.IDLE;
  private byte[] head = new byte[512];
  private int headLen;
  private long remaining;
  private long chunkSize;
  private boolean sawChunkDigit;
  private int trailerLineLen;
  private boolean closeAfter;
  private byte[] carry = new byte[256];
  private int carryLen;

  Conn(Client client, Selector selector) {
    this.client = client;
    try {
      channel = SocketChannel.open();
      channel.configureBlocking(false);
      channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
      if (channel.connect(client.address)) {
        connected = true;
        key = channel.register(selector, SelectionKey.OP_READ, this);
      } else {
        key = channel.register(selector, SelectionKey.OP_CONNECT, this);
      }
    } catch (IOException e) {
      fail(e);
    }
  }

  /** System.currentTimeMillis() of the read being handled. */
  public long readMillis() {
    return client.readMillis;
  }

  public boolean isClosed() {
    return closed;
  }

  /** Sends a request; {@code handler} gets its response. */
  public void send(byte[] request, Handler handler) {
    if (closed) {
      handler.onClosed(this, new IOException("connection closed"));
      return;
    }
    this.handler = handler;
    this.out = ByteBuffer.wrap(request);
    this.state = State.HEAD;
    this.headLen = 0;
    this.carryLen = 0;
    if (connected) {
      onWritable();
    }
  }

  void onConnectable() {
    try {
      channel.finishConnect();
      connected = true;
      key.interestOps(SelectionKey.OP_READ | (out != null && out.hasRemaining() ? SelectionKey.OP_WRITE : 0));
      if (out != null && out.hasRemaining()) {
        onWritable();
      }
    } catch (IOException e) {
      fail(e);
    }
  }

  void onWritable() {
    try {
      channel.write(out);
      key.interestOps(SelectionKey.OP_READ | (out.hasRemaining() ? SelectionKey.OP_WRITE : 0));
    } catch (IOException e) {
      fail(e);
    }
  }

  void onReadable(ByteBuffer buffer) {
    int n;
    try {
      buffer.clear();
      n = channel.read(buffer);
    } catch (IOException e) {
      fail(e);
      return;
    }
    long nanos = System.nanoTime();
    client.readMillis = System.currentTimeMillis();
    if (n < 0) {
      if (state == State.UNTIL_CLOSE) {
        end(nanos);
      }
      closeQuietly(null);
      return;
    }
    if (n > 0) {
      reads++;
    }
    parse(buffer.array(), 0, n, nanos);
  }

  private void parse(byte[] b, int off, int n, long nanos) {
    int i = off;
    int end = off + n;
    while (i < end && !closed) {
      switch (state) {
        case IDLE:
          return; // unsolicited bytes: ignore
        case HEAD: {
          byte c = b[i++];
          if (headLen == head.length) {
            head = Arrays.copyOf(head, head.length * 2);
          }
          head[headLen++] = c;
          if (c == '\n' && headLen >= 4 && head[headLen - 2] == '\r' && head[headLen - 3] == '\n') {
            parseHead(nanos);
          }
          break;
        }
        case CHUNK_SIZE: {
          byte c = b[i++];
          int d = Character.digit(c, 16);
          if (c == '\n') {
            if (chunkSize == 0 && sawChunkDigit) {
              state = State.TRAILER;
              trailerLineLen = 0;
            } else {
              remaining = chunkSize;
              state = State.CHUNK_DATA;
            }
          } else if (d >= 0 && remaining >= 0) {
            chunkSize = chunkSize * 16 + d;
            sawChunkDigit = true;
          } else if (c == ';') {
            remaining = -1; // extensions follow: stop reading digits
          }
          break;
        }
        case CHUNK_DATA: {
          int take = (int) Math.min(remaining, end - i);
          body(b, i, take, nanos);
          i += take;
          remaining -= take;
          if (remaining == 0) {
            state = State.CHUNK_END;
          }
          break;
        }
        case CHUNK_END:
          if (b[i++] == '\n') {
            startChunk();
          }
          break;
        case TRAILER: {
          byte c = b[i++];
          if (c == '\n') {
            if (trailerLineLen == 0) {
              end(nanos);
            }
            trailerLineLen = 0;
          } else if (c != '\r') {
            trailerLineLen++;
          }
          break;
        }
        case SIZED: {
          int take = (int) Math.min(remaining, end - i);
          body(b, i, take, nanos);
          i += take;
          remaining -= take;
          if (remaining == 0) {
            end(nanos);
          }
          break;
        }
        case UNTIL_CLOSE:
          body(b, i, end - i, nanos);
          i = end;
          break;
        default:
          throw new IllegalStateException();
      }
    }
  }

  private void startChunk() {
    state = State.CHUNK_SIZE;
    chunkSize = 0;
    remaining = 0;
    sawChunkDigit = false;
  }

  private void parseHead(long nanos) {
    String text = new String(head, 0, headLen, StandardCharsets.ISO_8859_1);
    String[] lines = text.split("\r\n");
    int status = Integer.parseInt(lines[0].split(" ")[1]);
    long length = -1;
    boolean chunked = false;
    closeAfter = false;
    for (int j = 1; j < lines.length; j++) {
      int colon = lines[j].indexOf(':');
      if (colon < 0) {
        continue;
      }
      String name = lines[j].substring(0, colon).trim().toLowerCase(java.util.Locale.ROOT);
      String value = lines[j].substring(colon + 1).trim();
      if (name.equals("content-length")) {
        length = Long.parseLong(value);
      } else if (name.equals("transfer-encoding") && value.toLowerCase(java.util.Locale.ROOT).contains("chunked")) {
        chunked = true;
      } else if (name.equals("connection") && value.equalsIgnoreCase("close")) {
        closeAfter = true;
      }
    }
    handler.onHead(this, status, nanos);
    if (closed) {
      return;
    }
    if (chunked) {
      startChunk();
    } else if (length > 0) {
      state = State.SIZED;
      remaining = length;
    } else if (length == 0) {
      end(nanos);
    } else {
      state = State.UNTIL_CLOSE;
    }
  }

  private void body(byte[] b, int off, int len, long nanos) {
    bodyBytes += len;
    int start = off;
    int end = off + len;
    for (int i = off; i < end; i++) {
      if (b[i] == '\n') {
        if (carryLen > 0) {
          append(b, start, i - start);
          int l = carryLen;
          carryLen = 0;
          handler.onLine(this, carry, 0, l, nanos);
        } else {
          handler.onLine(this, b, start, i - start, nanos);
        }
        start = i + 1;
        if (closed) {
          return;
        }
      }
    }
    if (start < end) {
      append(b, start, end - start);
    }
  }

  private void append(byte[] b, int off, int len) {
    if (carryLen + len > carry.length) {
      carry = Arrays.copyOf(carry, Math.max(carry.length * 2, carryLen + len));
    }
    System.arraycopy(b, off, carry, carryLen, len);
    carryLen += len;
  }

  private void end(long nanos) {
    if (carryLen > 0) {
      int l = carryLen;
      carryLen = 0;
      handler.onLine(this, carry, 0, l, nanos);
    }
    state = State.IDLE;
    Handler h = handler;
    h.onEnd(this, nanos);
    if (closeAfter && !closed) {
      closeQuietly(null);
    }
  }

  /** Closes the connection (the handler's onClosed gets a null error). */
  public void close() {
    closeQuietly(null);
  }

  private void fail(Throwable error) {
    closeQuietly(error);
  }

  private void closeQuietly(Throwable error) {
    if (closed) {
      return;
    }
    closed = true;
    try {
      if (key != null) {
        key.cancel();
      }
      channel.close();
    } catch (IOException ignored) {
      // closing anyway
    }
    if (handler != null) {
      handler.onClosed(this, error);
    }
  }
}
