package dev.eve4j.servlet;

import dev.eve4j.auth.Authenticator;
import dev.eve4j.protocol.UploadPolicy;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;

/**
 * Settings of an {@link EveServlet}. Immutable; the {@code with…} methods return copies.
 *
 * @param maxBodyBytes largest accepted request body; larger bodies get 413 and change nothing
 * @param corsAllowedOrigins origins allowed cross-origin access ({@code "*"} for any); empty turns
 *     CORS off, as in eve (preflights then get 404)
 * @param heartbeatInterval longest silence on an open stream: a blank line is written when a stream
 *     has been idle this long (the eve client gives up after 15 s of silence)
 * @param leaseDuration with {@code streamControlVersion=1}, how long a stream lives before the
 *     {@code stream.lease-ended} record ends it and the client reconnects from its cursor
 * @param authenticator who may call: {@link Authenticator#none()} (the default) or static tokens or
 *     JWTs; every route but {@code /health} then needs {@code sessions.read} (info, streams) or
 *     {@code sessions.write} (everything that posts)
 * @param uploadPolicy the inline files a message may carry (eve's {@code uploadPolicy}: 25 MiB, every
 *     type by default); a message that breaks it gets 413 or 415 with its {@code violations}
 */
public record EveServletOptions(long maxBodyBytes, Set<String> corsAllowedOrigins, Duration heartbeatInterval,
    Duration leaseDuration, Authenticator authenticator, UploadPolicy uploadPolicy) {

  /** 25 MB of files, base64-encoded, plus room for the JSON around them. */
  public static final long DEFAULT_MAX_BODY_BYTES = 36L * 1024 * 1024;

  public EveServletOptions {
    if (maxBodyBytes <= 0) {
      throw new IllegalArgumentException("maxBodyBytes must be positive, was " + maxBodyBytes);
    }
    corsAllowedOrigins = Set.copyOf(Objects.requireNonNull(corsAllowedOrigins, "corsAllowedOrigins"));
    Objects.requireNonNull(heartbeatInterval, "heartbeatInterval");
    Objects.requireNonNull(leaseDuration, "leaseDuration");
    Objects.requireNonNull(authenticator, "authenticator");
    Objects.requireNonNull(uploadPolicy, "uploadPolicy");
    if (heartbeatInterval.isNegative() || heartbeatInterval.isZero()) {
      throw new IllegalArgumentException("heartbeatInterval must be positive, was " + heartbeatInterval);
    }
    if (leaseDuration.isNegative() || leaseDuration.isZero()) {
      throw new IllegalArgumentException("leaseDuration must be positive, was " + leaseDuration);
    }
  }

  /** 36 MiB bodies, CORS off, heartbeats every 10 s, 60 s leases (the real eve server's values). */
  public static EveServletOptions defaults() {
    return new EveServletOptions(DEFAULT_MAX_BODY_BYTES, Set.of(), Duration.ofSeconds(10), Duration.ofSeconds(60),
        Authenticator.none(), UploadPolicy.defaults());
  }

  public EveServletOptions withMaxBodyBytes(long n) {
    return new EveServletOptions(n, corsAllowedOrigins, heartbeatInterval, leaseDuration, authenticator, uploadPolicy);
  }

  public EveServletOptions withCorsAllowedOrigins(Set<String> origins) {
    return new EveServletOptions(maxBodyBytes, origins, heartbeatInterval, leaseDuration, authenticator, uploadPolicy);
  }

  public EveServletOptions withHeartbeatInterval(Duration d) {
    return new EveServletOptions(maxBodyBytes, corsAllowedOrigins, d, leaseDuration, authenticator, uploadPolicy);
  }

  public EveServletOptions withLeaseDuration(Duration d) {
    return new EveServletOptions(maxBodyBytes, corsAllowedOrigins, heartbeatInterval, d, authenticator, uploadPolicy);
  }

  public EveServletOptions withAuthenticator(Authenticator a) {
    return new EveServletOptions(maxBodyBytes, corsAllowedOrigins, heartbeatInterval, leaseDuration, a, uploadPolicy);
  }

  public EveServletOptions withUploadPolicy(UploadPolicy p) {
    return new EveServletOptions(maxBodyBytes, corsAllowedOrigins, heartbeatInterval, leaseDuration, authenticator, p);
  }

  boolean corsEnabled() {
    return !corsAllowedOrigins.isEmpty();
  }

  boolean originAllowed(String origin) {
    return origin != null && (corsAllowedOrigins.contains("*") || corsAllowedOrigins.contains(origin));
  }
}
