package dev.eve4j.session;

import java.time.Duration;
import java.util.Objects;

/**
 * How long session history is kept. A session past any limit is expired: its stream answers 410
 * {@code session_expired}, follow-ups 409 {@code session_not_active}, and the journal drops its
 * events. Oldest (by last activity) go first. Immutable.
 *
 * @param maxAge sessions idle longer than this expire; null for no age limit
 * @param maxSessions at most this many sessions are kept; 0 for no limit
 * @param maxBytes at most this many bytes of history are kept in all; 0 for no limit
 */
public record Retention(Duration maxAge, int maxSessions, long maxBytes) {
  private static final Retention NONE = new Retention(null, 0, 0);

  public Retention {
    if (maxAge != null && (maxAge.isNegative() || maxAge.isZero())) {
      throw new IllegalArgumentException("maxAge must be positive, was " + maxAge);
    }
    if (maxSessions < 0 || maxBytes < 0) {
      throw new IllegalArgumentException("maxSessions and maxBytes must be >= 0");
    }
  }

  /** Keep everything (the default). */
  public static Retention none() {
    return NONE;
  }

  public Retention withMaxAge(Duration age) {
    return new Retention(Objects.requireNonNull(age, "age"), maxSessions, maxBytes);
  }

  public Retention withMaxSessions(int n) {
    return new Retention(maxAge, n, maxBytes);
  }

  public Retention withMaxBytes(long n) {
    return new Retention(maxAge, maxSessions, n);
  }

  public boolean enabled() {
    return maxAge != null || maxSessions > 0 || maxBytes > 0;
  }
}
