package dev.atrium.audit;

import dev.atrium.api.Timestamps;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * One recorded admin change. {@code changes} holds what changed: for updates
 * {@code {field: {before, after}}}, for creations and deletions a snapshot of the record.
 */
public record AuditEntry(long id, UUID actorId, String action, String targetType, String targetId,
                         JsonObject changes, String ip, OffsetDateTime createdAt) {

  static AuditEntry from(Row r) {
    Object changes = r.getValue("changes");
    return new AuditEntry(r.getLong("id"), r.getUUID("actor_id"), r.getString("action"), r.getString("target_type"),
        r.getString("target_id"), changes instanceof JsonObject j ? j : new JsonObject(), r.getString("ip"),
        r.getOffsetDateTime("created_at"));
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("id", id)
        .put("actor_id", actorId == null ? null : actorId.toString())
        .put("action", action)
        .put("target_type", targetType)
        .put("target_id", targetId)
        .put("changes", changes)
        .put("ip", ip)
        .put("created_at", Timestamps.format(createdAt));
  }

  /** Field-by-field {@code {before, after}} for the keys of {@code after} whose value differs. */
  public static JsonObject diff(JsonObject before, JsonObject after) {
    JsonObject out = new JsonObject();
    for (String field : after.fieldNames()) {
      Object was = before.getValue(field);
      Object now = after.getValue(field);
      if (was == null ? now != null : !was.equals(now)) {
        out.put(field, new JsonObject().put("before", was).put("after", now));
      }
    }
    return out;
  }
}
