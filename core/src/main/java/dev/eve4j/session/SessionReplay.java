package dev.eve4j.session;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.eve4j.model.ModelMessage;
import dev.eve4j.model.ToolCall;
import dev.eve4j.protocol.EventData;
import dev.eve4j.protocol.Json;
import dev.eve4j.protocol.TokenUsage;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Rebuilds what a session's actor knows from its journal after a restart: the model conversation,
 * the turn counter, the usage total, the delivery ids, the request ids issued and, for a turn
 * parked on input, its tool calls and open requests. Pure: it reads parsed events, in order.
 * Not thread-safe (one replay at a time).
 */
final class SessionReplay {
  /** How the journal ends. */
  enum Ending {
    /** No event (a prewarmed session). */
    EMPTY,
    /** Idle after {@code session.waiting}. */
    WAITING,
    /** Parked on {@code turn.waiting{on:"input"}} with open requests. */
    PARKED,
    /** Ended ({@code session.completed} or {@code session.failed}). */
    ENDED,
    /** A turn (or compaction) was running when the process stopped. */
    INTERRUPTED
  }

  /** A tool call of the parked step and what became of it. */
  static final class Call {
    final ToolCall call;
    String status;
    EventData.ActionError error;
    JsonElement output;
    boolean reported;
    String requestId;

    Call(ToolCall call) {
      this.call = call;
    }
  }

  /** An open request of the parked turn. */
  record Open(EventData.InputRequest wire, String callId) {}

  final List<ModelMessage> history = new ArrayList<>();
  final Set<String> issuedRequests = new HashSet<>();
  final Set<String> approvedTools = new HashSet<>();
  final Map<String, String> summaries;
  int nextSequence;
  int askCounter;
  boolean started;
  TokenUsage totalUsage = TokenUsage.ZERO;
  List<String> lastDeliveryIds = List.of();
  Ending ending = Ending.EMPTY;
  // The last turn, as far as it went.
  int sequence = -1;
  String turnId;
  int stepIndex = -1;
  List<String> turnDeliveryIds = List.of();
  /** A turn started and did not reach {@code session.waiting} (or an end). */
  boolean turnOpen;
  final Map<String, Call> stepCalls = new LinkedHashMap<>();
  final Map<String, Open> open = new LinkedHashMap<>();

  private final Map<String, String> requestTool = new HashMap<>();
  private StringBuilder stepText = new StringBuilder();
  private final List<ToolCall> stepToolCalls = new ArrayList<>();

  /** @param summaries compaction summaries by the id of their {@code compaction.completed} event */
  SessionReplay(Map<String, String> summaries) {
    this.summaries = summaries;
  }

