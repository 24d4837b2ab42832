package dev.atrium.analytics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.atrium.api.Problem;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.openapi.impl.Utils;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The hand-written shape check of track-activity, held to the contract it replaces. */
class TrackRequestTest {
  @Test
  @DisplayName("the hand-written check allows exactly the properties and action length the contract declares")
  void matchesContract() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      JsonObject contract = Utils.readYamlOrJson(vertx, "openapi.yaml").toCompletionStage().toCompletableFuture()
          .get(10, TimeUnit.SECONDS);
      JsonObject schemas = contract.getJsonObject("components").getJsonObject("schemas");
      JsonObject event = schemas.getJsonObject("ActivityEvent");
      JsonObject batch = schemas.getJsonObject("ActivityBatch");
      // the body is one activity or a batch of them, as alternatives
      assertEquals(new JsonArray().add(new JsonObject().put("$ref", "#/components/schemas/ActivityEvent"))
              .add(new JsonObject().put("$ref", "#/components/schemas/ActivityBatch")),
          schemas.getJsonObject("TrackActivityRequest").getJsonArray("oneOf"));
      assertEquals(TrackRequest.EVENT_FIELDS, event.getJsonObject("properties").fieldNames());
      Set<String> bodyFields = new java.util.HashSet<>(TrackRequest.EVENT_FIELDS);
      bodyFields.addAll(batch.getJsonObject("properties").fieldNames());
      assertEquals(TrackRequest.BODY_FIELDS, bodyFields);
      assertEquals(List.of("action"), event.getJsonArray("required").getList());
      assertEquals(List.of("events"), batch.getJsonArray("required").getList());
      assertEquals(false, event.getBoolean("additionalProperties"));
      assertEquals(false, batch.getBoolean("additionalProperties"));
      assertEquals(new JsonObject().put("$ref", "#/components/schemas/ActivityEvent"),
          batch.getJsonObject("properties").getJsonObject("events").getJsonObject("items"));
      assertEquals(1, batch.getJsonObject("properties").getJsonObject("events").getInteger("minItems"));
      assertEquals(ActivityService.MAX_EVENTS,
          batch.getJsonObject("properties").getJsonObject("events").getInteger("maxItems"));
      assertEquals(TrackRequest.MAX_ACTION, event.getJsonObject("properties").getJsonObject("action").getInteger("maxLength"));
      assertEquals(TrackRequest.UUID.pattern(), event.getJsonObject("properties").getJsonObject("event_id").getString("pattern"));
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  static Set<String> fields(JsonObject body) {
    Problem p = assertThrows(Problem.class, () -> TrackRequest.check(body));
    assertEquals(400, p.status());
    assertEquals("validation_failed", p.code());
    return p.errors().stream().map(e -> ((JsonObject) e).getString("field")).collect(Collectors.toSet());
  }

  @Test
  @DisplayName("every field that breaks the schema is reported with its JSON pointer")
  void reportsEveryBadField() {
    assertEquals(Set.of("/action", "/metadata", "/occurred_at", "/event_id", "/user_id", "/extra"), fields(new JsonObject()
        .put("action", 5).put("metadata", "x").put("occurred_at", 1).put("event_id", "nope").put("user_id", 3).put("extra", 1)));
    assertEquals(Set.of("/events/1/action", "/events/2", "/events/3/colour", "/events/4/action"), fields(new JsonObject()
        .put("events", new JsonArray().add(new JsonObject().put("action", "ok")).add(new JsonObject())
            .add("str").add(new JsonObject().put("action", "a").put("colour", "red"))
            .add(new JsonObject().put("action", "x".repeat(101))))));
    assertEquals(Set.of("/events"), fields(new JsonObject().put("events", new JsonObject())));
    assertEquals(Set.of("/action"), fields(new JsonObject().put("action", "")));
    assertEquals(Set.of("/action"), fields(new JsonObject().putNull("action")));
    TrackRequest.check(new JsonObject().put("action", "x".repeat(100)).put("metadata", new JsonObject())
        .put("event_id", "0b9d5f0e-3c1a-4f4e-9a55-1d2f3e4a5b6c"));
  }
}
