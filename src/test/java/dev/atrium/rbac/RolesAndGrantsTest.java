package dev.atrium.rbac;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atrium.support.Accounts;
import dev.atrium.support.Http;
import dev.atrium.support.Poll;
import dev.atrium.support.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class RolesAndGrantsTest {
  @RegisterExtension
  static final TestServer server = TestServer.twoNodes();

  private static Accounts.Login admin() {
    return server.admin();
  }

  private static long newRole(String... permissions) {
    Http.Res r = admin().http(server).post("/api/roles", new JsonObject().put("name", "role-" + UUID.randomUUID().toString().substring(0, 8))
        .put("permissions", new JsonArray(List.of(permissions))));
    assertEquals(201, r.status(), r::toString);
    return r.json().getLong("id");
  }

  @Test
  @DisplayName("a grant that expires during the test stops working at its expiry, with no job having run")
  void expiringGrant() {
    Accounts.Login u = Accounts.registerAndLogin(server, "exp");
    long role = newRole("audit.view");
    OffsetDateTime expires = OffsetDateTime.now(ZoneOffset.UTC).plusSeconds(2);
    Http.Res g = admin().http(server).post("/api/users/" + u.userId() + "/roles",
        new JsonObject().put("role_id", role).put("expires_at", expires.toString()));
    assertEquals(201, g.status(), g::toString);
    assertEquals(admin().userId(), g.json().getString("assigned_by"));
    Poll.until(Duration.ofSeconds(2), "the grant works", () -> u.http(server).get("/api/audit-log").status() == 200);
    assertTrue(u.http(server).get("/api/auth/me").json().getJsonArray("permissions").contains("audit.view"));
    Poll.until(Duration.ofSeconds(5), "the grant stops working after its expiry",
        () -> u.http(server).get("/api/audit-log").status() == 403);
    assertTrue(OffsetDateTime.now().isAfter(expires), "not before the expiry");
    assertFalse(u.http(server).get("/api/auth/me").json().getJsonArray("permissions").contains("audit.view"));
    JsonObject listed = admin().http(server).get("/api/users/" + u.userId() + "/roles").json().getJsonArray("results").getJsonObject(0);
    assertFalse(listed.getBoolean("active"));
    // An expired grant may be granted again.
    assertEquals(201, admin().http(server).post("/api/users/" + u.userId() + "/roles", new JsonObject().put("role_id", role)).status());
  }

  @Test
  @DisplayName("a grant, a revoke and a deactivation on one node take effect on a second node, and are audited")
  void revokeOnSecondNode() {
    Accounts.Login u = Accounts.registerAndLogin(server, "rev");
    long role = newRole("users.view");
    Http.Res onSecond = server.second().http().bearer(u.access()).get("/api/users");
    assertEquals(403, onSecond.status());
    assertEquals(201, admin().http(server).post("/api/users/" + u.userId() + "/roles", new JsonObject().put("role_id", role)).status());
    Poll.until(Poll.ACROSS_NODES, "the grant is seen on the second node",
        () -> server.second().http().bearer(u.access()).get("/api/users").status() == 200);
    Http.Res verify = server.second().http().bearer(u.access()).post("/api/auth/verify-token", null);
    assertTrue(verify.json().getJsonArray("permissions").contains("users.view"), verify::toString);
    assertEquals(1, verify.json().getJsonArray("roles").size());

    assertEquals(204, admin().http(server).delete("/api/users/" + u.userId() + "/roles/" + role).status());
    Poll.until(Poll.ACROSS_NODES, "the revoke is seen on the second node",
        () -> server.second().http().bearer(u.access()).get("/api/users").status() == 403);
    assertEquals(404, admin().http(server).delete("/api/users/" + u.userId() + "/roles/" + role).status());

    List<Map<String, Object>> audit = server.sql("SELECT action, changes->>'role_id' AS role FROM audit_log"
        + " WHERE target_type = 'user' AND target_id = ? ORDER BY id", u.userId());
    assertEquals(List.of("role.grant", "role.revoke"), audit.stream().map(r -> r.get("action")).toList());
    assertEquals(Long.toString(role), audit.get(1).get("role"));

    assertEquals(200, admin().http(server).patch("/api/users/" + u.userId(), new JsonObject().put("is_active", false)).status());
    Poll.until(Poll.ACROSS_NODES, "deactivation voids the token on the second node",
        () -> server.second().http().bearer(u.access()).get("/api/auth/me").status() == 401);
  }

  @Test
  @DisplayName("changing a role's permissions reaches its holders on every node")
  void rolePermissionChange() {
    Accounts.Login u = Accounts.registerAndLogin(server, "rpc");
    long role = newRole("users.view");
    assertEquals(201, admin().http(server).post("/api/users/" + u.userId() + "/roles", new JsonObject().put("role_id", role)).status());
    Poll.until(Poll.ACROSS_NODES, "granted", () -> server.second().http().bearer(u.access()).get("/api/users").status() == 200);
    Http.Res patched = admin().http(server).patch("/api/roles/" + role, new JsonObject().put("permissions", new JsonArray().add("audit.view")));
    assertEquals(200, patched.status(), patched::toString);
    assertEquals(new JsonArray().add("audit.view"), patched.json().getJsonArray("permissions"));
    Poll.until(Poll.ACROSS_NODES, "role change seen on the second node",
        () -> server.second().http().bearer(u.access()).get("/api/users").status() == 403
            && server.second().http().bearer(u.access()).get("/api/audit-log").status() == 200);
    JsonObject change = new JsonObject((String) server.sql("SELECT changes::text AS c FROM audit_log WHERE action = 'role.update'"
        + " AND target_id = ?", Long.toString(role)).get(0).get("c"));
    assertEquals(new JsonArray().add("users.view"), change.getJsonObject("permissions").getJsonArray("before"));
    assertEquals(new JsonArray().add("audit.view"), change.getJsonObject("permissions").getJsonArray("after"));

    assertEquals(200, admin().http(server).patch("/api/roles/" + role, new JsonObject().put("is_active", false)).status());
    Poll.until(Poll.ACROSS_NODES, "an inactive role gives nothing",
        () -> server.second().http().bearer(u.access()).get("/api/audit-log").status() == 403);
  }

  @Test
  @DisplayName("bad grants are refused: unknown role, twice, expiry in the past, unknown user")
  void badGrants() {
    Accounts.Login u = Accounts.registerAndLogin(server, "bad");
    Http.Res unknown = admin().http(server).post("/api/users/" + u.userId() + "/roles", new JsonObject().put("role", "no-such-role"));
    assertEquals(400, unknown.status());
    assertEquals("unknown_role", unknown.code());
    assertEquals(201, admin().http(server).post("/api/users/" + u.userId() + "/roles", new JsonObject().put("role", "support")).status());
    Http.Res twice = admin().http(server).post("/api/users/" + u.userId() + "/roles", new JsonObject().put("role", "support"));
    assertEquals(409, twice.status());
    assertEquals("already_granted", twice.code());
    Http.Res past = admin().http(server).post("/api/users/" + u.userId() + "/roles", new JsonObject().put("role", "analyst")
        .put("expires_at", OffsetDateTime.now().minusMinutes(1).toString()));
    assertEquals(400, past.status());
    assertEquals("/expires_at", past.json().getJsonArray("errors").getJsonObject(0).getString("field"));
    Http.Res nobody = admin().http(server).post("/api/users/" + UUID.randomUUID() + "/roles", new JsonObject().put("role", "support"));
    assertEquals(404, nobody.status());
    Http.Res badTime = admin().http(server).post("/api/users/" + u.userId() + "/roles", new JsonObject().put("role", "analyst")
        .put("expires_at", "tomorrow"));
    assertEquals(400, badTime.status());
    assertEquals(1, server.sql("SELECT 1 FROM user_roles WHERE user_id = ?::uuid", u.userId()).size(), "nothing half-written");
  }

  @Test
  @DisplayName("built-in roles and permissions are seeded and cannot be deleted; custom ones can, and are audited")
  void rolesAndPermissions() {
    Http.Res roles = admin().http(server).get("/api/roles?page_size=100");
    List<String> names = roles.json().getJsonArray("results").stream().map(o -> ((JsonObject) o).getString("name")).toList();
    assertTrue(names.containsAll(List.of("admin", "support", "analyst")), names::toString);
    JsonObject adminRole = roles.json().getJsonArray("results").stream().map(o -> (JsonObject) o)
        .filter(r -> r.getString("name").equals("admin")).findFirst().orElseThrow();
    Http.Res protectedRole = admin().http(server).delete("/api/roles/" + adminRole.getLong("id"));
    assertEquals(409, protectedRole.status());
    assertEquals("builtin_protected", protectedRole.code());

    Http.Res perms = admin().http(server).get("/api/permissions?module=users");
    assertEquals(2, perms.json().getInteger("count"));
    long usersView = perms.json().getJsonArray("results").getJsonObject(0).getLong("id");
    assertEquals("builtin_protected", admin().http(server).delete("/api/permissions/" + usersView).code());

    Http.Res custom = admin().http(server).post("/api/permissions", new JsonObject().put("codename", "billing.refund")
        .put("name", "Refund").put("module", "billing"));
    assertEquals(201, custom.status(), custom::toString);
    long pid = custom.json().getLong("id");
    assertEquals(409, admin().http(server).post("/api/permissions", new JsonObject().put("codename", "billing.refund")
        .put("name", "Again").put("module", "billing")).status());
    assertTrue(admin().http(server).get("/api/roles/" + adminRole.getLong("id")).json().getJsonArray("permissions")
        .contains("billing.refund"), "admin holds every permission, new ones included");
    Http.Res badCode = admin().http(server).post("/api/permissions", new JsonObject().put("codename", "Bad Code")
        .put("name", "x").put("module", "billing"));
    assertEquals(400, badCode.status());

    Http.Res unknownPerm = admin().http(server).post("/api/roles", new JsonObject().put("name", "bogus")
        .put("permissions", new JsonArray().add("users.view").add("nope.nothing")));
    assertEquals(400, unknownPerm.status());
    assertEquals("unknown_permission", unknownPerm.code());
    assertEquals("/permissions/1", unknownPerm.json().getJsonArray("errors").getJsonObject(0).getString("field"));
    assertEquals(0, server.sql("SELECT 1 FROM roles WHERE name = 'bogus'").size());

    long role = newRole("billing.refund");
    assertEquals(200, admin().http(server).patch("/api/permissions/" + pid, new JsonObject().put("name", "Refund invoices")).status());
    assertEquals(204, admin().http(server).delete("/api/permissions/" + pid).status());
    assertEquals(new JsonArray(), admin().http(server).get("/api/roles/" + role).json().getJsonArray("permissions"));
    assertEquals(204, admin().http(server).delete("/api/roles/" + role).status());
    assertEquals(404, admin().http(server).get("/api/roles/" + role).status());
    List<String> actions = server.sql("SELECT action FROM audit_log WHERE target_type IN ('role', 'permission') AND"
        + " target_id IN (?, ?) ORDER BY id", Long.toString(pid), Long.toString(role)).stream().map(r -> (String) r.get("action")).toList();
    assertEquals(List.of("permission.create", "role.create", "permission.update", "permission.delete", "role.delete"), actions);
    Http.Res filtered = admin().http(server).get("/api/audit-log?target_type=permission&target_id=" + pid);
    assertEquals(3, filtered.json().getInteger("count"));
    assertEquals("permission.delete", filtered.json().getJsonArray("results").getJsonObject(0).getString("action"), "newest first");
    String from = OffsetDateTime.now(ZoneOffset.UTC).plusMinutes(1).toString();
    assertEquals(0, admin().http(server).get("/api/audit-log?from=" + from).json().getInteger("count"));
    assertTrue(admin().http(server).get("/api/audit-log?actor_id=" + admin().userId()).json().getInteger("count") >= 5);
  }
}
