package dev.eve4j.servlet.gateway;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.eve4j.protocol.Json;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The gateway's view of one run: turns the canonical journal lines of a session, read from the
 * index where the run's delivery was made, into the SSE frames of the gateway vocabulary. Only the
 * run's own turn is shown (found by its delivery id, or the session's first turn for a new
 * session). The run's last frame is {@code harness_end}; the response ends at the
 * {@code session.waiting} that follows the turn, so a client that reads to the end can send its
 * next message at once.
 *
 * <table>
 *   <caption>Mapping</caption>
 *   <tr><th>canonical event</th><th>SSE event</th></tr>
 *   <tr><td>(the first frame)</td><td>{@code connected {sessionId}}</td></tr>
 *   <tr><td>{@code turn.started}</td><td>{@code harness_start {runId, agentId, model}}</td></tr>
 *   <tr><td>{@code reasoning.appended}</td><td>{@code reasoning {id, content}}</td></tr>
 *   <tr><td>{@code message.appended}</td><td>{@code text {id, content}}</td></tr>
 *   <tr><td>{@code actions.requested}</td><td>one {@code tool_call {id, name, input}} per call</td></tr>
 *   <tr><td>{@code input.requested}</td><td>one {@code relay {relayId, kind, …}} per request</td></tr>
 *   <tr><td>{@code action.result}</td><td>{@code tool_result {id, name, status, isError, output, error?}}</td></tr>
 *   <tr><td>{@code step.completed} with usage</td><td>{@code usage {inputTokens, outputTokens, …}}</td></tr>
 *   <tr><td>{@code turn.failed}</td><td>{@code error {message, code}}, then {@code harness_end}</td></tr>
 *   <tr><td>{@code turn.completed}, {@code turn.cancelled}</td><td>{@code harness_end {status}}</td></tr>
 * </table>
 *
 * <p>Every frame after {@code connected} carries {@code type}, {@code runId} (the eve turn id) and
 * {@code agentId} (the agent's name). Not thread-safe: the run's write loop feeds it;
 * {@link #turnOver}, {@link #done} and {@link #turnId} may be read from any thread.
 */
final class ChatProjection {
  /** Told about relays as they open (before their frame is written) and close. */
  interface RelaySink {
    void opened(String relayId, boolean question, List<String> options);

    void closed(String relayId);
  }

  private static final byte[] PING = ": ping\n\n".getBytes(StandardCharsets.UTF_8);

  private final String sessionId;
  private final String deliveryId;
  private final String agentId;
  private final String modelId;
  private final RelaySink relays;
  private volatile String turnId;
  private volatile boolean turnOver;
  private volatile boolean done;

  /**
   * @param deliveryId the delivery that starts the run's turn; null for a new session, whose first
   *     turn is the run's
   */
  ChatProjection(String sessionId, String deliveryId, String agentId, String modelId, RelaySink relays) {
    this.sessionId = sessionId;
    this.deliveryId = deliveryId;
    this.agentId = agentId;
    this.modelId = modelId;
    this.relays = relays;
  }

  /** True once the run's turn has ended (its last frames are queued): nothing is left to cancel. */
  boolean turnOver() {
    return turnOver;
  }

  /** True once the response may end: the session is idle again after the turn, or gone. */
  boolean done() {
    return done;
  }

  /** The run's turn id, or null before its {@code turn.started}. */
  String turnId() {
    return turnId;
  }

  static byte[] ping() {
    return PING.clone();
  }

  /** The first frame: {@code connected} with the session id. */
  byte[] connected() {
    JsonObject o = new JsonObject();
    o.addProperty("type", "connected");
    o.addProperty("sessionId", sessionId);
    return frame("connected", o);
  }

  /** The frames of one journal line, in order (often none). */
  List<byte[]> accept(byte[] line) {
    List<byte[]> out = new ArrayList<>(1);
    if (done) {
      return out;
    }
    JsonObject event = JsonParser.parseString(new String(line, StandardCharsets.UTF_8)).getAsJsonObject();
    String type = string(event, "type");
    JsonObject data = event.has("data") && event.get("data").isJsonObject() ? event.getAsJsonObject("data")
        : new JsonObject();
    if ("session.completed".equals(type)) {
      return sessionGone();
    }
    if (turnOver) {
      // The actor appends session.waiting right after the turn's end, once the session is idle.
      done = "session.waiting".equals(type) || "turn.started".equals(type);
      return out;
    }
    if (turnId == null) {
      if ("turn.started".equals(type) && ours(event)) {
        turnId = string(data, "turnId");
        JsonObject o = base("harness_start");
        o.addProperty("model", modelId);
        out.add(frame("harness_start", o));
      }
      return out;
    }
    if (!turnId.equals(string(data, "turnId"))) {
      return out;
    }
    switch (type) {
      case "reasoning.appended":
        out.add(delta("reasoning", data, "reasoningDelta"));
        break;
      case "message.appended":
        out.add(delta("text", data, "messageDelta"));
        break;
      case "actions.requested":
        for (JsonObject action : objects(data.get("actions"))) {
          JsonObject o = base("tool_call");
          with(o, "id", action.get("callId"));
          with(o, "name", action.get("toolName"));
          with(o, "input", action.get("input"));
          out.add(frame("tool_call", o));
        }
        break;
      case "input.requested":
        for (JsonObject request : objects(data.get("requests"))) {
          out.add(relay(request));
        }
        break;
      case "input.resolved":
        for (JsonObject resolution : objects(data.get("resolutions"))) {
          String id = string(resolution, "requestId");
          if (id != null) {
            relays.closed(id);
          }
        }
        break;
      case "action.result": {
        JsonObject result = object(data.get("result"));
        String status = string(data, "status");
        JsonElement isError = result.get("isError");
        JsonObject o = base("tool_result");
        with(o, "id", result.get("callId"));
        with(o, "name", result.get("toolName"));
        with(o, "status", data.get("status"));
        o.addProperty("isError", !"completed".equals(status)
            || (isError != null && isError.isJsonPrimitive() && isError.getAsBoolean()));
        with(o, "output", result.get("output"));
        with(o, "error", data.get("error"));
        out.add(frame("tool_result", o));
        break;
      }
      case "step.completed": {
        JsonElement usage = data.get("usage");
        if (usage != null && usage.isJsonObject()) {
          JsonObject o = base("usage");
          for (String key : usage.getAsJsonObject().keySet()) {
            o.add(key, usage.getAsJsonObject().get(key));
          }
          out.add(frame("usage", o));
        }
        break;
      }
      case "turn.completed":
        out.add(end("completed"));
        break;
      case "turn.cancelled":
        out.add(end("cancelled"));
        break;
      case "turn.failed": {
        JsonObject o = base("error");
        String message = string(data, "message");
        o.addProperty("message", message != null ? message : "The run failed.");
        with(o, "code", data.get("code"));
        out.add(frame("error", o));
        out.add(end("failed"));
        break;
      }
      default:
        break;
    }
    return out;
  }

  /** The session was reset (or its history expired) before the run's turn ended. */
  List<byte[]> sessionGone() {
    List<byte[]> out = new ArrayList<>(2);
    if (!turnOver) {
      JsonObject o = base("error");
      o.addProperty("message", "The session ended before the run finished.");
      out.add(frame("error", o));
      out.add(end("cancelled"));
    }
    done = true;
    return out;
  }

  private boolean ours(JsonObject event) {
    if (deliveryId == null) {
      return true;
    }
    JsonObject meta = object(event.get("meta"));
    JsonElement ids = meta.get("deliveryIds");
    if (ids != null && ids.isJsonArray()) {
      for (JsonElement id : ids.getAsJsonArray()) {
        if (id.isJsonPrimitive() && deliveryId.equals(id.getAsString())) {
          return true;
        }
      }
    }
    return false;
  }

  private byte[] relay(JsonObject request) {
    String relayId = string(request, "requestId");
    boolean question = "question".equals(string(request, "kind"));
    JsonObject action = object(request.get("action"));
    List<String> labels = new ArrayList<>();
    JsonArray options = new JsonArray();
    for (JsonObject option : objects(request.get("options"))) {
      String label = string(option, "label");
      if (label != null) {
        labels.add(label);
        options.add(label);
      }
    }
    relays.opened(relayId, question, question ? labels : List.of());
    JsonObject o = base("relay");
    o.addProperty("kind", question ? "question" : "permission");
    o.addProperty("relayId", relayId);
    o.addProperty("id", relayId);
    with(o, "toolCallId", action.get("callId"));
    with(o, "tool", action.get("toolName"));
    with(o, "params", action.get("input"));
    with(o, "prompt", request.get("prompt"));
    if (question) {
      o.add("options", options);
      o.addProperty("allowFreeform", options.isEmpty() || isTrue(request.get("allowFreeform")));
    }
    return frame("relay", o);
  }

  private byte[] delta(String type, JsonObject data, String field) {
    JsonObject o = base(type);
    o.addProperty("id", turnId + ":" + (data.has("stepIndex") ? data.get("stepIndex").getAsInt() : 0));
    with(o, "content", data.get(field));
    return frame(type, o);
  }

  private byte[] end(String status) {
    turnOver = true;
    JsonObject o = base("harness_end");
    o.addProperty("status", status);
    return frame("harness_end", o);
  }

  private JsonObject base(String type) {
    JsonObject o = new JsonObject();
    o.addProperty("type", type);
    if (turnId != null) {
      o.addProperty("runId", turnId);
    }
    o.addProperty("agentId", agentId);
    return o;
  }

  /** {@code event: <type>}, one {@code data:} line (compact JSON has no newlines), a blank line. */
  static byte[] frame(String type, JsonObject data) {
    return ("event: " + type + "\ndata: " + Json.toJson(data) + "\n\n").getBytes(StandardCharsets.UTF_8);
  }

  private static void with(JsonObject o, String name, JsonElement value) {
    if (value != null && !value.isJsonNull()) {
      o.add(name, value);
    }
  }

  private static boolean isTrue(JsonElement e) {
    return e != null && e.isJsonPrimitive() && e.getAsJsonPrimitive().isBoolean() && e.getAsBoolean();
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
    return e != null && e.isJsonPrimitive() && e.getAsJsonPrimitive().isString() ? e.getAsString() : null;
  }
}
