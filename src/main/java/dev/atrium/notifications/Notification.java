package dev.atrium.notifications;

import dev.atrium.api.Timestamps;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.time.OffsetDateTime;
import java.util.UUID;

/** One stored notification of one recipient. */
public record Notification(UUID id, String title, String body, String level, JsonObject data, UUID senderId,
                           OffsetDateTime createdAt, OffsetDateTime readAt) {
  /** The row joined with its send's content (stored once per send, see V15). */
  static final String COLUMNS = "n.id, b.title, b.body, b.level, b.data, b.sender_id, n.created_at, n.read_at";
  static final String FROM = " FROM notifications n JOIN notification_batches b ON b.id = n.batch_id";

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
        .put("created_at", Timestamps.format(createdAt))
        .put("read", readAt != null)
        .put("read_at", Timestamps.format(readAt));
  }
}
