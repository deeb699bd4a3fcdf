package dev.eve4j.channel;

import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/** What an API key may do, gated by HTTP method. */
public enum Scope {
  /** GET requests: polling, reading vessels and message history. */
  READ("read"),
  /** Mutating requests (POST, PATCH, DELETE): pushes, responses, vessel changes. */
  PUSH("push");

  private final String wire;

  Scope(String wire) {
    this.wire = wire;
  }

  public String wire() {
    return wire;
  }

  /** The scopes a key created the normal way holds: all of them. */
  public static Set<Scope> all() {
    return EnumSet.allOf(Scope.class);
  }

  public static Optional<Scope> fromWire(String s) {
    for (Scope v : values()) {
      if (v.wire.equals(s)) {
        return Optional.of(v);
      }
    }
    return Optional.empty();
  }
}
