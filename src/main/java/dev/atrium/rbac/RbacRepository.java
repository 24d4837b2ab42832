package dev.atrium.rbac;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;

/** SQL on permissions, roles, role_permissions and user_roles (grants). */
public final class RbacRepository {
  /** Columns that PATCH may change, by their JSON names; the only names that reach SQL. */
  static final List<String> PERMISSION_FIELDS = List.of("codename", "name", "description", "module");
  static final List<String> ROLE_FIELDS = List.of("name", "description", "is_active");

  private final Pool pool;

  public RbacRepository(Pool pool) {
    this.pool = pool;
  }

  // ---- permissions

  public Future<List<Permission>> listPermissions(String module, int limit, long offset) {
    return pool.preparedQuery("SELECT " + Permission.COLUMNS + " FROM permissions WHERE ($1::text IS NULL OR module = $1)"
            + " ORDER BY module, codename LIMIT $2 OFFSET $3")
        .execute(Tuple.of(module, limit, offset)).map(rows -> all(rows, Permission::from));
  }

  public Future<Long> countPermissions(String module) {
    return pool.preparedQuery("SELECT count(*) AS n FROM permissions WHERE ($1::text IS NULL OR module = $1)")
        .execute(Tuple.of(module)).map(rows -> rows.iterator().next().getLong("n"));
  }

  public Future<Optional<Permission>> findPermission(SqlClient c, long id) {
    return c.preparedQuery("SELECT " + Permission.COLUMNS + " FROM permissions WHERE id = $1 FOR UPDATE")
        .execute(Tuple.of(id)).map(rows -> first(rows, Permission::from));
  }

  /** Inserts a permission and gives it to the built-in admin role, which holds every permission. */
  public Future<Permission> insertPermission(SqlClient c, String codename, String name, String description,
                                             String module) {
    return c.preparedQuery("""
            WITH p AS (INSERT INTO permissions (codename, name, description, module) VALUES ($1, $2, $3, $4)
                       RETURNING *),
                 a AS (INSERT INTO role_permissions (role_id, permission_id)
                       SELECT r.id, p.id FROM roles r, p WHERE r.name = 'admin' AND r.is_builtin)
            SELECT\s""" + Permission.COLUMNS + " FROM p")
        .execute(Tuple.of(codename, name, description, module)).map(rows -> Permission.from(rows.iterator().next()));
  }

  public Future<Permission> updatePermission(SqlClient c, long id, JsonObject fields) {
    return update(c, "permissions", id, fields, PERMISSION_FIELDS, false)
        .compose(v -> findPermission(c, id)).map(Optional::orElseThrow);
  }

  public Future<Void> deletePermission(SqlClient c, long id) {
    return c.preparedQuery("DELETE FROM permissions WHERE id = $1").execute(Tuple.of(id)).mapEmpty();
  }

  /** Known codename → id for the given codenames. */
  public Future<Map<String, Long>> permissionIds(SqlClient c, List<String> codenames) {
    return c.preparedQuery("SELECT id, codename FROM permissions WHERE codename = ANY($1)")
        .execute(Tuple.tuple().addValue(codenames.toArray(new String[0])))
        .map(rows -> {
          Map<String, Long> out = new HashMap<>();
          rows.forEach(r -> out.put(r.getString("codename"), r.getLong("id")));
          return out;
        });
  }

  /** Users who hold the permission through a live grant (their caches must drop it). */
  public Future<List<UUID>> usersHoldingPermission(SqlClient c, long permissionId) {
    return c.preparedQuery("SELECT DISTINCT ur.user_id FROM user_roles ur JOIN role_permissions rp ON rp.role_id = ur.role_id"
            + " WHERE rp.permission_id = $1 AND (ur.expires_at IS NULL OR ur.expires_at > now())")
        .execute(Tuple.of(permissionId)).map(rows -> all(rows, r -> r.getUUID("user_id")));
  }

  // ---- roles

  public Future<List<Role>> listRoles(int limit, long offset) {
    return pool.preparedQuery(Role.SELECT + " ORDER BY r.name LIMIT $1 OFFSET $2").execute(Tuple.of(limit, offset))
        .map(rows -> all(rows, Role::from));
  }

  public Future<Long> countRoles() {
    return pool.query("SELECT count(*) AS n FROM roles").execute().map(rows -> rows.iterator().next().getLong("n"));
  }

  public Future<Optional<Role>> findRole(SqlClient c, long id) {
    return c.preparedQuery(Role.SELECT + " WHERE r.id = $1").execute(Tuple.of(id)).map(rows -> first(rows, Role::from));
  }

  public Future<Optional<Role>> findRoleByName(SqlClient c, String name) {
    return c.preparedQuery(Role.SELECT + " WHERE r.name = $1").execute(Tuple.of(name)).map(rows -> first(rows, Role::from));
  }

  /** Locks the role row so that concurrent changes to it apply one after the other. */
  public Future<Optional<Role>> lockRole(SqlClient c, long id) {
    return c.preparedQuery("SELECT id FROM roles WHERE id = $1 FOR UPDATE").execute(Tuple.of(id))
        .compose(rows -> rows.size() == 0 ? Future.succeededFuture(Optional.<Role>empty()) : findRole(c, id));
  }

