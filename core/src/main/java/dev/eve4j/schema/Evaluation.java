package dev.eve4j.schema;

import com.google.gson.JsonElement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The state of one {@code validate} call: the instance path, where violations go, annotations for
 * {@code unevaluated*}, the dynamic scope. Confined to the calling thread; never shared.
 */
final class Evaluation {
  /**
   * How many {@code $ref}s may nest without descending into the instance. Only a reference cycle
   * gets near it: each step of an acyclic chain goes to a different subschema.
   */
  static final int MAX_REFS_IN_PLACE = 64;

  private List<Violation> out; // null: stop at the first failure, report nothing
  private String[] names = new String[16]; // null entry: an array index, kept in indices
  private int[] indices = new int[16];
  private int depth;
  private int refsInPlace;
  private Node.Resource[] scopes; // only documents with $dynamicRef track their dynamic scope
  private int scopeCount;
  /** Where the current subschema records what it evaluated; null when nothing above needs it. */
  Annotations annotations;

  Evaluation(List<Violation> out) {
    this.out = out;
  }

  boolean collecting() {
    return out != null;
  }

  /** Adds a violation at the current instance path; only call when {@link #collecting()}. */
  void report(String keyword, String message) {
    out.add(new Violation(path(), keyword, message));
  }

  String path() {
    if (depth == 0) {
      return "";
    }
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < depth; i++) {
      sb.append('/');
      if (names[i] == null) {
        sb.append(indices[i]);
      } else {
        sb.append(JsonValues.escapeToken(names[i]));
      }
    }
    return sb.toString();
  }

  /** Applies a schema to the member {@code name} of the current object. */
  boolean child(Node node, JsonElement value, String name) {
    push(name, 0);
    return descend(node, value);
  }

  /** Applies a schema to the item {@code index} of the current array. */
  boolean child(Node node, JsonElement value, int index) {
    push(null, index);
    return descend(node, value);
  }

  private void push(String name, int index) {
    if (depth == names.length) {
      names = Arrays.copyOf(names, depth * 2);
      indices = Arrays.copyOf(indices, depth * 2);
    }
    names[depth] = name;
    indices[depth++] = index;
  }

  private boolean descend(Node node, JsonElement value) {
    // Annotations and the reference-cycle count belong to one instance location.
    Annotations savedAnnotations = annotations;
    int savedRefs = refsInPlace;
    annotations = null;
    refsInPlace = 0;
    try {
      return node.validate(value, this);
    } finally {
      annotations = savedAnnotations;
      refsInPlace = savedRefs;
      depth--;
    }
  }

  /** Evaluates without reporting: for anyOf, oneOf, not, if and contains. */
  boolean check(Node node, JsonElement instance) {
    List<Violation> saved = out;
    out = null;
    try {
      return node.validate(instance, this);
    } finally {
      out = saved;
    }
  }

  /** Applies a schema to an item of the current array without reporting: for contains. */
  boolean checkChild(Node node, JsonElement value, int index) {
    List<Violation> saved = out;
    out = null;
    try {
      return child(node, value, index);
    } finally {
      out = saved;
    }
  }

  /** Evaluates and returns the violations instead of reporting them. */
  List<Violation> capture(Node node, JsonElement instance) {
    List<Violation> saved = out;
    out = new ArrayList<>();
    try {
      node.validate(instance, this);
      return out;
    } finally {
      out = saved;
    }
  }

  /** Like {@link #capture} for a value that is not part of the instance (a property name). */
  List<Violation> captureDetached(Node node, JsonElement value) {
    Annotations savedAnnotations = annotations;
    int savedRefs = refsInPlace;
    annotations = null;
    refsInPlace = 0;
    try {
      return capture(node, value);
    } finally {
      annotations = savedAnnotations;
      refsInPlace = savedRefs;
    }
  }

  /** Follows a {@code $ref}; a cycle that never descends into the instance ends the evaluation. */
  boolean ref(Node target, JsonElement instance, String ref) {
    if (++refsInPlace > MAX_REFS_IN_PLACE) {
      throw new RefCycle(new Violation(path(), "$ref", "'" + ref + "' nests more than "
          + MAX_REFS_IN_PLACE + " references without descending into the value:"
          + " the schema has a reference cycle"));
    }
    try {
      return target.validate(instance, this);
    } finally {
      refsInPlace--;
    }
  }

  /** Enters a schema resource; false when it is already the innermost one. */
  boolean enter(Node.Resource resource) {
    if (scopeCount > 0 && scopes[scopeCount - 1] == resource) {
      return false;
    }
    if (scopes == null) {
      scopes = new Node.Resource[8];
    } else if (scopeCount == scopes.length) {
      scopes = Arrays.copyOf(scopes, scopeCount * 2);
    }
    scopes[scopeCount++] = resource;
    return true;
  }

  void leave() {
    scopes[--scopeCount] = null;
  }

  /** The outermost {@code $dynamicAnchor} of that name in the dynamic scope, or null. */
  Node dynamicAnchor(String name) {
    for (int i = 0; i < scopeCount; i++) {
      Node n = scopes[i].dynamicAnchors.get(name);
      if (n != null) {
        return n;
      }
    }
    return null;
  }

  /** Ends an evaluation caught in a reference cycle; carries the one violation to report. */
  static final class RefCycle extends RuntimeException {
    final Violation violation;

    RefCycle(Violation violation) {
      super(violation.message(), null, false, false);
      this.violation = violation;
    }
  }
}
