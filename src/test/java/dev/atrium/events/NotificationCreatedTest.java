package dev.atrium.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class NotificationCreatedTest {
  @Test
  @DisplayName("a send's event carries every recipient, in order, through JSON")
  void roundTrip() {
    NotificationCreated sent = new NotificationCreated("b1", List.of(
        new NotificationCreated.Recipient("n1", "u1"), new NotificationCreated.Recipient("n2", "u2")),
        "Title", "Body", "info", new JsonObject().put("k", 1), Instant.parse("2026-11-28T05:00:00Z"));
    assertEquals(sent, NotificationCreated.fromJson(sent.toJson()));
  }

  @Test
  @DisplayName("ids and users of different lengths are refused, not paired wrongly")
  void mismatched() {
    JsonObject j = NotificationCreated.one("n1", "u1", "T", "", "info", new JsonObject(), Instant.now()).toJson()
        .put("user_ids", new JsonArray().add("u1").add("u2"));
    assertThrows(IllegalArgumentException.class, () -> NotificationCreated.fromJson(j));
  }
}
