package dev.eve4j.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import dev.eve4j.protocol.ErrorCode;
import dev.eve4j.protocol.EveException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuthenticatorTest {
  private static final Instant NOW = Instant.parse("2026-11-23T12:00:00Z");
  private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
  private static final byte[] SECRET = "0123456789abcdef0123456789abcdef-secret".getBytes(StandardCharsets.UTF_8);
  private static RSAKey rsa;
  private static ECKey ec;

  @BeforeAll
  static void keys() throws Exception {
    rsa = new RSAKeyGenerator(2048).keyID("r1").generate();
    ec = new ECKeyGenerator(Curve.P_256).keyID("e1").generate();
  }

  private static JWTClaimsSet.Builder claims() {
    return new JWTClaimsSet.Builder().subject("alice").issuer("https://issuer.example").audience("eve4j")
        .expirationTime(Date.from(NOW.plusSeconds(600))).claim("scope", "sessions.read sessions.write");
  }

  private static String hs256(JWTClaimsSet c) throws Exception {
    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).type(JOSEObjectType.JWT).build(), c);
    jwt.sign(new MACSigner(SECRET));
    return jwt.serialize();
  }

  private static String rs256(JWTClaimsSet c) throws Exception {
    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("r1").build(), c);
    jwt.sign(new RSASSASigner(rsa));
    return jwt.serialize();
  }

  private static Authenticator hmacAuth() {
    return Authenticator.jwt(JwtSettings.hmac(SECRET).withIssuer("https://issuer.example").withAudience("eve4j")
        .withClock(CLOCK));
  }

  private static Authenticator rsaAuth() {
    return Authenticator.jwt(JwtSettings.publicKeys(List.of(rsa.toPublicJWK())).withClock(CLOCK));
  }

  private static void rejected(Authenticator a, String header) {
    EveException e = assertThrows(EveException.class, () -> a.authenticate(header));
    assertEquals(ErrorCode.UNAUTHORIZED, e.code());
    assertEquals("Authorization is required for this route.", e.getMessage(), "no verification details");
  }

  @Test
  void aValidHmacTokenGivesItsSubjectAndScopes() throws Exception {
    Principal p = hmacAuth().authenticate("Bearer " + hs256(claims().build()));
    assertEquals("alice", p.subject());
    assertEquals(Set.of("sessions.read", "sessions.write"), p.scopes());
    assertFalse(p.mayAccess("bob"));
    assertTrue(p.mayAccess("alice"));
  }

  @Test
  void scpArraysAreScopesToo() throws Exception {
    Principal p = hmacAuth().authenticate("Bearer " + hs256(claims().claim("scope", null)
        .claim("scp", List.of("chat.read", "eve4j.admin")).build()));
    assertEquals(Set.of("chat.read", "eve4j.admin"), p.scopes());
    assertTrue(p.mayAccess("bob"));
  }

  @Test
  void expiredAndNotYetValidTokensAreRejectedBeyondTheSkew() throws Exception {
    rejected(hmacAuth(), "Bearer " + hs256(claims().expirationTime(Date.from(NOW.minusSeconds(61))).build()));
    rejected(hmacAuth(), "Bearer " + hs256(claims().notBeforeTime(Date.from(NOW.plusSeconds(61))).build()));
    // within the 60 s skew both are accepted
    hmacAuth().authenticate("Bearer " + hs256(claims().expirationTime(Date.from(NOW.minusSeconds(30))).build()));
    hmacAuth().authenticate("Bearer " + hs256(claims().notBeforeTime(Date.from(NOW.plusSeconds(30))).build()));
  }

  @Test
  void wrongIssuerAndWrongAudienceAreRejected() throws Exception {
    rejected(hmacAuth(), "Bearer " + hs256(claims().issuer("https://evil.example").build()));
    rejected(hmacAuth(), "Bearer " + hs256(claims().audience("someone-else").build()));
  }

  @Test
  void unsecuredTokensAreRejected() {
    String none = new PlainJWT(claims().build()).serialize();
    rejected(hmacAuth(), "Bearer " + none);
    rejected(rsaAuth(), "Bearer " + none);
  }

  @Test
  void anHmacTokenSignedWithTheRsaPublicKeyAsSecretIsRejected() throws Exception {
    // The classic algorithm confusion: the public key (as PEM text, and as DER) used as an HMAC secret.
    byte[] der = rsa.toRSAPublicKey().getEncoded();
    String pem = "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder().encodeToString(der) + "\n-----END PUBLIC KEY-----\n";
    for (byte[] secret : List.of(pem.getBytes(StandardCharsets.UTF_8), der)) {
      SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID("r1").build(), claims().build());
      jwt.sign(new MACSigner(secret));
      rejected(rsaAuth(), "Bearer " + jwt.serialize());
    }
    assertEquals("alice", rsaAuth().authenticate("Bearer " + rs256(claims().build())).subject());
  }

  @Test
  void aTamperedPayloadIsRejected() throws Exception {
    String token = rs256(claims().build());
    String[] parts = token.split("\\.");
    String forged = Base64URL.encode(claims().subject("mallory").claim("scope", "eve4j.admin").build().toString())
        .toString();
    rejected(rsaAuth(), "Bearer " + parts[0] + "." + forged + "." + parts[2]);
  }

  @Test
  void missingOrMalformedHeadersAreRejected() throws Exception {
    rejected(hmacAuth(), null);
    rejected(hmacAuth(), "Basic YWxpY2U6cHc=");
    rejected(hmacAuth(), "Bearer ");
    rejected(hmacAuth(), "Bearer not-a-jwt");
    rejected(hmacAuth(), "Bearer " + hs256(claims().build()).replace('.', ','));
  }

  @Test
  void ecKeysFromPemAndJwksFilesVerify(@TempDir Path dir) throws Exception {
    String pem = "-----BEGIN PUBLIC KEY-----\n"
        + Base64.getMimeEncoder().encodeToString(ec.toECPublicKey().getEncoded()) + "\n-----END PUBLIC KEY-----\n";
    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).build(), claims().build());
    jwt.sign(new ECDSASigner(ec));
    Authenticator fromPem = Authenticator.jwt(JwtSettings.publicKeys(Keys.fromPem(pem)).withClock(CLOCK));
    assertEquals("alice", fromPem.authenticate("Bearer " + jwt.serialize()).subject());
    Path jwks = dir.resolve("keys.json");
    Files.writeString(jwks, "{\"keys\":[" + rsa.toPublicJWK().toJSONString() + "]}");
    Authenticator fromJwks = Authenticator.jwt(JwtSettings.publicKeys(Keys.fromJwksFile(jwks)).withClock(CLOCK));
    assertEquals("alice", fromJwks.authenticate("Bearer " + rs256(claims().build())).subject());
    rejected(fromJwks, "Bearer " + jwt.serialize());
  }

  @Test
  void staticTokensMapToTheirPrincipals() {
    Authenticator a = Authenticator.staticTokens(Map.of("s3cret-token-for-ci",
        new Principal("ci", Set.of("sessions.read"))));
    assertEquals("ci", a.authenticate("Bearer s3cret-token-for-ci").subject());
    rejected(a, "Bearer s3cret-token-for-cj");
    rejected(a, null);
  }

  @Test
  void settingsRefuseWeakSecretsAndPrivateKeys() {
    assertThrows(IllegalArgumentException.class, () -> JwtSettings.hmac("short".getBytes(StandardCharsets.UTF_8)));
    assertThrows(IllegalArgumentException.class, () -> JwtSettings.publicKeys(List.of(rsa)));
  }
}
