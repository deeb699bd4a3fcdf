package dev.eve4j.channel;

import java.util.Objects;

/**
 * Idempotency keys (the {@code Idempotency-Key} header), per workspace, Stripe-style: the first
 * request with a key does the work and records its response; a retry within the window replays that
 * response; a retry while the first is still running is refused (409). Only successful (2xx)
 * responses are recorded: a failed request releases its key, so a corrected retry runs. Records
 * survive restarts with a durable journal. Thread-safe.
 */
public interface Idempotency {

  /**
   * Claims {@code key} for a request of {@code workspaceId}.
   *
   * @throws ChannelException 400 when the key is not 1-255 characters
   */
  Claim begin(String workspaceId, String key);

  /** Records the response of a started request (kept only when 2xx) and releases the claim. */
  void complete(Started started, int status, String body);

  /** Releases the claim without recording anything (the request failed). */
  void abandon(Started started);

  /** What {@link #begin} found. */
  sealed interface Claim permits Started, Replay, InProgress {}

  /** The key is new (or its window passed): run the request, then {@link #complete} or {@link #abandon}. */
  record Started(String workspaceId, String key, long token) implements Claim {
    public Started {
      Objects.requireNonNull(workspaceId, "workspaceId");
      Objects.requireNonNull(key, "key");
    }
  }

  /** The key already completed: answer with this response (200, {@code Idempotent-Replayed: true}). */
  record Replay(int status, String body) implements Claim {}

  /** A request with this key is still running: answer 409. */
  record InProgress() implements Claim {}

  /** The 409 body's error text. */
  String IN_PROGRESS = "Idempotent request in progress";

  /** Checks a header value: 1-255 characters. */
  static void checkKey(String key) {
    if (key == null || key.isEmpty() || key.length() > Limits.MAX_IDEMPOTENCY_KEY_LENGTH) {
      throw ChannelException.badRequest("Idempotency-Key must be 1-" + Limits.MAX_IDEMPOTENCY_KEY_LENGTH
          + " characters");
    }
  }
}
