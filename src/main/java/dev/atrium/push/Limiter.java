package dev.atrium.push;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Runs at most {@code max} asynchronous tasks at once and queues the rest, from any thread.
 * Replays go through one so that thousands of clients reconnecting with {@code since} after a
 * node restart wait their turn instead of overflowing the shared Redis pool's wait queue.
 * The returned future may complete on another thread than the caller's.
 */
final class Limiter {
  private final int max;
  private final AtomicInteger running = new AtomicInteger();
  private final ConcurrentLinkedQueue<Runnable> waiting = new ConcurrentLinkedQueue<>();

  Limiter(int max) {
    this.max = max;
  }

  <T> Future<T> submit(Supplier<Future<T>> task) {
    Promise<T> result = Promise.promise();
    waiting.add(() -> {
      Future<T> f;
      try {
        f = task.get();
      } catch (RuntimeException e) {
        f = Future.failedFuture(e);
      }
      f.onComplete(ar -> {
        running.decrementAndGet();
        result.handle(ar);
        next();
      });
    });
    next();
    return result.future();
  }

  private void next() {
    while (!waiting.isEmpty()) {
      int now = running.get();
      if (now >= max) {
        return;
      }
      if (!running.compareAndSet(now, now + 1)) {
        continue;
      }
      Runnable task = waiting.poll();
      if (task == null) {
        running.decrementAndGet();
        continue;
      }
      task.run();
    }
  }
}
