package dev.atrium.access;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atrium.support.Accounts;
import dev.atrium.support.Http;
import dev.atrium.support.RedisScan;
import dev.atrium.support.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The attacks of issue 10 on delegation and revocation, tried over HTTP against a real node. */
class AccessAttacksTest {
  @RegisterExtension
  static final TestServer server = TestServer.node();
  static Accounts.Login admin;
  static Vertx vertx;

  @BeforeAll
  static void start() {
    admin = Accounts.admin(server);
    vertx = server.clientVertx();
  }

  static long role(String... permissions) {
    Http.Res r = admin.http(server).post("/api/roles", new JsonObject()
        .put("name", "r-" + UUID.randomUUID().toString().substring(0, 8)).put("permissions", new JsonArray(List.of(permissions))));
    assertEquals(201, r.status(), r::toString);
    return r.json().getLong("id");
  }

  static void grant(String userId, long roleId, String expiresAt) {
    JsonObject body = new JsonObject().put("role_id", roleId);
    if (expiresAt != null) {
      body.put("expires_at", expiresAt);
    }
    Http.Res r = admin.http(server).post("/api/users/" + userId + "/roles", body);
    assertEquals(201, r.status(), r::toString);
  }

  static Set<String> permissions(Accounts.Login who) {
    Http.Res me = who.http(server).get("/api/auth/me");
    assertEquals(200, me.status(), me::toString);
    Set<String> out = new TreeSet<>();
    me.json().getJsonArray("permissions").forEach(p -> out.add((String) p));
    return out;
  }

  static void refused(Http.Res r, String code) {
    assertEquals(403, r.status(), r::toString);
    assertEquals(code, r.code(), r::toString);
  }

  @Test
  @DisplayName("a user holding only rbac.manage (and only until tomorrow) ends with exactly rbac.manage whatever it tries, and every refusal is audited")
  void rbacManageCannotEscalate() {
    Accounts.Login u = Accounts.registerAndLogin(server, "rbacer");
    long rbacRole = role("rbac.manage");
    grant(u.userId(), rbacRole, java.time.OffsetDateTime.now().plusDays(1).toString());
    Http http = u.http(server);
    long adminRole = http.get("/api/roles?page_size=100").json().getJsonArray("results").stream()
        .map(o -> (JsonObject) o).filter(r -> "admin".equals(r.getString("name"))).findFirst().orElseThrow().getLong("id");

    refused(http.post("/api/users/" + u.userId() + "/roles", new JsonObject().put("role", "admin")), "cannot_modify_self");
    refused(http.post("/api/users/" + u.userId() + "/roles", new JsonObject().put("role_id", rbacRole)), "cannot_modify_self");
    refused(http.patch("/api/roles/" + rbacRole, new JsonObject().put("permissions",
        new JsonArray().add("rbac.manage").add("users.manage"))), "cannot_modify_self");
    refused(http.patch("/api/roles/" + adminRole, new JsonObject().put("is_active", false)), "superuser_required");
    refused(http.post("/api/roles", new JsonObject().put("name", "all-" + UUID.randomUUID())
        .put("permissions", new JsonArray().add("users.manage").add("files.manage_all"))), "cannot_grant_unheld_permission");

    // A role it may create (only what it holds) and a puppet it may give it to...
    Http.Res own = http.post("/api/roles", new JsonObject().put("name", "mine-" + UUID.randomUUID())
        .put("permissions", new JsonArray().add("rbac.manage")));
    assertEquals(201, own.status(), own::toString);
    Accounts.Login puppet = Accounts.registerAndLogin(server, "puppet");
    assertEquals(201, http.post("/api/users/" + puppet.userId() + "/roles",
        new JsonObject().put("role_id", own.json().getLong("id"))).status());
    // ...but the puppet cannot give it more than rbac.manage either, nor the admin role.
    refused(puppet.http(server).post("/api/users/" + u.userId() + "/roles", new JsonObject().put("role", "admin")),
        "superuser_required");
    refused(puppet.http(server).post("/api/users/" + u.userId() + "/roles", new JsonObject().put("role", "support")),
        "cannot_grant_unheld_permission");
    refused(http.post("/api/users/" + puppet.userId() + "/roles", new JsonObject().put("role", "analyst")),
        "cannot_grant_unheld_permission");
    // Nor strip an account stronger than itself.
    refused(http.delete("/api/users/" + admin.userId() + "/roles/" + adminRole), "superuser_required");

    assertEquals(Set.of("rbac.manage"), permissions(u));
    assertEquals(Set.of("rbac.manage"), permissions(puppet));
    List<Map<String, Object>> grants = server.sql("SELECT role_id, expires_at FROM user_roles WHERE user_id = ?::uuid",
        u.userId());
    assertEquals(1, grants.size(), "only the expiring grant it was given");
    assertTrue(grants.get(0).get("expires_at") != null, "still expiring");
    List<Map<String, Object>> audited = server.sql("SELECT changes->>'code' AS code FROM audit_log"
        + " WHERE action = 'access.refused' AND actor_id = ?::uuid", u.userId());
    assertEquals(7, audited.size(), audited::toString);
  }

