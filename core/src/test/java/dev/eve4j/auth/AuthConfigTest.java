package dev.eve4j.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AuthConfigTest {
  @Test
  void noneIsTheDefault() {
    assertFalse(AuthConfig.fromSettings(Map.of()).enabled());
  }

  @Test
  void staticTokensCarryTheirSubjectAndScopes() {
    Authenticator a = AuthConfig.fromSettings(Map.of("EVE4J_AUTH", "tokens",
        "EVE4J_AUTH_TOKENS", "ci=tok-abc=sessions.read sessions.write;ops=tok-xyz=eve4j.admin,chat.read"));
    assertTrue(a.enabled());
    Principal ci = a.authenticate("Bearer tok-abc");
    assertEquals("ci", ci.subject());
    assertEquals(Set.of("sessions.read", "sessions.write"), ci.scopes());
    assertEquals(Set.of("eve4j.admin", "chat.read"), a.authenticate("Bearer tok-xyz").scopes());
  }

  @Test
  void mistakesNameTheSettingButNeverTheSecret() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> AuthConfig.fromSettings(Map.of("EVE4J_AUTH", "jwt", "EVE4J_JWT_SECRET", "short-secret")));
    assertTrue(e.getMessage().contains("EVE4J_JWT_SECRET"));
    assertFalse(e.getMessage().contains("short-secret"));
    assertThrows(IllegalArgumentException.class, () -> AuthConfig.fromSettings(Map.of("EVE4J_AUTH", "jwt")));
    assertThrows(IllegalArgumentException.class, () -> AuthConfig.fromSettings(Map.of("EVE4J_AUTH", "tokens")));
    assertThrows(IllegalArgumentException.class, () -> AuthConfig.fromSettings(Map.of("EVE4J_AUTH", "basic")));
  }
}
