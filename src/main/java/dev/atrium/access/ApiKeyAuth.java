package dev.atrium.access;

import com.github.benmanes.caffeine.cache.Cache;
import dev.atrium.events.AccessChanged;
import dev.atrium.events.Addresses;
import dev.atrium.platform.Caches;
import dev.atrium.problem.Problem;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.authentication.AuthenticationProvider;
import io.vertx.ext.auth.authentication.Credentials;
import io.vertx.ext.auth.authentication.TokenCredentials;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Authenticates API keys (from {@code X-API-Key}, or {@code Authorization: Bearer atr_...} via
 * AccessTokenAuth). The principal names the owner ({@code sub}) and the key's {@code scopes};
 * {@link Caller#may} grants a permission only if the scopes list it AND the owner holds it
 * right now. A key dies with its owner's "void every credential" mark (logout-all, password
 * change, deactivation), read from PostgreSQL like the rest of the owner's access state.
 * Lookups are cached for half a second and dropped at once when the owner's access changes on
 * any node (a revocation announces it), so a revoked key stops everywhere.
 */
public final class ApiKeyAuth implements AuthenticationProvider {
  /** Every key starts with this, so a bearer credential can be told apart from a JWT. */
  public static final String PREFIX = "atr_";
  private static final Logger LOG = LoggerFactory.getLogger(ApiKeyAuth.class);

  private final Vertx vertx;
  private final AccessRepository repo;
  private final AccessStates states;
  private final Cache<String, AccessRepository.StoredKey> keys = Caches.builder()
      .maximumSize(50_000).expireAfterWrite(500, TimeUnit.MILLISECONDS).build();
  /** Keys whose last_used_at was written recently by this node; written at most once a minute. */
  private final Cache<UUID, Boolean> touched = Caches.builder()
      .maximumSize(50_000).expireAfterWrite(1, TimeUnit.MINUTES).build();
  private MessageConsumer<JsonObject> consumer;

  public ApiKeyAuth(Vertx vertx, AccessRepository repo, AccessStates states) {
    this.vertx = vertx;
    this.repo = repo;
    this.states = states;
  }

  /** Starts forgetting the keys of owners whose access changed, on every node's announcement. */
  public Future<Void> start() {
    consumer = vertx.eventBus().consumer(Addresses.ACCESS_CHANGED,
        m -> forgetOwner(AccessChanged.fromJson(m.body()).userId()));
    return consumer.completion();
  }

  public Future<Void> stop() {
    return consumer == null ? Future.succeededFuture() : consumer.unregister();
  }

  /** SHA-256 of a secret (API keys and refresh tokens are stored only as this). */
  public static byte[] digest(String secret) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public Future<User> authenticate(Credentials credentials) {
    if (!(credentials instanceof TokenCredentials tc) || tc.getToken() == null || !tc.getToken().startsWith(PREFIX)) {
      return Future.failedFuture(Problem.of(401, "token_invalid", "Missing or malformed API key"));
    }
    byte[] hash = digest(tc.getToken());
    String digest = HexFormat.of().formatHex(hash);
    AccessRepository.StoredKey cached = keys.getIfPresent(digest);
    Future<AccessRepository.StoredKey> key = cached != null ? Future.succeededFuture(cached)
        : repo.findKey(hash).map(found -> {
          AccessRepository.StoredKey k = found.orElseThrow(() -> Problem.of(401, "token_invalid", "Unknown API key"));
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
        if (!state.get().acceptsKeyCreatedAt(k.createdAt().toInstant().toEpochMilli())) {
          throw Problem.of(401, "token_revoked", "This API key was voided with its owner's other credentials");
        }
        touch(k.id());
        JsonObject principal = new JsonObject().put("sub", k.userId().toString()).put("key_id", k.id().toString())
            .put("scopes", new JsonArray(k.scopes()))
            .put("exp", k.expiresAt() == null ? 0L : k.expiresAt().toEpochSecond());
        User user = User.create(principal);
        user.attributes().put(Caller.STATE, state.get());
        return user;
      });
    });
  }

  private void touch(UUID keyId) {
    if (touched.asMap().putIfAbsent(keyId, Boolean.TRUE) == null) {
      repo.touchKey(keyId).onFailure(t -> LOG.warn("Cannot record API key use: {}", t.getMessage()));
    }
  }

  /** Drops the cached keys of this owner on this node (other nodes hear of it through ACCESS_CHANGED). */
  public void forgetOwner(String userId) {
    keys.asMap().values().removeIf(k -> k.userId().toString().equals(userId));
  }
}
