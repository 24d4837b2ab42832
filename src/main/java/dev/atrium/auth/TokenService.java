package dev.atrium.auth;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;

/**
 * Signs ES256 access tokens and makes opaque refresh tokens. An access token names its
 * session ({@code sid}) and its issue time in milliseconds ({@code iat_ms}) so that voiding
 * marks can be exact to the millisecond.
 */
public final class TokenService {
  public static final String ISSUER = "atrium";

  private final JWTAuth jwt;
  private final JWTOptions signing;
  private final Duration accessTtl;
  private final SecureRandom random = new SecureRandom();

  public TokenService(Vertx vertx, JwtKeys keys, Duration accessTtl) {
    this.accessTtl = accessTtl;
    this.jwt = JWTAuth.create(vertx, new JWTAuthOptions()
        .addPubSecKey(new PubSecKeyOptions().setAlgorithm("ES256").setBuffer(keys.publicPem()).setId(keys.keyId()))
        .addPubSecKey(new PubSecKeyOptions().setAlgorithm("ES256").setBuffer(keys.privatePem()).setId(keys.keyId()))
        .setJWTOptions(new JWTOptions().setIssuer(ISSUER).setLeeway(5)));
    this.signing = new JWTOptions().setAlgorithm("ES256").setIssuer(ISSUER)
        .setExpiresInSeconds((int) accessTtl.toSeconds());
  }

  public record AccessToken(String token, long expiresIn) {
  }

  public AccessToken issueAccess(String userId, String sessionId) {
    JsonObject claims = new JsonObject().put("sub", userId).put("sid", sessionId)
        .put("iat_ms", System.currentTimeMillis());
    return new AccessToken(jwt.generateToken(claims, signing), accessTtl.toSeconds());
  }

  /** The verifier for incoming access tokens. */
  public JWTAuth verifier() {
    return jwt;
  }

  public String newRefreshToken() {
    byte[] bytes = new byte[32];
    random.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  public static byte[] digest(String token) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
