package dev.atrium.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class InFlightTest {
  @Test
  @DisplayName("refuses beyond the limit, and a released slot can be taken again")
  void refusesBeyondLimit() {
    InFlight limit = new InFlight(2);
    assertTrue(limit.tryAcquire());
    assertTrue(limit.tryAcquire());
    assertFalse(limit.tryAcquire());
    assertEquals(2, limit.count(), "a refusal takes nothing");
    limit.release();
    assertTrue(limit.tryAcquire());
    assertFalse(limit.tryAcquire());
  }

  @Test
  @DisplayName("run holds the slot until the task's future completes, and does not start a refused task")
  void runHoldsTheSlotUntilDone() {
    InFlight limit = new InFlight(1);
    Promise<String> first = Promise.promise();
    assertTrue(limit.run(first::future).isPresent());
    AtomicInteger started = new AtomicInteger();
    assertTrue(limit.run(() -> {
      started.incrementAndGet();
      return Future.succeededFuture("x");
    }).isEmpty());
    assertEquals(0, started.get(), "a refused task never starts");
    first.fail("boom");
    assertEquals(0, limit.count(), "a failed task gives its slot back too");
    assertEquals("y", limit.run(() -> Future.succeededFuture("y")).orElseThrow().result());
    assertEquals(0, limit.count());
  }

  @Test
  @DisplayName("a task that throws before returning a future gives its slot back")
  void throwingTaskReleases() {
    InFlight limit = new InFlight(1);
    assertThrows(IllegalStateException.class, () -> limit.run(() -> {
      throw new IllegalStateException("no");
    }));
    assertEquals(0, limit.count());
  }

  @Test
  @DisplayName("per key: each key has its own limit, and a key is forgotten when its last slot is released")
  void perKey() {
    InFlight.PerKey<String> slots = new InFlight.PerKey<>(1);
    assertTrue(slots.tryAcquire("ada"));
    assertFalse(slots.tryAcquire("ada"));
    assertTrue(slots.tryAcquire("bob"), "another key is not affected");
    slots.release("ada");
    assertEquals(0, slots.count("ada"));
    slots.release("ada"); // a second release of a forgotten key does not go negative
    assertTrue(slots.tryAcquire("ada"));
    assertFalse(slots.tryAcquire("ada"));
  }

  @Test
  @DisplayName("never admits more than the limit when many threads race for it")
  void concurrent() throws Exception {
    InFlight limit = new InFlight(3);
    InFlight.PerKey<Integer> perKey = new InFlight.PerKey<>(3);
    AtomicInteger holding = new AtomicInteger();
    AtomicInteger holdingKey = new AtomicInteger();
    AtomicInteger worst = new AtomicInteger();
    ExecutorService threads = Executors.newFixedThreadPool(8);
    CountDownLatch done = new CountDownLatch(8);
    List<Throwable> errors = new ArrayList<>();
    for (int t = 0; t < 8; t++) {
      threads.execute(() -> {
        try {
          for (int i = 0; i < 20_000; i++) {
            if (limit.tryAcquire()) {
              worst.accumulateAndGet(holding.incrementAndGet(), Math::max);
              holding.decrementAndGet();
              limit.release();
            }
            if (perKey.tryAcquire(7)) {
              worst.accumulateAndGet(holdingKey.incrementAndGet(), Math::max);
              holdingKey.decrementAndGet();
              perKey.release(7);
            }
          }
        } catch (Throwable e) {
          synchronized (errors) {
            errors.add(e);
          }
        } finally {
          done.countDown();
        }
      });
    }
    assertTrue(done.await(60, TimeUnit.SECONDS));
    threads.shutdown();
    assertTrue(errors.isEmpty(), errors.toString());
    assertTrue(worst.get() <= 3, "at most 3 at once, saw " + worst.get());
    assertEquals(0, limit.count());
    assertEquals(0, perKey.count(7));
  }
}
