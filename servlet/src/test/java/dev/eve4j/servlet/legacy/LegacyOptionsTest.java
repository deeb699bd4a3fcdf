package dev.eve4j.servlet.legacy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class LegacyOptionsTest {
  @Test
  void theMappingPutsTheEveRoutesUnderThePrefix() {
    assertEquals("/legacy/eve/v1/*", LegacyOptions.servletMapping(LegacyOptions.DEFAULT_PREFIX));
    assertEquals("/eve/v1/*", LegacyOptions.servletMapping(""));
    assertEquals("/api/old/eve/v1/*", LegacyOptions.servletMapping("/api/old"));
    for (String bad : new String[] {"legacy", "/legacy/", "/", "/le*"}) {
      assertThrows(IllegalArgumentException.class, () -> LegacyOptions.servletMapping(bad), bad);
    }
  }

  @Test
  void settingsAreCheckedAndTheSecretIsNeitherSharedNorPrinted() {
    assertThrows(IllegalArgumentException.class, () -> LegacyOptions.defaults().withTokenSecret(new byte[15]));
    assertThrows(IllegalArgumentException.class, () -> LegacyOptions.defaults().withMaxBodyBytes(0));
    assertThrows(IllegalArgumentException.class, () -> LegacyOptions.defaults().withHeartbeatInterval(Duration.ZERO));
    byte[] secret = "a secret of enough bytes".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    LegacyOptions o = LegacyOptions.defaults().withTokenSecret(secret);
    secret[0] = 'X';
    assertEquals('a', o.tokenSecretOrRandom()[0], "the options keep their own copy");
    assertFalse(o.toString().contains("secret of"), o.toString());
    assertTrue(o.toString().contains("configured"));
    LegacyOptions random = LegacyOptions.defaults();
    assertNotEquals(Arrays.toString(random.tokenSecretOrRandom()), Arrays.toString(random.tokenSecretOrRandom()));
  }
}
