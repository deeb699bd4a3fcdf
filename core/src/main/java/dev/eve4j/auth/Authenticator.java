package dev.eve4j.auth;

import dev.eve4j.protocol.ErrorCode;
import dev.eve4j.protocol.EveException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Turns a request's {@code Authorization} header into a {@link Principal}, the one auth layer of
 * every face. Implementations are thread-safe and never put verification details in the thrown
 * message (the client sees {@code Authorization is required for this route.}).
 */
public interface Authenticator {

  /**
   * The caller of a request with this {@code Authorization} header (null when absent).
   *
   * @throws EveException 401 {@code unauthorized} when the credentials are missing or invalid
   */
  Principal authenticate(String authorizationHeader);

  /** Whether requests are checked at all (false only for {@link #none()}). */
  default boolean enabled() {
    return true;
  }

  /** No authentication: every caller is {@link Principal#ANONYMOUS}. The local default. */
  static Authenticator none() {
    return NoAuthentication.INSTANCE;
  }

  /** Static bearer tokens (for scripts), each mapped to its principal. Compared in constant time. */
  static Authenticator staticTokens(Map<String, Principal> tokens) {
    Map<byte[], Principal> byBytes = new LinkedHashMap<>();
    Objects.requireNonNull(tokens, "tokens").forEach((token, principal) -> {
      if (token == null || token.isBlank()) {
        throw new IllegalArgumentException("a static token must not be blank");
      }
      byBytes.put(token.getBytes(StandardCharsets.UTF_8), Objects.requireNonNull(principal, "principal"));
    });
    return header -> {
      byte[] presented = bearer(header).getBytes(StandardCharsets.UTF_8);
      Principal found = null;
      for (Map.Entry<byte[], Principal> e : byBytes.entrySet()) {
        if (MessageDigest.isEqual(e.getKey(), presented)) {
          found = e.getValue();
        }
      }
      if (found == null) {
        throw unauthorized();
      }
      return found;
    };
  }

  /** JWT bearer tokens verified with the given settings. */
  static Authenticator jwt(JwtSettings settings) {
    return new JwtAuthenticator(settings);
  }

  /** The token of a {@code Bearer} header; 401 when there is none. */
  static String bearer(String header) {
    if (header == null) {
      throw unauthorized();
    }
    String h = header.trim();
    if (h.length() < 7 || !h.regionMatches(true, 0, "Bearer ", 0, 7) || h.substring(7).isBlank()) {
      throw unauthorized();
    }
    return h.substring(7).trim();
  }

  /** The 401 every failed authentication becomes (no details, whatever the cause). */
  static EveException unauthorized() {
    return new EveException(ErrorCode.UNAUTHORIZED, "Authorization is required for this route.");
  }
}
