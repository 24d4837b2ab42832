package dev.atrium.api.validation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atrium.api.ContractLoader;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The validators compiled from the real contract, checked without a server. */
class ContractValidatorsTest {
  static final JsonObject CONTRACT = load();
  static final ContractValidators VALIDATORS = new ContractValidators(CONTRACT);

  private static JsonObject load() {
    try (InputStream in = ContractValidatorsTest.class.getResourceAsStream("/openapi.yaml")) {
      return ContractLoader.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Set<String> fields(String operation, Object body) {
    return VALIDATORS.forOperation(operation).check("application/json", body).stream()
        .map(Violation::field).collect(Collectors.toSet());
  }

  @Test
  @DisplayName("track-activity: every field that breaks the schema is reported with its JSON pointer")
  void trackActivity() {
    assertEquals(Set.of("/action", "/metadata", "/occurred_at", "/event_id", "/user_id", "/extra"),
        fields("trackActivity", new JsonObject().put("action", 5).put("metadata", "x").put("occurred_at", 1)
            .put("event_id", "nope").put("user_id", 3).put("extra", 1)));
    assertEquals(Set.of("/events/1/action", "/events/2", "/events/3/colour", "/events/4/action",
            "/events/5/occurred_at"),
        fields("trackActivity", new JsonObject().put("events", new JsonArray()
            .add(new JsonObject().put("action", "ok")).add(new JsonObject()).add("str")
            .add(new JsonObject().put("action", "a").put("colour", "red"))
            .add(new JsonObject().put("action", "x".repeat(101)))
            .add(new JsonObject().put("action", "a").put("occurred_at", "yesterday")))));
    assertEquals(Set.of("/events"), fields("trackActivity", new JsonObject().put("events", new JsonObject())));
    assertEquals(Set.of("/action"), fields("trackActivity", new JsonObject().put("action", "")));
    assertEquals(Set.of("/action"), fields("trackActivity", new JsonObject().putNull("action")));
    assertEquals(Set.of("/"), fields("trackActivity", new JsonArray().add(1)));
    assertEquals(Set.of(), fields("trackActivity", new JsonObject().put("action", "x".repeat(100))
        .put("metadata", new JsonObject().put("deep", new JsonObject())).put("occurred_at", "2026-01-31T12:00:00.5+01:00")
        .put("event_id", "0b9d5f0e-3c1a-4f4e-9a55-1d2f3e4a5b6c")));
  }

  @Test
  @DisplayName("messages are the validator's own, one per field, and a flood of bad events is cut at 20 entries")
  void messagesAndBound() {
    var v = VALIDATORS.forOperation("register").check("application/json", new JsonObject().put("email", 42));
    assertTrue(v.contains(new Violation("/email", "must be a string")), v::toString);
    assertTrue(v.contains(new Violation("/password", "is required")), v::toString);
    JsonArray events = new JsonArray();
    for (int i = 0; i < 1000; i++) {
      events.add(new JsonObject().put("action", 1));
    }
    assertEquals(Violations.MAX, VALIDATORS.forOperation("trackActivity")
        .check("application/json", new JsonObject().put("events", events)).size());
  }

  @Test
  @DisplayName("the hand-written format checks agree with java.time on what a date-time is")
  void formats() {
    for (String ok : new String[] {"2026-01-31T12:00:00Z", "2026-01-31t12:00z", "2026-01-31T12:00:00.123456789+05:30",
        "2026-12-01T00:00:00-00:00"}) {
      assertTrue(Formats.dateTime(ok), ok);
      java.time.OffsetDateTime.parse(ok.toUpperCase());
    }
    for (String bad : new String[] {"2026-01-31", "2026-01-31T12:00:00", "2026-13-01T00:00:00Z", "2026-01-31T24:00:00Z",
        "2026-01-31T12:00:00+0100", "yesterday", "2026-00-10T00:00:00Z"}) {
      assertFalse(Formats.dateTime(bad), bad);
      assertThrows(java.time.format.DateTimeParseException.class, () -> java.time.OffsetDateTime.parse(bad));
    }
    assertTrue(Formats.uuid("0B9D5F0E-3c1a-4f4e-9a55-1d2f3e4a5b6c"));
    assertFalse(Formats.uuid("0b9d5f0e-3c1a-4f4e-9a55-1d2f3e4a5b6"));
    assertFalse(Formats.uuid("0b9d5f0e-3c1a-4f4e-9a55_1d2f3e4a5b6c"));
  }

  @Test
  @DisplayName("a keyword the validator does not implement stops start-up, naming where it is")
  void unsupportedKeyword() {
    JsonObject contract = CONTRACT.copy();
    contract.getJsonObject("components").getJsonObject("schemas").getJsonObject("ActivityEvent")
        .put("patternProperties", new JsonObject());
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> new ContractValidators(contract));
    assertTrue(e.getMessage().contains("ActivityEvent/patternProperties"), e.getMessage());
  }
}
