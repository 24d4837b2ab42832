package dev.atrium.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class LimiterTest {
  @Test
  @DisplayName("no more than the limit run at once; the rest start as earlier ones finish, failures included")
  void boundsConcurrency() {
    Limiter limiter = new Limiter(3);
    AtomicInteger running = new AtomicInteger();
    AtomicInteger peak = new AtomicInteger();
    List<Promise<Integer>> started = new ArrayList<>();
    List<Future<Integer>> results = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      results.add(limiter.submit(() -> {
        peak.accumulateAndGet(running.incrementAndGet(), Math::max);
        Promise<Integer> p = Promise.promise();
        started.add(p);
        return p.future().onComplete(ar -> running.decrementAndGet());
      }));
    }
    assertEquals(3, started.size());
    for (int i = 0; i < 10; i++) {
      if (i % 4 == 0) {
        started.get(i).fail("boom");
      } else {
        started.get(i).complete(i);
      }
    }
    assertEquals(10, started.size());
    assertEquals(3, peak.get());
    assertTrue(results.get(0).failed());
    assertEquals(5, results.get(5).result());
  }
}
