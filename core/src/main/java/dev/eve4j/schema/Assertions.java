package dev.eve4j.schema;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.math.BigDecimal;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The keywords that check a value without applying subschemas. Each ignores values of types it
 * does not constrain, as the specification requires ({@code minLength} passes a number).
 */
final class Assertions {
  private Assertions() {}

  static final int NULL = 1, BOOLEAN = 2, OBJECT = 4, ARRAY = 8, NUMBER = 16, STRING = 32,
      INTEGER = 64;
  static final List<String> TYPE_NAMES =
      List.of("null", "boolean", "object", "array", "number", "string", "integer");

  /** {@code type}, as a bit set of the names above. */
  record Type(int mask, String expected) implements Keyword {
    @Override
    public boolean validate(JsonElement instance, Evaluation ev) {
      if (matches(instance)) {
        return true;
      }
      if (ev.collecting()) {
        ev.report("type", "expected " + expected + ", got " + JsonValues.typeName(instance));
      }
      return false;
    }

    private boolean matches(JsonElement e) {
      if (e.isJsonObject()) {
        return (mask & OBJECT) != 0;
      }
      if (e.isJsonArray()) {
        return (mask & ARRAY) != 0;
      }
      if (e.isJsonNull()) {
        return (mask & NULL) != 0;
      }
      JsonPrimitive p = e.getAsJsonPrimitive();
      if (p.isString()) {
        return (mask & STRING) != 0;
      }
      if (p.isBoolean()) {
        return (mask & BOOLEAN) != 0;
      }
      return (mask & NUMBER) != 0 || (mask & INTEGER) != 0 && JsonValues.isInteger(p);
    }
  }

  /** {@code enum}: a hash set under JSON equality, so large enums cost one lookup. */
  record Enum(Set<JsonValues.Key> values, String text) implements Keyword {
    @Override
    public boolean validate(JsonElement instance, Evaluation ev) {
      if (values.contains(new JsonValues.Key(instance))) {
        return true;
      }
      if (ev.collecting()) {
        ev.report("enum", "must be one of " + text);
      }
      return false;
    }
  }

  record Const(JsonElement value) implements Keyword {
    @Override
    public boolean validate(JsonElement instance, Evaluation ev) {
      if (JsonValues.equal(value, instance)) {
        return true;
      }
      if (ev.collecting()) {
        ev.report("const", "must be equal to " + JsonValues.brief(value));
      }
      return false;
    }
  }

  /** {@code minimum}, {@code maximum} and their exclusive forms. */
  record Bound(String keyword, boolean lower, boolean exclusive, BigDecimal limit, String text)
      implements Keyword {
    @Override
    public boolean validate(JsonElement instance, Evaluation ev) {
      if (!instance.isJsonPrimitive() || !instance.getAsJsonPrimitive().isNumber()) {
        return true;
      }
      JsonPrimitive p = instance.getAsJsonPrimitive();
      BigDecimal d = JsonValues.decimal(p);
      // Past gson's decimal limits (1e99999) a double still orders correctly against any limit.
      int c = d != null ? d.compareTo(limit) : Double.compare(p.getAsDouble(), limit.doubleValue());
      if (lower ? c > 0 || c == 0 && !exclusive : c < 0 || c == 0 && !exclusive) {
        return true;
      }
      if (ev.collecting()) {
        ev.report(keyword, "must be " + (lower ? ">" : "<") + (exclusive ? " " : "= ") + text);
      }
      return false;
    }
  }

  record MultipleOf(BigDecimal divisor, String text) implements Keyword {
    @Override
    public boolean validate(JsonElement instance, Evaluation ev) {
      if (!instance.isJsonPrimitive() || !instance.getAsJsonPrimitive().isNumber()) {
        return true;
      }
      BigDecimal d = JsonValues.decimal(instance.getAsJsonPrimitive());
      if (d != null && d.remainder(divisor).signum() == 0) {
        return true;
      }
      if (ev.collecting()) {
        ev.report("multipleOf",
            d == null ? "number is out of the supported range" : "must be a multiple of " + text);
      }
      return false;
    }
  }

  /** {@code minLength}/{@code maxLength}, in Unicode code points as the specification says. */
  record Length(boolean min, long limit) implements Keyword {
    @Override
    public boolean validate(JsonElement instance, Evaluation ev) {
      if (!instance.isJsonPrimitive() || !instance.getAsJsonPrimitive().isString()) {
        return true;
      }
      String s = instance.getAsString();
      int n = s.codePointCount(0, s.length());
      if (min ? n >= limit : n <= limit) {
        return true;
      }
      if (ev.collecting()) {
        ev.report(min ? "minLength" : "maxLength", "must be at " + (min ? "least " : "most ") + limit
            + (limit == 1 ? " character" : " characters") + " long (is " + n + ")");
      }
      return false;
    }
  }

