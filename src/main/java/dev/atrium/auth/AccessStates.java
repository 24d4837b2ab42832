package dev.atrium.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import dev.atrium.api.Problem;
import dev.atrium.db.RedisKeys;
import dev.atrium.rbac.AccessRepository;
import io.vertx.core.Future;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Response;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Per-node cache of {@link AccessState}: one Redis HGETALL (token voiding marks) and one SQL
 * query (grants) per user at most every {@link #MAX_AGE_MS}, so the hot path is a map lookup.
 * Changes reach it at once through {@link #invalidate(String)} (called locally and from Redis
 * pub/sub by {@link AccessChangeBridge}); the short age bounds staleness if a message is lost,
 * and an entry never outlives the earliest grant expiry it saw.
 */
public final class AccessStates {
  static final long MAX_AGE_MS = 500;

  private final RedisAPI redis;
  private final RedisKeys keys;
  private final AccessRepository repository;
  private volatile boolean caching;
  private final Cache<String, AccessState> cache = Caffeine.newBuilder()
      .maximumSize(200_000)
      .expireAfter(new Expiry<String, AccessState>() {
        @Override
        public long expireAfterCreate(String key, AccessState value, long currentTime) {
          return Math.max(0, value.validUntilMs() - System.currentTimeMillis()) * 1_000_000L;
        }

        @Override
        public long expireAfterUpdate(String key, AccessState value, long currentTime, long currentDuration) {
          return expireAfterCreate(key, value, currentTime);
        }

        @Override
        public long expireAfterRead(String key, AccessState value, long currentTime, long currentDuration) {
          return currentDuration;
        }
      })
      .build();

  public AccessStates(RedisAPI redis, RedisKeys keys, AccessRepository repository) {
    this.redis = redis;
    this.keys = keys;
    this.repository = repository;
  }

  public Future<Optional<AccessState>> get(String userId) {
    AccessState cached = caching ? cache.getIfPresent(userId) : null;
    if (cached != null) {
      return Future.succeededFuture(Optional.of(cached));
    }
    UUID id;
    try {
      id = UUID.fromString(userId);
    } catch (IllegalArgumentException e) {
      return Future.succeededFuture(Optional.empty());
    }
    Future<Response> marks = redis.hgetall(keys.key("access", userId))
        .recover(t -> Future.failedFuture(Problem.retryLater(503, "dependency_unavailable",
            "Session store unavailable", 1)));
    var grants = repository.effective(id);
    return Future.all(marks, grants).map(v -> {
      Optional<AccessRepository.EffectiveAccess> access = grants.result();
      if (access.isEmpty()) {
        return Optional.<AccessState>empty();
      }
      AccessRepository.EffectiveAccess a = access.get();
      long notBefore = 0;
      Set<String> revoked = new HashSet<>();
      Response r = marks.result();
      if (r != null) {
        for (String field : r.getKeys()) {
          if (field.equals("nbf")) {
            notBefore = Long.parseLong(r.get(field).toString());
          } else if (field.startsWith("s:")) {
            revoked.add(field.substring(2));
          }
        }
      }
      long now = System.currentTimeMillis();
      long validUntil = now + MAX_AGE_MS;
      if (a.nextExpiry() != null) {
        validUntil = Math.min(validUntil, a.nextExpiry().toInstant().toEpochMilli());
      }
      AccessState state = new AccessState(userId, a.user(), a.profile(), notBefore, Set.copyOf(revoked),
          new LinkedHashSet<>(a.permissions()), a.roles(), validUntil);
      if (caching) {
        cache.put(userId, state);
      }
      return Optional.of(state);
    });
  }

  /**
   * Caching is on only while this node hears access changes ({@link AccessChangeBridge}): while
   * the subscription is down a voiding message could be missed, so every request reads the truth.
   */
  public void caching(boolean on) {
    caching = on;
    cache.invalidateAll();
  }

  public void invalidate(String userId) {
    cache.invalidate(userId);
  }

  public void invalidateAll() {
    cache.invalidateAll();
  }
}
