package dev.eve4j.channel;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.stream.Collectors;

/** Collects field errors while walking one payload. Not thread-safe: one per validation. */
final class Checker {
  final List<FieldError> errors = new ArrayList<>();

  void add(String path, String message) {
    errors.add(new FieldError(path, message));
  }

  int count() {
    return errors.size();
  }

  static String at(String base, String key) {
    return base.isEmpty() ? key : base + "." + key;
  }

  static String idx(String base, int i) {
    return base + "[" + i + "]";
  }

  static String typeOf(JsonElement e) {
    if (e == null || e.isJsonNull()) {
      return "null";
    }
    if (e.isJsonObject()) {
      return "object";
    }
    if (e.isJsonArray()) {
      return "array";
    }
    JsonPrimitive p = e.getAsJsonPrimitive();
    return p.isBoolean() ? "boolean" : p.isNumber() ? "number" : "string";
  }

  static boolean present(JsonObject o, String key) {
    return o.has(key) && !o.get(key).isJsonNull();
  }

  private void wrongType(String path, String expected, JsonElement got) {
    add(path, "Expected " + expected + ", received " + typeOf(got));
  }

  /** A string field; null when absent or wrong. {@code min} 1 also rejects a blank string. */
  String string(JsonObject o, String key, String base, boolean required, int min, int max) {
    String path = at(base, key);
    if (!present(o, key)) {
      if (required) {
        add(path, "Required");
      }
      return null;
    }
    return stringAt(o.get(key), path, min, max);
  }

  String stringAt(JsonElement e, String path, int min, int max) {
    if (!typeOf(e).equals("string")) {
      wrongType(path, "string", e);
      return null;
    }
    String s = e.getAsString();
    if (min > 0 && s.isBlank()) {
      add(path, "Must not be empty");
      return null;
    }
    if (s.length() < min) {
      add(path, "String must contain at least " + min + " character(s)");
      return null;
    }
    if (s.length() > max) {
      add(path, "String must contain at most " + max + " character(s)");
      return null;
    }
    return s;
  }

  Boolean bool(JsonObject o, String key, String base) {
    String path = at(base, key);
    if (!present(o, key)) {
      return null;
    }
    JsonElement e = o.get(key);
    if (!typeOf(e).equals("boolean")) {
      wrongType(path, "boolean", e);
      return null;
    }
    return e.getAsBoolean();
  }

  JsonObject object(JsonObject o, String key, String base, boolean required) {
    String path = at(base, key);
    if (!present(o, key)) {
      if (required) {
        add(path, "Required");
      }
      return null;
    }
    return objectAt(o.get(key), path);
  }

  JsonObject objectAt(JsonElement e, String path) {
    if (e == null || !e.isJsonObject()) {
      wrongType(path, "object", e);
      return null;
    }
    return e.getAsJsonObject();
  }

  JsonArray array(JsonObject o, String key, String base, boolean required, int min, int max) {
    String path = at(base, key);
    if (!present(o, key)) {
      if (required) {
        add(path, "Required");
      }
      return null;
    }
    JsonElement e = o.get(key);
    if (!e.isJsonArray()) {
      wrongType(path, "array", e);
      return null;
    }
    JsonArray a = e.getAsJsonArray();
    if (a.size() < min) {
      add(path, "Array must contain at least " + min + " element(s)");
    } else if (a.size() > max) {
      add(path, "Array must contain at most " + max + " element(s)");
    }
    return a;
  }

  /** A string that must be one of {@code allowed}; null when absent or wrong. */
  String oneOf(JsonObject o, String key, String base, boolean required, Collection<String> allowed) {
    String path = at(base, key);
    if (!present(o, key)) {
      if (required) {
        add(path, "Required");
      }
      return null;
    }
    JsonElement e = o.get(key);
    if (!typeOf(e).equals("string")) {
      wrongType(path, "string", e);
      return null;
    }
    String s = e.getAsString();
    if (!allowed.contains(s)) {
      add(path, "Invalid enum value. Expected " + expected(allowed) + ", received '" + s + "'");
      return null;
    }
    return s;
  }

  static String expected(Collection<String> allowed) {
    return allowed.stream().map(a -> "'" + a + "'").collect(Collectors.joining(" | "));
  }

  /** An absolute http or https URL. */
  String url(JsonObject o, String key, String base, boolean required) {
    String s = string(o, key, base, required, 1, 4096);
    if (s != null && !isHttpUrl(s)) {
      add(at(base, key), "Invalid url (an absolute http or https URL is required)");
      return null;
    }
    return s;
  }

  static boolean isHttpUrl(String s) {
    try {
      URI u = new URI(s);
      String scheme = u.getScheme();
      return scheme != null && (scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))
          && u.getHost() != null && !u.getHost().isEmpty();
    } catch (Exception e) {
      return false;
    }
  }

  /** The {@code type} of an interaction: one of {@link InteractionType}, or null (error added). */
  String oneOfDiscriminator(JsonObject o, String base) {
    String path = at(base, "type");
    List<String> wires = new ArrayList<>();
    for (InteractionType t : InteractionType.values()) {
      wires.add(t.wire());
    }
    JsonElement e = o.get("type");
    if (e == null || !typeOf(e).equals("string") || !wires.contains(e.getAsString())) {
      add(path, "Invalid discriminator value. Expected " + expected(wires)
          + (e == null || e.isJsonNull() ? "" : ", received " + (typeOf(e).equals("string") ? "'" + e.getAsString()
          + "'" : typeOf(e))));
      return null;
    }
    return e.getAsString();
  }

  /** A JSON object of any content (metadata): null when absent or wrong. */
  JsonObject anyObject(JsonObject o, String key, String base) {
    return object(o, key, base, false);
  }
}
