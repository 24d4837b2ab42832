package dev.atrium.analytics;

import com.github.benmanes.caffeine.cache.Cache;
import dev.atrium.platform.Caches;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;

/**
 * Which user ids exist, for activities recorded on behalf of another user. An agent that
 * records for the same users all day would otherwise cost one query per request; ids found are
 * remembered for {@link #TTL} per node, and a deletion (announced on every node as an access
 * change that voids the user's tokens) forgets the id at once. Only found ids are remembered,
 * so a user created a moment ago is found on the next request.
 */
final class KnownUsers {
  static final Duration TTL = Duration.ofMinutes(1);

  private final ActivityRepository repository;
  private final Cache<UUID, Boolean> known = Caches.builder().maximumSize(50_000).expireAfterWrite(TTL).build();

  KnownUsers(ActivityRepository repository) {
    this.repository = repository;
  }

  /** The ids among {@code ids} that are users. */
  Future<Set<UUID>> existing(Collection<UUID> ids) {
    Set<UUID> unknown = new HashSet<>(4);
    for (UUID id : ids) {
      if (known.getIfPresent(id) == null) {
        unknown.add(id);
      }
    }
    if (unknown.isEmpty()) {
      return Future.succeededFuture(new HashSet<>(ids));
    }
    return repository.existingUsers(unknown).map(found -> {
      found.forEach(id -> known.put(id, Boolean.TRUE));
      Set<UUID> all = new HashSet<>(found);
      for (UUID id : ids) {
        if (!unknown.contains(id)) {
          all.add(id);
        }
      }
      return all;
    });
  }

  void forget(String userId) {
    if (userId == null) {
      known.invalidateAll();
      return;
    }
    try {
      known.invalidate(UUID.fromString(userId));
    } catch (IllegalArgumentException e) {
      known.invalidateAll();
    }
  }
}
