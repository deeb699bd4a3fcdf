package dev.eve4j.servlet.legacy;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.eve4j.protocol.Json;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Renders one session's canonical events (stream 26) as the legacy dialect (stream 16): exactly
 * one line per canonical event, so line {@code k} of a legacy stream is journal event {@code k}
 * and the legacy client's line count is a journal index.
 *
 * <ul>
 *   <li>{@code turn.waiting{on:"input"}} (a turn parked on approvals or questions) becomes
 *       {@code session.waiting{continuationToken, usage, wait:"next-user-message"}}: the park is a
 *       turn boundary for legacy clients, and this dialect has no {@code turn.waiting};</li>
 *   <li>{@code session.waiting} carries the legacy continuation token of its own index;</li>
 *   <li>{@code message.appended} gains {@code messageSoFar} and {@code reasoning.appended} gains
 *       {@code reasoningSoFar}: the text of the current step up to and including this delta;</li>
 *   <li>{@code input.requested} loses the fields the strict v16 {@code InputRequest} does not
 *       have ({@code requests[].kind}, {@code callId});</li>
 *   <li>every other event (also those v16 lacks, such as {@code input.resolved} or
 *       {@code turn.waiting{on:"tasks"}}) is served as it is stored: legacy clients pass unknown
 *       types through.</li>
 * </ul>
 *
 * <p>State: the text so far of the current step, and whether the last event seen was a boundary.
 * Events must be fed in index order, starting at a reset point ({@link
 * CanonicalLine#isRendererResetPoint}) or at 0; {@link #skip} feeds the events before the reader's
 * {@code startIndex}. Not thread-safe: one stream loop owns it.
 */
final class LegacyRenderer {
  private final String sessionId;
  private final ContinuationTokens tokens;
  private final StringBuilder message = new StringBuilder();
  private final StringBuilder reasoning = new StringBuilder();
  private boolean atBoundary;

  LegacyRenderer(String sessionId, ContinuationTokens tokens) {
    this.sessionId = sessionId;
    this.tokens = tokens;
  }

  /** The legacy line (with its {@code \n}) for canonical event {@code index}. */
  byte[] render(long index, byte[] canonical) {
    return apply(index, canonical, true);
  }

  /** Feeds event {@code index} without rendering it (the reader starts after it). */
  void skip(long index, byte[] canonical) {
    apply(index, canonical, false);
  }

  /** Whether the last event fed is a legacy turn boundary. */
  boolean atBoundary() {
    return atBoundary;
  }

  private byte[] apply(long index, byte[] line, boolean render) {
    String type = CanonicalLine.type(line);
    atBoundary = false;
    switch (type) {
      case "step.started":
        message.setLength(0);
        reasoning.setLength(0);
        return line;
      case "message.appended":
        return appended(line, "messageDelta", "messageSoFar", message, render);
      case "reasoning.appended":
        return appended(line, "reasoningDelta", "reasoningSoFar", reasoning, render);
      case "input.requested":
        return render ? inputRequested(line) : null;
      case "turn.waiting":
        if (!CanonicalLine.isInputPark(line)) {
          return line;
        }
        atBoundary = true;
        return render ? park(index, line) : null;
      case "session.waiting":
        atBoundary = true;
        return render ? waiting(index, line) : null;
      case "session.completed":
      case "session.failed":
        atBoundary = true;
        return line;
      default:
        return line;
    }
  }

  private static byte[] appended(byte[] line, String deltaKey, String soFarKey, StringBuilder soFar, boolean render) {
    JsonObject event = CanonicalLine.parse(line);
    JsonObject data = CanonicalLine.data(event);
    JsonElement delta = data.get(deltaKey);
    if (delta != null && delta.isJsonPrimitive()) {
      soFar.append(delta.getAsString());
    }
    if (!render) {
      return null;
    }
    // soFar goes right after the delta, where eve 0.18 put it.
    JsonObject out = new JsonObject();
    for (Map.Entry<String, JsonElement> e : data.entrySet()) {
      out.add(e.getKey(), e.getValue());
      if (e.getKey().equals(deltaKey)) {
        out.addProperty(soFarKey, soFar.toString());
      }
    }
    if (!out.has(soFarKey)) {
      out.addProperty(soFarKey, soFar.toString());
    }
    event.add("data", out);
    return encode(event);
  }

  private static byte[] inputRequested(byte[] line) {
    JsonObject event = CanonicalLine.parse(line);
    JsonObject data = CanonicalLine.data(event);
    data.remove("callId");
    JsonElement requests = data.get("requests");
    if (requests != null && requests.isJsonArray()) {
      for (JsonElement r : requests.getAsJsonArray()) {
        if (r.isJsonObject()) {
          r.getAsJsonObject().remove("kind");
        }
      }
    }
    return encode(event);
  }

  private byte[] park(long index, byte[] line) {
    JsonObject event = CanonicalLine.parse(line);
    JsonObject data = new JsonObject();
    data.addProperty("continuationToken", tokens.mint(sessionId, index));
    JsonElement usage = CanonicalLine.data(event).get("usage");
    if (usage != null) {
      data.add("usage", usage);
    }
    data.addProperty("wait", "next-user-message");
    JsonObject out = new JsonObject();
    out.addProperty("type", "session.waiting");
    out.add("data", data);
    if (event.has("meta")) {
      out.add("meta", event.get("meta"));
    }
    return encode(out);
  }

  private byte[] waiting(long index, byte[] line) {
    JsonObject event = CanonicalLine.parse(line);
    JsonObject data = CanonicalLine.data(event);
    data.addProperty("continuationToken", tokens.mint(sessionId, index));
    if (!data.has("wait")) {
      data.addProperty("wait", "next-user-message");
    }
    event.add("data", data);
    return encode(event);
  }

  private static byte[] encode(JsonObject event) {
    return (Json.toJson(event) + "\n").getBytes(StandardCharsets.UTF_8);
  }
}
