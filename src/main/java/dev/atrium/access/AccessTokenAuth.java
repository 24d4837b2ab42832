package dev.atrium.access;

import com.github.benmanes.caffeine.cache.Cache;
import dev.atrium.platform.Caches;
import dev.atrium.problem.Problem;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.authentication.AuthenticationProvider;
import io.vertx.ext.auth.authentication.Credentials;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import java.util.concurrent.TimeUnit;

/**
 * Authenticates bearer credentials for the contract's security schemes: verifies the JWT
 * (signature checks are cached per exact token string, since ECDSA verification costs more
 * than the rest of a request), then checks the user's current {@link AccessState}, so voided
 * tokens, revoked sessions and deactivated accounts are refused on every request. API keys
 * presented as bearer tokens (recognised by their prefix) go to the API key authenticator.
 */
public final class AccessTokenAuth implements AuthenticationProvider {
  private final JWTAuth verifier;
  private final AccessStates states;
  private final AuthenticationProvider apiKeys;
  private final Cache<String, JsonObject> verified = Caches.builder()
      .maximumSize(100_000).expireAfterWrite(5, TimeUnit.MINUTES).build();

  public AccessTokenAuth(JWTAuth verifier, AccessStates states, AuthenticationProvider apiKeys) {
    this.verifier = verifier;
    this.states = states;
    this.apiKeys = apiKeys;
  }

  @Override
  public Future<User> authenticate(Credentials credentials) {
    if (!(credentials instanceof TokenCredentials tc) || tc.getToken() == null || tc.getToken().isBlank()) {
      return Future.failedFuture(invalid("Missing bearer token"));
    }
    String token = tc.getToken();
    if (token.startsWith(ApiKeyAuth.PREFIX)) {
      return apiKeys.authenticate(tc);
    }
    return claims(token).compose(this::withAccess);
  }

  private Future<JsonObject> claims(String token) {
    JsonObject cached = verified.getIfPresent(token);
    if (cached != null) {
      if (cached.getLong("exp", 0L) * 1000 <= System.currentTimeMillis()) {
        verified.invalidate(token);
        return Future.failedFuture(invalid("Access token expired"));
      }
      return Future.succeededFuture(cached);
    }
    return verifier.authenticate(new TokenCredentials(token))
        .recover(t -> Future.failedFuture(invalid("Access token invalid or expired")))
        .map(user -> {
          // vertx-auth-jwt keeps the decoded claims under attributes.accessToken
          JsonObject principal = user.attributes().getJsonObject("accessToken", new JsonObject());
          if (principal.getString("sub") == null || principal.getValue("exp") == null) {
            throw invalid("Access token lacks required claims");
          }
          verified.put(token, principal);
          return principal;
        });
  }

  private Future<User> withAccess(JsonObject claims) {
    String userId = claims.getString("sub");
    return states.get(userId).map(state -> {
      if (state.isEmpty()) {
        throw invalid("Access token no longer valid");
      }
      AccessState s = state.get();
      if (!s.accepts(claims.getLong("iat_ms", 0L), claims.getString("sid"))) {
        throw Problem.of(401, "token_revoked", "Access token was revoked");
      }
      // The verified claims are shared by every request with this token and never modified.
      User user = User.create(claims);
      user.attributes().put("exp", claims.getLong("exp")).put(Caller.STATE, s);
      return user;
    });
  }

  private static Problem invalid(String detail) {
    return Problem.of(401, "token_invalid", detail);
  }
}
