package dev.atrium.auth;

import dev.atrium.access.ApiKeyAuth;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.List;

/**
 * Signs ES256 access tokens and makes opaque refresh tokens. An access token names its
 * session ({@code sid}) and its issue time in milliseconds ({@code iat_ms}) so that voiding
 * marks can be exact to the millisecond.
 */
public final class TokenService {
  public static final String ISSUER = "atrium";
  /** Access tokens are for Atrium's API alone; a service that trusts the JWKS can tell them apart. */
  public static final String AUDIENCE = "atrium-api";

  private final JWTAuth jwt;
  private final JWTOptions signing;
  private final Duration accessTtl;
  private final SecureRandom random = new SecureRandom();

  /** {@code keys} signs with the current key and verifies with every published one (dev.atrium.keys). */
  public TokenService(JWTAuth keys, Duration accessTtl) {
    this.accessTtl = accessTtl;
    this.jwt = keys;
    this.signing = new JWTOptions().setAlgorithm("ES256").setIssuer(ISSUER).setAudience(List.of(AUDIENCE))
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

  /** SHA-256 of a refresh token: the only form in which it is stored. */
  public static byte[] digest(String token) {
    return ApiKeyAuth.digest(token);
  }
}
