package dev.atrium.apikeys;

import dev.atrium.api.Timestamps;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

/** A stored API key: never the key itself, only its digest and its first characters for recognition. */
public record ApiKey(UUID id, UUID userId, String name, String prefix, List<String> permissions,
                     OffsetDateTime createdAt, OffsetDateTime expiresAt, OffsetDateTime lastUsedAt,
                     OffsetDateTime revokedAt) {
  static final String COLUMNS = "id, user_id, name, key_prefix, permissions, created_at, expires_at, last_used_at, revoked_at";

  static ApiKey from(Row r) {
    return new ApiKey(r.getUUID("id"), r.getUUID("user_id"), r.getString("name"), r.getString("key_prefix"),
        List.of(r.getArrayOfStrings("permissions")), r.getOffsetDateTime("created_at"),
        r.getOffsetDateTime("expires_at"), r.getOffsetDateTime("last_used_at"), r.getOffsetDateTime("revoked_at"));
  }

  public JsonObject toJson() {
    return new JsonObject().put("id", id.toString()).put("name", name).put("prefix", prefix)
        .put("permissions", new JsonArray(permissions)).put("created_at", Timestamps.format(createdAt))
        .put("expires_at", Timestamps.format(expiresAt))
        .put("last_used_at", Timestamps.format(lastUsedAt))
        .put("expired", expiresAt != null && !expiresAt.isAfter(OffsetDateTime.now()));
  }
}
