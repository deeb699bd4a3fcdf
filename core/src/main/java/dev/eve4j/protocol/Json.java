package dev.eve4j.protocol;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.nio.charset.StandardCharsets;

/**
 * The wire JSON codec: events are encoded once, to the exact NDJSON line the journal stores and
 * every reader is served. Thread-safe.
 */
public final class Json {
  /** Compact, nulls omitted, HTML characters not escaped (the wire is JSON, not HTML). */
  public static final Gson GSON = new GsonBuilder().disableHtmlEscaping().create();

  private Json() {}

  /** One NDJSON line: {@code {"type":…,"data":…,"meta":…}} followed by {@code \n}, UTF-8. */
  public static byte[] encodeLine(Event event) {
    JsonObject o = new JsonObject();
    o.addProperty("type", event.type());
    o.add("data", GSON.toJsonTree(event.data()));
    o.add("meta", GSON.toJsonTree(event.meta()));
    return (GSON.toJson(o) + "\n").getBytes(StandardCharsets.UTF_8);
  }

  public static String toJson(Object value) {
    return GSON.toJson(value);
  }

  public static JsonElement toTree(Object value) {
    return GSON.toJsonTree(value);
  }
}
