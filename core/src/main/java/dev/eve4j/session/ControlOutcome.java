package dev.eve4j.session;

/** What a control request (cancel, clear, compact, reset) did. */
public enum ControlOutcome {
  /** Accepted: its events (if any) follow on the stream. */
  ACCEPTED,
  /** Unknown or inactive session (or no turn to cancel): nothing was done. */
  NOTHING_TO_DO,
  /** The session was reset. */
  RESET
}
