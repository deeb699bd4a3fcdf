package dev.eve4j.schema;

import com.google.gson.JsonElement;
import java.util.HashMap;
import java.util.Map;

/**
 * A compiled schema: its keywords, run in order. Nodes are created before their keywords so that a
 * {@code $ref} cycle can point back at a node still being compiled; {@link #init} completes them
 * during compilation, before the {@link JsonSchema} that publishes them exists, after which they
 * are immutable and shared by all threads.
 */
final class Node {
  /** The {@code true} schema. */
  static final Node TRUE = new Node();
  /** The {@code false} schema. */
  static final Node FALSE = new Node();

  static {
    TRUE.init(new Keyword[0], false, false, null);
    FALSE.init(new Keyword[] {(instance, ev) -> {
      if (ev.collecting()) {
        ev.report("false", "no value is allowed here (the schema is false)");
      }
      return false;
    }}, false, false, null);
  }

  private Keyword[] keywords;
  // Whether a keyword of this node records evaluated properties/items (directly or in place).
  private boolean annotates;
  // Whether this node runs unevaluatedProperties/unevaluatedItems, so must collect for itself.
  private boolean ownsAnnotations;
  // Set only when the document uses $dynamicRef: the resource this node belongs to.
  private Resource resource;

  void init(Keyword[] keywords, boolean annotates, boolean ownsAnnotations, Resource resource) {
    this.keywords = keywords;
    this.annotates = annotates;
    this.ownsAnnotations = ownsAnnotations;
    this.resource = resource;
  }

  boolean validate(JsonElement instance, Evaluation ev) {
    boolean entered = resource != null && ev.enter(resource);
    Annotations outer = ev.annotations;
    // A subschema's annotations only count if it succeeds, so it collects into its own set.
    boolean fresh = ownsAnnotations || (outer != null && annotates);
    if (fresh) {
      ev.annotations = new Annotations();
    }
    boolean valid = true;
    for (Keyword k : keywords) {
      if (!k.validate(instance, ev)) {
        valid = false;
        if (!ev.collecting()) {
          break;
        }
      }
    }
    if (fresh) {
      Annotations mine = ev.annotations;
      ev.annotations = outer;
      if (valid && outer != null) {
        outer.merge(mine);
      }
    }
    if (entered) {
      ev.leave();
    }
    return valid;
  }

  /** A schema resource (the document, or a subschema with {@code $id}) for {@code $dynamicRef}. */
  static final class Resource {
    final String uri;
    final Map<String, Node> dynamicAnchors = new HashMap<>();

    Resource(String uri) {
      this.uri = uri;
    }
  }
}
