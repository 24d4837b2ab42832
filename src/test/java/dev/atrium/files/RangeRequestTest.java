package dev.atrium.files;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class RangeRequestTest {
  static final long SIZE = 1000;

  static RangeRequest p(String header) {
    return RangeRequest.parse(header, SIZE);
  }

  @Test
  @DisplayName("first bytes, last bytes, a middle slice and an open end are single ranges clamped to the size")
  void singleRanges() {
    assertEquals(new RangeRequest.Single(0, 99), p("bytes=0-99"));
    assertEquals(new RangeRequest.Single(900, 999), p("bytes=-100"));
    assertEquals(new RangeRequest.Single(400, 499), p("bytes=400-499"));
    assertEquals(new RangeRequest.Single(990, 999), p("bytes=990-"));
    assertEquals(new RangeRequest.Single(990, 999), p("bytes=990-5000"));
    assertEquals(new RangeRequest.Single(0, 999), p("bytes=-5000"));
    assertEquals(new RangeRequest.Single(5, 5), p(" Bytes = 5-5 "));
    assertEquals("bytes 400-499/1000", new RangeRequest.Single(400, 499).contentRange(SIZE));
    assertEquals(100, new RangeRequest.Single(400, 499).length());
  }

  @Test
  @DisplayName("a range starting at or past the end, or an empty suffix, cannot be satisfied")
  void unsatisfiable() {
    assertEquals(RangeRequest.UNSATISFIABLE, p("bytes=1000-"));
    assertEquals(RangeRequest.UNSATISFIABLE, p("bytes=5000-6000"));
    assertEquals(RangeRequest.UNSATISFIABLE, p("bytes=-0"));
    assertEquals(RangeRequest.UNSATISFIABLE, RangeRequest.parse("bytes=0-", 0));
  }

  @Test
  @DisplayName("no header, several ranges, other units and garbage are ignored: the whole file is served")
  void ignored() {
    for (String h : new String[] {null, "", "bytes=0-1,5-6", "items=0-5", "bytes=5-1", "bytes=abc", "bytes=",
        "bytes=-", "0-5", "bytes=1-2-3", "bytes=+1-5", "bytes=99999999999999999999-", "bytes= 1 0-5"}) {
      assertEquals(RangeRequest.FULL, p(h), () -> "header " + h);
    }
  }
}
