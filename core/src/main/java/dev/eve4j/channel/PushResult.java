package dev.eve4j.channel;

import com.google.gson.JsonObject;
import java.time.Instant;
import java.util.Objects;

/**
 * What a push (or a surface, an event, a human message) created.
 *
 * @param vessel the caller's external id of the vessel
 */
public record PushResult(String vessel, String messageId, String vesselId, Instant createdAt) {
  public PushResult {
    Objects.requireNonNull(messageId, "messageId");
    Objects.requireNonNull(vesselId, "vesselId");
  }

  /** {@code {ok:true, messageId, vesselId, createdAt, replayed}}, the push response. */
  public JsonObject toJson(boolean replayed) {
    JsonObject o = new JsonObject();
    o.addProperty("ok", true);
    o.addProperty("messageId", messageId);
    o.addProperty("vesselId", vesselId);
    o.addProperty("createdAt", ChannelJson.time(createdAt.toEpochMilli()));
    o.addProperty("replayed", replayed);
    return o;
  }

  /** {@code {vessel, messageId, vesselId, createdAt}}, one entry of a push/many response. */
  public JsonObject toResultJson() {
    JsonObject o = new JsonObject();
    o.addProperty("vessel", vessel);
    o.addProperty("messageId", messageId);
    o.addProperty("vesselId", vesselId);
    o.addProperty("createdAt", ChannelJson.time(createdAt.toEpochMilli()));
    return o;
  }
}
