package dev.atrium.support;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;

/** Waits for a condition with a deadline instead of sleeping a fixed time. */
public final class Poll {
  /**
   * How long a change may take to reach another node before a test fails. The blueprint's
   * "within a second" is what the mechanism does on an idle machine (the access cache lives
   * 500 ms, pub/sub takes a few); this bound only has to catch a change that never arrives
   * without failing a suite on a busy two-core machine.
   */
  public static final Duration ACROSS_NODES = Duration.ofSeconds(5);

  private Poll() {
  }

  public static void until(Duration timeout, String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + timeout + " waiting until " + what);
      }
      pause();
    }
  }

  /**
   * Polls {@code supplier} until {@code ok} accepts its value and returns that value; on timeout
   * the failure shows the last value seen.
   */
  public static <T> T value(Duration timeout, String what, Supplier<T> supplier, Predicate<T> ok) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      T v = supplier.get();
      if (ok.test(v)) {
        return v;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + timeout + " waiting until " + what + " (last: " + v + ")");
      }
      pause();
    }
  }

  private static void pause() {
    try {
      Thread.sleep(20);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
