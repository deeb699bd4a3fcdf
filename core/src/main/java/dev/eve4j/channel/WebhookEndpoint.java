package dev.eve4j.channel;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A webhook endpoint of a workspace (its secret is shown once, by {@link Webhooks#create}). Immutable.
 *
 * @param events the subscribed events; {@code message.cancelled} reaches every active endpoint anyway
 */
public record WebhookEndpoint(String id, String workspaceId, String url, List<String> events, boolean active,
    Instant createdAt) {
  public WebhookEndpoint {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(url, "url");
    events = List.copyOf(events);
  }

  /** {@code {id, url, events, active, created_at}}. */
  public JsonObject toJson() {
    JsonObject o = new JsonObject();
    o.addProperty("id", id);
    o.addProperty("url", url);
    JsonArray e = new JsonArray();
    events.forEach(e::add);
    o.add("events", e);
    o.addProperty("active", active);
    o.addProperty("created_at", ChannelJson.time(createdAt.toEpochMilli()));
    return o;
  }

  /** A new endpoint and its signing secret ({@code whsec_…}), returned once. */
  public record Created(WebhookEndpoint endpoint, String secret) {}
}
