package dev.atrium.rbac;

import dev.atrium.api.Timestamps;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.time.OffsetDateTime;

public record Permission(long id, String codename, String name, String description, String module, boolean builtin,
                         OffsetDateTime createdAt) {
  static final String COLUMNS = "id, codename, name, description, module, is_builtin, created_at";

  static Permission from(Row r) {
    return new Permission(r.getLong("id"), r.getString("codename"), r.getString("name"), r.getString("description"),
        r.getString("module"), r.getBoolean("is_builtin"), r.getOffsetDateTime("created_at"));
  }

  public JsonObject toJson() {
    return new JsonObject().put("id", id).put("codename", codename).put("name", name).put("description", description)
        .put("module", module).put("is_builtin", builtin).put("created_at", Timestamps.format(createdAt));
  }
}
