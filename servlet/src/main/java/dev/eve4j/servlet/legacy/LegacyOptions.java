package dev.eve4j.servlet.legacy;

import dev.eve4j.auth.Authenticator;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of a {@link LegacyEveServlet}. Immutable; the {@code with…} methods return copies.
 * Thread-safe.
 */
public final class LegacyOptions {
  /**
   * Where the legacy profile is mounted next to the current protocol: legacy clients use
   * {@code host: "http://server/legacy"} and reach {@code /legacy/eve/v1/...}.
   */
  public static final String DEFAULT_PREFIX = "/legacy";

  /** 25 MB of files, base64-encoded, plus room for the JSON around them (as {@code EveServlet}). */
  public static final long DEFAULT_MAX_BODY_BYTES = 36L * 1024 * 1024;

  private static final int MIN_SECRET_BYTES = 16;

  private final long maxBodyBytes;
  private final Duration heartbeatInterval;
  private final Authenticator authenticator;
  private final byte[] tokenSecret;

  private LegacyOptions(long maxBodyBytes, Duration heartbeatInterval, Authenticator authenticator,
      byte[] tokenSecret) {
    if (maxBodyBytes <= 0) {
      throw new IllegalArgumentException("maxBodyBytes must be positive, was " + maxBodyBytes);
    }
    Objects.requireNonNull(heartbeatInterval, "heartbeatInterval");
    if (heartbeatInterval.isNegative() || heartbeatInterval.isZero()) {
      throw new IllegalArgumentException("heartbeatInterval must be positive, was " + heartbeatInterval);
    }
    this.maxBodyBytes = maxBodyBytes;
    this.heartbeatInterval = heartbeatInterval;
    this.authenticator = Objects.requireNonNull(authenticator, "authenticator");
    this.tokenSecret = tokenSecret;
  }

  /**
   * 36 MiB bodies, a blank-line heartbeat after 10 s of silence, no authentication, and a random
   * continuation-token key per servlet (tokens then end with the process).
   */
  public static LegacyOptions defaults() {
    return new LegacyOptions(DEFAULT_MAX_BODY_BYTES, Duration.ofSeconds(10), Authenticator.none(), null);
  }

  /** Largest accepted request body; larger ones get 413 and change nothing. */
  public LegacyOptions withMaxBodyBytes(long n) {
    return new LegacyOptions(n, heartbeatInterval, authenticator, tokenSecret);
  }

  /** Longest silence on an open stream before a blank line is written. */
  public LegacyOptions withHeartbeatInterval(Duration d) {
    return new LegacyOptions(maxBodyBytes, d, authenticator, tokenSecret);
  }

  /**
   * Who may call. With {@link Authenticator#none()} (the default) a continuation token may also
   * arrive as {@code Authorization: Bearer <token>}; otherwise that header carries the app's
   * credentials and the token must be in the body (where legacy clients always put it).
   */
  public LegacyOptions withAuthenticator(Authenticator a) {
    return new LegacyOptions(maxBodyBytes, heartbeatInterval, a, tokenSecret);
  }

  /**
   * The key continuation tokens are derived with (at least 16 bytes). Give every server of a
   * deployment the same key when tokens must outlive a restart or move between servers.
   */
  public LegacyOptions withTokenSecret(byte[] secret) {
    Objects.requireNonNull(secret, "secret");
    if (secret.length < MIN_SECRET_BYTES) {
      throw new IllegalArgumentException("the token secret needs at least " + MIN_SECRET_BYTES + " bytes, was "
          + secret.length);
    }
    return new LegacyOptions(maxBodyBytes, heartbeatInterval, authenticator, secret.clone());
  }

  public long maxBodyBytes() {
    return maxBodyBytes;
  }

  public Duration heartbeatInterval() {
    return heartbeatInterval;
  }

  public Authenticator authenticator() {
    return authenticator;
  }

  /** The configured key, or a fresh random one when none is configured. */
  byte[] tokenSecretOrRandom() {
    if (tokenSecret != null) {
      return tokenSecret.clone();
    }
    byte[] random = new byte[32];
    new SecureRandom().nextBytes(random);
    return random;
  }

  /**
   * The servlet mapping that serves the legacy profile under {@code prefix}: {@code "/legacy"} gives
   * {@code /legacy/eve/v1/*}; {@code ""} gives {@code /eve/v1/*}, for a deployment that serves only
   * legacy clients.
   *
   * @throws IllegalArgumentException unless {@code prefix} is empty or starts with {@code /}, does
   *     not end with {@code /} and contains no {@code *}
   */
  public static String servletMapping(String prefix) {
    Objects.requireNonNull(prefix, "prefix");
    if (!prefix.isEmpty() && (!prefix.startsWith("/") || prefix.endsWith("/") || prefix.contains("*"))) {
      throw new IllegalArgumentException("prefix must be empty or like /legacy (leading /, no trailing /, no *), was '"
          + prefix + "'");
    }
    return prefix + "/eve/v1/*";
  }

  @Override
  public String toString() {
    return "LegacyOptions[maxBodyBytes=" + maxBodyBytes + ", heartbeatInterval=" + heartbeatInterval
        + ", authenticator=" + (authenticator.enabled() ? "enabled" : "none") + ", tokenSecret="
        + (tokenSecret == null ? "random" : "configured") + "]";
  }
}