  public Future<Long> insertRole(SqlClient c, String name, String description, boolean active) {
    return c.preparedQuery("INSERT INTO roles (name, description, is_active) VALUES ($1, $2, $3) RETURNING id")
        .execute(Tuple.of(name, description, active)).map(rows -> rows.iterator().next().getLong("id"));
  }

  public Future<Void> updateRole(SqlClient c, long id, JsonObject fields) {
    return update(c, "roles", id, fields, ROLE_FIELDS, true);
  }

  public Future<Void> setRolePermissions(SqlClient c, long roleId, List<Long> permissionIds) {
    return c.preparedQuery("DELETE FROM role_permissions WHERE role_id = $1").execute(Tuple.of(roleId))
        .compose(r -> c.preparedQuery("INSERT INTO role_permissions (role_id, permission_id)"
                + " SELECT $1, unnest($2::bigint[]) ON CONFLICT DO NOTHING")
            .execute(Tuple.tuple().addValue(roleId).addValue(permissionIds.toArray(new Long[0]))))
        .mapEmpty();
  }

  public Future<Void> deleteRole(SqlClient c, long id) {
    return c.preparedQuery("DELETE FROM roles WHERE id = $1").execute(Tuple.of(id)).mapEmpty();
  }

  /** Users with a live grant of the role. */
  public Future<List<UUID>> usersWithRole(SqlClient c, long roleId) {
    return c.preparedQuery("SELECT user_id FROM user_roles WHERE role_id = $1 AND (expires_at IS NULL OR expires_at > now())")
        .execute(Tuple.of(roleId)).map(rows -> all(rows, r -> r.getUUID("user_id")));
  }

  // ---- grants

  public Future<Boolean> userExists(SqlClient c, UUID userId) {
    return c.preparedQuery("SELECT 1 FROM users WHERE id = $1").execute(Tuple.of(userId)).map(rows -> rows.size() > 0);
  }

  public Future<List<Grant>> listGrants(UUID userId) {
    return pool.preparedQuery(Grant.SELECT + " WHERE ur.user_id = $1 ORDER BY r.name").execute(Tuple.of(userId))
        .map(rows -> all(rows, Grant::from));
  }

  /**
   * Grants the role; an expired earlier grant of the same role is replaced. Empty when the user
   * already holds a live grant of it.
   */
  public Future<Optional<Grant>> grant(SqlClient c, UUID userId, long roleId, UUID by, OffsetDateTime expiresAt) {
    return c.preparedQuery("""
            WITH g AS (
              INSERT INTO user_roles (user_id, role_id, assigned_by, expires_at) VALUES ($1, $2, $3, $4)
              ON CONFLICT (user_id, role_id) DO UPDATE
                SET assigned_by = EXCLUDED.assigned_by, assigned_at = now(), expires_at = EXCLUDED.expires_at
                WHERE user_roles.expires_at IS NOT NULL AND user_roles.expires_at <= now()
              RETURNING *)
            SELECT g.user_id, g.role_id, r.name AS role, g.assigned_by, g.assigned_at, g.expires_at,
                   (r.is_active AND (g.expires_at IS NULL OR g.expires_at > now())) AS active
              FROM g JOIN roles r ON r.id = g.role_id""")
        .execute(Tuple.of(userId, roleId, by, expiresAt)).map(rows -> first(rows, Grant::from));
  }

  public Future<Optional<Grant>> revoke(SqlClient c, UUID userId, long roleId) {
    return c.preparedQuery("""
            WITH g AS (DELETE FROM user_roles WHERE user_id = $1 AND role_id = $2 RETURNING *)
            SELECT g.user_id, g.role_id, r.name AS role, g.assigned_by, g.assigned_at, g.expires_at,
                   (r.is_active AND (g.expires_at IS NULL OR g.expires_at > now())) AS active
              FROM g JOIN roles r ON r.id = g.role_id""")
        .execute(Tuple.of(userId, roleId)).map(rows -> first(rows, Grant::from));
  }

  // ---- helpers

  private static Future<Void> update(SqlClient c, String table, long id, JsonObject fields, List<String> allowed,
                                     boolean touch) {
    List<Object> values = new ArrayList<>();
    values.add(id);
    StringBuilder set = new StringBuilder();
    for (String field : allowed) {
      if (fields.containsKey(field)) {
        values.add(fields.getValue(field));
        set.append(set.isEmpty() ? "" : ", ").append(field).append(" = $").append(values.size());
      }
    }
    if (touch) {
      set.append(set.isEmpty() ? "" : ", ").append("updated_at = now()");
    }
    if (set.isEmpty()) {
      return Future.succeededFuture();
    }
    return c.preparedQuery("UPDATE " + table + " SET " + set + " WHERE id = $1").execute(Tuple.from(values)).mapEmpty();
  }

  private static <T> List<T> all(RowSet<Row> rows, Function<Row, T> map) {
    List<T> out = new ArrayList<>(rows.size());
    rows.forEach(r -> out.add(map.apply(r)));
    return out;
  }

  private static <T> Optional<T> first(RowSet<Row> rows, Function<Row, T> map) {
    return rows.size() == 0 ? Optional.empty() : Optional.of(map.apply(rows.iterator().next()));
  }
}
