package dev.eve4j.model;

import com.google.gson.JsonElement;
import java.util.List;
import java.util.Objects;

/**
 * One message of the conversation handed to a model. Immutable.
 *
 * @param role who speaks
 * @param text the text (may be empty for an assistant message that only calls tools)
 * @param toolCalls the tool calls of an assistant message (empty otherwise)
 * @param toolCallId for a {@link Role#TOOL} message: the call it answers
 * @param toolName for a {@link Role#TOOL} message: the tool that ran
 * @param toolOutput for a {@link Role#TOOL} message: its JSON output
 * @param isError for a {@link Role#TOOL} message: whether the call failed or was denied
 * @param parts for a {@link Role#USER} message with files: every part as sent (text and files, in
 *     order; {@code text} is then their flattened form); empty otherwise
 */
public record ModelMessage(Role role, String text, List<ToolCall> toolCalls, String toolCallId, String toolName,
    JsonElement toolOutput, boolean isError, List<dev.eve4j.protocol.ContentPart> parts) {
  public enum Role {
    SYSTEM, USER, ASSISTANT, TOOL
  }

  public ModelMessage {
    Objects.requireNonNull(role, "role");
    Objects.requireNonNull(text, "text");
    toolCalls = toolCalls == null ? List.of() : List.copyOf(toolCalls);
    parts = parts == null ? List.of() : List.copyOf(parts);
  }

  public ModelMessage(Role role, String text, List<ToolCall> toolCalls, String toolCallId, String toolName,
      JsonElement toolOutput, boolean isError) {
    this(role, text, toolCalls, toolCallId, toolName, toolOutput, isError, List.of());
  }

  /** A user message with files: {@code text} is the flattened form of {@code parts}. */
  public static ModelMessage user(String text, List<dev.eve4j.protocol.ContentPart> parts) {
    return new ModelMessage(Role.USER, text, List.of(), null, null, null, false, parts);
  }

  public static ModelMessage user(String text) {
    return new ModelMessage(Role.USER, text, List.of(), null, null, null, false);
  }

  public static ModelMessage assistant(String text) {
    return new ModelMessage(Role.ASSISTANT, text, List.of(), null, null, null, false);
  }

  public static ModelMessage assistant(String text, List<ToolCall> calls) {
    return new ModelMessage(Role.ASSISTANT, text, calls, null, null, null, false);
  }

  public static ModelMessage toolResult(String callId, String toolName, JsonElement output, boolean isError) {
    return new ModelMessage(Role.TOOL, "", List.of(), callId, toolName, output, isError);
  }
}
