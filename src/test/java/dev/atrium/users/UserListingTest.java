package dev.atrium.users;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.atrium.access.User;
import dev.atrium.api.StreamedJson;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class UserListingTest {
  @Test
  @DisplayName("users written by the streaming generator equals the users' toJson, nulls and escapes included")
  void encodeMatchesToJson() {
    OffsetDateTime at = OffsetDateTime.of(2030, 1, 2, 3, 4, 0, 0, ZoneOffset.ofHours(2));
    User full = new User(UUID.randomUUID(), "a\"b\\c@x.test", "ünï_cødé", "hash", "Ada\nLine", "O'Brien \u2028",
        "+1 555", "https://x.test/a.png", "R&D <lab>", "Lead\t", true, true, false, true, at, "10.0.0.1",
        at.minusDays(1), at.withNano(123_456_000), true);
    User sparse = new User(UUID.randomUUID(), "b@x.test", "b", "hash", "", "", null, null, null, null,
        false, false, false, false, null, null, at, at, false);
    JsonArray expected = new JsonArray().add(full.toJson()).add(sparse.toJson());
    JsonArray written = new JsonArray(array(List.of(full, sparse)));
    assertEquals(expected, written);
    assertEquals(List.copyOf(full.toJson().fieldNames()), List.copyOf(written.getJsonObject(0).fieldNames()),
        "same fields in the same order");
    assertEquals("[]", array(List.of()).toString());
  }

  static Buffer array(List<User> users) {
    return StreamedJson.encode(g -> {
      g.writeStartArray();
      for (User u : users) {
        u.writeJson(g);
      }
      g.writeEndArray();
    });
  }
}
