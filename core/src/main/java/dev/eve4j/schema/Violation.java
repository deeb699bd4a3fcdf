package dev.eve4j.schema;

import java.util.Objects;

/**
 * One way in which a JSON instance fails a {@link JsonSchema}. Immutable and thread-safe.
 *
 * @param instancePath JSON pointer (RFC 6901) to the offending value inside the instance: {@code ""}
 *     for the root, {@code "/items/0/name"} for a nested one
 * @param keyword the schema keyword that failed, e.g. {@code "required"}, or {@code "false"} for a
 *     {@code false} schema
 * @param message human text naming the problem, e.g. {@code missing required property 'name'}
 */
public record Violation(String instancePath, String keyword, String message) {
  public Violation {
    Objects.requireNonNull(instancePath, "instancePath");
    Objects.requireNonNull(keyword, "keyword");
    Objects.requireNonNull(message, "message");
  }

  /** {@code "/a/0: message"}, or {@code "(root): message"}: a line fit for a log or a model. */
  @Override
  public String toString() {
    return (instancePath.isEmpty() ? "(root)" : instancePath) + ": " + message;
  }
}
