package dev.atrium.support;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Waits for a condition with a deadline instead of sleeping a fixed time. */
public final class Poll {
  private Poll() {
  }

  public static void until(Duration timeout, String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + timeout + " waiting until " + what);
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  public static <T> T value(Duration timeout, String what, Supplier<T> supplier, java.util.function.Predicate<T> ok) {
    Object[] last = new Object[1];
    until(timeout, what + " (last: " + last[0] + ")", () -> {
      T v = supplier.get();
      last[0] = v;
      return ok.test(v);
    });
    @SuppressWarnings("unchecked")
    T v = (T) last[0];
    return v;
  }
}
