package dev.atrium.rbac;

import dev.atrium.api.Timestamps;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.time.OffsetDateTime;
import java.util.List;

public record Role(long id, String name, String description, boolean active, boolean builtin, List<String> permissions,
                   OffsetDateTime createdAt, OffsetDateTime updatedAt) {
  static final String SELECT = """
      SELECT r.id, r.name, r.description, r.is_active, r.is_builtin, r.created_at, r.updated_at,
             coalesce((SELECT array_agg(p.codename ORDER BY p.codename) FROM role_permissions rp
                        JOIN permissions p ON p.id = rp.permission_id WHERE rp.role_id = r.id), '{}') AS permissions
        FROM roles r""";

  static Role from(Row r) {
    return new Role(r.getLong("id"), r.getString("name"), r.getString("description"), r.getBoolean("is_active"),
        r.getBoolean("is_builtin"), List.of(r.getArrayOfStrings("permissions")), r.getOffsetDateTime("created_at"),
        r.getOffsetDateTime("updated_at"));
  }

  public JsonObject toJson() {
    return new JsonObject().put("id", id).put("name", name).put("description", description).put("is_active", active)
        .put("is_builtin", builtin).put("permissions", new JsonArray(permissions))
        .put("created_at", Timestamps.format(createdAt)).put("updated_at", Timestamps.format(updatedAt));
  }
}
