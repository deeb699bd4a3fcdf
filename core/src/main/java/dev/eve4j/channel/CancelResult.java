package dev.eve4j.channel;

import java.util.Objects;

/**
 * What a Stop did: the message, and how many webhook endpoints answered {@code message.cancelled}
 * with a 2xx out of how many were tried. Immutable.
 */
public record CancelResult(Message message, int acknowledged, int endpoints) {
  public CancelResult {
    Objects.requireNonNull(message, "message");
  }

  /** Whether the agent side is wired to cancel: at least one endpoint answered 2xx. */
  public boolean delivered() {
    return acknowledged > 0;
  }
}
