package dev.eve4j.channel;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Debug mode's account of agent requests: which calls count as the agent's, which vessel or message
 * each touched, and the sent-versus-applied diff (for every field sent, did it land on the stored
 * message or vessel). Pure functions over JSON; {@link JournalChannel} stores what they return.
 */
final class RequestTrace {
  /** Request bodies kept verbatim up to this many bytes (the rest is cut, and says so). */
  static final int MAX_BODY_BYTES = 64 * 1024;

  private RequestTrace() {}

  /** What a request touched: the vessels it named (external ids or UUIDs) or a message. */
  record Target(VesselRef vessel, String messageId, int index) {}

  /** Message fields of a push, surface, event or message PATCH, and where each lands on the stored row. */
  private static final Map<String, String> MESSAGE_FIELDS = Map.ofEntries(Map.entry("message", "content"),
      Map.entry("content", "content"), Map.entry("body", "content"), Map.entry("title", "title"),
      Map.entry("card", "card"), Map.entry("interaction", "interaction"), Map.entry("attachments", "attachments"),
      Map.entry("suggestions", "suggestions"), Map.entry("previewUrl", "preview_url"),
      Map.entry("metadata", "metadata"), Map.entry("kind", "kind"), Map.entry("tokenStream", "token_stream"),
      Map.entry("agentActivity", "agent_activity"), Map.entry("tone", "tone"), Map.entry("sections", "sections"),
      Map.entry("buttons", "buttons"));

  /** Vessel fields a push or a vessel PATCH may set, and where each lands on the vessel row. */
  private static final Map<String, String> VESSEL_FIELDS = Map.of("vesselTitle", "title", "labels", "labels",
      "details", "details", "pinned", "pinned", "archived", "archived", "vesselStatus", "status",
      "externalId", "external_id");

  /**
   * The targets of an agent's request, or an empty list when it is not one (reads, the human side's
   * calls, admin calls) or touches no vessel.
   */
  static List<Target> targets(String method, String path, JsonElement body) {
    List<String> s = segments(path);
    if (method.equals("GET") || method.equals("HEAD") || s.isEmpty()) {
      return List.of();
    }
    JsonObject o = body != null && body.isJsonObject() ? body.getAsJsonObject() : null;
    switch (s.get(0)) {
      case "push":
        if (s.size() == 2 && s.get(1).equals("many")) {
          List<Target> out = new ArrayList<>();
          JsonElement vs = o == null ? null : o.get("vessels");
          if (vs != null && vs.isJsonArray()) {
            for (int i = 0; i < vs.getAsJsonArray().size(); i++) {
              JsonElement v = vs.getAsJsonArray().get(i);
              if (v.isJsonPrimitive()) {
                out.add(new Target(VesselRef.external(v.getAsString()), null, i));
              }
            }
          }
          return out;
        }
        return byVesselField(s, o);
      case "surface":
      case "event":
        return byVesselField(s, o);
      case "messages":
        if (s.size() == 2 && method.equals("PATCH")
            || s.size() == 3 && (s.get(2).equals("resolve") || s.get(2).equals("ack"))) {
          return List.of(new Target(null, s.get(1), -1));
        }
        return List.of();
      case "vessels":
        if (s.size() >= 3 && s.get(1).equals("by-external")
            && (s.size() == 3 ? !method.equals("POST") : s.size() == 4 && s.get(3).equals("messages")
                && method.equals("DELETE"))) {
          return List.of(new Target(VesselRef.external(s.get(2)), null, -1));
        }
        if (s.size() >= 2 && !s.get(1).equals("by-external")
            && (s.size() == 2 ? !method.equals("POST") : s.size() == 3 && s.get(2).equals("messages")
                && method.equals("DELETE"))) {
          return List.of(new Target(VesselRef.id(s.get(1)), null, -1));
        }
        return List.of();
      default:
        return List.of();
    }
  }

  private static List<Target> byVesselField(List<String> s, JsonObject o) {
    JsonElement v = o == null ? null : o.get("vessel");
    return s.size() == 1 && v != null && v.isJsonPrimitive()
        ? List.of(new Target(VesselRef.external(v.getAsString()), null, -1)) : List.of();
  }

  private static List<String> segments(String path) {
    List<String> out = new ArrayList<>();
    for (String p : path.split("/")) {
      if (!p.isEmpty()) {
        out.add(p);
      }
    }
    return out;
  }

