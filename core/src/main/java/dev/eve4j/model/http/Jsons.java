package dev.eve4j.model.http;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import com.google.gson.JsonSyntaxException;

/**
 * Tolerant accessors for provider JSON: a missing member, a JSON {@code null} and a member of the
 * wrong type all read as absent. Internal (see the package javadoc). Stateless.
 */
public final class Jsons {
  private Jsons() {}

  /** The object {@code text}, or null when it is not a JSON object. */
  public static JsonObject parseObject(String text) {
    try {
      JsonElement e = JsonParser.parseString(text);
      return e.isJsonObject() ? e.getAsJsonObject() : null;
    } catch (JsonSyntaxException | IllegalStateException e) {
      return null;
    }
  }

  public static JsonObject obj(JsonObject o, String key) {
    JsonElement e = o == null ? null : o.get(key);
    return e != null && e.isJsonObject() ? e.getAsJsonObject() : null;
  }

  public static JsonArray arr(JsonObject o, String key) {
    JsonElement e = o == null ? null : o.get(key);
    return e != null && e.isJsonArray() ? e.getAsJsonArray() : null;
  }

  /** A string member; numbers and booleans are given as their text. */
  public static String str(JsonObject o, String key) {
    JsonElement e = o == null ? null : o.get(key);
    return e != null && e.isJsonPrimitive() ? e.getAsString() : null;
  }

  /** A non-negative integer member, or -1 when absent. */
  public static long count(JsonObject o, String key) {
    JsonElement e = o == null ? null : o.get(key);
    if (e == null || !e.isJsonPrimitive() || !((JsonPrimitive) e).isNumber()) {
      return -1;
    }
    return Math.max(0, e.getAsLong());
  }
}
