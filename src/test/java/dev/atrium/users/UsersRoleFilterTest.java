package dev.atrium.users;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atrium.support.Accounts;
import dev.atrium.support.Http;
import dev.atrium.support.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The admin list filtered by a role: in created_at order it is read from the role's side (each
 * grant carries its holder's created_at, V21), in any other order from the users' side; both
 * give what the plain SQL gives, expired grants excluded, and the role's side reads about a
 * page of rows where the users' side would read ten times as many.
 */
class UsersRoleFilterTest {
  @RegisterExtension
  static final TestServer server = TestServer.node();
  static Accounts.Login admin;

  @BeforeAll
  static void start() {
    admin = Accounts.admin(server);
    // 3,000 users; pairs share a created_at so the id must break ties; every third inactive
    server.sql("""
        INSERT INTO users (email, username, password_hash, first_name, last_name, is_active, created_at)
        SELECT 'rf' || i || '@role.test', 'rf' || i, '!unusable', 'Role', 'R' || (i % 97), i % 3 <> 0,
               timestamptz '2026-01-01' - ((i / 2) || ' minutes')::interval
        FROM generate_series(1, 3000) i""");
    // one user in ten holds 'support' (granted in SQL: the trigger copies created_at)...
    server.sql("""
        INSERT INTO user_roles (user_id, role_id)
        SELECT u.id, r.id FROM users u, roles r
        WHERE r.name = 'support' AND u.email LIKE 'rf%@role.test'
          AND split_part(substring(u.email from 3), '@', 1)::int % 10 = 1""");
    // ...some of them only until yesterday
    server.sql("""
        UPDATE user_roles SET expires_at = now() - interval '1 day'
        WHERE user_id IN (SELECT id FROM users WHERE email LIKE 'rf%1@role.test'
                            AND split_part(substring(email from 3), '@', 1)::int % 70 = 11)""");
    server.sql("ANALYZE");
  }

  static JsonArray ids(String query) {
    Http.Res r = admin.http(server).get("/api/users" + query);
    assertEquals(200, r.status(), r::toString);
    JsonArray ids = new JsonArray();
    r.json().getJsonArray("results").forEach(u -> ids.add(((JsonObject) u).getString("id")));
    return ids;
  }

  static JsonArray sqlIds(String orderBy, int offset) {
    JsonArray ids = new JsonArray();
    server.sql("SELECT u.id FROM users u WHERE u.is_active AND EXISTS (SELECT 1 FROM user_roles ur"
        + " JOIN roles r ON r.id = ur.role_id WHERE ur.user_id = u.id AND r.name = 'support'"
        + " AND (ur.expires_at IS NULL OR ur.expires_at > now())) ORDER BY " + orderBy
        + " LIMIT 20 OFFSET " + offset).forEach(row -> ids.add(row.get("id").toString()));
    return ids;
  }

  @Test
  @DisplayName("pages in either created_at order and in another order match SQL's, expired grants excluded")
  void pagesMatchSql() {
    assertEquals(sqlIds("u.created_at DESC, u.id DESC", 0), ids("?page=1&is_active=true&role=support"));
    assertEquals(sqlIds("u.created_at DESC, u.id DESC", 20), ids("?page=2&is_active=true&role=support"));
    assertEquals(sqlIds("u.created_at ASC, u.id ASC", 20),
        ids("?page=2&is_active=true&role=support&ordering=created_at"));
    assertEquals(sqlIds("lower(u.last_name) ASC, u.id ASC", 20),
        ids("?page=2&is_active=true&role=support&ordering=last_name"));
    assertEquals(0, ids("?page=1&role=no-such-role").size());
    // dates bound the walk over the role's grants: the same users as SQL's bounds on created_at
    JsonArray dated = new JsonArray();
    server.sql("SELECT u.id FROM users u JOIN user_roles ur ON ur.user_id = u.id JOIN roles r ON r.id = ur.role_id"
        + " WHERE r.name = 'support' AND (ur.expires_at IS NULL OR ur.expires_at > now())"
        + " AND u.created_at >= timestamptz '2025-12-31T10:00:00Z' AND u.created_at < timestamptz '2025-12-31T20:00:00Z'"
        + " ORDER BY u.created_at DESC, u.id DESC LIMIT 20").forEach(row -> dated.add(row.get("id").toString()));
    assertTrue(dated.size() > 0);
    assertEquals(dated, ids("?page=1&role=support&created_after=2025-12-31T10:00:00Z"
        + "&created_before=2025-12-31T20:00:00Z"));
  }

  @Test
  @DisplayName("a grant made through the API carries its holder's created_at, and follows a change to it")
  void grantCarriesCreatedAt() {
    Accounts.Login holder = Accounts.registerAndLogin(server, "holder");
    Http.Res granted = admin.http(server).post("/api/users/" + holder.userId() + "/roles",
        new JsonObject().put("role", "analyst"));
    assertTrue(granted.status() == 200 || granted.status() == 201, granted::toString);
    String copied = "SELECT ur.user_created_at = u.created_at AS same FROM user_roles ur"
        + " JOIN users u ON u.id = ur.user_id JOIN roles r ON r.id = ur.role_id"
        + " WHERE r.name = 'analyst' AND u.id = ?::uuid";
    assertEquals(true, server.sql(copied, holder.userId()).get(0).get("same"));
    assertEquals(holder.userId(), ids("?page=1&role=analyst").getString(0), "the newest holder comes first");

    server.sql("UPDATE users SET created_at = timestamptz '2000-01-01' WHERE id = ?::uuid", holder.userId());
    assertEquals(true, server.sql(copied, holder.userId()).get(0).get("same"));
    JsonArray oldestFirst = ids("?page=1&role=analyst&ordering=created_at");
    assertEquals(holder.userId(), oldestFirst.getString(0), "now the oldest holder: first in ascending order");
  }

  @Test
  @DisplayName("in created_at order the role's grants are read in page order: about a page of rows, not ten")
  void readsFromTheRolesSide() {
    UserQuery q = new UserQuery(null, true, null, null, "support", null, null, null);
    UserQuery.Where where = q.where();
    List<Map<String, Object>> plan = server.sql("EXPLAIN (ANALYZE, FORMAT JSON) SELECT u.id"
        + where.sql().replaceAll("\\$\\d+", "?") + q.orderBy() + " LIMIT 21", where.params().toArray());
    JsonObject root = new JsonArray(plan.get(0).values().iterator().next().toString()).getJsonObject(0)
        .getJsonObject("Plan");
    List<JsonObject> scans = new ArrayList<>();
    collect(root, scans);
    assertTrue(scans.stream().anyMatch(s -> "user_roles_role_holders_idx".equals(s.getString("Index Name"))),
        root::encodePrettily);
    long rowsRead = scans.stream().mapToLong(s -> s.getLong("Actual Rows") * s.getLong("Actual Loops")).sum();
    assertTrue(rowsRead <= 80, "rows read " + rowsRead + ": " + root.encodePrettily());
  }

  private static void collect(JsonObject node, List<JsonObject> scans) {
    if (node.getString("Node Type").contains("Scan") && !node.getString("Relation Name", "").equals("roles")) {
      scans.add(node);
    }
    JsonArray children = node.getJsonArray("Plans", new JsonArray());
    children.forEach(c -> collect((JsonObject) c, scans));
  }
}
