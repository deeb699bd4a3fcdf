package dev.eve4j.model;

import com.google.gson.JsonObject;
import java.util.Objects;

/** A tool call a model made: its id, the tool's name and the parsed input. Immutable. */
public record ToolCall(String callId, String toolName, JsonObject input) {
  public ToolCall {
    Objects.requireNonNull(callId, "callId");
    Objects.requireNonNull(toolName, "toolName");
    Objects.requireNonNull(input, "input");
  }
}
