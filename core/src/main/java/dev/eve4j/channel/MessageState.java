package dev.eve4j.channel;

import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import java.time.Instant;

/**
 * One message of a {@link VesselState}: the document stored when it was created ({@code doc}, the
 * snake_case row without its live parts) plus what changed since. Guarded by the vessel's monitor.
 */
final class MessageState {
  final String id;
  final Source source;
  Kind kind;
  String content;
  final JsonObject interaction;
  final long createdAt;
  final JsonObject doc;
  InteractionStatus status;
  String expiredBy;
  String responseId;
  JsonObject response;
  long respondedAt;
  long cancelRequestedAt;
  /** Receipt tick: 0 none, 1 received, 2 processing, 3 completed or dropped (terminal). */
  String receiptStage;
  String receiptReason;
  long receiptAt;
  /** How the agent closed the interaction ({@code {outcome, label, reason}}), or null. */
  JsonObject resolution;

  MessageState(JsonObject doc, long createdAt) {
    this.doc = doc;
    this.id = doc.get("id").getAsString();
    this.source = Source.fromWire(doc.get("source").getAsString()).orElseThrow();
    this.kind = doc.get("kind").isJsonNull() ? Kind.BUBBLE : Kind.fromWire(doc.get("kind").getAsString()).orElseThrow();
    this.content = doc.get("content").isJsonNull() ? null : doc.get("content").getAsString();
    this.interaction = doc.get("interaction").isJsonNull() ? null : doc.getAsJsonObject("interaction");
    this.createdAt = createdAt;
  }

  InteractionType interactionType() {
    return interaction == null ? null : InteractionType.fromWire(interaction.get("type").getAsString()).orElseThrow();
  }

  boolean working() {
    if (source != Source.AGENT || !doc.has("agent_activity") || doc.get("agent_activity").isJsonNull()) {
      return false;
    }
    return !doc.getAsJsonObject("agent_activity").has("resolved_at");
  }

  JsonObject row(String vesselId) {
    JsonObject o = doc.deepCopy();
    o.addProperty("vessel_id", vesselId);
    o.addProperty("interaction_status", status == null ? null : status.wire());
    o.add("response", response == null ? JsonNull.INSTANCE : response.deepCopy());
    o.addProperty("response_id", responseId);
    o.addProperty("responded_at", responseId == null ? null : ChannelJson.time(respondedAt));
    o.addProperty("cancel_requested_at", cancelRequestedAt == 0 ? null : ChannelJson.time(cancelRequestedAt));
    o.addProperty("created_at", ChannelJson.time(createdAt));
    if (resolution != null) {
      o.add("resolution", resolution.deepCopy());
    }
    o.addProperty("receipt_stage", receiptStage);
    o.addProperty("receipt_reason", receiptReason);
    return o;
  }

  Message snapshot(String vesselId) {
    return new Message(id, vesselId, source, kind, content, interactionType(), status, response,
        Instant.ofEpochMilli(createdAt), row(vesselId));
  }

  /** The message as events carry it ({@code originMessage}): {@code {id, content, interaction, metadata, createdAt}}.
   */
  JsonObject origin() {
    JsonObject o = new JsonObject();
    o.addProperty("id", id);
    o.addProperty("content", content);
    o.add("interaction", interaction == null ? JsonNull.INSTANCE : interaction.deepCopy());
    o.add("metadata", doc.get("metadata").deepCopy());
    o.addProperty("createdAt", ChannelJson.time(createdAt));
    return o;
  }
}
