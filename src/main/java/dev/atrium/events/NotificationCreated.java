package dev.atrium.events;

import io.vertx.core.json.JsonObject;
import java.time.Instant;

/** One stored notification for one recipient. */
public record NotificationCreated(String notificationId, String userId, String title, String body, String level,
                                  JsonObject data, Instant at) {
  public JsonObject toJson() {
    return new JsonObject().put("notification_id", notificationId).put("user_id", userId).put("title", title)
        .put("body", body).put("level", level).put("data", data).put("at", at.toString());
  }

  public static NotificationCreated fromJson(JsonObject j) {
    return new NotificationCreated(j.getString("notification_id"), j.getString("user_id"), j.getString("title"),
        j.getString("body"), j.getString("level"), j.getJsonObject("data"), Instant.parse(j.getString("at")));
  }
}