  @Test
  @DisplayName("a users.manage holder cannot take over an admin-role holder (password, email, flags) nor change its own credentials there")
  void usersManageCannotTakeOver() {
    Accounts.Login manager = Accounts.registerAndLogin(server, "helpdesk");
    grant(manager.userId(), role("users.view", "users.manage"), null);
    Accounts.Login boss = Accounts.registerAndLogin(server, "boss");
    grant(boss.userId(), role("rbac.manage", "users.manage", "users.view"), null);
    Accounts.Login weak = Accounts.registerAndLogin(server, "weak");
    Http http = manager.http(server);

    refused(http.patch("/api/users/" + boss.userId(), new JsonObject().put("password", "a brand new passphrase 9")),
        "cannot_modify_stronger_account");
    refused(http.patch("/api/users/" + boss.userId(), new JsonObject().put("email", "mine-" + UUID.randomUUID() + "@x.test")),
        "cannot_modify_stronger_account");
    refused(http.patch("/api/users/" + boss.userId(), new JsonObject().put("is_active", false)),
        "cannot_modify_stronger_account");
    refused(http.delete("/api/users/" + boss.userId()), "cannot_modify_stronger_account");
    refused(http.patch("/api/users/" + admin.userId(), new JsonObject().put("password_hash",
        "pbkdf2_sha256$1000$salt$" + "A".repeat(44))), "cannot_modify_stronger_account");
    refused(http.patch("/api/users/" + manager.userId(), new JsonObject().put("password", "a brand new passphrase 9")),
        "cannot_modify_self");
    refused(http.patch("/api/users/" + manager.userId(), new JsonObject().put("is_staff", true)), "superuser_required");
    refused(http.post("/api/users", new JsonObject().put("email", "st-" + UUID.randomUUID() + "@x.test")
        .put("is_staff", true)), "superuser_required");

    Http.Res asBoss = server.http().post("/api/auth/login", new JsonObject().put("email", boss.email())
        .put("password", "a brand new passphrase 9"));
    assertEquals(401, asBoss.status(), "the boss's password is unchanged");
    assertEquals(200, boss.http(server).get("/api/auth/me").status(), "and its session lives");
    // A weaker account stays in reach, as the route promises.
    assertEquals(200, http.patch("/api/users/" + weak.userId(), new JsonObject().put("password", "another new passphrase 7"))
        .status());
    assertEquals(1, server.sql("SELECT 1 FROM audit_log WHERE action = 'access.refused' AND actor_id = ?::uuid"
        + " AND target_id = ? AND changes->>'code' = 'cannot_modify_stronger_account'"
        + " AND changes->>'attempted' = 'user.delete'", manager.userId(), boss.userId()).size());
  }

