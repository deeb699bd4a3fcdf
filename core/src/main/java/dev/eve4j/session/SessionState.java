package dev.eve4j.session;

/** Where a session is in its life. */
public enum SessionState {
  /** Created without a message: no events yet, takes its first message at any time. */
  PREWARMED,
  /** A turn (or a compaction) is running. */
  RUNNING,
  /** Idle, ready for the next message ({@code session.waiting} was the last boundary). */
  WAITING,
  /** Ended normally; takes no more messages. */
  COMPLETED,
  /** Ended by a terminal failure; takes no more messages. */
  FAILED,
  /** Reset by its owner: history gone (410), follow-ups refused (409 session_not_active). */
  RESET;

  public boolean active() {
    return this == PREWARMED || this == RUNNING || this == WAITING;
  }
}
