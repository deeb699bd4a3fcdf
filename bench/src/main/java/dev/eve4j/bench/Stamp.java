package dev.eve4j.bench;

import java.nio.charset.StandardCharsets;

/**
 * The clocks the load driver compares, shared by the server processes and the driver because they
 * run on one machine.
 *
 * <p>A stamp is the low 36 bits of {@link System#nanoTime()} (which is {@code CLOCK_MONOTONIC} on
 * Linux, the same clock in every process) written as 6 base64url characters: it is the ~6-byte
 * text of every delta the bench model emits, so the driver reads the emission time back from the
 * delta itself. 36 bits of nanoseconds wrap after 68 s, far longer than any delay measured here.
 *
 * <p>{@link #isoMillis} reads {@code meta.at} (ISO-8601, millisecond precision, written by the
 * server right before the journal append) for the append-to-receipt delay against {@link
 * System#currentTimeMillis()}. Stateless and thread-safe.
 */
public final class Stamp {
  public static final int LENGTH = 6;
  static final long MASK = (1L << 36) - 1;
  private static final byte[] DIGITS =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] VALUES = new byte[128];

  static {
    for (int i = 0; i < DIGITS.length; i++) {
      VALUES[DIGITS[i]] = (byte) i;
    }
  }

  private Stamp() {}

  /** The current stamp as text. */
  public static String now() {
    byte[] b = new byte[LENGTH];
    write(System.nanoTime(), b, 0);
    return new String(b, StandardCharsets.US_ASCII);
  }

  /** Writes the stamp of {@code nanos} at {@code b[off..off+6)}. */
  public static void write(long nanos, byte[] b, int off) {
    long v = nanos & MASK;
    for (int i = LENGTH - 1; i >= 0; i--) {
      b[off + i] = DIGITS[(int) (v & 63)];
      v >>>= 6;
    }
  }

  /** Nanoseconds from the stamp at {@code b[off..off+6)} to {@code nowNanos}. */
  public static long elapsedNanos(byte[] b, int off, long nowNanos) {
    long v = 0;
    for (int i = 0; i < LENGTH; i++) {
      v = (v << 6) | VALUES[b[off + i] & 127];
    }
    return (nowNanos - v) & MASK;
  }

  /** Epoch milliseconds of {@code uuuu-MM-ddTHH:mm:ss.SSSZ} at {@code b[off..off+24)}. */
  public static long isoMillis(byte[] b, int off) {
    int y = num(b, off, 4);
    int mo = num(b, off + 5, 2);
    int d = num(b, off + 8, 2);
    int h = num(b, off + 11, 2);
    int mi = num(b, off + 14, 2);
    int s = num(b, off + 17, 2);
    int ms = num(b, off + 20, 3);
    return ((daysFromCivil(y, mo, d) * 24 + h) * 60 + mi) * 60_000L + s * 1000L + ms;
  }

  private static int num(byte[] b, int off, int len) {
    int v = 0;
    for (int i = 0; i < len; i++) {
      v = v * 10 + (b[off + i] - '0');
    }
    return v;
  }

  /** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm). */
  private static long daysFromCivil(int y, int m, int d) {
    y -= m <= 2 ? 1 : 0;
    int era = (y >= 0 ? y : y - 399) / 400;
    int yoe = y - era * 400;
    int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097L + doe - 719468;
  }
}
