package dev.eve4j.model.http;

import dev.eve4j.model.ModelException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Incremental server-sent-events framing (the WHATWG rules that matter to model providers): lines
 * end with LF, CRLF or CR; {@code event:} names the event (default {@code message}); {@code data:}
 * lines are joined with LF; a blank line dispatches; {@code :} lines are comments; {@code id} and
 * {@code retry} are ignored. Lines are split on bytes, so a UTF-8 character split across two
 * network buffers is never decoded in halves. Not thread-safe: one response feeds it, one buffer at
 * a time.
 */
final class SseParser {
  /** Receives each dispatched event. */
  interface Handler {
    void onEvent(String event, String data);
  }

  /** A single line longer than this is a broken or hostile stream, not a model response. */
  static final int MAX_LINE_BYTES = 16 << 20;

  private final Handler handler;
  private byte[] line = new byte[512];
  private int length;
  private boolean afterCr;
  private String event;
  private final StringBuilder data = new StringBuilder();
  private boolean hasData;

  SseParser(Handler handler) {
    this.handler = handler;
  }

  void feed(ByteBuffer buffer) {
    while (buffer.hasRemaining()) {
      byte b = buffer.get();
      if (b == '\n') {
        if (afterCr) {
          afterCr = false;
        } else {
          endLine();
        }
      } else if (b == '\r') {
        endLine();
        afterCr = true;
      } else {
        afterCr = false;
        if (length == line.length) {
          if (length >= MAX_LINE_BYTES) {
            throw new ModelException(ModelException.PROVIDER_ERROR,
                "the provider sent an event line longer than " + (MAX_LINE_BYTES >> 20) + " MiB");
          }
          line = Arrays.copyOf(line, Math.min(length * 2, MAX_LINE_BYTES));
        }
        line[length++] = b;
      }
    }
  }

  /**
   * The body ended. An event without its closing blank line is still dispatched: some servers end
   * the body right after the last {@code data:} line.
   */
  void finish() {
    if (length > 0) {
      endLine();
    }
    dispatch();
  }

  private void endLine() {
    String text = new String(line, 0, length, StandardCharsets.UTF_8);
    length = 0;
    if (text.isEmpty()) {
      dispatch();
      return;
    }
    if (text.charAt(0) == ':') {
      return;
    }
    int colon = text.indexOf(':');
    String field = colon < 0 ? text : text.substring(0, colon);
    String value = colon < 0 ? "" : text.substring(colon + 1);
    if (value.startsWith(" ")) {
      value = value.substring(1);
    }
    if (field.equals("event")) {
      event = value;
    } else if (field.equals("data")) {
      if (hasData) {
        data.append('\n');
      }
      data.append(value);
      hasData = true;
    }
  }

  private void dispatch() {
    if (hasData) {
      String name = event == null || event.isEmpty() ? "message" : event;
      String payload = data.toString();
      data.setLength(0);
      hasData = false;
      event = null;
      handler.onEvent(name, payload);
    } else {
      event = null;
    }
  }
}
