package dev.atrium.api;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
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
  /** 1970-01-01T00:00:00Z and 10000-01-01T00:00:00Z: the range the fast path writes. */
  private static final long FAST_FROM = 0;
  private static final long FAST_UNTIL = 253_402_300_800L;
  /** 2030-01-01T00:00:00.123456789Z */
  private static final int MAX_LENGTH = 30;

  private Timestamps() {
  }

  /** An Instant or OffsetDateTime as RFC 3339 UTC; null stays null. */
  public static String format(TemporalAccessor time) {
    if (time == null) {
      return null;
    }
    Instant instant = fastRange(time);
    if (instant == null) {
      return RFC3339.format(time);
    }
    byte[] b = new byte[MAX_LENGTH];
    return new String(b, 0, fill(b, instant.getEpochSecond(), instant.getNano()), StandardCharsets.ISO_8859_1);
  }

  /**
   * The same value written to a generator as a JSON string (or null), its ASCII bytes straight
   * into the output: a users page writes 60 of them, and a String for each, encoded again by the
   * generator, was a twentieth of that page's CPU.
   */
  public static void write(JsonGenerator g, TemporalAccessor time) throws IOException {
    Instant instant = time == null ? null : fastRange(time);
    if (instant == null) {
      g.writeString(format(time));
      return;
    }
    byte[] b = new byte[MAX_LENGTH];
    // digits, '-', ':', '.', 'T' and 'Z' only: nothing a JSON string escapes
    g.writeRawUTF8String(b, 0, fill(b, instant.getEpochSecond(), instant.getNano()));
  }

  /** The instant of {@code time} when the fast path can write it, else null. */
  private static Instant fastRange(TemporalAccessor time) {
    Instant instant = time instanceof OffsetDateTime o ? o.toInstant() : time instanceof Instant i ? i : null;
    if (instant == null || instant.getEpochSecond() < FAST_FROM || instant.getEpochSecond() >= FAST_UNTIL) {
      return null;
    }
    return instant;
  }

  /**
   * What ISO_INSTANT writes for years 1970-9999 (the fraction in groups of three digits, as
   * many as needed), without its formatter machinery, as ASCII into {@code b}; answers the
   * length. A users page formats 60 times, and ISO_INSTANT was a tenth of that request's CPU.
   */
  static int fill(byte[] b, long epochSecond, int nano) {
    long days = Math.floorDiv(epochSecond, 86_400);
    int secondOfDay = (int) Math.floorMod(epochSecond, 86_400);
    // civil date from days since 1970-01-01 (H. Hinnant's algorithm, proleptic Gregorian)
    long z = days + 719_468;
    long era = Math.floorDiv(z, 146_097);
    long doe = z - era * 146_097;
    long yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    int day = (int) (doy - (153 * mp + 2) / 5 + 1);
    int month = (int) (mp < 10 ? mp + 3 : mp - 9);
    int year = (int) (yoe + era * 400 + (month <= 2 ? 1 : 0));
    digits(b, 0, year, 4);
    b[4] = '-';
    digits(b, 5, month, 2);
    b[7] = '-';
    digits(b, 8, day, 2);
    b[10] = 'T';
    digits(b, 11, secondOfDay / 3600, 2);
    b[13] = ':';
    digits(b, 14, secondOfDay / 60 % 60, 2);
    b[16] = ':';
    digits(b, 17, secondOfDay % 60, 2);
    int n = 19;
    if (nano != 0) {
      b[n++] = '.';
      if (nano % 1_000_000 == 0) {
        digits(b, n, nano / 1_000_000, 3);
        n += 3;
      } else if (nano % 1000 == 0) {
        digits(b, n, nano / 1000, 6);
        n += 6;
      } else {
        digits(b, n, nano, 9);
        n += 9;
      }
    }
    b[n++] = 'Z';
    return n;
  }

  private static void digits(byte[] b, int at, int value, int width) {
    for (int i = at + width - 1; i >= at; i--) {
      b[i] = (byte) ('0' + value % 10);
      value /= 10;
    }
  }
}
