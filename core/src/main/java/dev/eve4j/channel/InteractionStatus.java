package dev.eve4j.channel;

/** Where a message's interaction stands. */
public enum InteractionStatus {
  /** Answerable: the newest interaction of its vessel, not answered, not passed by a human message. */
  LIVE("live"),
  /** The human answered it; the response is stored. */
  ANSWERED("answered"),
  /** A newer interaction or a human message moved the conversation past it; nothing was recorded. */
  EXPIRED("expired"),
  /** The agent closed it ({@code POST /messages/:id/resolve}) with an outcome; no human answer. */
  RESOLVED("resolved");

  private final String wire;

  InteractionStatus(String wire) {
    this.wire = wire;
  }

  public String wire() {
    return wire;
  }
}
