package dev.atrium.events;

import dev.atrium.api.Timestamps;
import io.vertx.core.json.JsonObject;
import java.time.Instant;

/**
 * Published on {@code user.deactivated} and {@code user.deleted} after an admin took an account
 * away ({@code deleted} tells which); the user's tokens are already void on every node.
 */
public record UserRemoved(String userId, String actorId, boolean deleted, Instant at) {
  public JsonObject toJson() {
    return new JsonObject().put("user_id", userId).put("actor_id", actorId).put("deleted", deleted)
        .put("at", Timestamps.format(at));
  }

  public static UserRemoved fromJson(JsonObject j) {
    return new UserRemoved(j.getString("user_id"), j.getString("actor_id"), j.getBoolean("deleted", false),
        Instant.parse(j.getString("at")));
  }
}
