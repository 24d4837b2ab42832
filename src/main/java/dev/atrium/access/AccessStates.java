package dev.atrium.access;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Expiry;
import dev.atrium.platform.Caches;
import dev.atrium.problem.Problem;
import io.vertx.core.Future;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * Per-node cache of {@link AccessState}: one SQL query per user at most every
 * {@link #MAX_AGE_MS} (grants, account, and the revocations stored in PostgreSQL), so the hot
 * path is a map lookup. Changes reach it at once through {@link #invalidate(String)} (called
 * locally and from Redis pub/sub by {@link AccessChangeBridge}); the short age bounds staleness
 * if a message is lost, and an entry never outlives the earliest grant expiry it saw. Redis
 * only speeds the news up: losing it revives no token.
 */
public final class AccessStates {
  static final long MAX_AGE_MS = 500;

  private final Function<UUID, Future<Optional<AccessRepository.EffectiveAccess>>> loader;
  /**
   * Counts invalidations: a load that was already reading when one came may have read the state
   * from before the change, so its result is returned but not cached.
   */
  private final AtomicLong invalidations = new AtomicLong();
  private volatile boolean caching;
  private final Cache<String, AccessState> cache = Caches.builder()
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

  public AccessStates(AccessRepository repository) {
    this(repository::effective);
  }

  AccessStates(Function<UUID, Future<Optional<AccessRepository.EffectiveAccess>>> loader) {
    this.loader = loader;
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
    long seen = invalidations.get();
    return loader.apply(id)
        .recover(t -> Future.failedFuture(Problem.retryLater(503, "dependency_unavailable",
            "Account store unavailable", 1)))
        .map(access -> {
          if (access.isEmpty()) {
            return Optional.<AccessState>empty();
          }
          AccessRepository.EffectiveAccess a = access.get();
          long validUntil = System.currentTimeMillis() + MAX_AGE_MS;
          if (a.nextExpiry() != null) {
            validUntil = Math.min(validUntil, a.nextExpiry().toInstant().toEpochMilli());
          }
          AccessState state = new AccessState(userId, a.user(), a.profile(), a.notBeforeMs(), a.revokedSessions(),
              new LinkedHashSet<>(a.permissions()), a.roles(), validUntil);
          if (caching && invalidations.get() == seen) {
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
    invalidateAll();
  }

  public void invalidate(String userId) {
    invalidations.incrementAndGet();
    cache.invalidate(userId);
  }

  public void invalidateAll() {
    invalidations.incrementAndGet();
    cache.invalidateAll();
  }
}
