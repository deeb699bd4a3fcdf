package dev.eve4j.protocol;

import java.security.SecureRandom;
import java.util.UUID;

/**
 * Identifier factories: ULIDs (Crockford base32, 48-bit millisecond time + 80 random bits) with
 * the eve prefixes. Thread-safe.
 */
public final class Ids {
  private static final char[] CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ".toCharArray();
  private static final SecureRandom RANDOM = new SecureRandom();

  private Ids() {}

  /** A session id: {@code wrun_} + ULID. Unguessable (SecureRandom). */
  public static String sessionId(long epochMillis) {
    return "wrun_" + ulid(epochMillis);
  }

  /**
   * An event id: {@code evt_} + ULID. Event ids must be unique, not unguessable, so they draw on
   * ThreadLocalRandom (about twice as fast as SecureRandom on the append path).
   */
  public static String eventId(long epochMillis) {
    byte[] rnd = new byte[10];
    java.util.concurrent.ThreadLocalRandom.current().nextBytes(rnd);
    return "evt_" + ulid(epochMillis, rnd);
  }

  /** A delivery id, a random UUID as the real server returns. */
  public static String deliveryId() {
    return UUID.randomUUID().toString();
  }

  public static String ulid(long epochMillis) {
    byte[] rnd = new byte[10];
    RANDOM.nextBytes(rnd);
    return ulid(epochMillis, rnd);
  }

  private static String ulid(long epochMillis, byte[] rnd) {
    char[] out = new char[26];
    long time = epochMillis & 0xFFFFFFFFFFFFL;
    for (int i = 9; i >= 0; i--) {
      out[i] = CROCKFORD[(int) (time & 31)];
      time >>>= 5;
    }
    // 80 random bits -> 16 chars
    long hi = 0;
    for (int i = 0; i < 5; i++) {
      hi = (hi << 8) | (rnd[i] & 0xFF);
    }
    long lo = 0;
    for (int i = 5; i < 10; i++) {
      lo = (lo << 8) | (rnd[i] & 0xFF);
    }
    for (int i = 17; i >= 10; i--) {
      out[i] = CROCKFORD[(int) (hi & 31)];
      hi >>>= 5;
    }
    for (int i = 25; i >= 18; i--) {
      out[i] = CROCKFORD[(int) (lo & 31)];
      lo >>>= 5;
    }
    return new String(out);
  }
}
