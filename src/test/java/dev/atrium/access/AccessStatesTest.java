package dev.atrium.access;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.OffsetDateTime;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class AccessStatesTest {
  private static final UUID ID = UUID.randomUUID();

  /** Loads that the test answers by hand, in the order they were asked for. */
  private final Deque<Promise<Optional<AccessRepository.EffectiveAccess>>> loads = new ArrayDeque<>();
  private final AccessStates states = new AccessStates(id -> {
    Promise<Optional<AccessRepository.EffectiveAccess>> p = Promise.promise();
    loads.add(p);
    return p.future();
  });

  @Test
  @DisplayName("a load that was reading when the user's access changed is answered but not cached")
  void loadOverlappingAnInvalidationIsNotCached() {
    states.caching(true);
    Future<Optional<AccessState>> early = states.get(ID.toString());
    states.invalidate(ID.toString()); // the change committed while the early load was reading
    loads.poll().complete(Optional.of(access(0)));
    assertTrue(early.result().isPresent(), "the caller still gets its answer");

    Future<Optional<AccessState>> next = states.get(ID.toString());
    assertFalse(next.isComplete(), "the stale state was not cached: the next caller reads again");
    loads.poll().complete(Optional.of(access(42)));
    assertEquals(42, next.result().orElseThrow().notBeforeMs());
  }

  @Test
  @DisplayName("a load with no change during it is cached")
  void quietLoadIsCached() {
    states.caching(true);
    Future<Optional<AccessState>> first = states.get(ID.toString());
    loads.poll().complete(Optional.of(access(7)));
    assertTrue(first.result().isPresent());
    Future<Optional<AccessState>> second = states.get(ID.toString());
    assertTrue(second.isComplete(), "answered from the cache");
    assertEquals(7, second.result().orElseThrow().notBeforeMs());
    assertTrue(loads.isEmpty());
  }

  private static AccessRepository.EffectiveAccess access(long notBeforeMs) {
    OffsetDateTime at = OffsetDateTime.now();
    User user = new User(ID, "a@x.test", "a", "hash", "", "", null, null, null, null,
        true, false, false, true, null, null, at, at, false);
    return new AccessRepository.EffectiveAccess(user, null, List.of(), List.of(), null, notBeforeMs, Set.of());
  }
}
