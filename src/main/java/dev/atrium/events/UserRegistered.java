package dev.atrium.events;

import dev.atrium.api.Timestamps;
import io.vertx.core.json.JsonObject;
import java.time.Instant;

/** {@code language}: the registration request's Accept-Language (may be null), for the first mails. */
public record UserRegistered(String userId, String email, String username, String ip, Instant at, String language) {
  public JsonObject toJson() {
    return new JsonObject().put("user_id", userId).put("email", email).put("username", username)
        .put("ip", ip).put("at", Timestamps.format(at)).put("language", language);
  }

  public static UserRegistered fromJson(JsonObject j) {
    return new UserRegistered(j.getString("user_id"), j.getString("email"), j.getString("username"),
        j.getString("ip"), Instant.parse(j.getString("at")), j.getString("language"));
  }
}
