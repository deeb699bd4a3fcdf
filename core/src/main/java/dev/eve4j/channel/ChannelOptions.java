package dev.eve4j.channel;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of an {@link OperatorChannel}. Immutable.
 *
 * @param clock the time of messages, responses and idempotency windows
 * @param idempotencyWindow how long a completed Idempotency-Key replays its response (24 h)
 * @param defaultWorkspaceName the name of the workspace created when the store holds none
 */
public record ChannelOptions(Clock clock, Duration idempotencyWindow, String defaultWorkspaceName) {
  public ChannelOptions {
    Objects.requireNonNull(clock, "clock");
    Objects.requireNonNull(idempotencyWindow, "idempotencyWindow");
    Objects.requireNonNull(defaultWorkspaceName, "defaultWorkspaceName");
    if (idempotencyWindow.isNegative() || idempotencyWindow.isZero()) {
      throw new IllegalArgumentException("idempotencyWindow must be positive, was " + idempotencyWindow);
    }
  }

  public static ChannelOptions defaults() {
    return new ChannelOptions(Clock.systemUTC(), Duration.ofHours(24), "default");
  }

  public ChannelOptions withClock(Clock c) {
    return new ChannelOptions(c, idempotencyWindow, defaultWorkspaceName);
  }

  public ChannelOptions withIdempotencyWindow(Duration d) {
    return new ChannelOptions(clock, d, defaultWorkspaceName);
  }
}
