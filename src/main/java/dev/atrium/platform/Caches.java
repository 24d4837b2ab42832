package dev.atrium.platform;

import com.github.benmanes.caffeine.cache.Caffeine;

/**
 * The one way a node builds an in-memory cache. Caffeine's upkeep (draining its read and write
 * buffers, evicting) runs on the thread that touched the cache, in small amortised steps, rather
 * than being handed to ForkJoinPool.commonPool(): on the request path that hand-off woke a pool
 * thread several thousand times a second (about 3 % of a track-activity request's CPU) for work
 * shorter than the wake-up. No cache here has a listener that could block.
 */
public final class Caches {
  private Caches() {
  }

  public static Caffeine<Object, Object> builder() {
    return Caffeine.newBuilder().executor(Runnable::run);
  }
}
