package dev.eve4j.model;

/** A running model call. */
public interface ModelCall {
  /** Stops the call; no listener method is called afterwards (best effort). Idempotent. */
  void cancel();
}
