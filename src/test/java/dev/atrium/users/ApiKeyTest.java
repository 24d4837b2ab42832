package dev.atrium.users;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atrium.support.Accounts;
import dev.atrium.support.Http;
import dev.atrium.support.Poll;
import dev.atrium.support.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ApiKeyTest {
  @RegisterExtension
  static final TestServer server = TestServer.twoNodes();

  private static Accounts.Login admin() {
    return server.admin();
  }

  private static JsonObject createKey(Accounts.Login owner, String... permissions) {
    Http.Res r = owner.http(server).post("/api/auth/api-keys", new JsonObject().put("name", "script")
        .put("permissions", new JsonArray(List.of(permissions))));
    assertEquals(201, r.status(), r::toString);
    return r.json();
  }

  @Test
  @DisplayName("a key is shown once, stored only as a hash, and works as X-API-Key and as a bearer token")
  void createAndUse() throws Exception {
    Accounts.Login owner = AdminOps.userWith(server, admin(), "keyowner", "users.view");
    JsonObject created = createKey(owner, "users.view");
    String key = created.getString("key");
    assertTrue(key.startsWith("atr_"), key);
    Map<String, Object> row = server.sql("SELECT key_hash, permissions::text AS p FROM api_keys WHERE id = ?::uuid",
        created.getString("id")).get(0);
    byte[] digest = java.security.MessageDigest.getInstance("SHA-256").digest(key.getBytes());
    assertEquals(HexFormat.of().formatHex(digest), HexFormat.of().formatHex((byte[]) row.get("key_hash")));
    assertEquals("{users.view}", row.get("p"));

    assertEquals(200, server.http().with("X-API-Key", key).get("/api/users").status());
    assertEquals(200, server.http().bearer(key).get("/api/users").status());
    Http.Res me = server.http().with("X-API-Key", key).get("/api/auth/me");
    assertEquals(owner.userId(), me.json().getString("id"));
    assertEquals(401, server.http().with("X-API-Key", "atr_not-a-key").get("/api/users").status());
    assertEquals(401, server.http().bearer("atr_not-a-key").get("/api/users").status());

    Http.Res listed = owner.http(server).get("/api/auth/api-keys");
    JsonObject item = listed.json().getJsonArray("results").getJsonObject(0);
    assertFalse(item.containsKey("key"));
    Poll.until(Duration.ofSeconds(2), "last_used_at is recorded",
        () -> owner.http(server).get("/api/auth/api-keys").json().getJsonArray("results").getJsonObject(0).getValue("last_used_at") != null);

    Http.Res keyMakesKey = server.http().with("X-API-Key", key).post("/api/auth/api-keys",
        new JsonObject().put("name", "x").put("permissions", new JsonArray()));
    assertEquals(403, keyMakesKey.status(), "a key cannot mint keys");
    assertEquals("session_required", keyMakesKey.code());
    // nor act on the owner's sign-in: sessions, password, logout-all
    for (Http.Res r : java.util.List.of(
        server.http().with("X-API-Key", key).get("/api/auth/sessions"),
        server.http().with("X-API-Key", key).post("/api/auth/logout-all", null),
        server.http().bearer(key).post("/api/auth/password",
            new JsonObject().put("current_password", "x").put("new_password", "y")))) {
      assertEquals(403, r.status(), r::toString);
      assertEquals("session_required", r.code());
    }
    assertEquals(200, owner.http(server).get("/api/auth/me").status(), "the owner's session was left alone");
  }

  @Test
  @DisplayName("a key only reaches what its scopes name, and never more than its owner holds")
  void scopeLimits() {
    Accounts.Login owner = AdminOps.userWith(server, admin(), "scoped", "users.view", "audit.view");
    String key = createKey(owner, "users.view").getString("key");
    assertEquals(200, server.http().with("X-API-Key", key).get("/api/users").status());
    Http.Res outside = server.http().with("X-API-Key", key).get("/api/audit-log");
    assertEquals(403, outside.status(), "the owner may, the key may not");
    assertEquals("permission_denied", outside.code());
    assertEquals(200, owner.http(server).get("/api/audit-log").status());

    Http.Res verified = server.http().bearer(key).post("/api/auth/verify-token", null);
    assertEquals(200, verified.status(), verified::toString);
    assertEquals(new JsonArray().add("users.view"), verified.json().getJsonArray("permissions"),
        "other services see only what the key may use");

    Http.Res notHeld = owner.http(server).post("/api/auth/api-keys", new JsonObject().put("name", "greedy")
        .put("permissions", new JsonArray().add("users.view").add("rbac.manage")));
    assertEquals(400, notHeld.status());
    assertEquals("permission_not_held", notHeld.code());
    assertEquals("/permissions/1", notHeld.json().getJsonArray("errors").getJsonObject(0).getString("field"));
    Http.Res past = owner.http(server).post("/api/auth/api-keys", new JsonObject().put("name", "old")
        .put("permissions", new JsonArray()).put("expires_at", OffsetDateTime.now().minusDays(1).toString()));
    assertEquals(400, past.status());
  }

  @Test
  @DisplayName("a key loses a permission as soon as its owner loses it, on every node")
  void ownerLosesPermission() {
    Accounts.Login owner = Accounts.registerAndLogin(server, "loser");
    long role = AdminOps.role(server, admin(), "users.view");
    AdminOps.grant(server, admin(), owner.userId(), role, null);
    String key = createKey(owner, "users.view").getString("key");
    assertEquals(200, server.second().http().with("X-API-Key", key).get("/api/users").status());
    assertEquals(204, admin().http(server).delete("/api/users/" + owner.userId() + "/roles/" + role).status());
    Poll.until(Poll.ACROSS_NODES, "the key loses users.view on the second node",
        () -> server.second().http().with("X-API-Key", key).get("/api/users").status() == 403);
    assertEquals(403, server.http().bearer(key).get("/api/users").status());

    assertEquals(200, admin().http(server).patch("/api/users/" + owner.userId(), new JsonObject().put("is_active", false)).status());
    Poll.until(Poll.ACROSS_NODES, "a deactivated owner's key is refused",
        () -> server.second().http().with("X-API-Key", key).get("/api/auth/me").status() == 401);
  }

  @Test
  @DisplayName("a revoked key is dead at once on every node; revocation is audited")
  void revocation() {
    Accounts.Login owner = AdminOps.userWith(server, admin(), "revoker", "users.view");
    JsonObject created = createKey(owner, "users.view");
    String key = created.getString("key");
    // Warm both nodes' caches first, so the test shows invalidation rather than a cold lookup.
    assertEquals(200, server.http().with("X-API-Key", key).get("/api/users").status());
    assertEquals(200, server.second().http().with("X-API-Key", key).get("/api/users").status());
    assertEquals(204, owner.http(server).delete("/api/auth/api-keys/" + created.getString("id")).status());
    assertEquals(401, server.http().with("X-API-Key", key).get("/api/users").status());
    Poll.until(Poll.ACROSS_NODES, "the second node refuses the revoked key",
        () -> server.second().http().with("X-API-Key", key).get("/api/users").status() == 401);
    assertEquals(404, owner.http(server).delete("/api/auth/api-keys/" + created.getString("id")).status());
    Accounts.Login other = Accounts.registerAndLogin(server, "other");
    JsonObject otherKey = createKey(other);
    assertEquals(404, owner.http(server).delete("/api/auth/api-keys/" + otherKey.getString("id")).status(), "only own keys");
    assertEquals(0, owner.http(server).get("/api/auth/api-keys").json().getInteger("count"));
    assertNotNull(server.sql("SELECT 1 FROM audit_log WHERE action = 'api_key.revoke' AND target_id = ?",
        created.getString("id")).get(0));
  }

  @Test
  @DisplayName("the contract declares both security schemes so /docs can try either")
  void contractDeclaresBoth() {
    String yaml = server.http().get("/openapi.yaml").body();
    assertTrue(yaml.contains("apiKeyAuth:\n      type: apiKey\n      in: header\n      name: X-API-Key"), "apiKeyAuth scheme");
    assertTrue(yaml.contains("security:\n  - apiKeyAuth: []\n  - bearerAuth: []"), "either scheme, globally");
  }
}
