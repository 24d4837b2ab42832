package dev.atrium.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.atrium.keys.JwtKeys;
import dev.atrium.keys.TokenKeys;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.authentication.TokenCredentials;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Access tokens name their audience, and the verifier refuses a JWT of the same key and issuer without it. */
class AccessTokenAudienceTest {
  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static JsonObject payload(String jwt) {
    return new JsonObject(new String(Base64.getUrlDecoder().decode(jwt.split("\\.")[1]), StandardCharsets.UTF_8));
  }

  private static Object verify(TokenKeys keys, String jwt) throws Exception {
    return keys.authenticate(new TokenCredentials(jwt)).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName("an issued access token carries aud atrium-api and verifies; the same key's JWT for no or another audience does not")
  void audienceIsChecked() throws Exception {
    TokenKeys keys = TokenKeys.fixed(vertx, TokenService.ISSUER, TokenService.AUDIENCE,
        JwtKeys.fromPem(JwtKeys.generatePem()));
    String issued = new TokenService(keys, Duration.ofMinutes(5)).issueAccess("u1", "s1").token();
    Object aud = payload(issued).getValue("aud");
    assertEquals("atrium-api", aud instanceof JsonArray list ? list.getString(0) : aud);
    verify(keys, issued);

    JsonObject claims = new JsonObject().put("sub", "u1").put("sid", "s1").put("iat_ms", System.currentTimeMillis());
    JWTOptions sameIssuer = new JWTOptions().setAlgorithm("ES256").setIssuer(TokenService.ISSUER).setExpiresInMinutes(5);
    String noAudience = keys.generateToken(claims, sameIssuer);
    String otherAudience = keys.generateToken(claims, sameIssuer.setAudience(List.of("billing")));
    for (String jwt : List.of(noAudience, otherAudience)) {
      assertThrows(ExecutionException.class, () -> verify(keys, jwt), payload(jwt).encode());
    }
  }
}
