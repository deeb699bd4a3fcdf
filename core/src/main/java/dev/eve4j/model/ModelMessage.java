package dev.eve4j.model;

import java.util.Objects;

/** One message of the conversation handed to a model. Immutable. */
public record ModelMessage(Role role, String text) {
  public enum Role {
    SYSTEM, USER, ASSISTANT
  }

  public ModelMessage {
    Objects.requireNonNull(role, "role");
    Objects.requireNonNull(text, "text");
  }

  public static ModelMessage user(String text) {
    return new ModelMessage(Role.USER, text);
  }

  public static ModelMessage assistant(String text) {
    return new ModelMessage(Role.ASSISTANT, text);
  }
}
