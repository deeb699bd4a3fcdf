package dev.eve4j.channel;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The live view of one vessel, rebuilt from its log by {@link #apply}. Guarded by its own monitor:
 * every read and write happens in {@code synchronized (vessel)}.
 */
final class VesselState {
  final String id;
  final String workspaceId;
  final String logId;
  final long createdAt;
  final String type;
  String externalId;
  String title;
  List<String> labels = List.of();
  JsonObject details;
  JsonObject metadata = new JsonObject();
  boolean archived;
  boolean pinned;
  /** Set by the agent ({@code vesselStatus: "resolved"}); cleared by a human or {@code "active"}. */
  boolean resolved;
  long updatedAt;
  long lastMessageAt;
  boolean deleted;
  final List<MessageState> messages = new ArrayList<>();
  final Map<String, MessageState> byId = new LinkedHashMap<>();
  /** The message whose interaction is live, or null. */
  MessageState live;
  /** Debug mode: the agent requests that touched this vessel ({@code agent.request} trace items), oldest first. */
  final List<JsonObject> requests = new ArrayList<>();
  /** Unacknowledged poll events of this vessel, by event id. */
  final Map<String, Pending> pending = new LinkedHashMap<>();

  record Pending(long seq, String eventId, JsonObject event) {}

  VesselState(String id, String workspaceId, String externalId, String type, long createdAt) {
    this.id = id;
    this.workspaceId = workspaceId;
    this.logId = JournalChannel.VESSEL_PREFIX + id;
    this.externalId = externalId;
    this.type = type;
    this.createdAt = createdAt;
    this.updatedAt = createdAt;
  }

  VesselStatus status() {
    return live != null ? VesselStatus.WAITING : resolved ? VesselStatus.RESOLVED : VesselStatus.ACTIVE;
  }

  /** A creation time after every message so far: times of one vessel strictly increase. */
  long nextTime(long now) {
    return Math.max(now, lastMessageAt + 1);
  }

  Vessel snapshot() {
    return new Vessel(id, workspaceId, externalId, title, status(), labels, details, metadata, archived, pinned, type,
        Instant.ofEpochMilli(createdAt), Instant.ofEpochMilli(updatedAt));
  }

  /** Applies a vessel-level patch ({@code title, labels, details, metadata, archived, pinned, status, externalId}). */
  void patch(JsonObject p, long at) {
    if (p.has("title")) {
      title = p.get("title").isJsonNull() ? null : p.get("title").getAsString();
    }
    if (p.has("labels")) {
      List<String> l = new ArrayList<>();
      for (JsonElement e : p.getAsJsonArray("labels")) {
        if (!l.contains(e.getAsString())) {
          l.add(e.getAsString());
        }
      }
      labels = List.copyOf(l);
    }
    if (p.has("details")) {
      details = p.get("details").isJsonNull() ? null : p.getAsJsonObject("details").deepCopy();
    }
    if (p.has("metadata")) {
      metadata = p.get("metadata").isJsonNull() ? new JsonObject() : p.getAsJsonObject("metadata").deepCopy();
    }
    if (p.has("archived")) {
      archived = p.get("archived").getAsBoolean();
    }
    if (p.has("pinned")) {
      pinned = p.get("pinned").getAsBoolean();
    }
    if (p.has("status")) {
      resolved = p.get("status").getAsString().equals("resolved");
    }
    if (p.has("externalId")) {
      externalId = p.get("externalId").getAsString();
    }
    updatedAt = Math.max(updatedAt, at);
  }

  /** Adds a message and applies the supersession rule; returns the interaction it expired, or null. */
  MessageState add(MessageState m) {
    MessageState expired = null;
    if (m.source == Source.USER) {
      expired = live;
      resolved = false;
    } else if (m.interaction != null && m.source != Source.EVENT) {
      expired = live;
    }
    if (expired != null) {
      expired.status = InteractionStatus.EXPIRED;
      expired.expiredBy = m.id;
      live = null;
    }
    if (m.interaction != null) {
      m.status = InteractionStatus.LIVE;
      live = m;
    }
    messages.add(m);
    byId.put(m.id, m);
    lastMessageAt = Math.max(lastMessageAt, m.createdAt);
    updatedAt = Math.max(updatedAt, m.createdAt);
    return expired;
  }

  void answered(MessageState m, String responseId, JsonObject response, long at) {
    m.status = InteractionStatus.ANSWERED;
    m.responseId = responseId;
    m.response = response;
    m.respondedAt = at;
    if (live == m) {
      live = null;
    }
    resolved = false;
    updatedAt = Math.max(updatedAt, at);
  }

  /** The last {@code n} messages before the end, oldest first, as {@code {source, content, createdAt}}. */
  JsonArray context(int n) {
    JsonArray a = new JsonArray();
    for (int i = Math.max(0, messages.size() - n); i < messages.size(); i++) {
      MessageState m = messages.get(i);
      JsonObject o = new JsonObject();
      o.addProperty("source", m.source.wire());
      o.addProperty("content", m.content);
      o.addProperty("createdAt", ChannelJson.time(m.createdAt));
      a.add(o);
    }
    return a;
  }

  /** The vessel as poll events carry it: {@code {id, externalId, title, type, labels, metadata}}. */
  JsonObject eventVessel() {
    JsonObject o = new JsonObject();
    o.addProperty("id", id);
    o.addProperty("externalId", externalId);
    o.addProperty("title", title);
    o.addProperty("type", type);
    JsonArray l = new JsonArray();
    labels.forEach(l::add);
    o.add("labels", l);
    o.add("metadata", metadata.deepCopy());
    return o;
  }
}
