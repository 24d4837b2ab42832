package dev.atrium.events;

import dev.atrium.api.Timestamps;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Notifications stored by one send ({@code batchId}), one per recipient, with the content they share. One message
 * carries many recipients so that a broadcast to 100,000 users is a few hundred event-bus
 * messages, not 100,000.
 */
public record NotificationCreated(String batchId, List<Recipient> recipients, String title, String body,
                                  String level, JsonObject data, Instant at) {

  /** One stored notification and whom it is for. */
  public record Recipient(String notificationId, String userId) {
  }

  public static NotificationCreated one(String notificationId, String userId, String title, String body,
                                        String level, JsonObject data, Instant at) {
    return new NotificationCreated(java.util.UUID.randomUUID().toString(), List.of(new Recipient(notificationId, userId)),
        title, body, level, data, at);
  }

  public JsonObject toJson() {
    JsonArray ids = new JsonArray(new ArrayList<>(recipients.size()));
    JsonArray users = new JsonArray(new ArrayList<>(recipients.size()));
    recipients.forEach(r -> {
      ids.add(r.notificationId());
      users.add(r.userId());
    });
    return new JsonObject().put("batch_id", batchId).put("notification_ids", ids).put("user_ids", users).put("title", title)
        .put("body", body).put("level", level).put("data", data).put("at", Timestamps.format(at));
  }

  public static NotificationCreated fromJson(JsonObject j) {
    JsonArray ids = j.getJsonArray("notification_ids");
    JsonArray users = j.getJsonArray("user_ids");
    if (ids.size() != users.size()) {
      throw new IllegalArgumentException("notification_ids and user_ids differ in length");
    }
    List<Recipient> recipients = new ArrayList<>(ids.size());
    for (int i = 0; i < ids.size(); i++) {
      recipients.add(new Recipient(ids.getString(i), users.getString(i)));
    }
    return new NotificationCreated(j.getString("batch_id"), recipients, j.getString("title"), j.getString("body"), j.getString("level"),
        j.getJsonObject("data"), Instant.parse(j.getString("at")));
  }
}
