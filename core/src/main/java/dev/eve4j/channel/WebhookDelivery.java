package dev.eve4j.channel;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One event sent (or being sent) to one endpoint, with every attempt so far. Immutable.
 *
 * @param state {@code pending} (an attempt is due), {@code delivered} (a 2xx) or {@code failed}
 *     (a 4xx, a refused address, or the last attempt failed)
 * @param body the exact bytes signed and sent (UTF-8 JSON)
 * @param replayOf the delivery this one re-sends, or null
 */
public record WebhookDelivery(String id, String endpointId, String workspaceId, String vesselId, String event,
    String state, String body, String replayOf, Instant createdAt, List<Attempt> attempts) {

  public WebhookDelivery {
    Objects.requireNonNull(id, "id");
    attempts = List.copyOf(attempts);
  }

  /**
   * One POST.
   *
   * @param status the HTTP status, or null when there was no response (timeout, refused, unreachable)
   * @param error why there was no usable response, or null
   */
  public record Attempt(int n, Integer status, String error, long durationMs, Instant at) {
    JsonObject toJson() {
      JsonObject o = new JsonObject();
      o.addProperty("n", n);
      o.addProperty("status", status);
      o.addProperty("error", error);
      o.addProperty("duration_ms", durationMs);
      o.addProperty("at", ChannelJson.time(at.toEpochMilli()));
      return o;
    }
  }

  /** {@code {id, endpoint_id, vessel_id, event, state, replay_of, created_at, attempts, payload}}. */
  public JsonObject toJson() {
    JsonObject o = new JsonObject();
    o.addProperty("id", id);
    o.addProperty("endpoint_id", endpointId);
    o.addProperty("vessel_id", vesselId);
    o.addProperty("event", event);
    o.addProperty("state", state);
    o.addProperty("replay_of", replayOf);
    o.addProperty("created_at", ChannelJson.time(createdAt.toEpochMilli()));
    JsonArray a = new JsonArray();
    attempts.forEach(x -> a.add(x.toJson()));
    o.add("attempts", a);
    o.add("payload", ChannelJson.parse(body));
    return o;
  }
}
