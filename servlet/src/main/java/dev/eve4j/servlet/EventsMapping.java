package dev.eve4j.servlet;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import dev.eve4j.protocol.Json;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The firehose vocabulary: which canonical journal events become which of the ten firehose message
 * types, and the shape of each message. Works from the journal line (the bytes every face shares),
 * so live events and events replayed from the journal map to the same bytes. Stateless and
 * thread-safe; {@link TurnTracker} carries the one piece of per-turn state ({@code message_complete}
 * needs the turn's final text).
 */
final class EventsMapping {
  /** Canonical types that produce firehose messages. */
  private static final Set<String> MAPPED = Set.of("message.appended", "reasoning.appended", "actions.requested",
      "action.input.appended", "action.partial", "action.result", "input.requested", "agent.started",
      "turn.cancelled", "turn.completed");
  /** Canonical types that only feed a turn's summary, or end it. */
  private static final Set<String> TRACKED = Set.of("turn.started", "message.completed", "result.completed",
      "turn.completed", "turn.failed", "turn.cancelled");
  private static final byte[] DATA = "data: ".getBytes(StandardCharsets.UTF_8);
  private static final byte[] END = "\n\n".getBytes(StandardCharsets.UTF_8);

  private EventsMapping() {}

  static boolean mapped(String type) {
    return MAPPED.contains(type);
  }

  static boolean tracked(String type) {
    return TRACKED.contains(type);
  }

  /** A journal line as JSON. */
  static JsonObject parse(byte[] line) {
    return JsonParser.parseString(new String(line, StandardCharsets.UTF_8)).getAsJsonObject();
  }

  static String type(JsonObject event) {
    return string(event, "type");
  }

  static JsonObject data(JsonObject event) {
    JsonElement d = event.get("data");
    return d != null && d.isJsonObject() ? d.getAsJsonObject() : new JsonObject();
  }

  /**
   * The {@code message} objects one canonical event becomes, in order; empty when the type has no
   * firehose counterpart. {@code summary} is the turn's summary for {@code turn.completed}.
   */
  static List<JsonObject> messages(String type, JsonObject data, TurnSummary summary) {
    List<JsonObject> out = new ArrayList<>(1);
    switch (type) {
      case "message.appended":
        out.add(with(message("assistant_text_delta", data), "text", data.get("messageDelta")));
        break;
      case "reasoning.appended":
        out.add(with(message("assistant_thinking_delta", data), "text", data.get("reasoningDelta")));
        break;
      case "actions.requested":
        for (JsonObject action : objects(data.get("actions"))) {
          JsonObject m = message("tool_use_start", data);
          with(m, "toolUseId", action.get("callId"));
          with(m, "toolName", toolName(action));
          with(m, "input", action.get("input"));
          out.add(m);
        }
        break;
      case "action.input.appended": {
        JsonObject m = message("tool_input_delta", data);
        with(m, "toolUseId", data.get("callId"));
        with(m, "toolName", data.get("toolName"));
        out.add(with(m, "text", data.get("inputTextDelta")));
        break;
      }
      case "action.partial": {
        JsonObject result = object(data.get("result"));
        JsonObject m = message("tool_output_chunk", data);
        with(m, "toolUseId", result.get("callId"));
        with(m, "toolName", toolName(result));
        out.add(with(m, "output", result.get("output")));
        break;
      }
      case "action.result": {
        JsonObject result = object(data.get("result"));
        String status = string(data, "status");
        JsonElement isError = result.get("isError");
        JsonObject m = message("tool_result", data);
        with(m, "toolUseId", result.get("callId"));
        with(m, "toolName", toolName(result));
        with(m, "status", data.get("status"));
        m.addProperty("isError", !"completed".equals(status)
            || (isError != null && isError.isJsonPrimitive() && isError.getAsBoolean()));
        with(m, "output", result.get("output"));
        with(m, "error", data.get("error"));
        out.add(m);
        break;
      }
      case "input.requested":
        for (JsonObject request : objects(data.get("requests"))) {
          JsonObject action = object(request.get("action"));
          JsonObject m = message("confirmation_request", data);
          with(m, "requestId", request.get("requestId"));
          with(m, "kind", request.get("kind"));
          with(m, "prompt", request.get("prompt"));
          with(m, "toolUseId", action.get("callId"));
          with(m, "toolName", toolName(action));
          with(m, "input", action.get("input"));
          with(m, "options", request.get("options") == null ? new JsonArray() : request.get("options"));
          with(m, "allowFreeform", request.get("allowFreeform"));
          out.add(m);
        }
        break;
      case "agent.started": {
        JsonObject m = message("generation_handoff", data);
        with(m, "toolUseId", data.get("callId"));
        with(m, "agentName", data.get("name"));
        out.add(with(m, "childConversationKey", data.get("sessionId")));
        break;
      }
      case "turn.cancelled":
        out.add(message("generation_cancelled", data));
        break;
      case "turn.completed": {
        JsonObject m = message("message_complete", data);
        if (summary != null && summary.message() != null) {
          m.addProperty("message", summary.message());
        }
        if (summary != null && summary.result() != null) {
          m.add("result", summary.result());
        }
        m.add("attachments", new JsonArray());
        out.add(m);
        break;
      }
      default:
        break;
    }
    return out;
  }

  /** The SSE {@code data:} line of one message and the blank line ending its frame (no {@code id:}). */
  static byte[] dataFrame(String conversationKey, JsonObject message) {
    JsonObject o = new JsonObject();
    o.addProperty("conversationKey", conversationKey);
    o.add("message", message);
    byte[] json = Json.toJson(o).getBytes(StandardCharsets.UTF_8);
    byte[] frame = new byte[DATA.length + json.length + END.length];
    System.arraycopy(DATA, 0, frame, 0, DATA.length);
    System.arraycopy(json, 0, frame, DATA.length, json.length);
    System.arraycopy(END, 0, frame, DATA.length + json.length, END.length);
    return frame;
  }

  /** The data frames of one canonical event of {@code conversationKey}, in order. */
  static List<byte[]> dataFrames(String conversationKey, String type, JsonObject data, TurnSummary summary) {
    List<JsonObject> messages = messages(type, data, summary);
    List<byte[]> frames = new ArrayList<>(messages.size());
    for (JsonObject m : messages) {
      frames.add(dataFrame(conversationKey, m));
    }
    return frames;
  }

  private static JsonObject message(String type, JsonObject data) {
    JsonObject m = new JsonObject();
    m.addProperty("type", type);
    with(m, "turnId", data.get("turnId"));
    return m;
  }

  /** Adds {@code value} unless it is absent or JSON null (absent on the wire means null). */
  private static JsonObject with(JsonObject m, String name, JsonElement value) {
    if (value != null && !value.isJsonNull()) {
      m.add(name, value);
    }
    return m;
  }

  /** {@code toolName}, or {@code name} for the non-tool action kinds (skills, subagents). */
  private static JsonElement toolName(JsonObject action) {
    JsonElement n = action.get("toolName");
    return n != null ? n : action.get("name");
  }

  private static JsonObject object(JsonElement e) {
    return e != null && e.isJsonObject() ? e.getAsJsonObject() : new JsonObject();
  }

  private static List<JsonObject> objects(JsonElement e) {
    List<JsonObject> out = new ArrayList<>();
    if (e != null && e.isJsonArray()) {
      for (JsonElement x : e.getAsJsonArray()) {
        if (x.isJsonObject()) {
          out.add(x.getAsJsonObject());
        }
      }
    }
    return out;
  }

  private static String string(JsonObject o, String name) {
    JsonElement e = o.get(name);
    return e instanceof JsonPrimitive && ((JsonPrimitive) e).isString() ? e.getAsString() : null;
  }

  /** What {@code message_complete} carries: the turn's final text and structured result (either may be null). */
  record TurnSummary(String message, JsonElement result) {}

  /**
   * The state {@code message_complete} needs, fed with one session's events in order: the text of
   * the turn's last {@code message.completed} that did not end in tool calls (what the eve client
   * reports as the turn's message) and its last {@code result.completed}. Not thread-safe: one
   * session's actor (live) or one replay feeds it; {@link #turnStart} may be read from any thread.
   */
  static final class TurnTracker {
    /** Journal index of the latest {@code turn.started}, or -1 when none was seen. */
    private volatile long turnStart = -1;
    private String message;
    private JsonElement result;

    long turnStart() {
      return turnStart;
    }

    /**
     * Feeds one tracked event; returns the turn's summary for {@code turn.completed}, else null.
     * Cleared when the turn ends so a tracker holds no text between turns.
     */
    TurnSummary observe(String type, long index, JsonObject data) {
      switch (type) {
        case "turn.started":
          turnStart = index;
          message = null;
          result = null;
          return null;
        case "message.completed":
          if (!"tool-calls".equals(string(data, "finishReason"))) {
            message = string(data, "message");
          }
          return null;
        case "result.completed":
          result = data.get("result");
          return null;
        case "turn.completed": {
          TurnSummary s = new TurnSummary(message, result);
          message = null;
          result = null;
          return s;
        }
        case "turn.failed":
        case "turn.cancelled":
          message = null;
          result = null;
          return null;
        default:
          return null;
      }
    }
  }
}
