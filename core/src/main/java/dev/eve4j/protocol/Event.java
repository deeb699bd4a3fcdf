package dev.eve4j.protocol;

import java.util.List;
import java.util.Objects;

/** The stream-26 envelope {@code {type, data, meta{at, id, deliveryIds}}}. Immutable. */
public record Event(EventData data, Meta meta) {
  public Event {
    Objects.requireNonNull(data, "data");
    Objects.requireNonNull(meta, "meta");
  }

  public String type() {
    return data.type();
  }

  /** {@code meta}: emission time (ISO-8601), unique {@code evt_} id, the delivery ids owning the turn. */
  public record Meta(String at, String id, List<String> deliveryIds) {
    public Meta {
      Objects.requireNonNull(at, "at");
      Objects.requireNonNull(id, "id");
      deliveryIds = deliveryIds == null ? null : List.copyOf(deliveryIds);
    }
  }
}
