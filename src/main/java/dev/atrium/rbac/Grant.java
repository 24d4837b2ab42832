package dev.atrium.rbac;

import dev.atrium.api.Timestamps;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.time.OffsetDateTime;
import java.util.UUID;

/** A role granted to a user; {@code active} is false once it expired or its role was deactivated. */
public record Grant(UUID userId, long roleId, String role, UUID assignedBy, OffsetDateTime assignedAt,
                    OffsetDateTime expiresAt, boolean active) {
  static final String SELECT = """
      SELECT ur.user_id, ur.role_id, r.name AS role, ur.assigned_by, ur.assigned_at, ur.expires_at,
             (r.is_active AND (ur.expires_at IS NULL OR ur.expires_at > now())) AS active
        FROM user_roles ur JOIN roles r ON r.id = ur.role_id""";

  static Grant from(Row r) {
    return new Grant(r.getUUID("user_id"), r.getLong("role_id"), r.getString("role"), r.getUUID("assigned_by"),
        r.getOffsetDateTime("assigned_at"), r.getOffsetDateTime("expires_at"), r.getBoolean("active"));
  }

  public JsonObject toJson() {
    return new JsonObject().put("user_id", userId.toString()).put("role_id", roleId).put("role", role)
        .put("assigned_by", assignedBy == null ? null : assignedBy.toString())
        .put("assigned_at", Timestamps.format(assignedAt))
        .put("expires_at", Timestamps.format(expiresAt))
        .put("active", active);
  }

  /** The audit snapshot of this grant. */
  JsonObject snapshot() {
    return new JsonObject().put("user_id", userId.toString()).put("role_id", roleId).put("role", role)
        .put("expires_at", Timestamps.format(expiresAt));
  }
}
