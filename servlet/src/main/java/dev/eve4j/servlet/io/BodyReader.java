package dev.eve4j.servlet.io;

import dev.eve4j.protocol.ErrorCode;
import dev.eve4j.protocol.EveException;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.function.Consumer;

/**
 * Reads a request body without blocking, up to a limit. The container calls the listener methods,
 * one at a time; exactly one of the two callbacks fires: {@code onBody} with the bytes, or
 * {@code onFailure} (413 past the limit, 400 for a broken body).
 *
 * <p>Shared plumbing of eve4j's own servlets (the eve, legacy and gateway faces), public only so
 * that their packages can share it: not a stable API.
 */
public final class BodyReader implements ReadListener {
  private final ServletInputStream in;
  private final long limit;
  private final Consumer<byte[]> onBody;
  private final Consumer<EveException> onFailure;
  private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
  private final byte[] chunk = new byte[8192];
  private boolean done;

  public BodyReader(ServletInputStream in, long limit, Consumer<byte[]> onBody, Consumer<EveException> onFailure) {
    this.in = in;
    this.limit = limit;
    this.onBody = onBody;
    this.onFailure = onFailure;
  }

  @Override
  public void onDataAvailable() throws IOException {
    while (!done && in.isReady()) {
      int n = in.read(chunk);
      if (n < 0) {
        return; // onAllDataRead follows
      }
      if (buffer.size() + (long) n > limit) {
        fail(tooLarge(limit));
        return;
      }
      buffer.write(chunk, 0, n);
    }
  }

  @Override
  public void onAllDataRead() {
    if (!done) {
      done = true;
      onBody.accept(buffer.toByteArray());
    }
  }

  @Override
  public void onError(Throwable t) {
    fail(EveException.badRequest("Unreadable request body."));
  }

  private void fail(EveException e) {
    if (!done) {
      done = true;
      onFailure.accept(e);
    }
  }

  public static EveException tooLarge(long limit) {
    return new EveException(ErrorCode.PAYLOAD_TOO_LARGE, "Request body exceeds the limit of " + limit + " bytes.");
  }
}
