package dev.atrium.limits;

import io.vertx.core.Future;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * "At most {@code limit} at once, refuse the rest": the one admission counter of the node
 * (password jobs, imports, exports, uploads per user). Thread-safe, since every HTTP event loop
 * shares one. It never queues: a caller that gets no slot answers 503 or 429 at once, so work
 * cannot pile up without bound.
 */
public final class InFlight {
  private final int limit;
  private final AtomicInteger count = new AtomicInteger();

  public InFlight(int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be at least 1: " + limit);
    }
    this.limit = limit;
  }

  /** Takes a slot if one is free; a taken slot must be given back with {@link #release}. */
  public boolean tryAcquire() {
    if (count.incrementAndGet() > limit) {
      count.decrementAndGet();
      return false;
    }
    return true;
  }

  public void release() {
    count.decrementAndGet();
  }

  /** Slots taken now. */
  public int count() {
    return count.get();
  }

  public int limit() {
    return limit;
  }

  /**
   * Starts {@code task} in a slot that is held until its future completes, or answers empty
   * (without starting it) when every slot is taken. The slot is free again before the returned
   * future completes, so whatever is chained on it (the last bytes of a response) cannot reach
   * a client that asks again while the slot is still taken.
   */
  public <T> Optional<Future<T>> run(Supplier<Future<T>> task) {
    if (!tryAcquire()) {
      return Optional.empty();
    }
    Future<T> started;
    try {
      started = task.get();
    } catch (RuntimeException e) {
      release();
      throw e;
    }
    return Optional.of(started.eventually(() -> {
      release();
      return Future.succeededFuture();
    }));
  }

  /** One {@link InFlight} per key (per user), forgotten when its last slot is released. */
  public static final class PerKey<K> {
    private final int limit;
    private final ConcurrentHashMap<K, InFlight> slots = new ConcurrentHashMap<>();

    public PerKey(int limit) {
      if (limit < 1) {
        throw new IllegalArgumentException("limit must be at least 1: " + limit);
      }
      this.limit = limit;
    }

    public boolean tryAcquire(K key) {
      boolean[] taken = {false};
      // compute() runs atomically per key, so a release cannot drop a counter being taken
      slots.compute(key, (k, slot) -> {
        InFlight s = slot == null ? new InFlight(limit) : slot;
        taken[0] = s.tryAcquire();
        return s;
      });
      return taken[0];
    }

    public void release(K key) {
      slots.computeIfPresent(key, (k, slot) -> {
        slot.release();
        return slot.count() <= 0 ? null : slot;
      });
    }

    /** Slots taken now by {@code key}. */
    public int count(K key) {
      InFlight slot = slots.get(key);
      return slot == null ? 0 : slot.count();
    }
  }
}
