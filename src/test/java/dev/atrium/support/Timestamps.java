package dev.atrium.support;

import static org.junit.jupiter.api.Assertions.assertFalse;

import java.time.Duration;
import java.time.Instant;

/** Assertions on the ISO-8601 times the node writes. */
public final class Timestamps {
  /** The node's clock and the test's are the same machine's; this allows for rounding only. */
  private static final Duration SLACK = Duration.ofSeconds(1);

  private Timestamps() {
  }

  /** Asserts that {@code iso} parses and lies between {@code from} and now; returns it. */
  public static Instant assertSince(Instant from, String iso) {
    Instant t = Instant.parse(iso);
    Instant now = Instant.now();
    assertFalse(t.isBefore(from.minus(SLACK)), () -> iso + " is before the test's start " + from);
    assertFalse(t.isAfter(now.plus(SLACK)), () -> iso + " is after now " + now);
    return t;
  }
}
