package dev.atrium.analytics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.YearMonth;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The pure rules behind analytics: CSV fields, metadata depth, and which partitions to make or drop. */
class AnalyticsRulesTest {
  static String csv(String... fields) {
    StringBuilder b = new StringBuilder();
    dev.atrium.exports.CsvWriter.appendRecord(b, fields);
    return b.toString();
  }

  @Test
  @DisplayName("CSV fields are quoted only when needed, quotes doubled, and formula starters neutralised")
  void csvFields() {
    assertEquals("a,b\r\n", csv("a", "b"));
    assertEquals(",x,\r\n", csv(null, "x", ""));
    assertEquals("\"a,b\",\"say \"\"hi\"\"\"\r\n", csv("a,b", "say \"hi\""));
    assertEquals("\"two\r\nlines\"\r\n", csv("two\r\nlines"));
    assertEquals("'=1+1,'+1,'-1,'@A1\r\n", csv("=1+1", "+1", "-1", "@A1"));
    assertEquals("\"'=HYPERLINK(\"\"x\"\",\"\"y\"\")\"\r\n", csv("=HYPERLINK(\"x\",\"y\")"));
    assertEquals("'\tx\r\n", csv("\tx"));
    assertEquals("a=b\r\n", csv("a=b"));
  }

  @Test
  @DisplayName("the 202 body of track-activity is JSON with every id in order")
  void acceptedBody() {
    List<java.util.UUID> ids = List.of(java.util.UUID.randomUUID(), java.util.UUID.randomUUID());
    JsonObject body = new JsonObject(AnalyticsHandlers.accepted(new ActivityService.Tracked(ids, 1)));
    assertEquals(new JsonObject().put("status", "accepted").put("accepted", 2).put("stored", 1).put("duplicates", 1)
        .put("ids", new JsonArray().add(ids.get(0).toString()).add(ids.get(1).toString())), body);
    assertEquals(new JsonObject("{\"status\":\"accepted\",\"accepted\":0,\"stored\":0,\"duplicates\":0,\"ids\":[]}"),
        new JsonObject(AnalyticsHandlers.accepted(new ActivityService.Tracked(List.of(), 0))));
  }

  @Test
  @DisplayName("the metadata size limit counts UTF-8 bytes, not characters")
  void utf8Length() {
    for (String s : List.of("", "plain", "caf\u00e9", "\u20ac100", "\ud83d\ude00 ok", "lone \ud83d high")) {
      assertEquals(s.getBytes(java.nio.charset.StandardCharsets.UTF_8).length, ActivityEvents.utf8Length(s), s);
    }
  }

  @Test
  @DisplayName("metadata depth counts nested objects and arrays; a flat object is 1")
  void depth() {
    assertEquals(1, ActivityEvents.depth(new JsonObject().put("a", 1)));
    assertEquals(2, ActivityEvents.depth(new JsonObject().put("a", new JsonArray().add(1))));
    assertEquals(3, ActivityEvents.depth(new JsonObject().put("a", new JsonArray().add(new JsonObject().put("b", 1)))));
    JsonObject deep = new JsonObject();
    for (int i = 0; i < 10_000; i++) {
      deep = new JsonObject().put("n", deep);
    }
    assertEquals(10_001, ActivityEvents.depth(deep));
  }

  @Test
  @DisplayName("partitions cover the retention horizon to two months ahead; only months wholly before the horizon go")
  void partitionPlan() {
    Instant now = Instant.parse("2026-03-15T10:00:00Z");
    Instant horizon = Instant.parse("2026-01-10T10:00:00Z");
    TreeSet<YearMonth> existing = new TreeSet<>(List.of(YearMonth.of(2025, 11), YearMonth.of(2025, 12),
        YearMonth.of(2026, 1), YearMonth.of(2026, 3)));
    ActivityPartitions.Plan plan = ActivityPartitions.plan(existing, now, horizon);
    assertEquals(List.of(YearMonth.of(2026, 2), YearMonth.of(2026, 4), YearMonth.of(2026, 5)), plan.create());
    assertEquals(List.of(YearMonth.of(2025, 11), YearMonth.of(2025, 12)), plan.drop());
    assertEquals("activities_y2026m04", ActivityPartitions.name(YearMonth.of(2026, 4)));
  }
}
