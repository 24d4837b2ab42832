package dev.atrium.api;

import java.time.format.DateTimeFormatter;
import java.time.temporal.TemporalAccessor;

/**
 * The one way a time leaves the service (JSON bodies, event-bus payloads, push frames): RFC 3339
 * in UTC, always with seconds, with a fraction only when it is not zero
 * ({@code 2030-01-01T00:00:00Z}, {@code 2030-01-01T00:00:00.123456Z}). {@code OffsetDateTime.toString()}
 * drops zero seconds ({@code 2030-01-01T00:00Z}), which RFC 3339 and generated clients refuse.
 */
public final class Timestamps {
  private static final DateTimeFormatter RFC3339 = DateTimeFormatter.ISO_INSTANT;

  private Timestamps() {
  }

  /** An Instant or OffsetDateTime as RFC 3339 UTC; null stays null. */
  public static String format(TemporalAccessor time) {
    return time == null ? null : RFC3339.format(time);
  }
}
