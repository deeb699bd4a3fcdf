package dev.eve4j.auth;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Loads JWT verification keys. */
public final class Keys {
  private static final Pattern PEM =
      Pattern.compile("-----BEGIN PUBLIC KEY-----([A-Za-z0-9+/=\\s]+)-----END PUBLIC KEY-----");

  private Keys() {}

  /** Every {@code -----BEGIN PUBLIC KEY-----} block (RSA or EC, X.509 SubjectPublicKeyInfo) in the text. */
  public static List<JWK> fromPem(String pem) {
    List<JWK> keys = new ArrayList<>();
    Matcher m = PEM.matcher(pem);
    while (m.find()) {
      byte[] der = Base64.getMimeDecoder().decode(m.group(1));
      keys.add(toJwk(der));
    }
    if (keys.isEmpty()) {
      throw new IllegalArgumentException("no -----BEGIN PUBLIC KEY----- block found");
    }
    return keys;
  }

  /** The public keys of a JWKS file ({@code {"keys":[…]}}). */
  public static List<JWK> fromJwksFile(Path file) throws IOException {
    try {
      return JWKSet.load(file.toFile()).toPublicJWKSet().getKeys();
    } catch (ParseException e) {
      throw new IOException("not a JWKS file: " + file + " (" + e.getMessage() + ")", e);
    }
  }

  private static JWK toJwk(byte[] der) {
    X509EncodedKeySpec spec = new X509EncodedKeySpec(der);
    for (String alg : List.of("RSA", "EC")) {
      try {
        PublicKey key = KeyFactory.getInstance(alg).generatePublic(spec);
        if (key instanceof RSAPublicKey) {
          return new RSAKey.Builder((RSAPublicKey) key).build();
        }
        ECPublicKey ec = (ECPublicKey) key;
        return new ECKey.Builder(Curve.forECParameterSpec(ec.getParams()), ec).build();
      } catch (GeneralSecurityException | ClassCastException | IllegalArgumentException next) {
        // try the other family
      }
    }
    throw new IllegalArgumentException("a PUBLIC KEY block is neither an RSA nor an EC public key");
  }
}
