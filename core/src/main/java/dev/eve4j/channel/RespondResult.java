package dev.eve4j.channel;

import com.google.gson.JsonObject;
import java.time.Instant;

/** A stored response to an interaction. */
public record RespondResult(String responseId, String messageId, String vesselId, JsonObject response,
    Instant respondedAt) {
  public RespondResult {
    response = response.deepCopy();
  }

  /** {@code {ok:true, responseId, messageId, vesselId, response, respondedAt}}. */
  public JsonObject toJson() {
    JsonObject o = new JsonObject();
    o.addProperty("ok", true);
    o.addProperty("responseId", responseId);
    o.addProperty("messageId", messageId);
    o.addProperty("vesselId", vesselId);
    o.add("response", response.deepCopy());
    o.addProperty("respondedAt", ChannelJson.time(respondedAt.toEpochMilli()));
    return o;
  }
}
