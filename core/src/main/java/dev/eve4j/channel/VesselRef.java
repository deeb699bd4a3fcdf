package dev.eve4j.channel;

import java.util.Objects;

/**
 * How a caller names a vessel: by the channel's UUID or by the caller's own external id.
 *
 * @param value the UUID or the external id
 * @param external true for an external id
 */
public record VesselRef(String value, boolean external) {
  public VesselRef {
    Objects.requireNonNull(value, "value");
  }

  public static VesselRef id(String uuid) {
    return new VesselRef(uuid, false);
  }

  public static VesselRef external(String externalId) {
    return new VesselRef(externalId, true);
  }

  @Override
  public String toString() {
    return external ? "by-external/" + value : value;
  }
}
