package dev.eve4j.protocol;

import java.util.List;

/**
 * The {@code data} payloads of the canonical event vocabulary (eve stream version 26). Each record
 * knows its wire {@link #type()}; components are serialized in declaration order and null
 * components are omitted. Rules for evolving these records: append new components, never insert
 * or rename one; absent on the wire means null in Java.
 */
public sealed interface EventData {
  /** The wire {@code type} of the event carrying this payload. */
  String type();

  /** {@code session.started.data.runtime}. */
  record Runtime(String agentId, String agentName, String eveVersion) {}

  /** A part of {@code message.received.data.parts}: raw file bytes are never echoed. */
  record Part(String type, String text, String mediaType, String filename, Long size, String url) {
    public static Part text(String text) {
      return new Part("text", text, null, null, null, null);
    }
  }

  /** {@code details} of failures: the error id links the event to the server log. */
  record ErrorDetails(String errorId, String message, String detail) {}

  record SessionStarted(Runtime runtime) implements EventData {
    public String type() {
      return "session.started";
    }
  }

  record TurnStarted(int sequence, String turnId) implements EventData {
    public String type() {
      return "turn.started";
    }
  }

  record MessageReceived(String message, List<Part> parts, int sequence, String turnId) implements EventData {
    public MessageReceived {
      parts = parts == null ? null : List.copyOf(parts);
    }

    public String type() {
      return "message.received";
    }
  }

  record StepStarted(String modelId, int sequence, int stepIndex, String turnId) implements EventData {
    public String type() {
      return "step.started";
    }
  }

  record ReasoningAppended(String reasoningDelta, int sequence, int stepIndex, String turnId) implements EventData {
    public String type() {
      return "reasoning.appended";
    }
  }

  record ReasoningCompleted(String reasoning, int sequence, int stepIndex, String turnId) implements EventData {
    public String type() {
      return "reasoning.completed";
    }
  }

  record MessageAppended(String messageDelta, int sequence, int stepIndex, String turnId) implements EventData {
    public String type() {
      return "message.appended";
    }
  }

  record MessageCompleted(String finishReason, String message, int sequence, int stepIndex, String turnId)
      implements EventData {
    public String type() {
      return "message.completed";
    }
  }

  record StepCompleted(String finishReason, int sequence, int stepIndex, String turnId, TokenUsage usage)
      implements EventData {
    public String type() {
      return "step.completed";
    }
  }

  record StepFailed(String code, com.google.gson.JsonElement details, String message, int sequence, int stepIndex, String turnId)
      implements EventData {
    public String type() {
      return "step.failed";
    }
  }

  record TurnWaiting(String on, int sequence, String turnId, TokenUsage usage) implements EventData {
    public String type() {
      return "turn.waiting";
    }
  }

  record TurnCompleted(int sequence, String turnId) implements EventData {
    public String type() {
      return "turn.completed";
    }
  }

  record TurnFailed(String code, com.google.gson.JsonElement details, String message, int sequence, Boolean terminal, String turnId)
      implements EventData {
    public String type() {
      return "turn.failed";
    }
  }

  record TurnCancelled(int sequence, String turnId) implements EventData {
    public String type() {
      return "turn.cancelled";
    }
  }

  record CompactionRequested(String modelId, int sequence, String sessionId, int stepIndex, String turnId,
      Double usageInputTokens) implements EventData {
    public String type() {
      return "compaction.requested";
    }
  }

  record CompactionCompleted(String modelId, int sequence, String sessionId, int stepIndex, String turnId)
      implements EventData {
    public String type() {
      return "compaction.completed";
    }
  }

  record ContextCleared(int sequence, String sessionId, String turnId) implements EventData {
    public String type() {
      return "context.cleared";
    }
  }

  /** {@code wait} on the wire; renamed because a record cannot have a component named wait. */
  record SessionWaiting(String continuationToken, TokenUsage usage,
      @com.google.gson.annotations.SerializedName("wait") String waitFor) implements EventData {
    public String type() {
      return "session.waiting";
    }
  }

  record SessionCompleted(TokenUsage usage) implements EventData {
    public String type() {
      return "session.completed";
    }
  }

  record SessionFailed(String code, String message, String sessionId, ErrorDetails details, TokenUsage usage)
      implements EventData {
    public String type() {
      return "session.failed";
    }
  }

  /** {@code actions.requested.data.actions[]}: one tool call before it runs. */
  record ActionRequest(String callId, com.google.gson.JsonObject input, String kind, String toolName) {}

  /** {@code action.result.data.result}. */
  record ActionOutput(String callId, Boolean isError, String kind, com.google.gson.JsonElement output,
      String toolName) {}

  /** {@code error} of a failed or rejected action. */
  record ActionError(String code, String message) {}

  /** An option of an input request. */
  record InputOption(String description, String id, String label) {}

  /** A human-in-the-loop request (strict schema of eve's {@code InputRequest}). */
  record InputRequest(ActionRequest action, Boolean allowFreeform, String display, String kind,
      List<InputOption> options, String prompt, String requestId) {}

  /** An answer as echoed in {@code input.resolved}. */
  record InputAnswer(String optionId, String requestId, String text) {}

  /** One entry of {@code input.resolved.data.resolutions}. */
  record Resolution(String kind, String outcome, String requestId, InputAnswer response) {}

  record ActionInputAppended(String callId, String inputTextDelta, int sequence, int stepIndex, String toolName,
      String turnId) implements EventData {
    public String type() {
      return "action.input.appended";
    }
  }

  record ActionsRequested(List<ActionRequest> actions, int sequence, int stepIndex, String turnId)
      implements EventData {
    public String type() {
      return "actions.requested";
    }
  }

  record ActionResult(ActionError error, ActionOutput result, int sequence, String status, int stepIndex,
      String turnId) implements EventData {
    public String type() {
      return "action.result";
    }
  }

  record InputRequested(List<InputRequest> requests, int sequence, int stepIndex, String turnId, String callId)
      implements EventData {
    public String type() {
      return "input.requested";
    }
  }

  record InputResolved(List<Resolution> resolutions, int sequence, int stepIndex, String turnId)
      implements EventData {
    public String type() {
      return "input.resolved";
    }
  }

  record ApprovalSettled(String outcome, String requestId, String responderPrincipalId, int sequence, int stepIndex,
      String turnId) implements EventData {
    public String type() {
      return "approval.settled";
    }
  }

  record ResultCompleted(com.google.gson.JsonElement result, int sequence, int stepIndex, String turnId)
      implements EventData {
    public String type() {
      return "result.completed";
    }
  }
}
