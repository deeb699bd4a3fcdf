package dev.eve4j.channel;

import com.google.gson.JsonArray;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A snapshot of one vessel. Immutable (JSON parts are copies).
 *
 * @param title the human-readable name, or null until one is set (the app shows the external id)
 * @param type the vessel type a human chose when opening it, or null
 * @param details the reference record {@code {fields:[…]}}, or null
 * @param metadata opaque caller metadata, never null (empty when none)
 */
public record Vessel(String id, String workspaceId, String externalId, String title, VesselStatus status,
    List<String> labels, JsonObject details, JsonObject metadata, boolean archived, boolean pinned, String type,
    Instant createdAt, Instant updatedAt) {

  public Vessel {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(externalId, "externalId");
    Objects.requireNonNull(status, "status");
    labels = List.copyOf(labels);
    details = details == null ? null : details.deepCopy();
    metadata = metadata == null ? new JsonObject() : metadata.deepCopy();
  }

  /** The raw API row (snake_case), as {@code GET /vessels} lists it. */
  public JsonObject toJson() {
    JsonObject o = new JsonObject();
    o.addProperty("id", id);
    o.addProperty("external_id", externalId);
    o.addProperty("title", title);
    o.addProperty("status", status.wire());
    JsonArray l = new JsonArray();
    labels.forEach(l::add);
    o.add("labels", l);
    o.addProperty("pinned", pinned);
    o.addProperty("archived", archived);
    o.add("metadata", metadata.deepCopy());
    o.add("details", details == null ? JsonNull.INSTANCE : details.deepCopy());
    o.addProperty("type", type);
    o.addProperty("created_at", ChannelJson.time(createdAt.toEpochMilli()));
    o.addProperty("updated_at", ChannelJson.time(updatedAt.toEpochMilli()));
    return o;
  }
}
