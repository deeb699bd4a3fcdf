package dev.eve4j.model;

import com.google.gson.JsonObject;
import dev.eve4j.protocol.TokenUsage;

/**
 * Receives what one model call produces. Called from any thread, one call at a time per model call
 * (never concurrently for the same call). Implementations must not block.
 */
public interface ModelListener {
  void onReasoningDelta(String delta);

  void onTextDelta(String delta);

  /** A fragment of a tool call's raw JSON input, as the model streams it. */
  default void onToolInputDelta(String callId, String toolName, String delta) {}

  /** A complete tool call (all of its input has arrived). Calls are reported in the model's order. */
  default void onToolCall(ToolCall call) {}

  /**
   * The call ended normally. {@code finishReason} is one of stop, length, content-filter,
   * tool-calls, error, other.
   */
  void onFinish(String finishReason, TokenUsage usage);

  /** The call failed; the message of {@code error} is shown to the client. */
  void onError(Throwable error);
}
