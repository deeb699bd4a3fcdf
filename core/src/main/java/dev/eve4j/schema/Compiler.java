package dev.eve4j.schema;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.math.BigDecimal;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Turns a schema document into a tree of {@link Node}s. Two passes: {@link #index} finds every
 * schema resource ({@code $id}) and anchor with its base URI, so that any {@code $ref} can be
 * resolved when the second pass meets it; {@link #compile} then builds each subschema once
 * (keyed by identity, which also ties reference cycles). Single-threaded, used once.
 */
final class Compiler {
  /** Base URI of a document without {@code $id}; hierarchical so relative {@code $id}s resolve. */
  static final String DEFAULT_BASE = "eve4j:/schema.json";
  private static final Pattern ANCHOR = Pattern.compile("[A-Za-z_][-A-Za-z0-9._]*");
  private static final BigDecimal LONG_MAX = BigDecimal.valueOf(Long.MAX_VALUE);

  private final Map<String, JsonElement> resources = new HashMap<>();
  private final Map<String, JsonObject> anchors = new HashMap<>(); // "uri#name"
  private final Map<String, Map<String, JsonObject>> dynamicAnchors = new LinkedHashMap<>();
  private final Map<JsonElement, String> bases = new IdentityHashMap<>();
  private final Map<JsonElement, Node> nodes = new IdentityHashMap<>();
  private final Map<String, Node.Resource> scopes = new HashMap<>();
  private boolean dynamic; // the document uses $dynamicRef, so nodes track the dynamic scope

  private Compiler() {}

  static Node compileDocument(JsonElement root) {
    Compiler c = new Compiler();
    c.resources.put(DEFAULT_BASE, root);
    c.index(root, DEFAULT_BASE, "#");
    Node node = c.compile(root, "#", DEFAULT_BASE);
    if (c.dynamic) {
      for (Map.Entry<String, Map<String, JsonObject>> r : c.dynamicAnchors.entrySet()) {
        Node.Resource resource = c.scope(r.getKey());
        for (Map.Entry<String, JsonObject> a : r.getValue().entrySet()) {
          resource.dynamicAnchors.put(a.getKey(),
              c.compile(a.getValue(), r.getKey() + "#" + a.getKey(), r.getKey()));
        }
      }
    }
    return node;
  }

  // ---------------------------------------------------------------- pass 1: resources and anchors

  private void index(JsonElement schema, String base, String loc) {
    if (!schema.isJsonObject()) {
      return;
    }
    JsonObject o = schema.getAsJsonObject();
    JsonElement id = o.get("$id");
    if (id != null) {
      base = stripFragment(resolve(base, text(id, loc, "$id"), loc));
      if (resources.putIfAbsent(base, o) != null && resources.get(base) != o) {
        throw new SchemaException("invalid schema: $id at " + loc + " repeats '" + base + "'");
      }
    }
    bases.put(o, base);
    JsonElement anchor = o.get("$anchor");
    if (anchor != null) {
      anchors.put(base + "#" + anchorName(anchor, loc, "$anchor"), o);
    }
    JsonElement dynamicAnchor = o.get("$dynamicAnchor");
    if (dynamicAnchor != null) {
      String name = anchorName(dynamicAnchor, loc, "$dynamicAnchor");
      anchors.putIfAbsent(base + "#" + name, o); // it is also a plain anchor for $ref
      dynamicAnchors.computeIfAbsent(base, b -> new LinkedHashMap<>()).put(name, o);
    }
    dynamic |= o.has("$dynamicRef");
    for (Map.Entry<String, JsonElement> m : o.entrySet()) {
      String l = loc + "/" + JsonValues.escapeToken(m.getKey());
      JsonElement v = m.getValue();
      switch (m.getKey()) {
        case "items", "additionalProperties", "unevaluatedItems", "unevaluatedProperties", "contains",
            "propertyNames", "not", "if", "then", "else" -> index(v, base, l);
        case "properties", "patternProperties", "dependentSchemas", "$defs", "definitions" -> {
          if (v.isJsonObject()) {
            for (Map.Entry<String, JsonElement> s : v.getAsJsonObject().entrySet()) {
              index(s.getValue(), base, l + "/" + JsonValues.escapeToken(s.getKey()));
            }
          }
        }
        case "allOf", "anyOf", "oneOf", "prefixItems" -> {
          if (v.isJsonArray()) {
            for (int i = 0; i < v.getAsJsonArray().size(); i++) {
              index(v.getAsJsonArray().get(i), base, l + "/" + i);
            }
          }
        }
        default -> { }
      }
    }
  }

  private static String anchorName(JsonElement v, String loc, String keyword) {
    String name = text(v, loc, keyword);
    if (!ANCHOR.matcher(name).matches()) {
      throw bad(loc, keyword, "a plain name (letters, digits, '-', '_', '.')", v);
    }
    return name;
  }

  // ---------------------------------------------------------------- pass 2: nodes

  private Node compile(JsonElement schema, String loc, String inheritedBase) {
    if (schema.isJsonPrimitive() && schema.getAsJsonPrimitive().isBoolean()) {
      return schema.getAsBoolean() ? Node.TRUE : Node.FALSE;
    }
    if (!schema.isJsonObject()) {
      throw new SchemaException("invalid schema: the schema at " + loc
          + " must be an object or a boolean, got " + JsonValues.brief(schema));
    }
    Node node = nodes.get(schema);
    if (node != null) {
      return node;
    }
    node = new Node();
    nodes.put(schema, node);
    JsonObject o = schema.getAsJsonObject();
    String base = bases.getOrDefault(o, inheritedBase);

    List<Keyword> keywords = new ArrayList<>();
    Keyword type = null;
    Map<String, Node> properties = Map.of();
    Map<String, Node> patternProperties = Map.of();
    Node additional = null;
    Node[] prefix = new Node[0];
    Node items = null;
    Node contains = null;
    long minContains = 1;
    long maxContains = -1;
    Node condition = null;
    Node then = null;
    Node otherwise = null;
    Node unevaluatedProperties = null;
    Node unevaluatedItems = null;
    boolean annotates = false;

    for (Map.Entry<String, JsonElement> m : o.entrySet()) {
      String k = m.getKey();
      JsonElement v = m.getValue();
      String l = loc + "/" + JsonValues.escapeToken(k);
      switch (k) {
        case "type" -> type = type(v, loc);
        case "enum" -> {
          if (!v.isJsonArray()) {
            throw bad(loc, k, "an array", v);
          }
          Set<JsonValues.Key> values = new HashSet<>();
          for (JsonElement e : v.getAsJsonArray()) {
            values.add(new JsonValues.Key(e));
          }
          keywords.add(new Assertions.Enum(values, JsonValues.brief(v)));
        }
        case "const" -> keywords.add(new Assertions.Const(v));
        case "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum" -> keywords.add(
            new Assertions.Bound(k, k.endsWith("inimum"), k.startsWith("exclusive"), number(v, loc, k),
                v.toString()));
        case "multipleOf" -> {
          BigDecimal d = number(v, loc, k);
          if (d.signum() <= 0) {
            throw bad(loc, k, "a number greater than 0", v);
          }
          keywords.add(new Assertions.MultipleOf(d, v.toString()));
        }
        case "minLength", "maxLength" ->
            keywords.add(new Assertions.Length(k.startsWith("min"), count(v, loc, k)));
        case "pattern" ->
            keywords.add(new Assertions.Matches(pattern(text(v, loc, k), loc, k), v.getAsString()));
        case "minItems", "maxItems" ->
            keywords.add(new Assertions.Items(k.startsWith("min"), count(v, loc, k)));
        case "uniqueItems" -> {
          if (bool(v, loc, k)) {
            keywords.add(new Assertions.UniqueItems());
          }
        }
        case "minProperties", "maxProperties" ->
            keywords.add(new Assertions.Properties(k.startsWith("min"), count(v, loc, k)));
        case "required" -> keywords.add(new Assertions.Required(strings(v, loc, k)));
        case "dependentRequired" -> {
          Map<String, String[]> deps = new LinkedHashMap<>();
          for (Map.Entry<String, JsonElement> d : object(v, loc, k).entrySet()) {
            deps.put(d.getKey(), strings(d.getValue(), loc, k));
          }
          keywords.add(new Assertions.DependentRequired(deps));
        }
        case "properties" -> properties = schemaMap(v, loc, k, base);
        case "patternProperties" -> {
          patternProperties = schemaMap(v, loc, k, base);
          for (String p : patternProperties.keySet()) {
            pattern(p, loc, k); // fail at compile time on a bad one
          }
        }
        case "additionalProperties" -> additional = compile(v, l, base);
        case "propertyNames" -> keywords.add(new Applicators.PropertyNames(compile(v, l, base)));
        case "prefixItems" -> prefix = schemaArray(v, loc, k, base);
        case "items" -> items = compile(v, l, base);
        case "contains" -> contains = compile(v, l, base);
        case "minContains" -> minContains = count(v, loc, k);
        case "maxContains" -> maxContains = count(v, loc, k);
        case "allOf" -> keywords.add(new Applicators.AllOf(schemaArray(v, loc, k, base)));
        case "anyOf" -> keywords.add(new Applicators.AnyOf(schemaArray(v, loc, k, base)));
        case "oneOf" -> keywords.add(new Applicators.OneOf(schemaArray(v, loc, k, base)));
        case "not" -> keywords.add(new Applicators.Not(compile(v, l, base)));
        case "if" -> condition = compile(v, l, base);
        case "then" -> then = compile(v, l, base);
        case "else" -> otherwise = compile(v, l, base);
        case "dependentSchemas" -> keywords.add(new Applicators.DependentSchemas(schemaMap(v, loc, k, base)));
        case "$ref", "$dynamicRef" -> keywords.add(ref(text(v, loc, k), k.equals("$dynamicRef"), base, loc));
        case "$defs" -> schemaMap(v, loc, k, base); // compiled for their errors; used through $ref
        case "unevaluatedProperties" -> unevaluatedProperties = compile(v, l, base);
        case "unevaluatedItems" -> unevaluatedItems = compile(v, l, base);
        default -> { } // annotations (title, description, default, examples, format, ...), unknown keywords
      }
      annotates |= switch (k) {
        case "properties", "patternProperties", "additionalProperties", "prefixItems", "items", "contains",
            "allOf", "anyOf", "oneOf", "if", "dependentSchemas", "$ref", "$dynamicRef" -> true;
        default -> false;
      };
    }

    if (type != null) {
      keywords.add(0, type); // cheapest and most telling first
    }
    if (!properties.isEmpty() || !patternProperties.isEmpty() || additional != null) {
      Pattern[] patterns = new Pattern[patternProperties.size()];
      Node[] patternNodes = new Node[patterns.length];
      int i = 0;
      for (Map.Entry<String, Node> p : patternProperties.entrySet()) {
        patterns[i] = pattern(p.getKey(), loc, "patternProperties");
        patternNodes[i++] = p.getValue();
      }
      keywords.add(new Applicators.Members(properties, patterns, patternNodes, additional));
    }
    if (prefix.length > 0 || items != null) {
      keywords.add(new Applicators.Items(prefix, items));
    }
    if (contains != null) {
      keywords.add(new Applicators.Contains(contains, minContains, maxContains));
    }
    if (condition != null) { // even alone: 'if' contributes annotations when it holds
      keywords.add(new Applicators.Conditional(condition, then, otherwise));
    }
    // unevaluated* must see what every other keyword of this schema evaluated, so they run last.
    if (unevaluatedItems != null) {
      keywords.add(new Applicators.UnevaluatedItems(unevaluatedItems));
    }
    if (unevaluatedProperties != null) {
      keywords.add(new Applicators.UnevaluatedProperties(unevaluatedProperties));
    }
    boolean owns = unevaluatedItems != null || unevaluatedProperties != null;
    node.init(keywords.toArray(new Keyword[0]), annotates || owns, owns, dynamic ? scope(base) : null);
    return node;
  }

  private Node.Resource scope(String uri) {
    return scopes.computeIfAbsent(uri, Node.Resource::new);
  }

  // ---------------------------------------------------------------- references

  private Keyword ref(String ref, boolean dynamicRef, String base, String loc) {
    String keyword = dynamicRef ? "$dynamicRef" : "$ref";
    String absolute = resolve(base, ref, loc);
    int hash = absolute.indexOf('#');
    String uri = hash < 0 ? absolute : absolute.substring(0, hash);
    String fragment;
    try {
      fragment = hash < 0 ? "" : URLDecoder.decode(absolute.substring(hash + 1).replace("+", "%2B"),
          StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw unresolvable(keyword, ref, loc, "its fragment is not validly percent-encoded");
    }
    JsonElement resource = resources.get(uri);
    if (resource == null) {
      throw unresolvable(keyword, ref, loc, "no schema in this document has the $id '" + uri
          + "' (remote references are not supported)");
    }
    JsonElement target;
    boolean anchor = !fragment.isEmpty() && !fragment.startsWith("/");
    if (fragment.isEmpty()) {
      target = resource;
    } else if (!anchor) {
      target = pointer(resource, fragment);
      if (target == null) {
        throw unresolvable(keyword, ref, loc, "the JSON pointer '" + fragment + "' points at nothing");
      }
    } else {
      target = anchors.get(uri + "#" + fragment);
      if (target == null) {
        throw unresolvable(keyword, ref, loc, "no $anchor '" + fragment + "' in '" + uri + "'");
      }
    }
    String where = uri.equals(DEFAULT_BASE) ? "#" + fragment : absolute;
    Node node = compile(target, where, bases.getOrDefault(target, uri));
    // Dynamic only when it lands on a $dynamicAnchor of the same name (the spec's "bookend").
    String dynamicAnchor = null;
    if (dynamicRef && anchor && target.isJsonObject()) {
      JsonElement d = target.getAsJsonObject().get("$dynamicAnchor");
      if (d != null && fragment.equals(d.getAsString())) {
        dynamicAnchor = fragment;
      }
    }
    return new Applicators.Ref(ref, dynamicAnchor, node);
  }

  private static SchemaException unresolvable(String keyword, String ref, String loc, String why) {
    return new SchemaException("invalid schema: " + keyword + " '" + ref + "' at " + loc
        + " cannot be resolved: " + why);
  }

  /** Resolves a reference against a base URI; URNs and other opaque bases take fragments only. */
  static String resolve(String base, String ref, String loc) {
    if (ref.isEmpty() || ref.startsWith("#")) {
      return stripFragment(base) + ref;
    }
    try {
      URI r = new URI(ref);
      if (r.isAbsolute()) {
        return r.normalize().toString();
      }
      URI b = new URI(base);
      return b.isOpaque() ? ref : b.resolve(r).toString();
    } catch (URISyntaxException e) {
      throw new SchemaException("invalid schema: '" + ref + "' at " + loc + " is not a URI reference");
    }
  }

  private static String stripFragment(String uri) {
    int hash = uri.indexOf('#');
    return hash < 0 ? uri : uri.substring(0, hash);
  }

  /** Follows a JSON pointer (RFC 6901), already percent-decoded; null when it leads nowhere. */
  private static JsonElement pointer(JsonElement from, String pointer) {
    JsonElement cur = from;
    for (String raw : pointer.substring(1).split("/", -1)) {
      String token = JsonValues.unescapeToken(raw);
      if (cur.isJsonObject()) {
        cur = cur.getAsJsonObject().get(token);
      } else if (cur.isJsonArray() && token.matches("0|[1-9][0-9]{0,8}")) {
        JsonArray a = cur.getAsJsonArray();
        int i = Integer.parseInt(token);
        cur = i < a.size() ? a.get(i) : null;
      } else {
        return null;
      }
      if (cur == null) {
        return null;
      }
    }
    return cur;
  }

  // ---------------------------------------------------------------- keyword values

  private Map<String, Node> schemaMap(JsonElement v, String loc, String keyword, String base) {
    Map<String, Node> map = new LinkedHashMap<>();
    for (Map.Entry<String, JsonElement> e : object(v, loc, keyword).entrySet()) {
      map.put(e.getKey(), compile(e.getValue(),
          loc + "/" + keyword + "/" + JsonValues.escapeToken(e.getKey()), base));
    }
    return map;
  }

  private Node[] schemaArray(JsonElement v, String loc, String keyword, String base) {
    if (!v.isJsonArray() || v.getAsJsonArray().isEmpty()) {
      throw bad(loc, keyword, "a non-empty array of schemas", v);
    }
    JsonArray a = v.getAsJsonArray();
    Node[] nodes = new Node[a.size()];
    for (int i = 0; i < nodes.length; i++) {
      nodes[i] = compile(a.get(i), loc + "/" + keyword + "/" + i, base);
    }
    return nodes;
  }

  private static Keyword type(JsonElement v, String loc) {
    List<String> names = new ArrayList<>();
    if (v.isJsonArray()) {
      for (JsonElement e : v.getAsJsonArray()) {
        names.add(text(e, loc, "type"));
      }
    } else {
      names.add(text(v, loc, "type"));
    }
    int mask = 0;
    for (String name : names) {
      int i = Assertions.TYPE_NAMES.indexOf(name);
      if (i < 0) {
        throw bad(loc, "type", "one of " + Assertions.TYPE_NAMES + " or an array of them", v);
      }
      mask |= 1 << i;
    }
    return new Assertions.Type(mask, String.join(" or ", names));
  }

  private static Pattern pattern(String regex, String loc, String keyword) {
    try {
      return Regex.compile(regex);
    } catch (PatternSyntaxException e) {
      throw new SchemaException("invalid schema: " + keyword + " at " + loc + " is not a regular expression: "
          + e.getDescription() + " in '" + regex + "'");
    }
  }

  private static JsonObject object(JsonElement v, String loc, String keyword) {
    if (!v.isJsonObject()) {
      throw bad(loc, keyword, "an object", v);
    }
    return v.getAsJsonObject();
  }

  private static String text(JsonElement v, String loc, String keyword) {
    if (!v.isJsonPrimitive() || !v.getAsJsonPrimitive().isString()) {
      throw bad(loc, keyword, "a string", v);
    }
    return v.getAsString();
  }

  private static boolean bool(JsonElement v, String loc, String keyword) {
    if (!v.isJsonPrimitive() || !v.getAsJsonPrimitive().isBoolean()) {
      throw bad(loc, keyword, "a boolean", v);
    }
    return v.getAsBoolean();
  }

  private static String[] strings(JsonElement v, String loc, String keyword) {
    if (!v.isJsonArray()) {
      throw bad(loc, keyword, "an array of strings", v);
    }
    JsonArray a = v.getAsJsonArray();
    String[] out = new String[a.size()];
    for (int i = 0; i < out.length; i++) {
      JsonElement e = a.get(i);
      if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
        throw bad(loc, keyword, "an array of strings", v);
      }
      out[i] = e.getAsString();
    }
    return out;
  }

  private static BigDecimal number(JsonElement v, String loc, String keyword) {
    BigDecimal d = v.isJsonPrimitive() && v.getAsJsonPrimitive().isNumber()
        ? JsonValues.decimal(v.getAsJsonPrimitive()) : null;
    if (d == null) {
      throw bad(loc, keyword, "a number", v);
    }
    return d;
  }

  /** A non-negative integer (1.0 counts); values past Long.MAX_VALUE act as no limit at all. */
  private static long count(JsonElement v, String loc, String keyword) {
    if (!v.isJsonPrimitive() || !v.getAsJsonPrimitive().isNumber()
        || !JsonValues.isInteger(v.getAsJsonPrimitive())) {
      throw bad(loc, keyword, "a non-negative integer", v);
    }
    BigDecimal d = JsonValues.decimal(v.getAsJsonPrimitive());
    if (d == null || d.signum() < 0) {
      throw bad(loc, keyword, "a non-negative integer", v);
    }
    return d.compareTo(LONG_MAX) > 0 ? Long.MAX_VALUE : d.longValue();
  }

  private static SchemaException bad(String loc, String keyword, String expected, JsonElement got) {
    return new SchemaException("invalid schema: " + keyword + " at " + loc + " must be " + expected
        + ", got " + JsonValues.brief(got));
  }
}
