package dev.atrium.apikeys;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.atrium.api.Problem;
import dev.atrium.auth.AccessStates;
import dev.atrium.auth.TokenService;
import dev.atrium.events.AccessChanged;
import dev.atrium.events.Addresses;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.authentication.AuthenticationProvider;
import io.vertx.ext.auth.authentication.Credentials;
import io.vertx.ext.auth.authentication.TokenCredentials;
import java.util.HexFormat;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Authenticates API keys (from {@code X-API-Key}, or {@code Authorization: Bearer atr_...} via
 * AccessTokenAuth). The principal names the owner ({@code sub}) and the key's {@code scopes};
 * PermissionGuard grants an operation only if the scopes list its permission AND the owner
 * holds it right now. Lookups are cached for half a second and dropped at once when the owner's
 * access changes on any node (a revocation announces it), so a revoked key stops everywhere.
 */
public final class ApiKeyAuth implements AuthenticationProvider {
  /** Every key starts with this, so a bearer credential can be told apart from a JWT. */
  public static final String PREFIX = "atr_";
  private static final Logger LOG = LoggerFactory.getLogger(ApiKeyAuth.class);

  private final ApiKeyRepository repo;
  private final AccessStates states;
  private final Cache<String, ApiKey> keys = Caffeine.newBuilder()
      .maximumSize(50_000).expireAfterWrite(500, TimeUnit.MILLISECONDS).build();
  /** Keys whose last_used_at was written recently by this node; written at most once a minute. */
  private final Cache<UUID, Boolean> touched = Caffeine.newBuilder()
      .maximumSize(50_000).expireAfterWrite(1, TimeUnit.MINUTES).build();

  public ApiKeyAuth(Vertx vertx, ApiKeyRepository repo, AccessStates states) {
    this.repo = repo;
    this.states = states;
    vertx.eventBus().<JsonObject>consumer(Addresses.ACCESS_CHANGED, m -> forgetOwner(AccessChanged.fromJson(m.body()).userId()));
  }

  @Override
  public Future<User> authenticate(Credentials credentials) {
    if (!(credentials instanceof TokenCredentials tc) || tc.getToken() == null || !tc.getToken().startsWith(PREFIX)) {
      return Future.failedFuture(Problem.of(401, "token_invalid", "Missing or malformed API key"));
    }
    String digest = HexFormat.of().formatHex(TokenService.digest(tc.getToken()));
    ApiKey cached = keys.getIfPresent(digest);
    Future<ApiKey> key = cached != null ? Future.succeededFuture(cached)
        : repo.findByHash(TokenService.digest(tc.getToken())).map(found -> {
          ApiKey k = found.orElseThrow(() -> Problem.of(401, "token_invalid", "Unknown API key"));
          keys.put(digest, k);
          return k;
        });
    return key.compose(k -> {
      if (!k.usable()) {
        return Future.failedFuture(Problem.of(401, "token_revoked", "This API key is revoked or expired"));
      }
      return states.get(k.userId().toString()).map(state -> {
        if (state.isEmpty() || !state.get().active()) {
          throw Problem.of(401, "token_revoked", "The owner of this API key is deactivated");
        }
        touch(k.id());
        JsonObject principal = new JsonObject().put("sub", k.userId().toString()).put("key_id", k.id().toString())
            .put("scopes", new JsonArray(k.permissions()))
            .put("exp", k.expiresAt() == null ? 0L : k.expiresAt().toEpochSecond());
        return User.create(principal);
      });
    });
  }

  private void touch(UUID keyId) {
    if (touched.asMap().putIfAbsent(keyId, Boolean.TRUE) == null) {
      repo.touch(keyId).onFailure(t -> LOG.warn("Cannot record API key use: {}", t.getMessage()));
    }
  }

  /** Drops the cached keys of this owner on this node (other nodes hear of it through ACCESS_CHANGED). */
  public void forgetOwner(String userId) {
    keys.asMap().values().removeIf(k -> k.userId().toString().equals(userId));
  }
}
