package dev.eve4j.model;

import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One model call's input: the agent's instructions, the conversation so far (oldest first), the
 * tools the model may call, the JSON Schema its final answer must match (or null) and the purpose
 * of the call. When {@code outputSchema} is set, the tools include {@link #REPLY_TOOL}, whose input
 * is the final answer (providers with a native JSON mode may use the schema instead). Immutable.
 */
public record ModelRequest(String instructions, List<ModelMessage> messages, List<ToolSpec> tools,
    JsonObject outputSchema, Purpose purpose) {
  /** The internal tool through which a model returns structured output (as eve's harness does). */
  public static final String REPLY_TOOL = "eve__reply";

  public enum Purpose {
    /** A step of a turn: answer the latest user message, possibly by calling tools. */
    TURN,
    /** Summarise the conversation so far into a checkpoint that replaces it. */
    COMPACTION
  }

  public ModelRequest {
    messages = List.copyOf(messages);
    tools = tools == null ? List.of() : List.copyOf(tools);
    Objects.requireNonNull(purpose, "purpose");
  }

  public ModelRequest(String instructions, List<ModelMessage> messages, Purpose purpose) {
    this(instructions, messages, List.of(), null, purpose);
  }

  /** The text of the latest user message, or "" when there is none. */
  public String latestUserText() {
    for (int i = messages.size() - 1; i >= 0; i--) {
      if (messages.get(i).role() == ModelMessage.Role.USER) {
        return messages.get(i).text();
      }
    }
    return "";
  }

  /** The tool results that follow the latest assistant message with tool calls, in call order. */
  public List<ModelMessage> trailingToolResults() {
    List<ModelMessage> out = new ArrayList<>();
    for (int i = messages.size() - 1; i >= 0 && messages.get(i).role() == ModelMessage.Role.TOOL; i--) {
      out.add(0, messages.get(i));
    }
    return out;
  }
}
