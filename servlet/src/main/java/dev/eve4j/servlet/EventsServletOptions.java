package dev.eve4j.servlet;

import dev.eve4j.auth.Authenticator;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of an {@link EventsServlet} (the SSE firehose). Immutable; the {@code with…} methods
 * return copies. Every bound is checked here, so a bad setting fails at start-up, not at the first
 * connection.
 *
 * @param maxConnections open firehose connections at most; a new connection at the cap evicts the
 *     oldest one (its response ends with {@code : closed evicted})
 * @param queueCapacity events a connection may have waiting for its client; the event that does not
 *     fit closes the connection ({@code : closed slow-consumer}) and the client resumes with {@code
 *     Last-Event-ID}
 * @param heartbeatInterval period of the {@code : heartbeat} comment on every connection (keeps
 *     proxies from closing idle streams, and lets the server notice clients that went away)
 * @param resumeBufferSize events of all conversations held in memory for resuming the
 *     all-conversations feed ({@code Last-Event-ID} without {@code conversationKey}); a conversation
 *     feed resumes from the journal instead and is not limited by it
 * @param authenticator who may connect: {@link Authenticator#none()} or the same authenticator as
 *     the eve routes; the firehose needs the {@code chat.read} scope
 */
public record EventsServletOptions(int maxConnections, int queueCapacity, Duration heartbeatInterval,
    int resumeBufferSize, Authenticator authenticator) {

  public static final int DEFAULT_MAX_CONNECTIONS = 100;
  public static final int DEFAULT_QUEUE_CAPACITY = 16;
  public static final Duration DEFAULT_HEARTBEAT_INTERVAL = Duration.ofSeconds(30);
  public static final int DEFAULT_RESUME_BUFFER_SIZE = 4096;

  public EventsServletOptions {
    if (maxConnections < 1) {
      throw new IllegalArgumentException("maxConnections must be at least 1, was " + maxConnections);
    }
    if (queueCapacity < 1) {
      throw new IllegalArgumentException("queueCapacity must be at least 1, was " + queueCapacity);
    }
    Objects.requireNonNull(heartbeatInterval, "heartbeatInterval");
    if (heartbeatInterval.isNegative() || heartbeatInterval.isZero()) {
      throw new IllegalArgumentException("heartbeatInterval must be positive, was " + heartbeatInterval);
    }
    if (resumeBufferSize < 1) {
      throw new IllegalArgumentException("resumeBufferSize must be at least 1, was " + resumeBufferSize);
    }
    Objects.requireNonNull(authenticator, "authenticator");
  }

  /**
   * 100 connections, 16 queued events per connection, a heartbeat every 30 s, 4096 events held for
   * resuming the all-conversations feed, no authentication.
   */
  /**
   * The defaults changed by the settings present: {@code EVE4J_FIREHOSE_MAX_CONNECTIONS},
   * {@code EVE4J_FIREHOSE_QUEUE_CAPACITY}, {@code EVE4J_FIREHOSE_HEARTBEAT_INTERVAL} (ISO-8601, e.g.
   * {@code PT30S}) and {@code EVE4J_FIREHOSE_RESUME_BUFFER_SIZE}, guarded by {@code authenticator}.
   *
   * @throws IllegalArgumentException naming the setting that is wrong
   */
  public static EventsServletOptions fromSettings(java.util.function.Function<String, String> settings,
      Authenticator authenticator) {
    EventsServletOptions o = defaults().withAuthenticator(authenticator);
    Integer max = positive(settings, "EVE4J_FIREHOSE_MAX_CONNECTIONS");
    if (max != null) {
      o = o.withMaxConnections(max);
    }
    Integer queue = positive(settings, "EVE4J_FIREHOSE_QUEUE_CAPACITY");
    if (queue != null) {
      o = o.withQueueCapacity(queue);
    }
    Integer resume = positive(settings, "EVE4J_FIREHOSE_RESUME_BUFFER_SIZE");
    if (resume != null) {
      o = o.withResumeBufferSize(resume);
    }
    String beat = settings.apply("EVE4J_FIREHOSE_HEARTBEAT_INTERVAL");
    if (beat != null && !beat.isBlank()) {
      try {
        o = o.withHeartbeatInterval(Duration.parse(beat.trim()));
      } catch (RuntimeException e) {
        throw new IllegalArgumentException(
            "EVE4J_FIREHOSE_HEARTBEAT_INTERVAL must be a positive ISO-8601 duration such as PT30S");
      }
    }
    return o;
  }

  private static Integer positive(java.util.function.Function<String, String> settings, String key) {
    String v = settings.apply(key);
    if (v == null || v.isBlank()) {
      return null;
    }
    try {
      int n = Integer.parseInt(v.trim());
      if (n > 0) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(key + " must be a positive whole number, was '" + v + "'");
  }

  public static EventsServletOptions defaults() {
    return new EventsServletOptions(DEFAULT_MAX_CONNECTIONS, DEFAULT_QUEUE_CAPACITY, DEFAULT_HEARTBEAT_INTERVAL,
        DEFAULT_RESUME_BUFFER_SIZE, Authenticator.none());
  }

  public EventsServletOptions withMaxConnections(int n) {
    return new EventsServletOptions(n, queueCapacity, heartbeatInterval, resumeBufferSize, authenticator);
  }

  public EventsServletOptions withQueueCapacity(int n) {
    return new EventsServletOptions(maxConnections, n, heartbeatInterval, resumeBufferSize, authenticator);
  }

  public EventsServletOptions withHeartbeatInterval(Duration d) {
    return new EventsServletOptions(maxConnections, queueCapacity, d, resumeBufferSize, authenticator);
  }

  public EventsServletOptions withResumeBufferSize(int n) {
    return new EventsServletOptions(maxConnections, queueCapacity, heartbeatInterval, n, authenticator);
  }

  public EventsServletOptions withAuthenticator(Authenticator a) {
    return new EventsServletOptions(maxConnections, queueCapacity, heartbeatInterval, resumeBufferSize, a);
  }
}
