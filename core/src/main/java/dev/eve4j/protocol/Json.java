package dev.eve4j.protocol;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import java.nio.charset.StandardCharsets;

/**
 * The wire JSON codec: events are encoded once, to the exact NDJSON line the journal stores and
 * every reader is served. Thread-safe.
 */
public final class Json {
  /** Compact, nulls omitted, HTML characters not escaped (the wire is JSON, not HTML). */
  public static final Gson GSON = new GsonBuilder().disableHtmlEscaping().create();

  private Json() {}

  /**
   * One NDJSON line: {@code {"type":…,"data":…,"meta":…}} followed by {@code \n}, UTF-8. The
   * streaming deltas ({@code message.appended}, {@code reasoning.appended}: most events of a turn)
   * are written by hand, every other event by Gson, into one buffer (no intermediate JSON tree). Both
   * give the bytes Gson's tree would (field order, omitted nulls, Gson's escaping without HTML
   * escaping); {@code JsonTest} holds them to that.
   */
  public static byte[] encodeLine(Event event) {
    StringBuilder out = new StringBuilder(192);
    out.append("{\"type\":");
    string(out, event.type());
    out.append(",\"data\":");
    EventData data = event.data();
    if (data instanceof EventData.MessageAppended m) {
      delta(out, "messageDelta", m.messageDelta(), m.sequence(), m.stepIndex(), m.turnId());
    } else if (data instanceof EventData.ReasoningAppended r) {
      delta(out, "reasoningDelta", r.reasoningDelta(), r.sequence(), r.stepIndex(), r.turnId());
    } else {
      out.append(GSON.toJson(data));
    }
    Event.Meta meta = event.meta();
    out.append(",\"meta\":{\"at\":");
    string(out, meta.at());
    out.append(",\"id\":");
    string(out, meta.id());
    if (meta.deliveryIds() != null) {
      out.append(",\"deliveryIds\":[");
      for (int i = 0; i < meta.deliveryIds().size(); i++) {
        if (i > 0) {
          out.append(',');
        }
        string(out, meta.deliveryIds().get(i));
      }
      out.append(']');
    }
    out.append("}}\n");
    return out.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** {@code {"<key>":…,"sequence":…,"stepIndex":…,"turnId":…}}, the record order, nulls omitted. */
  private static void delta(StringBuilder out, String key, String text, int sequence, int stepIndex, String turnId) {
    out.append('{');
    if (text != null) {
      out.append('"').append(key).append("\":");
      string(out, text);
      out.append(',');
    }
    out.append("\"sequence\":").append(sequence).append(",\"stepIndex\":").append(stepIndex);
    if (turnId != null) {
      out.append(",\"turnId\":");
      string(out, turnId);
    }
    out.append('}');
  }

  /** A JSON string as Gson writes it with HTML escaping off. */
  static void string(StringBuilder out, String s) {
    out.append('"');
    int last = 0;
    int n = s.length();
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      String escape;
      if (c < 0x20) {
        escape = switch (c) {
          case '\t' -> "\\t";
          case '\b' -> "\\b";
          case '\n' -> "\\n";
          case '\r' -> "\\r";
          case '\f' -> "\\f";
          default -> String.format("\\u%04x", (int) c);
        };
      } else if (c == '"') {
        escape = "\\\"";
      } else if (c == '\\') {
        escape = "\\\\";
      } else if (c == '\u2028') {
        escape = "\\u2028";
      } else if (c == '\u2029') {
        escape = "\\u2029";
      } else {
        continue;
      }
      out.append(s, last, i).append(escape);
      last = i + 1;
    }
    out.append(s, last, n).append('"');
  }

  public static String toJson(Object value) {
    return GSON.toJson(value);
  }

  public static JsonElement toTree(Object value) {
    return GSON.toJsonTree(value);
  }
}