  /** {@code pattern}; {@code source} is the schema's (ECMA-262) text, for messages. */
  record Matches(Pattern pattern, String source) implements Keyword {
    @Override
    public boolean validate(JsonElement instance, Evaluation ev) {
      if (!instance.isJsonPrimitive() || !instance.getAsJsonPrimitive().isString()
          || pattern.matcher(instance.getAsString()).find()) {
        return true;
      }
      if (ev.collecting()) {
        ev.report("pattern", "must match the pattern " + source);
      }
      return false;
    }
  }

  /** {@code minItems}/{@code maxItems}. */
  record Items(boolean min, long limit) implements Keyword {
    @Override
    public boolean validate(JsonElement instance, Evaluation ev) {
      if (!instance.isJsonArray()) {
        return true;
      }
      int n = instance.getAsJsonArray().size();
      if (min ? n >= limit : n <= limit) {
        return true;
      }
      if (ev.collecting()) {
        ev.report(min ? "minItems" : "maxItems", "must have at " + (min ? "least " : "most ") + limit
            + (limit == 1 ? " item" : " items") + " (has " + n + ")");
      }
      return false;
    }
  }

  record UniqueItems() implements Keyword {
    @Override
    public boolean validate(JsonElement instance, Evaluation ev) {
      if (!instance.isJsonArray()) {
        return true;
      }
      JsonArray a = instance.getAsJsonArray();
      if (a.size() <= 8) { // pairwise is cheaper than hashing for the usual short arrays
        for (int i = 1; i < a.size(); i++) {
          for (int j = 0; j < i; j++) {
            if (JsonValues.equal(a.get(j), a.get(i))) {
              if (ev.collecting()) {
                ev.report("uniqueItems", "items at index " + j + " and " + i + " are equal");
              }
              return false;
            }
          }
        }
        return true;
      }
      Map<JsonValues.Key, Integer> seen = new HashMap<>();
      boolean valid = true;
      for (int i = 0; i < a.size(); i++) {
        Integer first = seen.putIfAbsent(new JsonValues.Key(a.get(i)), i);
        if (first != null) {
          if (!ev.collecting()) {
            return false;
          }
          valid = false;
          ev.report("uniqueItems", "items at index " + first + " and " + i + " are equal");
        }
      }
      return valid;
    }
  }

  /** {@code minProperties}/{@code maxProperties}. */
  record Properties(boolean min, long limit) implements Keyword {
    @Override
    public boolean validate(JsonElement instance, Evaluation ev) {
      if (!instance.isJsonObject()) {
        return true;
      }
      int n = instance.getAsJsonObject().size();
      if (min ? n >= limit : n <= limit) {
        return true;
      }
      if (ev.collecting()) {
        ev.report(min ? "minProperties" : "maxProperties", "must have at " + (min ? "least " : "most ")
            + limit + (limit == 1 ? " property" : " properties") + " (has " + n + ")");
      }
      return false;
    }
  }

  record Required(String[] names) implements Keyword {
    @Override
    public boolean validate(JsonElement instance, Evaluation ev) {
      if (!instance.isJsonObject()) {
        return true;
      }
      JsonObject o = instance.getAsJsonObject();
      boolean valid = true;
      for (String name : names) {
        if (!o.has(name)) {
          if (!ev.collecting()) {
            return false;
          }
          valid = false;
          ev.report("required", "missing required property '" + name + "'");
        }
      }
      return valid;
    }
  }

  record DependentRequired(Map<String, String[]> dependencies) implements Keyword {
    @Override
    public boolean validate(JsonElement instance, Evaluation ev) {
      if (!instance.isJsonObject()) {
        return true;
      }
      JsonObject o = instance.getAsJsonObject();
      boolean valid = true;
      for (Map.Entry<String, String[]> d : dependencies.entrySet()) {
        if (o.has(d.getKey())) {
          for (String name : d.getValue()) {
            if (!o.has(name)) {
              if (!ev.collecting()) {
                return false;
              }
              valid = false;
              ev.report("dependentRequired",
                  "missing property '" + name + "', required when '" + d.getKey() + "' is present");
            }
          }
        }
      }
      return valid;
    }
  }
}
