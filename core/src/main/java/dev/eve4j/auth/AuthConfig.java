package dev.eve4j.auth;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Builds the {@link Authenticator} of a deployment from flat settings, the same keys for the
 * standalone jar (environment) and the WAR (context parameters):
 * <ul>
 *   <li>{@code EVE4J_AUTH}: {@code none} (default), {@code tokens} or {@code jwt};</li>
 *   <li>{@code EVE4J_AUTH_TOKENS} (tokens): {@code subject=token=scope scope;subject2=token2=scope …};</li>
 *   <li>{@code EVE4J_JWT_SECRET} (jwt, HMAC, at least 32 bytes), {@code EVE4J_JWT_PUBLIC_KEYS} (a PEM
 *       file of RSA/EC public keys), {@code EVE4J_JWT_JWKS} (a JWKS file): at least one of them;</li>
 *   <li>{@code EVE4J_JWT_ISSUER}, {@code EVE4J_JWT_AUDIENCE} (optional checks),
 *       {@code EVE4J_JWT_CLOCK_SKEW} (ISO-8601 duration, default {@code PT60S}).</li>
 * </ul>
 */
public final class AuthConfig {
  private AuthConfig() {}

  /**
   * The authenticator these settings describe.
   *
   * @throws IllegalArgumentException naming the setting that is missing or wrong (never its value)
   */
  public static Authenticator fromSettings(Map<String, String> settings) {
    String mode = get(settings, "EVE4J_AUTH", "none");
    switch (mode) {
      case "none":
        return Authenticator.none();
      case "tokens":
        return Authenticator.staticTokens(tokens(require(settings, "EVE4J_AUTH_TOKENS")));
      case "jwt":
        return Authenticator.jwt(jwt(settings));
      default:
        throw new IllegalArgumentException("EVE4J_AUTH must be none, tokens or jwt, was '" + mode + "'");
    }
  }

  private static Map<String, Principal> tokens(String spec) {
    Map<String, Principal> out = new LinkedHashMap<>();
    for (String entry : spec.split(";")) {
      if (entry.isBlank()) {
        continue;
      }
      String[] parts = entry.trim().split("=", 3);
      if (parts.length < 2 || parts[0].isBlank() || parts[1].isBlank()) {
        throw new IllegalArgumentException(
            "EVE4J_AUTH_TOKENS entries are subject=token=scope scope; an entry lacks a subject or a token");
      }
      Set<String> scopes = new LinkedHashSet<>();
      if (parts.length == 3) {
        scopes.addAll(Arrays.asList(parts[2].trim().split("[\\s,]+")));
        scopes.remove("");
      }
      out.put(parts[1].trim(), new Principal(parts[0].trim(), scopes));
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException("EVE4J_AUTH_TOKENS holds no token");
    }
    return out;
  }

  private static JwtSettings jwt(Map<String, String> s) {
    String secret = s.get("EVE4J_JWT_SECRET");
    List<com.nimbusds.jose.jwk.JWK> keys = new ArrayList<>();
    try {
      String pem = s.get("EVE4J_JWT_PUBLIC_KEYS");
      if (pem != null && !pem.isBlank()) {
        keys.addAll(Keys.fromPem(Files.readString(Path.of(pem), StandardCharsets.UTF_8)));
      }
      String jwks = s.get("EVE4J_JWT_JWKS");
      if (jwks != null && !jwks.isBlank()) {
        keys.addAll(Keys.fromJwksFile(Path.of(jwks)));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the JWT keys: " + e.getMessage(), e);
    }
    if ((secret == null || secret.isBlank()) && keys.isEmpty()) {
      throw new IllegalArgumentException(
          "EVE4J_AUTH=jwt needs EVE4J_JWT_SECRET, EVE4J_JWT_PUBLIC_KEYS or EVE4J_JWT_JWKS");
    }
    byte[] hmac = secret == null || secret.isBlank() ? null : secret.getBytes(StandardCharsets.UTF_8);
    if (hmac != null && hmac.length < 32) {
      throw new IllegalArgumentException("EVE4J_JWT_SECRET must be at least 32 bytes");
    }
    Duration skew;
    try {
      skew = Duration.parse(get(s, "EVE4J_JWT_CLOCK_SKEW", "PT60S"));
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("EVE4J_JWT_CLOCK_SKEW must be an ISO-8601 duration such as PT60S");
    }
    return new JwtSettings(hmac, keys, blankToNull(s.get("EVE4J_JWT_ISSUER")), blankToNull(s.get("EVE4J_JWT_AUDIENCE")),
        skew, java.time.Clock.systemUTC());
  }

  private static String get(Map<String, String> s, String key, String dflt) {
    String v = s.get(key);
    return v == null || v.isBlank() ? dflt : v.trim();
  }

  private static String require(Map<String, String> s, String key) {
    String v = s.get(key);
    if (v == null || v.isBlank()) {
      throw new IllegalArgumentException(key + " is required");
    }
    return v;
  }

  private static String blankToNull(String v) {
    return v == null || v.isBlank() ? null : v.trim();
  }
}
