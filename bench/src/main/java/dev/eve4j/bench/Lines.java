package dev.eve4j.bench;

import java.nio.charset.StandardCharsets;

/** What the driver looks for in event lines, by bytes (no JSON parsing on the hot path). */
final class Lines {
  static final byte[] DELTA = bytes("{\"type\":\"message.appended\",\"data\":{\"messageDelta\":\"");
  static final byte[] WAITING = bytes("{\"type\":\"session.waiting\"");
  static final byte[] AT = bytes("\"meta\":{\"at\":\"");
  private static final byte[] SESSION_ID = bytes("\"sessionId\":\"");

  private Lines() {}

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static boolean startsWith(byte[] b, int off, int len, byte[] prefix) {
    if (len < prefix.length) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if (b[off + i] != prefix[i]) {
        return false;
      }
    }
    return true;
  }

  /** Index in {@code b} of {@code key} within {@code [from, end)}, or -1. */
  static int indexOf(byte[] b, int from, int end, byte[] key) {
    byte first = key[0];
    outer:
    for (int i = from; i + key.length <= end; i++) {
      if (b[i] != first) {
        continue;
      }
      for (int j = 1; j < key.length; j++) {
        if (b[i + j] != key[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  /** The sessionId of a JSON reply line, or null. */
  static String sessionId(byte[] b, int off, int len) {
    int i = indexOf(b, off, off + len, SESSION_ID);
    if (i < 0) {
      return null;
    }
    int start = i + SESSION_ID.length;
    int end = start;
    while (end < off + len && b[end] != '"') {
      end++;
    }
    return new String(b, start, end - start, StandardCharsets.UTF_8);
  }

  /** The sessionId of a JSON reply. */
  static String sessionIdOf(String json) {
    byte[] b = bytes(json);
    String id = sessionId(b, 0, b.length);
    if (id == null) {
      throw new IllegalStateException("no sessionId in " + json);
    }
    return id;
  }
}
