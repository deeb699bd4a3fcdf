package dev.eve4j.servlet.channel;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One asynchronous request: answered exactly once ({@link #reply}, from any thread), by a
 * {@link WriteListener} that writes only while the output is ready, then completes the request. A
 * timeout answers 503; a container error or a client disconnect just ends it (nothing is cancelled).
 */
final class Exchange implements AsyncListener {
  private static final Logger LOG = Logger.getLogger(Exchange.class.getName());
  private final AsyncContext async;
  private final HttpServletResponse resp;
  private final AtomicBoolean answered = new AtomicBoolean();

  Exchange(AsyncContext async, HttpServletResponse resp) {
    this.async = async;
    this.resp = resp;
    async.addListener(this);
  }

  /** Writes {@code reply} unless the request was already answered; returns whether this call answered it. */
  boolean reply(Reply reply) {
    if (!answered.compareAndSet(false, true)) {
      if (reply.file() != null) {
        closeQuietly(reply.file().bytes());
      }
      return false;
    }
    if (reply.file() != null) {
      streamFile(reply);
      return true;
    }
    byte[] body = reply.body().getBytes(StandardCharsets.UTF_8);
    try {
      if (reply.status() >= 400) {
        dev.eve4j.servlet.io.Bodies.closeIfUnread(async.getRequest(), resp);
      }
      resp.setStatus(reply.status());
      resp.setHeader("cache-control", "no-store");
      reply.headers().forEach(resp::setHeader);
      resp.setContentType("application/json; charset=utf-8");
      resp.setContentLength(body.length);
      ServletOutputStream out = resp.getOutputStream();
      out.setWriteListener(new WriteListener() {
        private boolean written;

        @Override
        public void onWritePossible() throws IOException {
          while (out.isReady()) {
            if (written) {
              async.complete();
              return;
            }
            written = true;
            out.write(body);
          }
        }

        @Override
        public void onError(Throwable t) {
          LOG.log(Level.FINE, "could not write a channel reply", t);
          complete();
        }
      });
    } catch (IOException | RuntimeException e) {
      LOG.log(Level.FINE, "could not write a channel reply", e);
      complete();
    }
    return true;
  }

  /** Writes the bytes of a download in 64 KiB chunks, only while the output is ready, then closes them. */
  private void streamFile(Reply reply) {
    InputStream in = reply.file().bytes();
    try {
      resp.setStatus(reply.status());
      reply.headers().forEach(resp::setHeader);
      resp.setContentType(reply.file().file().contentType());
      resp.setContentLengthLong(reply.file().file().size());
      ServletOutputStream out = resp.getOutputStream();
      byte[] chunk = new byte[64 * 1024];
      out.setWriteListener(new WriteListener() {
        @Override
        public void onWritePossible() throws IOException {
          while (out.isReady()) {
            int n = in.read(chunk);
            if (n < 0) {
              in.close();
              async.complete();
              return;
            }
            out.write(chunk, 0, n);
          }
        }

        @Override
        public void onError(Throwable t) {
          LOG.log(Level.FINE, "could not write a file download", t);
          closeQuietly(in);
          complete();
        }
      });
    } catch (IOException | RuntimeException e) {
      LOG.log(Level.FINE, "could not write a file download", e);
      closeQuietly(in);
      complete();
    }
  }

  private static void closeQuietly(InputStream in) {
    try {
      in.close();
    } catch (IOException ignored) {
      // nothing more to read
    }
  }

  private void complete() {
    try {
      async.complete();
    } catch (IllegalStateException ignored) {
      // the container already ended the request
    }
  }

  @Override
  public void onTimeout(AsyncEvent event) {
    reply(Reply.error(503, "The request timed out"));
  }

  @Override
  public void onError(AsyncEvent event) {
    answered.set(true);
    complete();
  }

  @Override
  public void onComplete(AsyncEvent event) {
    answered.set(true);
  }

  @Override
  public void onStartAsync(AsyncEvent event) {}
}