  /** The message id a request created (push, surface, event), from its response, or null. */
  static String createdMessageId(JsonElement response, int index) {
    if (response == null || !response.isJsonObject()) {
      return null;
    }
    JsonObject r = response.getAsJsonObject();
    if (index >= 0) {
      JsonElement results = r.get("results");
      if (results == null || !results.isJsonArray() || results.getAsJsonArray().size() <= index) {
        return null;
      }
      r = results.getAsJsonArray().get(index).getAsJsonObject();
    }
    JsonElement id = r.get("messageId");
    return id == null || id.isJsonNull() ? null : id.getAsString();
  }

  /**
   * The sent-versus-applied diff: one diagnostic per field of {@code sent} that names message or
   * vessel content, {@code {field, status: applied|dropped|changed|truncated, code?}}.
   *
   * @param message the stored message row after the request, or null (none was touched, or it is gone)
   * @param vessel the vessel row after the request, or null
   */
  static JsonArray diagnose(JsonObject sent, JsonObject message, JsonObject vessel, boolean patchesVessel) {
    JsonArray out = new JsonArray();
    if (sent == null) {
      return out;
    }
    for (Map.Entry<String, JsonElement> e : sent.entrySet()) {
      String field = e.getKey();
      String messageKey = patchesVessel ? null : MESSAGE_FIELDS.get(field);
      String vesselKey = patchesVessel && field.equals("title") ? "title" : VESSEL_FIELDS.get(field);
      if (messageKey != null && message != null) {
        out.add(diagnostic(field, e.getValue(), message.get(messageKey)));
      } else if (vesselKey != null && vessel != null) {
        out.add(diagnostic(field, e.getValue(), vessel.get(vesselKey)));
      }
    }
    return out;
  }

  private static JsonObject diagnostic(String field, JsonElement sent, JsonElement stored) {
    String status = compare(field, sent, stored);
    JsonObject d = new JsonObject();
    d.addProperty("field", field);
    d.addProperty("status", status);
    if (!status.equals("applied")) {
      d.addProperty("code", "field_" + status);
      d.add("sent", sent.deepCopy());
      d.add("stored", stored == null ? JsonNull.INSTANCE : stored.deepCopy());
    }
    return d;
  }

  private static String compare(String field, JsonElement sent, JsonElement stored) {
    boolean cleared = stored == null || stored.isJsonNull()
        || stored.isJsonArray() && stored.getAsJsonArray().isEmpty();
    if (sent.isJsonNull()) {
      return cleared ? "applied" : "changed";
    }
    if (stored == null || stored.isJsonNull()) {
      return "dropped";
    }
    switch (field) {
      case "agentActivity":
        return "applied"; // the server times the steps: its presence is what landed
      case "interaction":
        return stored.isJsonObject() && stored.getAsJsonObject().get("type") != null && sent.isJsonObject()
            && stored.getAsJsonObject().get("type").equals(sent.getAsJsonObject().get("type")) ? "applied" : "changed";
      case "attachments":
      case "suggestions":
        return stored.isJsonArray() && sent.isJsonArray()
            && stored.getAsJsonArray().size() == sent.getAsJsonArray().size() ? "applied" : "changed";
      case "vesselStatus":
        return stored.getAsString().equals(sent.getAsString()) || sent.getAsString().equals("active")
            && !stored.getAsString().equals("resolved") ? "applied" : "changed";
      case "tokenStream":
        if (!stored.equals(sent) && sent.isJsonPrimitive() && sent.getAsString().endsWith(stored.getAsString())) {
          return "truncated";
        }
        break;
      default:
        break;
    }
    return stored.equals(sent) ? "applied" : "changed";
  }

  /** The verdict of a request: {@code rejected} (4xx/5xx), {@code degraded} (a field did not land) or {@code ok}. */
  static String verdict(int status, JsonArray diagnostics) {
    if (status >= 400) {
      return "rejected";
    }
    for (JsonElement d : diagnostics) {
      if (!d.getAsJsonObject().get("status").getAsString().equals("applied")) {
        return "degraded";
      }
    }
    return "ok";
  }

  /** The body as stored: verbatim up to {@link #MAX_BODY_BYTES}. */
  static String clip(String body) {
    if (body == null) {
      return null;
    }
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    return b.length <= MAX_BODY_BYTES ? body
        : new String(b, 0, MAX_BODY_BYTES, StandardCharsets.UTF_8) + "…[cut at " + MAX_BODY_BYTES + " bytes]";
  }
}
