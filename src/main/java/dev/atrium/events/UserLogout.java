package dev.atrium.events;

import dev.atrium.api.Timestamps;
import io.vertx.core.json.JsonObject;
import java.time.Instant;

/** {@code sessionId} is null when every session of the user ended (logout-all, password change). */
public record UserLogout(String userId, String sessionId, Instant at) {
  public JsonObject toJson() {
    return new JsonObject().put("user_id", userId).put("session_id", sessionId).put("all", sessionId == null)
        .put("at", Timestamps.format(at));
  }

  public static UserLogout fromJson(JsonObject j) {
    return new UserLogout(j.getString("user_id"), j.getString("session_id"), Instant.parse(j.getString("at")));
  }
}
