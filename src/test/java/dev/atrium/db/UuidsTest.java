package dev.atrium.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class UuidsTest {
  @Test
  @DisplayName("time-ordered ids are version 7, IETF variant, unique, and sort by creation time across milliseconds")
  void version7() {
    Set<UUID> seen = new HashSet<>();
    UUID first = Uuids.timeOrdered();
    for (int i = 0; i < 100_000; i++) {
      UUID id = Uuids.timeOrdered();
      assertEquals(7, id.version());
      assertEquals(2, id.variant());
      assertTrue(seen.add(id));
    }
    long firstMs = first.getMostSignificantBits() >>> 16;
    assertTrue(Math.abs(firstMs - System.currentTimeMillis()) < 60_000, "carries the creation time");
    UUID later = Uuids.timeOrdered();
    assertTrue(Long.compareUnsigned(later.getMostSignificantBits() >>> 16, firstMs) >= 0);
  }
}
