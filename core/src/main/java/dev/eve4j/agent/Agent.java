package dev.eve4j.agent;

import dev.eve4j.model.LanguageModel;
import dev.eve4j.model.ScriptedModel;
import java.util.Objects;

/**
 * An agent: its name (shown in {@code session.started} and {@code /info}), its instructions (the
 * system prompt) and its model. Immutable and thread-safe.
 */
public record Agent(String name, String instructions, LanguageModel model) {
  public Agent {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(instructions, "instructions");
    Objects.requireNonNull(model, "model");
    if (name.isBlank()) {
      throw new IllegalArgumentException("agent name must not be blank");
    }
  }

  /** The offline default: the {@link ScriptedModel} under the name {@code eve4j-agent}. */
  public static Agent scripted() {
    return new Agent("eve4j-agent", "You are a helpful assistant.", ScriptedModel.create());
  }
}
