package dev.eve4j.channel;

import java.util.Optional;

/** How a message renders. */
public enum Kind {
  BUBBLE("bubble", "Conversational chat: inline markdown only, no action bar."),
  SURFACE("surface", "A full-width artifact: title, quick-facts card, markdown body, optional interaction. An "
      + "interaction or a card on a push promotes it to a surface.");

  private final String wire;
  private final String description;

  Kind(String wire, String description) {
    this.wire = wire;
    this.description = description;
  }

  public String wire() {
    return wire;
  }

  public String description() {
    return description;
  }

  public static Optional<Kind> fromWire(String s) {
    for (Kind v : values()) {
      if (v.wire.equals(s)) {
        return Optional.of(v);
      }
    }
    return Optional.empty();
  }
}
