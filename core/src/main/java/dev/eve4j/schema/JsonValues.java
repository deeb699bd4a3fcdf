package dev.eve4j.schema;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Map;

/** JSON value semantics the keywords share: equality by value, types, numbers, pointers. */
final class JsonValues {
  private JsonValues() {}

  /**
   * The number as an exact decimal, or null when it has none (NaN, infinities, or an exponent
   * beyond gson's limit): keywords then report instead of spending unbounded time on it.
   */
  static BigDecimal decimal(JsonPrimitive p) {
    Number n = p.getAsNumber();
    if (n instanceof Integer || n instanceof Long || n instanceof Short || n instanceof Byte) {
      return BigDecimal.valueOf(n.longValue());
    }
    if (n instanceof Double || n instanceof Float) {
      double d = n.doubleValue();
      return Double.isFinite(d) ? new BigDecimal(Double.toString(d)) : null;
    }
    try {
      // gson bounds the length and the scale of what it parses, which keeps multipleOf cheap.
      return p.getAsBigDecimal();
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** True for numbers with no fractional part: 1, 1.0 and 1e3, not 1.5. */
  static boolean isInteger(JsonPrimitive p) {
    Number n = p.getAsNumber();
    if (n instanceof Integer || n instanceof Long || n instanceof Short || n instanceof Byte
        || n instanceof BigInteger) {
      return true;
    }
    if (n instanceof Double || n instanceof Float) {
      double d = n.doubleValue();
      return Double.isFinite(d) && d == Math.rint(d);
    }
    String s = n.toString();
    if (plainDigits(s)) {
      return true;
    }
    BigDecimal d = decimal(p);
    return d != null && (d.signum() == 0 || d.stripTrailingZeros().scale() <= 0);
  }

  private static boolean plainDigits(String s) {
    int i = s.startsWith("-") ? 1 : 0;
    if (i == s.length()) {
      return false;
    }
    for (; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    return true;
  }

  /** The JSON Schema type name of a value; numbers without a fraction are "integer". */
  static String typeName(JsonElement e) {
    if (e.isJsonNull()) {
      return "null";
    }
    if (e.isJsonObject()) {
      return "object";
    }
    if (e.isJsonArray()) {
      return "array";
    }
    JsonPrimitive p = e.getAsJsonPrimitive();
    if (p.isBoolean()) {
      return "boolean";
    }
    if (p.isString()) {
      return "string";
    }
    return isInteger(p) ? "integer" : "number";
  }

  /** JSON equality: numbers by value (1 == 1.0), objects regardless of member order. */
  static boolean equal(JsonElement a, JsonElement b) {
    if (a == b) {
      return true;
    }
    if (a.isJsonPrimitive() && b.isJsonPrimitive()) {
      JsonPrimitive p = a.getAsJsonPrimitive();
      JsonPrimitive q = b.getAsJsonPrimitive();
      if (p.isNumber() && q.isNumber()) {
        BigDecimal x = decimal(p);
        BigDecimal y = decimal(q);
        return x != null && y != null ? x.compareTo(y) == 0 : p.getAsDouble() == q.getAsDouble();
      }
      if (p.isString() && q.isString()) {
        return p.getAsString().equals(q.getAsString());
      }
      return p.isBoolean() && q.isBoolean() && p.getAsBoolean() == q.getAsBoolean();
    }
    if (a.isJsonArray() && b.isJsonArray()) {
      JsonArray x = a.getAsJsonArray();
      JsonArray y = b.getAsJsonArray();
      if (x.size() != y.size()) {
        return false;
      }
      for (int i = 0; i < x.size(); i++) {
        if (!equal(x.get(i), y.get(i))) {
          return false;
        }
      }
      return true;
    }
    if (a.isJsonObject() && b.isJsonObject()) {
      JsonObject x = a.getAsJsonObject();
      JsonObject y = b.getAsJsonObject();
      if (x.size() != y.size()) {
        return false;
      }
      for (Map.Entry<String, JsonElement> e : x.entrySet()) {
        JsonElement other = y.get(e.getKey());
        if (other == null || !equal(e.getValue(), other)) {
          return false;
        }
      }
      return true;
    }
    return a.isJsonNull() && b.isJsonNull();
  }

  /** A hash consistent with {@link #equal}: equal numbers of different scales hash alike. */
  static int hash(JsonElement e) {
    if (e.isJsonPrimitive()) {
      JsonPrimitive p = e.getAsJsonPrimitive();
      if (p.isNumber()) {
        BigDecimal d = decimal(p);
        return d == null ? Double.hashCode(p.getAsDouble()) : d.stripTrailingZeros().hashCode();
      }
      return p.isString() ? p.getAsString().hashCode() : Boolean.hashCode(p.getAsBoolean());
    }
    if (e.isJsonArray()) {
      int h = 1;
      for (JsonElement x : e.getAsJsonArray()) {
        h = 31 * h + hash(x);
      }
      return h;
    }
    if (e.isJsonObject()) {
      int h = 7; // a sum: member order must not matter
      for (Map.Entry<String, JsonElement> m : e.getAsJsonObject().entrySet()) {
        h += m.getKey().hashCode() ^ hash(m.getValue());
      }
      return h;
    }
    return 0;
  }

  /** A JSON value as a hash key under JSON equality (enum sets, uniqueItems). */
  static final class Key {
    final JsonElement value;
    private final int hash;

    Key(JsonElement value) {
      this.value = value;
      this.hash = JsonValues.hash(value);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Key k && k.hash == hash && equal(k.value, value);
    }

    @Override
    public int hashCode() {
      return hash;
    }
  }

  /** Compact JSON text for messages, cut at 80 characters. */
  static String brief(JsonElement e) {
    String s = e.toString();
    return s.length() <= 80 ? s : s.substring(0, 77) + "...";
  }

  /** Escapes one JSON pointer reference token (RFC 6901). */
  static String escapeToken(String token) {
    if (token.indexOf('~') < 0 && token.indexOf('/') < 0) {
      return token;
    }
    return token.replace("~", "~0").replace("/", "~1");
  }

  static String unescapeToken(String token) {
    if (token.indexOf('~') < 0) {
      return token;
    }
    return token.replace("~1", "/").replace("~0", "~");
  }
}
