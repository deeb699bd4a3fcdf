package dev.eve4j.schema;

import com.google.gson.JsonElement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * A compiled JSON Schema (draft 2020-12) that validates gson values. Compile once, validate many
 * times: compilation resolves every reference and turns each keyword into a small validator, so
 * validating never re-reads the schema JSON.
 *
 * <p>Supported: {@code type}, {@code enum}, {@code const}; numbers ({@code minimum},
 * {@code maximum}, {@code exclusiveMinimum}, {@code exclusiveMaximum}, {@code multipleOf}, all
 * exact in decimal); strings ({@code minLength}, {@code maxLength} in code points, {@code
 * pattern}); arrays ({@code prefixItems}, {@code items}, {@code contains}, {@code minContains},
 * {@code maxContains}, {@code minItems}, {@code maxItems}, {@code uniqueItems}); objects ({@code
 * properties}, {@code patternProperties}, {@code additionalProperties}, {@code propertyNames},
 * {@code required}, {@code minProperties}, {@code maxProperties}, {@code dependentRequired},
 * {@code dependentSchemas}); {@code allOf}, {@code anyOf}, {@code oneOf}, {@code not}, {@code
 * if}/{@code then}/{@code else}; {@code unevaluatedProperties}, {@code unevaluatedItems}; {@code
 * $ref} and {@code $dynamicRef} to anything inside the same document ({@code $defs}, JSON pointers,
 * {@code $id}, {@code $anchor}, {@code $dynamicAnchor}); boolean schemas. Annotations ({@code
 * title}, {@code description}, {@code default}, {@code examples}, {@code format}, {@code content*})
 * and unknown keywords are ignored, as 2020-12 prescribes by default. {@code $schema} is not read:
 * every document is treated as 2020-12.
 *
 * <p>Known differences: no remote references (a {@code $ref} outside the document fails
 * compilation); {@code $schema} is not read, so a draft-07 document is read as 2020-12 (its array
 * form of {@code items} fails compilation, {@code dependencies} and {@code additionalItems} are
 * ignored). {@code pattern} and {@code patternProperties} are ECMA-262 translated to {@link
 * java.util.regex}: {@code $}, {@code \s}, Unicode property names and the other constructs whose
 * meaning differs are rewritten, but Java-only syntax (possessive quantifiers, inline flags,
 * {@code \A}, {@code \Q..\E}) is accepted rather than rejected, {@code \b} follows Java's word
 * definition, and {@code \p{Script_Extensions=..}} is rejected.
 *
 * <p>Instances are immutable and thread-safe; {@link #validate} may be called concurrently.
 */
public final class JsonSchema {
  private final JsonElement schema;
  private final Node root;

  private JsonSchema(JsonElement schema, Node root) {
    this.schema = schema;
    this.root = root;
  }

  /**
   * Compiles a schema document (an object or a boolean). The document is copied, so later changes
   * to {@code schema} do not affect the result.
   *
   * @throws SchemaException if the document is not a valid schema: a keyword with a value of the
   *     wrong type, a bad regular expression, a {@code $ref} that does not resolve in the document
   */
  public static JsonSchema compile(JsonElement schema) {
    Objects.requireNonNull(schema, "schema");
    JsonElement copy = schema.deepCopy();
    return new JsonSchema(copy, Compiler.compileDocument(copy));
  }

  /**
   * All the ways the instance fails the schema, in schema order within each location; empty when
   * it is valid. For {@code anyOf}/{@code oneOf}, one violation says why each alternative failed.
   * A schema whose references loop without consuming the instance yields a {@code $ref} violation.
   *
   * @param instance the value; JSON null is {@link com.google.gson.JsonNull#INSTANCE}
   */
  public List<Violation> validate(JsonElement instance) {
    Objects.requireNonNull(instance, "instance (use JsonNull.INSTANCE for JSON null)");
    List<Violation> out = new ArrayList<>();
    try {
      root.validate(instance, new Evaluation(out));
    } catch (Evaluation.RefCycle cycle) {
      out.add(cycle.violation);
    }
    return out.isEmpty() ? List.of() : Collections.unmodifiableList(out);
  }

  /** Whether the instance is valid; faster than {@link #validate}: it stops at the first failure. */
  public boolean isValid(JsonElement instance) {
    Objects.requireNonNull(instance, "instance (use JsonNull.INSTANCE for JSON null)");
    try {
      return root.validate(instance, new Evaluation(null));
    } catch (Evaluation.RefCycle cycle) {
      return false;
    }
  }

  /** A copy of the schema document this was compiled from. */
  public JsonElement schema() {
    return schema.deepCopy();
  }

  @Override
  public String toString() {
    return "JsonSchema" + schema;
  }
}