  @Test
  @DisplayName("voided tokens stay refused after every Redis key under the prefix is deleted: logout-all, session logout, refresh reuse, password change")
  void revocationSurvivesRedisLoss() throws Exception {
    Accounts.Login all = Accounts.registerAndLogin(server, "voidall");
    Accounts.Login one = Accounts.registerAndLogin(server, "voidone");
    Accounts.Login reused = Accounts.registerAndLogin(server, "reuse");
    Accounts.Login changed = Accounts.registerAndLogin(server, "pwchange");
    Accounts.Login stays = Accounts.registerAndLogin(server, "stays");

    assertEquals(204, all.http(server).post("/api/auth/logout-all", null).status());
    assertEquals(204, one.http(server).post("/api/auth/logout", new JsonObject().put("refresh", one.refresh())).status());
    String successor = server.http().post("/api/auth/token/refresh", new JsonObject().put("refresh", reused.refresh()))
        .json().getString("refresh");
    assertEquals(200, server.http().post("/api/auth/token/refresh", new JsonObject().put("refresh", successor)).status());
    Http.Res reuse = server.http().post("/api/auth/token/refresh", new JsonObject().put("refresh", reused.refresh()));
    assertEquals("token_reused", reuse.code());
    assertEquals(204, changed.http(server).post("/api/auth/password", new JsonObject()
        .put("current_password", Accounts.PASSWORD).put("new_password", "an entirely new passphrase 5")).status());

    assertEquals(true, deleteRedisKeys() >= 0);
    for (Accounts.Login l : List.of(all, one, reused, changed)) {
      Http.Res me = l.http(server).get("/api/auth/me");
      assertEquals(401, me.status(), l.email() + " " + me);
      assertEquals("token_revoked", me.code());
    }
    assertEquals(200, stays.http(server).get("/api/auth/me").status(), "untouched tokens still work");
    assertEquals(1, server.sql("SELECT 1 FROM users WHERE id = ?::uuid AND tokens_valid_after IS NOT NULL",
        all.userId()).size(), "the mark is a PostgreSQL row");
    assertEquals(1, server.sql("SELECT 1 FROM audit_log WHERE action = 'auth.logout_all' AND actor_id = ?::uuid",
        all.userId()).size());
    assertEquals(1, server.sql("SELECT 1 FROM audit_log WHERE action = 'auth.password_change' AND actor_id = ?::uuid",
        changed.userId()).size());
  }

  @Test
  @DisplayName("a key scoped to users.view gets 403 on files?all=true even when its owner is a superuser; a superuser's key is no superuser")
  void keyScopesBindInCodeChecks() {
    Http.Res created = admin.http(server).post("/api/auth/api-keys", new JsonObject().put("name", "viewer")
        .put("permissions", new JsonArray().add("users.view")));
    assertEquals(201, created.status(), created::toString);
    String key = created.json().getString("key");
    assertEquals(200, server.http().with("X-API-Key", key).get("/api/users").status());
    Http.Res files = server.http().with("X-API-Key", key).get("/api/files?all=true");
    assertEquals(403, files.status(), files::toString);
    assertEquals("permission_denied", files.code());
    assertEquals(200, admin.http(server).get("/api/files?all=true").status(), "the owner itself may");
    Http.Res promote = server.http().with("X-API-Key", key).post("/api/users", new JsonObject()
        .put("email", "su-" + UUID.randomUUID() + "@x.test").put("is_superuser", true));
    assertEquals(403, promote.status(), promote::toString);
    Http.Res patchMe = server.http().with("X-API-Key", key).patch("/api/auth/me", new JsonObject().put("first_name", "K"));
    assertEquals(403, patchMe.status());
    assertEquals("session_required", patchMe.code());
  }

  @Test
  @DisplayName("a credential header given twice is 400 ambiguous_credentials whichever copy is valid")
  void repeatedCredentialHeaderRefused() {
    Accounts.Login user = Accounts.registerAndLogin(server, "twoheaders");
    Http.Res created = admin.http(server).post("/api/auth/api-keys", new JsonObject().put("name", "twice")
        .put("permissions", new JsonArray().add("users.view")));
    assertEquals(201, created.status(), created::toString);
    String key = created.json().getString("key");
    List<Http> doubled = List.of(
        server.http().bearer(admin.access()).bearer(user.access()),
        server.http().bearer(user.access()).bearer(admin.access()),
        server.http().with("Authorization", "Bearer forged").bearer(admin.access()),
        server.http().with("X-API-Key", key).with("X-API-Key", "forged"),
        server.http().with("X-API-Key", "forged").with("X-API-Key", key));
    for (Http client : doubled) {
      for (String path : List.of("/api/users", "/api/auth/me")) {
        Http.Res r = client.get(path);
        assertEquals(400, r.status(), path + " " + r);
        assertEquals("ambiguous_credentials", r.code(), r::toString);
      }
    }
    // one copy of each header is not a repeat: the bearer token decides, as before
    Http.Res both = server.http().bearer(user.access()).with("X-API-Key", key).get("/api/auth/me");
    assertEquals(200, both.status(), both::toString);
    assertEquals(200, server.http().bearer(admin.access()).get("/api/users").status());
  }

