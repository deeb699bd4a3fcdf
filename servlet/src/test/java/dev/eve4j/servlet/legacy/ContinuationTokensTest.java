package dev.eve4j.servlet.legacy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ContinuationTokensTest {
  private static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
  private final ContinuationTokens tokens = new ContinuationTokens(KEY);

  @Test
  void aTokenNamesItsIndexForItsSessionOnly() {
    String t = tokens.mint("wrun_A", 42);
    assertTrue(t.matches("^eve:42\\.[A-Za-z0-9_-]{22}$"), t);
    assertEquals(42, tokens.indexOf("wrun_A", t));
    assertEquals(-1, tokens.indexOf("wrun_B", t));
    assertEquals(t, new ContinuationTokens(KEY).mint("wrun_A", 42), "derived, not stored: the same key gives it back");
    assertEquals(-1, new ContinuationTokens("another key, 16+ bytes".getBytes(StandardCharsets.US_ASCII))
        .indexOf("wrun_A", t));
  }

  @Test
  void tamperedOrMalformedTokensAreRejected() {
    String t = tokens.mint("wrun_A", 7);
    assertEquals(-1, tokens.indexOf("wrun_A", t.replace("eve:7.", "eve:8.")));
    char last = t.charAt(t.length() - 1);
    assertEquals(-1, tokens.indexOf("wrun_A", t.substring(0, t.length() - 1) + (last == 'A' ? 'B' : 'A')));
    for (String bad : new String[] {null, "", "eve:", "eve:.x", "eve:-1.x", "eve:1", "tok_xyz", "eve:1.!!",
        "eve:99999999999999999999.x", "eve:6c8b1f2e-3d4a-4b9c-8e21-9f0a1b2c3d4e"}) {
      assertEquals(-1, tokens.indexOf("wrun_A", bad), String.valueOf(bad));
    }
    assertNotEquals(tokens.mint("wrun_A", 1), tokens.mint("wrun_A", 10));
    assertThrows(IllegalArgumentException.class, () -> tokens.mint("wrun_A", -1));
  }
}
