package dev.eve4j.channel;

import java.util.Optional;

/** Who wrote a message. */
public enum Source {
  AGENT("agent", "Your agent talking: a bubble or a surface pushed through the API."),
  USER("user", "The human operator: a typed message (it expires a live interaction)."),
  SYSTEM("system", "The channel itself."),
  EVENT("event", "Your backend talking: a full-width banner from POST /event; no poll event, no webhook.");

  private final String wire;
  private final String description;

  Source(String wire, String description) {
    this.wire = wire;
    this.description = description;
  }

  public String wire() {
    return wire;
  }

  public String description() {
    return description;
  }

  public static Optional<Source> fromWire(String s) {
    for (Source v : values()) {
      if (v.wire.equals(s)) {
        return Optional.of(v);
      }
    }
    return Optional.empty();
  }
}
