package dev.eve4j.channel;

import java.util.Objects;

/**
 * One problem with a payload: the JSON path of the field ({@code interaction.options[1].id}, empty for
 * the payload itself) and what is wrong with it. Immutable.
 */
public record FieldError(String path, String message) {
  public FieldError {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(message, "message");
  }

  /** {@code path: message}, or the message alone for the root. */
  @Override
  public String toString() {
    return path.isEmpty() ? message : path + ": " + message;
  }
}
