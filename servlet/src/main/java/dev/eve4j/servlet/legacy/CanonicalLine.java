package dev.eve4j.servlet.legacy;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.charset.StandardCharsets;

/**
 * Reads what the legacy face needs from a canonical journal line (the stream-26 NDJSON line the
 * journal stores). Stateless and thread-safe.
 */
final class CanonicalLine {
  private static final byte[] TYPE_FIRST = "{\"type\":\"".getBytes(StandardCharsets.US_ASCII);

  private CanonicalLine() {}

  /**
   * The event's {@code type}. eve4j writes {@code type} first ({@code Json.encodeLine}), so this
   * usually reads a few bytes; any other key order falls back to a full parse.
   */
  static String type(byte[] line) {
    if (startsWith(line, TYPE_FIRST)) {
      for (int i = TYPE_FIRST.length; i < line.length; i++) {
        if (line[i] == '"') {
          return new String(line, TYPE_FIRST.length, i - TYPE_FIRST.length, StandardCharsets.UTF_8);
        }
        if (line[i] == '\\') {
          break;
        }
      }
    }
    JsonElement t = parse(line).get("type");
    return t == null || !t.isJsonPrimitive() ? "" : t.getAsString();
  }

  static JsonObject parse(byte[] line) {
    return JsonParser.parseString(new String(line, StandardCharsets.UTF_8)).getAsJsonObject();
  }

  /** {@code data} of a parsed event, or an empty object. */
  static JsonObject data(JsonObject event) {
    JsonElement d = event.get("data");
    return d != null && d.isJsonObject() ? d.getAsJsonObject() : new JsonObject();
  }

  /** {@code turn.waiting{on:"input"}}: a turn parked on a human answer (the legacy dialect's HITL park). */
  static boolean isInputPark(byte[] line) {
    if (!"turn.waiting".equals(type(line))) {
      return false;
    }
    JsonElement on = data(parse(line)).get("on");
    return on != null && on.isJsonPrimitive() && "input".equals(on.getAsString());
  }

  /**
   * Whether the event renders as a legacy turn boundary ({@code session.waiting},
   * {@code session.completed} or {@code session.failed}): where a legacy {@code send()} stops reading.
   */
  static boolean isLegacyBoundary(byte[] line) {
    String type = type(line);
    switch (type) {
      case "session.waiting":
      case "session.completed":
      case "session.failed":
        return true;
      case "turn.waiting":
        return isInputPark(line);
      default:
        return false;
    }
  }

  /**
   * A point after which the legacy renderer's state is known without looking further back: a step
   * starts (the text and reasoning so far restart) or a boundary (none follows before a step starts).
   */
  static boolean isRendererResetPoint(byte[] line) {
    return "step.started".equals(type(line)) || isLegacyBoundary(line);
  }

  private static boolean startsWith(byte[] line, byte[] prefix) {
    if (line.length < prefix.length) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if (line[i] != prefix[i]) {
        return false;
      }
    }
    return true;
  }
}
