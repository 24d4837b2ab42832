package dev.atrium.keys;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bouncycastle.jce.ECNamedCurveTable;
import org.bouncycastle.jce.spec.ECNamedCurveParameterSpec;

/**
 * One ES256 key pair that signs access tokens, with its RFC 7638 thumbprint as key id and its
 * public JWK. Made from a PKCS#8 PEM: the one in {@code ATRIUM_JWT_KEY_FILE}, or one generated
 * and kept in PostgreSQL by {@link SigningKeys}.
 */
public record JwtKeys(String privatePem, String publicPem, String keyId, JsonObject jwk) {
  private static final Pattern PRIVATE = Pattern.compile(
      "-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END PRIVATE KEY-----");

  /** Reads {@code ATRIUM_JWT_KEY_FILE}. Blocking file I/O: start-up only. */
  public static JwtKeys load(Path file) throws IOException, GeneralSecurityException {
    if (!Files.exists(file)) {
      throw new IOException("ATRIUM_JWT_KEY_FILE " + file + " does not exist");
    }
    return fromPem(Files.readString(file));
  }

  public static String generatePem() {
    try {
      KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
      gen.initialize(new ECGenParameterSpec("secp256r1"));
      return pem("PRIVATE KEY", gen.generateKeyPair().getPrivate().getEncoded());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("EC P-256 key generation unavailable", e);
    }
  }

  public static JwtKeys fromPem(String text) throws GeneralSecurityException {
    Matcher m = PRIVATE.matcher(text);
    if (!m.find()) {
      throw new GeneralSecurityException("expected a PKCS#8 '-----BEGIN PRIVATE KEY-----' PEM"
          + " (convert with: openssl pkcs8 -topk8 -nocrypt)");
    }
    byte[] der = Base64.getMimeDecoder().decode(m.group(1));
    KeyFactory kf = KeyFactory.getInstance("EC");
    ECPrivateKey priv = (ECPrivateKey) kf.generatePrivate(new PKCS8EncodedKeySpec(der));
    ECPublicKey pub = derivePublic(kf, priv);
    String x = b64url(unsigned(pub.getW().getAffineX()));
    String y = b64url(unsigned(pub.getW().getAffineY()));
    // RFC 7638 thumbprint: members in lexicographic order, no spaces
    String thumbprintInput = "{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"" + x + "\",\"y\":\"" + y + "\"}";
    String kid = b64url(MessageDigest.getInstance("SHA-256").digest(thumbprintInput.getBytes(StandardCharsets.UTF_8)));
    JsonObject jwk = new JsonObject().put("kty", "EC").put("crv", "P-256").put("x", x).put("y", y)
        .put("use", "sig").put("alg", "ES256").put("kid", kid);
    return new JwtKeys(pem("PRIVATE KEY", der), pem("PUBLIC KEY", pub.getEncoded()), kid, jwk);
  }

  public JsonObject jwks() {
    return new JsonObject().put("keys", new JsonArray().add(jwk));
  }

  private static ECPublicKey derivePublic(KeyFactory kf, ECPrivateKey priv) throws GeneralSecurityException {
    ECNamedCurveParameterSpec curve = ECNamedCurveTable.getParameterSpec("secp256r1");
    var q = curve.getG().multiply(priv.getS()).normalize();
    ECPoint w = new ECPoint(q.getAffineXCoord().toBigInteger(), q.getAffineYCoord().toBigInteger());
    return (ECPublicKey) kf.generatePublic(new ECPublicKeySpec(w, priv.getParams()));
  }

  private static byte[] unsigned(BigInteger n) {
    byte[] raw = n.toByteArray();
    if (raw.length == 32) {
      return raw;
    }
    byte[] out = new byte[32];
    if (raw.length > 32) {
      return Arrays.copyOfRange(raw, raw.length - 32, raw.length);
    }
    System.arraycopy(raw, 0, out, 32 - raw.length, raw.length);
    return out;
  }

  private static String b64url(byte[] bytes) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
        .encodeToString(der) + "\n-----END " + type + "-----\n";
  }
}
