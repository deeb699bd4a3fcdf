package dev.eve4j.model.http;

import com.google.gson.JsonElement;
import dev.eve4j.model.ModelMessage;
import dev.eve4j.model.ToolCall;
import dev.eve4j.protocol.Json;
import java.util.List;

/**
 * The compaction prompt both providers send for {@code Purpose.COMPACTION}: the conversation as a
 * plain transcript in one user message, under a system prompt that asks for a checkpoint summary.
 * A transcript needs no tool definitions (Anthropic refuses {@code tool_use} history without them)
 * and reads the same on every provider. Internal (see the package javadoc). Stateless.
 */
public final class Prompts {
  /** The system prompt of a compaction call. */
  public static final String COMPACTION_SYSTEM = String.join("\n",
      "You write the checkpoint summary of a conversation between a user and an AI assistant.",
      "The summary replaces the conversation: the assistant will continue from the summary alone.",
      "Keep what matters to continue: the user's goals, requests and preferences; facts and names learned;",
      "decisions made; tools called and their important results, including failures and denied actions;",
      "open questions and what is still to be done. Drop small talk and repetition.",
      "Write plain, concise prose or short bullet points, in the conversation's language.",
      "Do not invent anything and do not answer the user: write only the summary.");

  /** One tool output longer than this is cut in the transcript. */
  static final int MAX_OUTPUT_CHARS = 8000;

  private Prompts() {}

  /** The compaction system prompt, with the agent's own instructions as context when there are any. */
  public static String compactionSystem(String instructions) {
    if (instructions == null || instructions.isBlank()) {
      return COMPACTION_SYSTEM;
    }
    return COMPACTION_SYSTEM + "\n\nFor context, the assistant's instructions are:\n" + instructions.strip();
  }

  /** The user message of a compaction call: the request, then the transcript. */
  public static String compactionRequest(List<ModelMessage> messages) {
    StringBuilder b = new StringBuilder("Summarise the conversation below.\n\n<conversation>\n");
    for (ModelMessage m : messages) {
      switch (m.role()) {
        case SYSTEM -> line(b, "System", m.text());
        case USER -> line(b, "User", m.text());
        case ASSISTANT -> {
          line(b, "Assistant", m.text());
          for (ToolCall c : m.toolCalls()) {
            line(b, "Assistant called tool " + c.toolName(), Json.toJson(c.input()));
          }
        }
        case TOOL -> line(b, "Tool " + m.toolName() + (m.isError() ? " failed" : " returned"), output(m.toolOutput()));
        default -> throw new IllegalStateException("unknown role " + m.role());
      }
    }
    return b.append("</conversation>").toString();
  }

  private static void line(StringBuilder b, String who, String text) {
    if (text != null && !text.isBlank()) {
      b.append(who).append(": ").append(text.strip()).append("\n\n");
    }
  }

  private static String output(JsonElement output) {
    String text = output == null ? "null"
        : output.isJsonPrimitive() ? output.getAsString() : Json.toJson(output);
    return text.length() > MAX_OUTPUT_CHARS ? text.substring(0, MAX_OUTPUT_CHARS) + " …(cut)" : text;
  }

  /** A tool output as the text the provider shows the model: a JSON string as itself, else JSON. */
  public static String toolOutputText(JsonElement output) {
    if (output == null || output.isJsonNull()) {
      return "null";
    }
    if (output.isJsonPrimitive() && output.getAsJsonPrimitive().isString()) {
      return output.getAsString();
    }
    return Json.toJson(output);
  }
}
