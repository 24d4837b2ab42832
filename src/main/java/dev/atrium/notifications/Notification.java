package dev.atrium.notifications;

import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.time.OffsetDateTime;
import java.util.UUID;

/** One stored notification of one recipient. */
public record Notification(UUID id, String title, String body, String level, JsonObject data, UUID senderId,
                           OffsetDateTime createdAt, OffsetDateTime readAt) {
  static final String COLUMNS = "id, title, body, level, data, sender_id, created_at, read_at";

  static Notification of(Row r) {
    Object data = r.getValue("data");
    return new Notification(r.getUUID("id"), r.getString("title"), r.getString("body"), r.getString("level"),
        data instanceof JsonObject j ? j : new JsonObject(), r.getUUID("sender_id"),
        r.getOffsetDateTime("created_at"), r.getOffsetDateTime("read_at"));
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("id", id.toString())
        .put("title", title)
        .put("body", body)
        .put("level", level)
        .put("data", data)
        .put("sender_id", senderId == null ? null : senderId.toString())
        .put("created_at", createdAt.toString())
        .put("read", readAt != null)
        .put("read_at", readAt == null ? null : readAt.toString());
  }
}
