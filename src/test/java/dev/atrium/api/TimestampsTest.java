package dev.atrium.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.SplittableRandom;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class TimestampsTest {
  private static void same(Instant i) {
    assertEquals(DateTimeFormatter.ISO_INSTANT.format(i), Timestamps.format(i), i::toString);
    OffsetDateTime shifted = i.atOffset(ZoneOffset.ofHoursMinutes(-5, -30));
    assertEquals(DateTimeFormatter.ISO_INSTANT.format(i), Timestamps.format(shifted), shifted::toString);
  }

  /** What {@link Timestamps#write} puts in a JSON document. */
  private static String written(OffsetDateTime time) {
    return StreamedJson.encode(g -> Timestamps.write(g, time)).toString();
  }

  @Test
  @DisplayName("a time written to a generator is the same JSON string as the formatted one, or null")
  void writesTheFormattedString() {
    SplittableRandom r = new SplittableRandom(16);
    for (int i = 0; i < 20_000; i++) {
      OffsetDateTime t = Instant.ofEpochSecond(r.nextLong(-100_000_000_000L, 300_000_000_000L),
          i % 2 == 0 ? 0 : r.nextInt(1_000_000_000)).atOffset(ZoneOffset.ofHours(3));
      assertEquals("\"" + DateTimeFormatter.ISO_INSTANT.format(t) + "\"", written(t), t::toString);
    }
    assertEquals("null", written(null));
  }

  @Test
  @DisplayName("the fast path writes exactly what ISO_INSTANT writes, fractions and edges included")
  void matchesIsoInstant() {
    for (String t : new String[] {"1970-01-01T00:00:00Z", "2030-01-01T00:00:00Z", "2000-02-29T23:59:59Z",
        "2100-02-28T12:00:00Z", "2026-11-30T10:00:00.100Z", "2026-11-30T10:00:00.000100Z",
        "2026-11-30T10:00:00.000000001Z", "2026-11-30T10:00:00.123456789Z", "9999-12-31T23:59:59.999999999Z",
        "1969-12-31T23:59:59.5Z", "0001-01-01T00:00:00Z", "+10000-01-01T00:00:00Z"}) {
      same(Instant.parse(t));
    }
    SplittableRandom r = new SplittableRandom(15);
    for (int i = 0; i < 200_000; i++) {
      long second = r.nextLong(-100_000_000_000L, 300_000_000_000L);
      int nano = switch (i % 4) {
        case 0 -> 0;
        case 1 -> r.nextInt(1000) * 1_000_000;
        case 2 -> r.nextInt(1_000_000) * 1000;
        default -> r.nextInt(1_000_000_000);
      };
      same(Instant.ofEpochSecond(second, nano));
    }
    assertNull(Timestamps.format(null));
  }
}
