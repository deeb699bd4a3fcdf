package dev.eve4j.channel;

import java.util.Optional;

/**
 * A vessel's status. {@link #WAITING} is derived, never set: a vessel waits exactly while one of its
 * messages carries a live interaction. {@link #RESOLVED} is set by the agent ({@code vesselStatus}) and
 * cleared by a human message or {@code vesselStatus: "active"}; otherwise a vessel is {@link #ACTIVE}.
 */
public enum VesselStatus {
  ACTIVE("active"),
  WAITING("waiting"),
  RESOLVED("resolved");

  private final String wire;

  VesselStatus(String wire) {
    this.wire = wire;
  }

  public String wire() {
    return wire;
  }

  public static Optional<VesselStatus> fromWire(String s) {
    for (VesselStatus v : values()) {
      if (v.wire.equals(s)) {
        return Optional.of(v);
      }
    }
    return Optional.empty();
  }
}
