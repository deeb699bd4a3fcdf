package dev.eve4j.servlet.legacy;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Continuation tokens of the legacy dialect, derived instead of stored: {@code eve:<index>.<mac>},
 * where {@code index} is a position in the session's journal and {@code mac} is an HMAC-SHA256
 * (first 16 bytes, base64url) of the session id and that index under a secret key.
 *
 * <p>A token minted at index {@code r} is current while no legacy turn boundary lies in
 * {@code [r, b)}, where {@code b} is the session's latest boundary: {@code session.waiting} at
 * {@code b} carries the token for {@code b} itself, and create and follow-up responses carry the
 * token for the first event of the turn they start. So every client generation (those that read
 * the token from the POST response and those that read it from {@code session.waiting}) holds a
 * current token after each turn, an older token is stale, and nothing is stored: the tokens survive
 * a restart when the key is configured ({@link LegacyOptions#withTokenSecret}). Thread-safe.
 */
final class ContinuationTokens {
  private static final String PREFIX = "eve:";
  private static final String ALGORITHM = "HmacSHA256";
  private static final int MAC_BYTES = 16;

  private final SecretKeySpec key;

  ContinuationTokens(byte[] secret) {
    this.key = new SecretKeySpec(secret.clone(), ALGORITHM);
  }

  /** The token for position {@code index} of session {@code sessionId}. */
  String mint(String sessionId, long index) {
    if (index < 0) {
      throw new IllegalArgumentException("index must be >= 0, was " + index);
    }
    return PREFIX + index + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(mac(sessionId, index));
  }

  /**
   * The index {@code token} was minted for, or -1 when it is not a token of this session (wrong
   * format, another session, another key, tampered).
   */
  long indexOf(String sessionId, String token) {
    if (token == null || !token.startsWith(PREFIX)) {
      return -1;
    }
    int dot = token.indexOf('.', PREFIX.length());
    if (dot < 0 || dot == PREFIX.length() || dot - PREFIX.length() > 18) {
      return -1;
    }
    long index;
    try {
      index = Long.parseLong(token.substring(PREFIX.length(), dot));
    } catch (NumberFormatException e) {
      return -1;
    }
    if (index < 0) {
      return -1;
    }
    byte[] presented;
    try {
      presented = Base64.getUrlDecoder().decode(token.substring(dot + 1));
    } catch (IllegalArgumentException e) {
      return -1;
    }
    return MessageDigest.isEqual(presented, mac(sessionId, index)) ? index : -1;
  }

  private byte[] mac(String sessionId, long index) {
    try {
      Mac mac = Mac.getInstance(ALGORITHM);
      mac.init(key);
      mac.update(sessionId.getBytes(StandardCharsets.UTF_8));
      mac.update((byte) 0);
      mac.update(Long.toString(index).getBytes(StandardCharsets.US_ASCII));
      return Arrays.copyOf(mac.doFinal(), MAC_BYTES);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is unavailable", e);
    }
  }
}
