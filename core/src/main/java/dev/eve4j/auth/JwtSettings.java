package dev.eve4j.auth;

import com.nimbusds.jose.jwk.JWK;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How JWT bearer tokens are verified. Immutable.
 *
 * @param hmacSecret shared secret for HS256/384/512 (at least 32 bytes), or null
 * @param publicKeys RSA and EC public keys (RS*, PS*, ES*), e.g. from {@link Keys#fromPem} or a JWKS
 *     file ({@link Keys#fromJwksFile}); may be empty when a secret is given
 * @param issuer required {@code iss}, or null to accept any
 * @param audience required {@code aud} (one of), or null to accept any
 * @param clockSkew tolerance on {@code exp} and {@code nbf}
 * @param clock the time tokens are checked against
 */
public record JwtSettings(byte[] hmacSecret, List<JWK> publicKeys, String issuer, String audience,
    Duration clockSkew, Clock clock) {
  public JwtSettings {
    publicKeys = publicKeys == null ? List.of() : List.copyOf(publicKeys);
    Objects.requireNonNull(clockSkew, "clockSkew");
    Objects.requireNonNull(clock, "clock");
    if (hmacSecret != null && hmacSecret.length < 32) {
      throw new IllegalArgumentException("the HMAC secret must be at least 32 bytes (256 bits)");
    }
    if (hmacSecret == null && publicKeys.isEmpty()) {
      throw new IllegalArgumentException("JWT auth needs an HMAC secret or at least one public key");
    }
    for (JWK k : publicKeys) {
      if (k.isPrivate()) {
        throw new IllegalArgumentException("JWT verification keys must be public keys, got a private key");
      }
    }
    hmacSecret = hmacSecret == null ? null : hmacSecret.clone();
  }

  /** An HMAC secret, 60 s of clock skew, no issuer or audience check. */
  public static JwtSettings hmac(byte[] secret) {
    return new JwtSettings(secret, List.of(), null, null, Duration.ofSeconds(60), Clock.systemUTC());
  }

  /** Public keys, 60 s of clock skew, no issuer or audience check. */
  public static JwtSettings publicKeys(List<JWK> keys) {
    return new JwtSettings(null, keys, null, null, Duration.ofSeconds(60), Clock.systemUTC());
  }

  public JwtSettings withIssuer(String iss) {
    return new JwtSettings(hmacSecret, publicKeys, iss, audience, clockSkew, clock);
  }

  public JwtSettings withAudience(String aud) {
    return new JwtSettings(hmacSecret, publicKeys, issuer, aud, clockSkew, clock);
  }

  public JwtSettings withClock(Clock c) {
    return new JwtSettings(hmacSecret, publicKeys, issuer, audience, clockSkew, c);
  }

  public JwtSettings withClockSkew(Duration skew) {
    return new JwtSettings(hmacSecret, publicKeys, issuer, audience, skew, clock);
  }
}
