package dev.eve4j.channel;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;

/**
 * The snake_case webhook bodies of seed 003 ({@code {event, vessel_id, workspace_id, data, timestamp}}),
 * built from the camelCase events the channel records. Stateless.
 */
final class WebhookPayloads {
  private WebhookPayloads() {}

  /** The webhook body of a poll event ({@code interaction.response}, {@code message.user}, {@code vessel.created}). */
  static JsonObject fromEvent(String workspaceId, JsonObject e) {
    String type = e.get("type").getAsString();
    JsonObject ev = e.getAsJsonObject("vessel");
    JsonObject data = new JsonObject();
    switch (type) {
      case "interaction.response": {
        data.add("message_id", e.get("messageId"));
        data.add("interaction_type", e.get("interactionType"));
        data.add("response", e.get("response").deepCopy());
        data.add("response_id", e.get("responseId"));
        data.add("metadata", e.get("interactionMetadata").deepCopy());
        JsonObject origin = e.getAsJsonObject("originMessage");
        JsonObject m = new JsonObject();
        m.add("id", origin.get("id"));
        m.add("content", origin.get("content"));
        m.add("interaction", origin.get("interaction").deepCopy());
        m.add("metadata", origin.get("metadata").deepCopy());
        m.add("created_at", origin.get("createdAt"));
        data.add("message", m);
        data.add("vessel", vessel(ev));
        break;
      }
      case "message.user": {
        data.add("message_id", e.get("messageId"));
        data.add("content", e.getAsJsonObject("message").get("content"));
        if (e.has("attachments")) {
          data.add("attachments", e.get("attachments").deepCopy());
        }
        data.add("vessel", vessel(ev));
        JsonArray context = new JsonArray();
        for (JsonElement c : e.getAsJsonArray("context")) {
          JsonObject co = c.getAsJsonObject();
          JsonObject x = new JsonObject();
          x.add("source", co.get("source"));
          x.add("content", co.get("content"));
          x.add("created_at", co.get("createdAt"));
          context.add(x);
        }
        data.add("context", context);
        JsonElement s = e.get("supersededInteraction");
        if (s != null && s.isJsonObject()) {
          JsonObject so = s.getAsJsonObject();
          JsonObject x = new JsonObject();
          x.add("message_id", so.get("messageId"));
          x.add("interaction_type", so.get("interactionType"));
          x.add("prompt", so.get("prompt"));
          data.add("superseded_interaction", x);
        }
        break;
      }
      case "vessel.created": {
        data.add("vessel", vessel(ev));
        JsonObject em = e.getAsJsonObject("message");
        JsonObject m = new JsonObject();
        m.add("message_id", em.get("id"));
        m.add("content", em.get("content"));
        m.add("created_at", em.get("createdAt"));
        data.add("message", m);
        if (e.has("attachments")) {
          data.add("attachments", e.get("attachments").deepCopy());
        }
        break;
      }
      default:
        throw new IllegalArgumentException("no webhook for " + type);
    }
    return envelope(type, ev.get("id").getAsString(), workspaceId, data, e.get("timestamp").getAsString());
  }

  /** {@code vessel.archived} and {@code vessel.deleted}: {@code data.vessel} only. */
  static JsonObject lifecycle(String type, String workspaceId, JsonObject eventVessel, long at) {
    JsonObject data = new JsonObject();
    data.add("vessel", vessel(eventVessel));
    return envelope(type, eventVessel.get("id").getAsString(), workspaceId, data, ChannelJson.time(at));
  }

  /** {@code message.cancelled}: {@code data.message_id} and {@code data.vessel}. */
  static JsonObject cancelled(String workspaceId, JsonObject eventVessel, String messageId, long at) {
    JsonObject data = new JsonObject();
    data.addProperty("message_id", messageId);
    data.add("vessel", vessel(eventVessel));
    return envelope("message.cancelled", eventVessel.get("id").getAsString(), workspaceId, data,
        ChannelJson.time(at));
  }

  private static JsonObject envelope(String type, String vesselId, String workspaceId, JsonObject data, String at) {
    JsonObject o = new JsonObject();
    o.addProperty("event", type);
    o.addProperty("vessel_id", vesselId);
    o.addProperty("workspace_id", workspaceId);
    o.add("data", data);
    o.addProperty("timestamp", at);
    return o;
  }

  /** {@code {id, external_id, title, type, metadata}} from the camelCase event vessel. */
  private static JsonObject vessel(JsonObject ev) {
    JsonObject v = new JsonObject();
    v.add("id", ev.get("id"));
    v.add("external_id", ev.get("externalId"));
    v.add("title", ev.has("title") ? ev.get("title") : JsonNull.INSTANCE);
    v.add("type", ev.has("type") ? ev.get("type") : JsonNull.INSTANCE);
    v.add("metadata", ev.has("metadata") ? ev.get("metadata").deepCopy() : new JsonObject());
    return v;
  }
}
