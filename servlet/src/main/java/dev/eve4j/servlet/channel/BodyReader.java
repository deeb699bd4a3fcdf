package dev.eve4j.servlet.channel;

import dev.eve4j.channel.ChannelException;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.function.Consumer;

/**
 * Reads a request body without blocking, up to a limit. The container calls the listener methods
 * one at a time; exactly one callback fires: {@code onBody} with the bytes, or {@code onFailure}
 * (413 past the limit, 400 for a broken body). Both run on a container thread and must hand off.
 */
final class BodyReader implements ReadListener {
  private final ServletInputStream in;
  private final long limit;
  private final Consumer<byte[]> onBody;
  private final Consumer<ChannelException> onFailure;
  private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
  private final byte[] chunk = new byte[8192];
  private final ChannelException overLimit;
  private boolean done;

  BodyReader(ServletInputStream in, long limit, Consumer<byte[]> onBody, Consumer<ChannelException> onFailure) {
    this(in, limit, tooLarge(limit), onBody, onFailure);
  }

  /** As the other constructor, failing with {@code overLimit} past the limit. */
  BodyReader(ServletInputStream in, long limit, ChannelException overLimit, Consumer<byte[]> onBody,
      Consumer<ChannelException> onFailure) {
    this.in = in;
    this.limit = limit;
    this.overLimit = overLimit;
    this.onBody = onBody;
    this.onFailure = onFailure;
  }

  @Override
  public void onDataAvailable() throws IOException {
    while (!done && in.isReady()) {
      // never more than one byte past the limit is read
      int n = in.read(chunk, 0, (int) Math.min(chunk.length, limit + 1 - buffer.size()));
      if (n < 0) {
        return; // onAllDataRead follows
      }
      if (buffer.size() + (long) n > limit) {
        fail(overLimit);
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
    fail(ChannelException.badRequest("Unreadable request body"));
  }

  private void fail(ChannelException e) {
    if (!done) {
      done = true;
      onFailure.accept(e);
    }
  }

  static ChannelException tooLarge(long limit) {
    return new ChannelException(413, "Request body exceeds the limit of " + limit + " bytes");
  }
}
