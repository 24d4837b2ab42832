package dev.atrium.files;

import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Upload requests in flight per user on this node (every HTTP event loop shares it): at most
 * {@code limit} at once, so one account cannot fill the disk bandwidth or the temporary space.
 */
final class UploadSlots {
  private final int limit;
  private final ConcurrentHashMap<UUID, Integer> inFlight = new ConcurrentHashMap<>();

  UploadSlots(int limit) {
    this.limit = limit;
  }

  boolean tryAcquire(UUID user) {
    boolean[] ok = {false};
    inFlight.compute(user, (k, n) -> {
      int current = n == null ? 0 : n;
      if (current >= limit) {
        return n;
      }
      ok[0] = true;
      return current + 1;
    });
    return ok[0];
  }

  void release(UUID user) {
    inFlight.computeIfPresent(user, (k, n) -> n <= 1 ? null : n - 1);
  }
}
