package dev.eve4j.schema;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The keywords that apply subschemas: to members and items (which descend into the instance) or
 * in place (allOf, anyOf, oneOf, not, if, dependentSchemas, $ref). In-place subschemas record
 * evaluated properties and items in {@link Evaluation#annotations} when an {@code unevaluated*}
 * keyword above needs them.
 */
final class Applicators {
  private Applicators() {}

  /**
   * {@code properties}, {@code patternProperties} and {@code additionalProperties} in one pass
   * over the members, since {@code additionalProperties} depends on what the others matched.
   */
  record Members(Map<String, Node> properties, Pattern[] patterns, Node[] patternNodes,
      Node additional) implements Keyword {
    @Override
    public boolean validate(JsonElement instance, Evaluation ev) {
      if (!instance.isJsonObject()) {
        return true;
      }
      boolean valid = true;
      for (Map.Entry<String, JsonElement> m : instance.getAsJsonObject().entrySet()) {
        String name = m.getKey();
        boolean matched = false;
        Node p = properties.get(name);
        if (p != null) {
          matched = true;
          valid &= member(p, "properties", name, m.getValue(), ev);
        }
        for (int i = 0; i < patterns.length; i++) {
          if (patterns[i].matcher(name).find()) {
            matched = true;
            valid &= member(patternNodes[i], "patternProperties", name, m.getValue(), ev);
          }
        }
        if (!matched && additional != null) {
          matched = true;
          valid &= member(additional, "additionalProperties", name, m.getValue(), ev);
        }
        if (!valid && !ev.collecting()) {
          return false;
        }
        if (matched && ev.annotations != null) {
          ev.annotations.property(name);
        }
      }
      return valid;
    }
  }

  /** Applies a member's schema; a {@code false} one is reported as the member not being allowed. */
  static boolean member(Node node, String keyword, String name, JsonElement value, Evaluation ev) {
    if (node == Node.TRUE) {
      return true;
    }
    if (node == Node.FALSE) {
      if (ev.collecting()) {
        ev.report(keyword, "property '" + name + "' is not allowed");
      }
      return false;
    }
    return ev.child(node, value, name);
  }

  record PropertyNames(Node node) implements Keyword {
    @Override
    public boolean validate(JsonElement instance, Evaluation ev) {
      if (!instance.isJsonObject()) {
        return true;
      }
      boolean valid = true;
      for (String name : instance.getAsJsonObject().keySet()) {
        JsonPrimitive value = new JsonPrimitive(name);
        if (!ev.collecting()) {
          if (!ev.check(node, value)) {
            return false;
          }
          continue;
        }
        for (Violation v : ev.captureDetached(node, value)) {
          valid = false;
          ev.report("propertyNames", "property name '" + name + "' is invalid: " + v.message());
        }
      }
      return valid;
    }
  }

  /** {@code prefixItems} and {@code items} (which applies to the items after the prefix). */
  record Items(Node[] prefix, Node items) implements Keyword {
    @Override
    public boolean validate(JsonElement instance, Evaluation ev) {
      if (!instance.isJsonArray()) {
        return true;
      }
      JsonArray a = instance.getAsJsonArray();
      int n = a.size();
      boolean valid = true;
      int p = Math.min(prefix.length, n);
      for (int i = 0; i < p; i++) {
        valid &= item(prefix[i], "prefixItems", a.get(i), i, ev);
        if (!valid && !ev.collecting()) {
          return false;
        }
      }
      if (items == Node.FALSE && n > prefix.length) {
        if (ev.collecting()) {
          ev.report("items", "must have at most " + prefix.length
              + (prefix.length == 1 ? " item" : " items") + " (has " + n + ")");
        }
        return false;
      }
      if (items != null && items != Node.TRUE) {
        for (int i = prefix.length; i < n; i++) {
          valid &= ev.child(items, a.get(i), i);
          if (!valid && !ev.collecting()) {
            return false;
          }
        }
      }
      if (ev.annotations != null) {
        ev.annotations.prefixItems(p);
        if (items != null && n > p) {
          ev.annotations.allItems();
        }
      }
      return valid;
    }
  }

  static boolean item(Node node, String keyword, JsonElement value, int index, Evaluation ev) {
    if (node == Node.TRUE) {
      return true;
    }
    if (node == Node.FALSE) {
      if (ev.collecting()) {
        ev.report(keyword, "item at index " + index + " is not allowed");
      }
      return false;
    }
    return ev.child(node, value, index);
  }

  /** {@code contains} with {@code minContains} (default 1) and {@code maxContains} (-1: none). */
  record Contains(Node node, long min, long max) implements Keyword {
    @Override
    public boolean validate(JsonElement instance, Evaluation ev) {
      if (!instance.isJsonArray()) {
        return true;
      }
      JsonArray a = instance.getAsJsonArray();
      Annotations ann = ev.annotations;
      // Counting can stop early unless an upper bound or unevaluatedItems needs every match.
      boolean countAll = max >= 0 || ann != null;
      if (min == 0 && !countAll) {
        return true;
      }
      long count = 0;
      for (int i = 0; i < a.size(); i++) {
        if (checkItem(a.get(i), i, ev)) {
          count++;
          if (ann != null) {
            ann.containsItem(i);
          }
          if (!countAll && count >= min) {
            return true;
          }
        }
      }
      if (count >= min && (max < 0 || count <= max)) {
        return true;
      }
      if (ev.collecting()) {
        if (count < min) {
          ev.report(min == 1 ? "contains" : "minContains", "must contain at least " + min
              + (min == 1 ? " item" : " items") + " matching the 'contains' schema (has " + count + ")");
        } else {
          ev.report("maxContains", "must contain at most " + max + (max == 1 ? " item" : " items")
              + " matching the 'contains' schema (has " + count + ")");
        }
      }
      return false;
    }

    private boolean checkItem(JsonElement item, int index, Evaluation ev) {
      return node == Node.TRUE || node != Node.FALSE && ev.checkChild(node, item, index);
    }
  }

  record AllOf(Node[] nodes) implements Keyword {
    @Override
    public boolean validate(JsonElement instance, Evaluation ev) {
      boolean valid = true;
      for (Node n : nodes) {
        if (!n.validate(instance, ev)) {
          valid = false;
          if (!ev.collecting()) {
            return false;
          }
        }
      }
      return valid;
    }
  }

  record AnyOf(Node[] nodes) implements Keyword {
    @Override
    public boolean validate(JsonElement instance, Evaluation ev) {
      boolean valid = false;
      for (Node n : nodes) {
        if (ev.check(n, instance)) {
          valid = true;
          if (ev.annotations == null) {
            break; // only annotations need the remaining alternatives
          }
        }
      }
      if (!valid && ev.collecting()) {
        ev.report("anyOf", "must match at least one schema in anyOf" + alternatives(nodes, instance, ev));
      }
      return valid;
    }
  }

  record OneOf(Node[] nodes) implements Keyword {
    @Override
    public boolean validate(JsonElement instance, Evaluation ev) {
      int first = -1;
      for (int i = 0; i < nodes.length; i++) {
        if (ev.check(nodes[i], instance)) {
          if (first >= 0) {
            if (ev.collecting()) {
              ev.report("oneOf", "must match exactly one schema in oneOf, but matches schemas "
                  + first + " and " + i);
            }
            return false;
          }
          first = i;
        }
      }
      if (first < 0 && ev.collecting()) {
        ev.report("oneOf", "must match exactly one schema in oneOf" + alternatives(nodes, instance, ev));
      }
      return first >= 0;
    }
  }

  /**
   * Why each alternative failed, first violation each: a caller (or a model) fixing the value
   * needs to know what the closest alternative wanted, not only that none matched.
   */
  static String alternatives(Node[] nodes, JsonElement instance, Evaluation ev) {
    StringBuilder sb = new StringBuilder(" (");
    String here = ev.path();
    for (int i = 0; i < nodes.length; i++) {
      List<Violation> vs = ev.capture(nodes[i], instance);
      if (i > 0) {
        sb.append("; ");
      }
      sb.append(i).append(": ");
      if (vs.isEmpty()) {
        sb.append("matches");
        continue;
      }
      Violation v = vs.get(0);
      if (!v.instancePath().equals(here)) {
        sb.append("at ").append(v.instancePath()).append(' ');
      }
      sb.append(v.message());
      if (vs.size() > 1) {
        sb.append(" (+").append(vs.size() - 1).append(" more)");
      }
    }
    return sb.append(')').toString();
  }

  record Not(Node node) implements Keyword {
    @Override
    public boolean validate(JsonElement instance, Evaluation ev) {
      // A subschema under 'not' never contributes annotations: it either fails or makes 'not' fail.
      Annotations saved = ev.annotations;
      ev.annotations = null;
      boolean matched;
      try {
        matched = ev.check(node, instance);
      } finally {
        ev.annotations = saved;
      }
      if (matched && ev.collecting()) {
        ev.report("not", "must not match the schema in 'not'");
      }
      return !matched;
    }
  }

  /** {@code if} with optional {@code then} and {@code else} (null when absent). */
  record Conditional(Node condition, Node then, Node otherwise) implements Keyword {
    @Override
    public boolean validate(JsonElement instance, Evaluation ev) {
      if (then == null && otherwise == null && ev.annotations == null) {
        return true; // a lone 'if' only matters for the annotations it may contribute
      }
      Node branch = ev.check(condition, instance) ? then : otherwise;
      return branch == null || branch.validate(instance, ev);
    }
  }

  record DependentSchemas(Map<String, Node> schemas) implements Keyword {
    @Override
    public boolean validate(JsonElement instance, Evaluation ev) {
      if (!instance.isJsonObject()) {
        return true;
      }
      JsonObject o = instance.getAsJsonObject();
      boolean valid = true;
      for (Map.Entry<String, Node> d : schemas.entrySet()) {
        if (o.has(d.getKey()) && !d.getValue().validate(instance, ev)) {
          valid = false;
          if (!ev.collecting()) {
            return false;
          }
        }
      }
      return valid;
    }
  }

  /**
   * {@code $ref}, and {@code $dynamicRef}. The target is set once compilation has reached it (it
   * may be the node being compiled). A dynamic reference names the anchor to look up in the
   * dynamic scope; it falls back to the static target when no resource in scope defines it.
   */
  static final class Ref implements Keyword {
    private final String ref;
    private final String dynamicAnchor;
    private final Node target;

    Ref(String ref, String dynamicAnchor, Node target) {
      this.ref = ref;
      this.dynamicAnchor = dynamicAnchor;
      this.target = target;
    }

    @Override
    public boolean validate(JsonElement instance, Evaluation ev) {
      Node t = target;
      if (dynamicAnchor != null) {
        Node d = ev.dynamicAnchor(dynamicAnchor);
        if (d != null) {
          t = d;
        }
      }
      return ev.ref(t, instance, ref);
    }
  }

  record UnevaluatedProperties(Node node) implements Keyword {
    @Override
    public boolean validate(JsonElement instance, Evaluation ev) {
      Annotations ann = ev.annotations;
      if (!instance.isJsonObject()) {
        return true;
      }
      boolean valid = true;
      for (Map.Entry<String, JsonElement> m : instance.getAsJsonObject().entrySet()) {
        if (!ann.evaluated(m.getKey())) {
          valid &= member(node, "unevaluatedProperties", m.getKey(), m.getValue(), ev);
          if (!valid && !ev.collecting()) {
            return false;
          }
        }
      }
      ann.allProperties();
      return valid;
    }
  }

  record UnevaluatedItems(Node node) implements Keyword {
    @Override
    public boolean validate(JsonElement instance, Evaluation ev) {
      Annotations ann = ev.annotations;
      if (!instance.isJsonArray()) {
        return true;
      }
      JsonArray a = instance.getAsJsonArray();
      boolean valid = true;
      for (int i = 0; i < a.size(); i++) {
        if (!ann.evaluated(i)) {
          valid &= item(node, "unevaluatedItems", a.get(i), i, ev);
          if (!valid && !ev.collecting()) {
            return false;
          }
        }
      }
      ann.allItems();
      return valid;
    }
  }
}
