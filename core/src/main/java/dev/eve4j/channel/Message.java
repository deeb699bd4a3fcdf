package dev.eve4j.channel;

import com.google.gson.JsonObject;
import java.time.Instant;
import java.util.Objects;

/**
 * A snapshot of one message: the typed essentials plus the full raw API row ({@link #toJson()}).
 * Immutable.
 *
 * @param interactionType the type of its interaction, or null when it carries none
 * @param interactionStatus where that interaction stands, or null when it carries none
 * @param response the stored (validated) response, or null
 */
public record Message(String id, String vesselId, Source source, Kind kind, String content,
    InteractionType interactionType, InteractionStatus interactionStatus, JsonObject response, Instant createdAt,
    JsonObject row) {

  public Message {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(source, "source");
    response = response == null ? null : response.deepCopy();
    row = row.deepCopy();
  }

  /** The raw API row (snake_case), as {@code GET /vessels/…/messages} lists it. */
  public JsonObject toJson() {
    return row.deepCopy();
  }
}
