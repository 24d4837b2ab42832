package dev.atrium.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class PollTest {
  @Test
  @DisplayName("Poll.value returns the first accepted value, and a timeout names the last value seen")
  void valueReportsLastSeen() {
    AtomicInteger n = new AtomicInteger();
    assertEquals(3, Poll.value(Duration.ofSeconds(5), "three", n::incrementAndGet, v -> v == 3));
    AssertionError e = assertThrows(AssertionError.class,
        () -> Poll.value(Duration.ofMillis(50), "never", () -> "seen-value", v -> false));
    assertTrue(e.getMessage().contains("(last: seen-value)"), e.getMessage());
  }
}
