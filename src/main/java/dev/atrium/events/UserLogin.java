package dev.atrium.events;

import dev.atrium.api.Timestamps;
import io.vertx.core.json.JsonObject;
import java.time.Instant;

public record UserLogin(String userId, String sessionId, String ip, String userAgent, Instant at) {
  public JsonObject toJson() {
    return new JsonObject().put("user_id", userId).put("session_id", sessionId).put("ip", ip)
        .put("user_agent", userAgent).put("at", Timestamps.format(at));
  }

  public static UserLogin fromJson(JsonObject j) {
    return new UserLogin(j.getString("user_id"), j.getString("session_id"), j.getString("ip"),
        j.getString("user_agent"), Instant.parse(j.getString("at")));
  }
}
