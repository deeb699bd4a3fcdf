package dev.eve4j.auth;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Verifies JWT bearer tokens with nimbus-jose-jwt. Algorithms are bound to key types (HMAC only
 * with the shared secret, RS/PS only with RSA keys, ES only with EC keys), so an HMAC token signed
 * with a public key as its secret never verifies; unsecured ({@code alg: none}) tokens are
 * rejected. Thread-safe.
 */
final class JwtAuthenticator implements Authenticator {
  private static final Logger LOG = Logger.getLogger(JwtAuthenticator.class.getName());

  private final DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();

  JwtAuthenticator(JwtSettings settings) {
    List<JWK> keys = new ArrayList<>(settings.publicKeys());
    Set<JWSAlgorithm> algs = new LinkedHashSet<>();
    if (settings.hmacSecret() != null) {
      keys.add(new OctetSequenceKey.Builder(settings.hmacSecret()).build());
      algs.addAll(JWSAlgorithm.Family.HMAC_SHA);
    }
    for (JWK k : settings.publicKeys()) {
      if (k instanceof RSAKey) {
        algs.addAll(JWSAlgorithm.Family.RSA);
      } else if (k instanceof ECKey) {
        algs.addAll(JWSAlgorithm.Family.EC);
      } else {
        throw new IllegalArgumentException("unsupported verification key type: " + k.getKeyType());
      }
    }
    processor.setJWSKeySelector(new JWSVerificationKeySelector<>(algs, new ImmutableJWKSet<>(new JWKSet(keys))));
    Set<String> required = new HashSet<>(List.of("exp", "sub"));
    JWTClaimsSet.Builder exact = new JWTClaimsSet.Builder();
    if (settings.issuer() != null) {
      exact.issuer(settings.issuer());
    }
    DefaultJWTClaimsVerifier<SecurityContext> verifier = new DefaultJWTClaimsVerifier<>(
        settings.audience(), exact.build(), required) {
      @Override
      protected Date currentTime() {
        return Date.from(settings.clock().instant());
      }
    };
    verifier.setMaxClockSkew((int) Math.min(Integer.MAX_VALUE, settings.clockSkew().toSeconds()));
    processor.setJWTClaimsSetVerifier(verifier);
  }

  @Override
  public Principal authenticate(String header) {
    String token = Authenticator.bearer(header);
    JWTClaimsSet claims;
    try {
      claims = processor.process(token, null);
    } catch (Exception e) {
      // The reason stays in the server log; the client learns only that it is not authorized.
      LOG.log(Level.FINE, "JWT rejected: {0}", e.getMessage());
      throw Authenticator.unauthorized();
    }
    return new Principal(claims.getSubject(), scopes(claims));
  }

  /** A space-separated {@code scope} string, or an {@code scp} array (or string). */
  private static Set<String> scopes(JWTClaimsSet claims) {
    Set<String> out = new LinkedHashSet<>();
    Object scope = claims.getClaim("scope");
    if (scope instanceof String) {
      for (String s : ((String) scope).trim().split("\\s+")) {
        if (!s.isEmpty()) {
          out.add(s);
        }
      }
    }
    Object scp = claims.getClaim("scp");
    if (scp instanceof List) {
      for (Object s : (List<?>) scp) {
        if (s instanceof String) {
          out.add((String) s);
        }
      }
    } else if (scp instanceof String) {
      for (String s : ((String) scp).trim().split("\\s+")) {
        if (!s.isEmpty()) {
          out.add(s);
        }
      }
    }
    return out;
  }
}
