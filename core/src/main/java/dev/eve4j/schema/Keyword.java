package dev.eve4j.schema;

import com.google.gson.JsonElement;

/**
 * One compiled keyword (or a group of keywords that must see each other, such as {@code
 * properties} with {@code additionalProperties}). Immutable and thread-safe: all per-call state
 * lives in the {@link Evaluation}.
 */
interface Keyword {
  /**
   * Whether the instance satisfies this keyword. When the evaluation collects, a failing keyword
   * reports its violations before returning false; otherwise it returns at the first failure.
   */
  boolean validate(JsonElement instance, Evaluation ev);
}
