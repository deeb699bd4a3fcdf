package dev.eve4j.agent;

import dev.eve4j.model.LanguageModel;
import dev.eve4j.model.ScriptedModel;
import dev.eve4j.tool.Tool;
import dev.eve4j.tool.Tools;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * An agent: its name (shown in {@code session.started} and {@code /info}), its instructions (the
 * system prompt), its model and the tools the model may call. Immutable and thread-safe.
 */
public record Agent(String name, String instructions, LanguageModel model, List<Tool> tools) {
  public Agent {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(instructions, "instructions");
    Objects.requireNonNull(model, "model");
    tools = tools == null ? List.of() : List.copyOf(tools);
    if (name.isBlank()) {
      throw new IllegalArgumentException("agent name must not be blank");
    }
    Set<String> names = new HashSet<>();
    for (Tool t : tools) {
      if (!names.add(t.name())) {
        throw new IllegalArgumentException("agent '" + name + "' has two tools named '" + t.name() + "'");
      }
      if (t.name().equals(dev.eve4j.model.ModelRequest.REPLY_TOOL)) {
        throw new IllegalArgumentException("the tool name '" + t.name() + "' is reserved");
      }
    }
  }

  /** An agent without tools. */
  public Agent(String name, String instructions, LanguageModel model) {
    this(name, instructions, model, List.of());
  }

  /** The tool with this name, or null. */
  public Tool tool(String toolName) {
    for (Tool t : tools) {
      if (t.name().equals(toolName)) {
        return t;
      }
    }
    return null;
  }

  /**
   * The offline demo agent {@code eve4j-agent}: the {@link ScriptedModel} with the tools of the
   * recorded eve traces: {@code lookup}, {@code deploy} (needs approval) and {@code ask_question}.
   */
  public static Agent scripted() {
    return demo(ScriptedModel.create());
  }

  /**
   * The demo agent {@code eve4j-agent} on another model (e.g. one from
   * {@link dev.eve4j.model.Models#fromSettings}): the same instructions and tools as
   * {@link #scripted()}.
   */
  public static Agent demo(LanguageModel model) {
    return new Agent("eve4j-agent", "You are a helpful assistant.", model,
        List.of(DemoTools.lookup(), DemoTools.deploy(), Tools.askQuestion()));
  }
}