  void accept(JsonObject event) {
    String type = event.get("type").getAsString();
    JsonObject d = event.has("data") && event.get("data").isJsonObject() ? event.getAsJsonObject("data")
        : new JsonObject();
    JsonObject meta = event.getAsJsonObject("meta");
    if (meta != null && meta.has("deliveryIds")) {
      List<String> ids = new ArrayList<>();
      meta.getAsJsonArray("deliveryIds").forEach(e -> ids.add(e.getAsString()));
      lastDeliveryIds = List.copyOf(ids);
    }
    started = true;
    switch (type) {
      case "turn.started":
        sequence = d.get("sequence").getAsInt();
        nextSequence = Math.max(nextSequence, sequence + 1);
        turnId = d.get("turnId").getAsString();
        stepIndex = -1;
        turnDeliveryIds = lastDeliveryIds;
        turnOpen = true;
        open.clear();
        stepCalls.clear();
        ending = Ending.INTERRUPTED;
        break;
      case "message.received":
        turnDeliveryIds = lastDeliveryIds;
        history.add(ModelMessage.user(d.get("message").getAsString()));
        break;
      case "step.started":
        flushStep();
        stepIndex = d.get("stepIndex").getAsInt();
        stepCalls.clear();
        ending = Ending.INTERRUPTED;
        break;
      case "message.completed":
        stepText.append(d.get("message").getAsString());
        break;
      case "actions.requested":
        for (JsonElement a : d.getAsJsonArray("actions")) {
          JsonObject ao = a.getAsJsonObject();
          ToolCall c = new ToolCall(ao.get("callId").getAsString(), ao.get("toolName").getAsString(),
              ao.has("input") && ao.get("input").isJsonObject() ? ao.getAsJsonObject("input") : new JsonObject());
          stepToolCalls.add(c);
          stepCalls.put(c.callId(), new Call(c));
        }
        break;
      case "step.completed":
      case "step.failed":
        flushStep();
        break;
      case "action.result": {
        flushStep();
        JsonObject r = d.getAsJsonObject("result");
        String callId = r.get("callId").getAsString();
        JsonElement output = r.has("output") ? r.get("output") : com.google.gson.JsonNull.INSTANCE;
        boolean isError = r.has("isError") && r.get("isError").getAsBoolean();
        history.add(ModelMessage.toolResult(callId, r.get("toolName").getAsString(), output, isError));
        Call c = stepCalls.get(callId);
        if (c != null) {
          c.status = d.get("status").getAsString();
          c.output = output;
          c.reported = true;
          if (d.has("error") && d.get("error").isJsonObject()) {
            JsonObject e = d.getAsJsonObject("error");
            c.error = new EventData.ActionError(e.get("code").getAsString(), e.get("message").getAsString());
          }
        }
        break;
      }
      case "input.requested":
        for (JsonElement r : d.getAsJsonArray("requests")) {
          EventData.InputRequest wire = Json.GSON.fromJson(r, EventData.InputRequest.class);
          issuedRequests.add(wire.requestId());
          requestTool.put(wire.requestId(), wire.action() == null ? null : wire.action().toolName());
          if ("question".equals(wire.kind())) {
            askCounter++;
          }
          String callId = wire.action() == null ? null : wire.action().callId();
          open.put(wire.requestId(), new Open(wire, callId));
          Call c = callId == null ? null : stepCalls.get(callId);
          if (c != null) {
            c.requestId = wire.requestId();
          }
        }
        break;
      case "approval.settled":
        if ("approved".equals(d.get("outcome").getAsString())) {
          String tool = requestTool.get(d.get("requestId").getAsString());
          if (tool != null) {
            approvedTools.add(tool);
          }
        }
        break;
      case "input.resolved":
        for (JsonElement r : d.getAsJsonArray("resolutions")) {
          open.remove(r.getAsJsonObject().get("requestId").getAsString());
        }
        ending = Ending.INTERRUPTED;
        break;
      case "turn.waiting":
        if ("input".equals(d.get("on").getAsString()) && !open.isEmpty()) {
          ending = Ending.PARKED;
        }
        usage(d);
        break;
      case "result.completed":
        history.add(ModelMessage.assistant(Json.toJson(d.get("result"))));
        break;
      case "compaction.requested":
        ending = Ending.INTERRUPTED;
        break;
      case "compaction.completed": {
        String summary = summaries.get(meta == null ? "" : meta.get("id").getAsString());
        if (summary != null) {
          history.clear();
          history.add(ModelMessage.assistant("Summary of the conversation so far:\n" + summary));
        }
        break;
      }
      case "context.cleared":
        history.clear();
        break;
      case "session.waiting":
        flushStep();
        usage(d);
        open.clear();
        turnOpen = false;
        ending = Ending.WAITING;
        break;
      case "session.completed":
      case "session.failed":
        usage(d);
        turnOpen = false;
        ending = Ending.ENDED;
        break;
      default:
        break;
    }
  }

  /** The assistant message of a step: its text and its tool calls, once the step's output is known. */
  private void flushStep() {
    if (stepText.length() > 0 || !stepToolCalls.isEmpty()) {
      history.add(ModelMessage.assistant(stepText.toString(), List.copyOf(stepToolCalls)));
    }
    stepText = new StringBuilder();
    stepToolCalls.clear();
  }

  private void usage(JsonObject d) {
    if (d.has("usage") && d.get("usage").isJsonObject()) {
      JsonObject u = d.getAsJsonObject("usage");
      totalUsage = new TokenUsage(num(u, "inputTokens"), num(u, "outputTokens"), num(u, "cacheReadTokens"),
          num(u, "cacheWriteTokens"));
    }
  }

  private static long num(JsonObject o, String key) {
    return o.has(key) && !o.get(key).isJsonNull() ? o.get(key).getAsLong() : 0;
  }

  static List<String> strings(JsonArray a) {
    List<String> out = new ArrayList<>();
    a.forEach(e -> out.add(e.getAsString()));
    return out;
  }
}
