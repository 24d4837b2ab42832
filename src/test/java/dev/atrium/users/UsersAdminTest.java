package dev.atrium.users;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atrium.support.Accounts;
import dev.atrium.support.Http;
import dev.atrium.support.Poll;
import dev.atrium.support.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class UsersAdminTest {
  @RegisterExtension
  static final TestServer server = TestServer.node();
  static Accounts.Login admin;
  static String tag;

  @BeforeAll
  static void start() {
    admin = Accounts.admin(server);
    tag = "q" + UUID.randomUUID().toString().substring(0, 6);
    // A known population for the list tests: created_at spaced one minute apart, oldest first.
    server.sql("""
        INSERT INTO users (email, username, password_hash, first_name, last_name, is_active, is_verified, is_staff, created_at)
        SELECT '%1$s-' || i || '@list.test', '%1$s_u' || i, '!x', 'First' || i,
               CASE WHEN i %% 5 = 0 THEN 'Zebra' ELSE 'Lovelace' END,
               i %% 2 = 0, i %% 3 = 0, i = 7, now() - interval '1 day' + i * interval '1 minute'
          FROM generate_series(1, 30) i
        """.formatted(tag));
  }

  private static JsonObject list(String query) {
    Http.Res r = admin.http(server).get("/api/users?search=" + tag + (query.isEmpty() ? "" : "&" + query));
    assertEquals(200, r.status(), r::toString);
    return r.json();
  }

  private static List<String> emails(JsonObject page) {
    List<String> out = new ArrayList<>();
    page.getJsonArray("results").forEach(o -> out.add(((JsonObject) o).getString("email")));
    return out;
  }

  @Test
  @DisplayName("the list is paged like DRF: count, next and previous links, newest first, 20 by default")
  void paging() {
    JsonObject first = list("");
    assertEquals(30, first.getInteger("count"));
    assertEquals(20, first.getJsonArray("results").size());
    assertEquals(tag + "-30@list.test", emails(first).get(0));
    assertNull(first.getValue("previous"));
    String next = first.getString("next");
    assertTrue(next.contains("page=2") && next.contains("search=" + tag), next);
    JsonObject second = list("page=2");
    assertEquals(10, second.getJsonArray("results").size());
    assertNull(second.getValue("next"));
    assertTrue(second.getString("previous").contains("page=1"));
    assertFalse(second.getJsonArray("results").getJsonObject(0).containsKey("password_hash"));

    JsonObject past = list("page=9");
    assertEquals(30, past.getInteger("count"));
    assertEquals(0, past.getJsonArray("results").size());
    Http.Res tooBig = admin.http(server).get("/api/users?page_size=101");
    assertEquals(400, tooBig.status());
    assertEquals("validation_failed", tooBig.code());
    assertEquals("page_size", tooBig.json().getJsonArray("errors").getJsonObject(0).getString("field"));
  }

  @Test
  @DisplayName("search matches part of email, username, first or last name regardless of case")
  void search() {
    Http.Res byLast = admin.http(server).get("/api/users?search=ZEBR&page_size=100");
    assertEquals(6, byLast.json().getInteger("count"));
    Http.Res byUsername = admin.http(server).get("/api/users?search=" + tag + "_U1");
    // _u1, _u10.._u19
    assertEquals(11, byUsername.json().getInteger("count"));
    Http.Res byFirst = admin.http(server).get("/api/users?search=first27");
    assertEquals(List.of(tag + "-27@list.test"), emails(byFirst.json()));
    Http.Res wildcard = admin.http(server).get("/api/users?search=" + tag + "-1_");
    assertEquals(0, wildcard.json().getInteger("count"), () -> "a _ in the term is literal, not a LIKE wildcard: " + wildcard);
  }

  @Test
  @DisplayName("search terms are URL-decoded once: %25 is a percent sign and %2B a plus")
  void searchDecodedOnce() {
    String odd = "o" + UUID.randomUUID().toString().substring(0, 6);
    server.sql("INSERT INTO users (email, username, password_hash, last_name) VALUES (?, ?, '!x', '50% off')",
        odd + "+tag@odd.test", odd + "_odd");
    Http.Res plus = admin.http(server).get("/api/users?search=" + odd + "%2Btag");
    assertEquals(200, plus.status(), plus::toString);
    assertEquals(List.of(odd + "+tag@odd.test"), emails(plus.json()));
    Http.Res percent = admin.http(server).get("/api/users?search=50%25%20off&page_size=100");
    assertEquals(200, percent.status(), percent::toString);
    assertTrue(emails(percent.json()).contains(odd + "+tag@odd.test"), percent::toString);
  }

  @Test
  @DisplayName("filters is_active, is_verified, is_staff, created_after/before and role each narrow the list")
  void filters() {
    assertEquals(15, list("is_active=true").getInteger("count"));
    assertEquals(15, list("is_active=false").getInteger("count"));
    assertEquals(10, list("is_verified=true").getInteger("count"));
    assertEquals(List.of(tag + "-7@list.test"), emails(list("is_staff=true")));
    assertEquals(5, list("is_active=true&is_verified=true").getInteger("count"));

    String created10 = (String) server.sql("SELECT to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') AS t"
        + " FROM users WHERE email = ?", tag + "-10@list.test").get(0).get("t");
    assertEquals(21, list("created_after=" + created10).getInteger("count"));
    assertEquals(9, list("created_before=" + created10).getInteger("count"));
    Http.Res bad = admin.http(server).get("/api/users?created_after=yesterday");
    assertEquals(400, bad.status());
    assertEquals("created_after", bad.json().getJsonArray("errors").getJsonObject(0).getString("field"));

    long role = AdminOps.role(server, admin, "users.view");
    String roleName = admin.http(server).get("/api/roles/" + role).json().getString("name");
    String u3 = (String) server.sql("SELECT id::text AS id FROM users WHERE email = ?", tag + "-3@list.test").get(0).get("id");
    AdminOps.grant(server, admin, u3, role, null);
    assertEquals(List.of(tag + "-3@list.test"), emails(list("role=" + roleName)));
    assertEquals(0, list("role=no-such-role").getInteger("count"));
  }

  @Test
  @DisplayName("ordering sorts by any listed field, ascending or descending, and rejects unknown fields")
  void ordering() {
    List<String> asc = emails(list("ordering=created_at&page_size=3"));
    assertEquals(List.of(tag + "-1@list.test", tag + "-2@list.test", tag + "-3@list.test"), asc);
    List<String> byLast = emails(list("ordering=-last_name,created_at&page_size=2"));
    assertEquals(List.of(tag + "-5@list.test", tag + "-10@list.test"), byLast);
    List<String> byEmail = emails(list("ordering=-email&page_size=3"));
    List<String> expected = server.sql("SELECT email FROM users WHERE email LIKE ? ORDER BY lower(email) DESC LIMIT 3",
        tag + "-%").stream().map(r -> (String) r.get("email")).toList();
    assertEquals(expected, byEmail);
    Http.Res bad = admin.http(server).get("/api/users?ordering=password_hash");
    assertEquals(400, bad.status());
    assertEquals("ordering", bad.json().getJsonArray("errors").getJsonObject(0).getString("field"));
  }

  private static final List<String> DELEGATION_CODES = List.of("cannot_grant_unheld_permission",
      "cannot_modify_stronger_account", "cannot_modify_self", "superuser_required");

  @Test
  @DisplayName("every users route answers 403 permission_denied without its permission, works with it, and for a superuser")
  void permissionEnforcement() {
    Accounts.Login nobody = Accounts.registerAndLogin(server, "nobody");
    Accounts.Login viewer = AdminOps.userWith(server, admin, "viewer", "users.view");
    Accounts.Login manager = AdminOps.userWith(server, admin, "manager", "users.view", "users.manage");
    String target = Accounts.registerAndLogin(server, "target").userId();
    record Call(String method, String path, Object body, String permission) {
    }
    List<Call> calls = List.of(
        new Call("GET", "/api/users", null, "users.view"),
        new Call("GET", "/api/users/" + target, null, "users.view"),
        new Call("PATCH", "/api/users/" + target, new JsonObject().put("first_name", "X"), "users.manage"),
        new Call("POST", "/api/users", new JsonObject().put("email", "p-" + UUID.randomUUID() + "@x.test"), "users.manage"),
        new Call("GET", "/api/users/export", null, "users.manage"),
        new Call("POST", "/api/users/import", new JsonArray(), "users.manage"),
        new Call("DELETE", "/api/users/" + UUID.randomUUID(), null, "users.manage"),
        new Call("GET", "/api/users/" + target + "/roles", null, "rbac.manage"),
        new Call("POST", "/api/users/" + target + "/roles", new JsonObject().put("role", "support"), "rbac.manage"),
        new Call("DELETE", "/api/users/" + target + "/roles/1", null, "rbac.manage"),
        new Call("GET", "/api/roles", null, "rbac.manage"),
        new Call("POST", "/api/roles", new JsonObject().put("name", "x"), "rbac.manage"),
        new Call("GET", "/api/roles/1", null, "rbac.manage"),
        new Call("PATCH", "/api/roles/1", new JsonObject().put("description", "x"), "rbac.manage"),
        new Call("DELETE", "/api/roles/1", null, "rbac.manage"),
        new Call("GET", "/api/permissions", null, "rbac.manage"),
        new Call("POST", "/api/permissions", new JsonObject().put("codename", "a.b").put("name", "n").put("module", "a"), "rbac.manage"),
        new Call("GET", "/api/permissions/1", null, "rbac.manage"),
        new Call("PATCH", "/api/permissions/1", new JsonObject().put("name", "x"), "rbac.manage"),
        new Call("DELETE", "/api/permissions/1", null, "rbac.manage"),
        new Call("GET", "/api/audit-log", null, "audit.view"));
    for (Call c : calls) {
      Http.Res r = nobody.http(server).send(c.method(), c.path(), c.body() == null ? null : c.body().toString(),
          c.body() == null ? null : "application/json");
      assertEquals(403, r.status(), c + " " + r);
      assertEquals("permission_denied", r.code());
      assertTrue(r.json().getString("detail").contains(c.permission()), r.body());
      Http.Res anonymous = server.http().send(c.method(), c.path(), (String) null, null);
      assertEquals(401, anonymous.status(), c + " " + anonymous);
    }
    // With exactly that permission, and as the superuser, every call passes the check.
    Map<String, Accounts.Login> holders = Map.of(
        "users.view", viewer,
        "users.manage", AdminOps.userWith(server, admin, "onlymanage", "users.manage"),
        "rbac.manage", AdminOps.userWith(server, admin, "rbac", "rbac.manage"),
        "audit.view", AdminOps.userWith(server, admin, "auditor", "audit.view"));
    for (Call c : calls) {
      for (Accounts.Login who : List.of(holders.get(c.permission()), admin)) {
        Http.Res r = who.http(server).send(c.method(), c.path(), c.body() == null ? null : c.body().toString(),
            c.body() == null ? null : "application/json");
        // Past the permission check; the delegation rules may still refuse (403 with their own code).
        assertTrue(r.status() != 401 && r.status() < 500, c + " as " + who.email() + ": " + r);
        assertTrue(r.status() != 403 || DELEGATION_CODES.contains(r.code()), c + " as " + who.email() + ": " + r);
      }
    }
    assertEquals(200, viewer.http(server).get("/api/users").status());
    assertEquals(200, viewer.http(server).get("/api/users/" + target).status());
    assertEquals(403, viewer.http(server).patch("/api/users/" + target, new JsonObject().put("first_name", "X")).status());
    assertEquals(200, manager.http(server).patch("/api/users/" + target, new JsonObject().put("first_name", "Y")).status());
    assertEquals(403, manager.http(server).get("/api/audit-log").status());
    assertEquals(200, admin.http(server).get("/api/audit-log").status());
    assertEquals(200, admin.http(server).get("/api/roles").status());
  }

  @Test
  @DisplayName("an admin creates, reads, updates and deletes a user; each change is audited with before/after in its transaction")
  void crudWithAudit() {
    String email = "crud-" + UUID.randomUUID().toString().substring(0, 8) + "@x.test";
    Http.Res created = admin.http(server).post("/api/users", new JsonObject().put("email", email).put("username", "crud" + email.hashCode())
        .put("password", "a long enough passphrase 42").put("first_name", "Ada").put("is_staff", true));
    assertEquals(201, created.status(), created::toString);
    String id = created.json().getString("id");
    assertTrue(created.json().getBoolean("is_staff"));
    assertFalse(created.json().containsKey("password_hash"));
    String stored = (String) server.sql("SELECT password_hash FROM users WHERE id = ?::uuid", id).get(0).get("password_hash");
    assertTrue(stored.startsWith("$argon2id$"), stored);

    Http.Res got = admin.http(server).get("/api/users/" + id);
    assertEquals(200, got.status());
    assertEquals("Ada", got.json().getString("first_name"));
    assertNotNull(got.json().getJsonObject("profile"));

    Http.Res patched = admin.http(server).patch("/api/users/" + id, new JsonObject().put("first_name", "Grace").put("department", "R&D"));
    assertEquals(200, patched.status(), patched::toString);
    assertEquals("Grace", patched.json().getString("first_name"));

    List<Map<String, Object>> audit = server.sql("SELECT action, actor_id::text AS actor, changes::text AS changes, ip"
        + " FROM audit_log WHERE target_id = ? ORDER BY id", id);
    assertEquals("user.create", audit.get(0).get("action"));
    assertEquals(admin.userId(), audit.get(0).get("actor"));
    assertEquals("127.0.0.1", audit.get(0).get("ip"));
    JsonObject change = new JsonObject((String) audit.get(1).get("changes"));
    assertEquals("user.update", audit.get(1).get("action"));
    assertEquals(new JsonObject().put("before", "Ada").put("after", "Grace"), change.getJsonObject("first_name"));
    assertEquals(new JsonObject().put("before", null).put("after", "R&D"), change.getJsonObject("department"));
    assertFalse(change.containsKey("email"), "unchanged fields are not listed");

    Http.Res api = admin.http(server).get("/api/audit-log?target_id=" + id + "&action=user.update");
    assertEquals(1, api.json().getInteger("count"));
    assertEquals("Grace", api.json().getJsonArray("results").getJsonObject(0).getJsonObject("changes")
        .getJsonObject("first_name").getString("after"));

    Http.Res dup = admin.http(server).post("/api/users", new JsonObject().put("email", email.toUpperCase()));
    assertEquals(409, dup.status());
    assertEquals("email_taken", dup.code());
    Http.Res both = admin.http(server).post("/api/users", new JsonObject().put("email", "b" + email)
        .put("password", "a long enough passphrase 42").put("password_hash", "pbkdf2_sha256$1$a$b"));
    assertEquals(400, both.status());

    assertEquals(204, admin.http(server).delete("/api/users/" + id).status());
    assertEquals(404, admin.http(server).get("/api/users/" + id).status());
    assertEquals(404, admin.http(server).delete("/api/users/" + id).status());
    List<Map<String, Object>> deleted = server.sql("SELECT changes->>'email' AS email FROM audit_log"
        + " WHERE action = 'user.delete' AND target_id = ?", id);
    assertEquals(email, deleted.get(0).get("email"), "the audit log keeps the deleted record");
  }

  @Test
  @DisplayName("deactivation and deletion void the user's tokens and sessions at once; deleting yourself or the last superuser is refused")
  void deactivateAndDelete() {
    Accounts.Login u = Accounts.registerAndLogin(server, "deact");
    assertEquals(200, u.http(server).get("/api/auth/me").status());
    Http.Res off = admin.http(server).patch("/api/users/" + u.userId(), new JsonObject().put("is_active", false));
    assertEquals(200, off.status(), off::toString);
    assertFalse(off.json().getBoolean("is_active"));
    Http.Res after = u.http(server).get("/api/auth/me");
    assertEquals(401, after.status());
    assertEquals("token_revoked", after.code(), "the bearer error survives the either-scheme chain");
    assertEquals(401, server.http().post("/api/auth/token/refresh", new JsonObject().put("refresh", u.refresh())).status());
    assertEquals(1, server.sql("SELECT 1 FROM audit_log WHERE action = 'user.deactivate' AND target_id = ?", u.userId()).size());

    Accounts.Login v = Accounts.registerAndLogin(server, "del");
    long role = AdminOps.role(server, admin, "users.view");
    AdminOps.grant(server, admin, v.userId(), role, null);
    assertEquals(204, admin.http(server).delete("/api/users/" + v.userId()).status());
    assertEquals(401, v.http(server).get("/api/auth/me").status());
    assertEquals(0, server.sql("SELECT 1 FROM sessions WHERE user_id = ?::uuid", v.userId()).size());
    assertEquals(0, server.sql("SELECT 1 FROM user_roles WHERE user_id = ?::uuid", v.userId()).size());

    Http.Res self = admin.http(server).delete("/api/users/" + admin.userId());
    assertEquals(409, self.status());
    assertEquals("cannot_delete_self", self.code());
    Http.Res selfOff = admin.http(server).patch("/api/users/" + admin.userId(), new JsonObject().put("is_active", false));
    assertEquals(409, selfOff.status());

    // A second superuser may not remove the first one while it is the last other superuser... but may while two exist.
    Accounts.Login other = Accounts.registerAndLogin(server, "super2");
    assertEquals(200, admin.http(server).patch("/api/users/" + other.userId(), new JsonObject().put("is_superuser", true)).status());
    Accounts.Login other2 = Accounts.login(server, other.email(), Accounts.PASSWORD);
    assertEquals(200, other2.http(server).patch("/api/users/" + admin.userId(), new JsonObject().put("is_superuser", false)).status());
    Http.Res last = other2.http(server).patch("/api/users/" + other.userId(), new JsonObject().put("is_superuser", false));
    assertEquals(409, last.status(), last::toString);
    Http.Res lastDelete = admin.http(server).delete("/api/users/" + other.userId());
    assertEquals(403, lastDelete.status(), "the demoted admin is no longer a superuser");
    assertEquals(200, other2.http(server).patch("/api/users/" + admin.userId(), new JsonObject().put("is_superuser", true)).status());
    Poll.until(Duration.ofSeconds(2), "admin is superuser again",
        () -> admin.http(server).get("/api/users").status() == 200);
  }

  @Test
  @DisplayName("a users.manage holder who is not a superuser cannot create, promote or change superusers")
  void superuserProtection() {
    Accounts.Login manager = AdminOps.userWith(server, admin, "mgr", "users.view", "users.manage");
    Http.Res create = manager.http(server).post("/api/users", new JsonObject().put("email", "su-" + UUID.randomUUID() + "@x.test")
        .put("is_superuser", true));
    assertEquals(403, create.status());
    Http.Res promote = manager.http(server).patch("/api/users/" + manager.userId(), new JsonObject().put("is_superuser", true));
    assertEquals(403, promote.status());
    Http.Res touchAdmin = manager.http(server).patch("/api/users/" + admin.userId(), new JsonObject().put("password", "new passphrase for admin"));
    assertEquals(403, touchAdmin.status());
    assertEquals(404, admin.http(server).get("/api/users/" + UUID.randomUUID()).status());
    assertEquals(400, admin.http(server).get("/api/users/not-a-uuid").status());
  }
}
