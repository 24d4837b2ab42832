package dev.atrium.analytics;

import com.github.benmanes.caffeine.cache.Cache;
import dev.atrium.platform.Caches;
import dev.atrium.problem.Problem;
import java.time.Duration;
import java.util.UUID;
import java.util.function.LongSupplier;

/**
 * ATRIUM_INGEST_RATE_PER_USER: a token bucket per sending user on this node, refilled at the
 * rate (activities per second) and holding one second of it, but never less than one full batch
 * of {@link ActivityService#MAX_EVENTS}, so a batch that fits the contract can always pass an
 * idle bucket. Beyond it: 429 rate_limited with Retry-After. Per node, in memory, no Redis on
 * the hot path (N nodes allow N times the rate); buckets of idle users are dropped after a
 * minute and at most {@link #MAX_USERS} are kept.
 */
final class IngestRate {
  static final int MAX_USERS = 100_000;

  private final double perNano;
  private final double capacity;
  private final LongSupplier nanos;
  private final Cache<UUID, Bucket> buckets = Caches.builder().maximumSize(MAX_USERS)
      .expireAfterAccess(Duration.ofMinutes(1)).build();

  IngestRate(int perSecond, LongSupplier nanos) {
    this.perNano = perSecond / 1e9;
    this.capacity = Math.max(perSecond, ActivityService.MAX_EVENTS);
    this.nanos = nanos;
  }

  /** Takes {@code n} tokens from the user's bucket, or throws 429. */
  void take(UUID user, int n) {
    long now = nanos.getAsLong();
    Bucket b = buckets.get(user, u -> new Bucket(capacity, now));
    double missing = b.take(n, now, perNano, capacity);
    if (missing > 0) {
      long seconds = Math.max(1, (long) Math.ceil(missing / (perNano * 1e9)));
      throw Problem.retryLater(429, "rate_limited",
          "Too many activities from this user; at most " + Math.round(perNano * 1e9) + " per second", seconds);
    }
  }

  private static final class Bucket {
    private double tokens;
    private long at;

    Bucket(double tokens, long at) {
      this.tokens = tokens;
      this.at = at;
    }

    /** Takes n tokens and answers 0, or takes none and answers how many are missing. */
    synchronized double take(int n, long now, double perNano, double capacity) {
      tokens = Math.min(capacity, tokens + Math.max(0, now - at) * perNano);
      at = Math.max(at, now);
      if (tokens >= n) {
        tokens -= n;
        return 0;
      }
      return n - tokens;
    }
  }
}
