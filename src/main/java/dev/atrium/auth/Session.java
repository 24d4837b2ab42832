package dev.atrium.auth;

import dev.atrium.api.Timestamps;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.time.OffsetDateTime;
import java.util.UUID;

/** One signed-in device: a family of single-use refresh tokens. */
public record Session(UUID id, UUID userId, OffsetDateTime createdAt, OffsetDateTime lastUsedAt,
                      OffsetDateTime expiresAt, String ip, String userAgent) {
  static final String COLUMNS = "s.id, s.user_id, s.created_at, s.last_used_at, s.expires_at, s.ip, s.user_agent";

  static Session from(Row r) {
    return new Session(r.getUUID("id"), r.getUUID("user_id"), r.getOffsetDateTime("created_at"),
        r.getOffsetDateTime("last_used_at"), r.getOffsetDateTime("expires_at"), r.getString("ip"),
        r.getString("user_agent"));
  }

  public JsonObject toJson(String currentSessionId) {
    return new JsonObject().put("id", id.toString()).put("created_at", Timestamps.format(createdAt))
        .put("last_used_at", Timestamps.format(lastUsedAt)).put("expires_at", Timestamps.format(expiresAt))
        .put("ip", ip).put("user_agent", userAgent).put("current", id.toString().equals(currentSessionId));
  }
}