  @Test
  @DisplayName("API keys die with their owner's logout-all and password change, live at most the maximum, and need a recent sign-in or the password")
  void keyLifetime() {
    Accounts.Login owner = Accounts.registerAndLogin(server, "keyowner");
    String key = newKey(owner, null);
    assertEquals(200, server.http().with("X-API-Key", key).get("/api/auth/me").status());
    assertEquals(204, owner.http(server).post("/api/auth/logout-all", null).status());
    assertEquals(401, server.http().with("X-API-Key", key).get("/api/auth/me").status());
    Http.Res dead = server.http().bearer(key).get("/api/auth/me");
    assertEquals(401, dead.status(), dead::toString);
    assertEquals("token_revoked", dead.code());

    Accounts.Login again = Accounts.login(server, owner.email(), Accounts.PASSWORD);
    assertEquals(0, again.http(server).get("/api/auth/api-keys").json().getInteger("count"), "voided keys are not listed");
    String second = newKey(again, null);
    assertEquals(200, server.http().with("X-API-Key", second).get("/api/auth/me").status());
    assertEquals(204, again.http(server).post("/api/auth/password", new JsonObject()
        .put("current_password", Accounts.PASSWORD).put("new_password", "the owner's new passphrase 3")).status());
    assertEquals(401, server.http().with("X-API-Key", second).get("/api/auth/me").status());

    Accounts.Login third = Accounts.login(server, owner.email(), "the owner's new passphrase 3");
    Http.Res tooLong = third.http(server).post("/api/auth/api-keys", new JsonObject().put("name", "forever")
        .put("permissions", new JsonArray()).put("expires_at", java.time.OffsetDateTime.now().plusDays(365).toString()));
    assertEquals(400, tooLong.status());
    assertEquals("api_key_lifetime_too_long", tooLong.code());
    Http.Res defaulted = third.http(server).post("/api/auth/api-keys", new JsonObject().put("name", "default")
        .put("permissions", new JsonArray()));
    java.time.OffsetDateTime expires = java.time.OffsetDateTime.parse(defaulted.json().getString("expires_at"));
    assertTrue(expires.isAfter(java.time.OffsetDateTime.now().plusDays(89))
        && expires.isBefore(java.time.OffsetDateTime.now().plusDays(91)), expires::toString);

    // An old sign-in (a stolen access token, say) cannot mint a key without the password.
    server.sql("UPDATE sessions SET created_at = now() - interval '10 minutes' WHERE user_id = ?::uuid", owner.userId());
    Http.Res stale = third.http(server).post("/api/auth/api-keys", new JsonObject().put("name", "stale")
        .put("permissions", new JsonArray()));
    assertEquals(403, stale.status(), stale::toString);
    assertEquals("reauthentication_required", stale.code());
    Http.Res wrong = third.http(server).post("/api/auth/api-keys", new JsonObject().put("name", "wrong")
        .put("permissions", new JsonArray()).put("password", "not the password"));
    assertEquals(400, wrong.status());
    assertEquals("invalid_password", wrong.code());
    assertEquals(201, third.http(server).post("/api/auth/api-keys", new JsonObject().put("name", "ok")
        .put("permissions", new JsonArray()).put("password", "the owner's new passphrase 3")).status());
  }

  @Test
  @DisplayName("a session ends at its absolute lifetime even if refreshed daily")
  void sessionAbsoluteLifetime() {
    Accounts.Login u = Accounts.registerAndLogin(server, "longlived");
    Http.Res first = server.http().post("/api/auth/token/refresh", new JsonObject().put("refresh", u.refresh()));
    assertEquals(200, first.status());
    Map<String, Object> s = server.sql("SELECT created_at + interval '30 days' >= expires_at AS capped FROM sessions"
        + " WHERE user_id = ?::uuid", u.userId()).get(0);
    assertEquals(true, s.get("capped"));
    server.sql("UPDATE sessions SET created_at = now() - interval '30 days 1 minute' WHERE user_id = ?::uuid", u.userId());
    Http.Res late = server.http().post("/api/auth/token/refresh", new JsonObject().put("refresh",
        first.json().getString("refresh")));
    assertEquals(401, late.status(), late::toString);
    assertEquals("token_invalid", late.code());
  }

  static String newKey(Accounts.Login owner, String permission) {
    JsonArray scopes = permission == null ? new JsonArray() : new JsonArray().add(permission);
    Http.Res r = owner.http(server).post("/api/auth/api-keys", new JsonObject().put("name", "k").put("permissions", scopes));
    assertEquals(201, r.status(), r::toString);
    return r.json().getString("key");
  }

  /** Deletes every key of this test class's prefix in the shared Redis (never the others'). */
  static int deleteRedisKeys() throws Exception {
    return RedisScan.unlink(vertx, server.env().get("ATRIUM_REDIS_PREFIX") + "*");
  }
}
