package dev.atrium.users;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.atrium.support.Accounts;
import dev.atrium.support.Http;
import dev.atrium.support.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.UUID;

/** Admin steps the users tests share: make a role with given permissions and grant it. */
final class AdminOps {
  private AdminOps() {
  }

  static long role(TestServer server, Accounts.Login admin, String... permissions) {
    Http.Res r = admin.http(server).post("/api/roles", new JsonObject()
        .put("name", "r-" + UUID.randomUUID().toString().substring(0, 8)).put("permissions", new JsonArray(java.util.List.of(permissions))));
    assertEquals(201, r.status(), r::toString);
    return r.json().getLong("id");
  }

  static void grant(TestServer server, Accounts.Login admin, String userId, long roleId, String expiresAt) {
    JsonObject body = new JsonObject().put("role_id", roleId);
    if (expiresAt != null) {
      body.put("expires_at", expiresAt);
    }
    Http.Res r = admin.http(server).post("/api/users/" + userId + "/roles", body);
    assertEquals(201, r.status(), r::toString);
  }

  /** A fresh logged-in user holding exactly these permissions through a new role. */
  static Accounts.Login userWith(TestServer server, Accounts.Login admin, String tag, String... permissions) {
    Accounts.Login u = Accounts.registerAndLogin(server, tag);
    if (permissions.length > 0) {
      grant(server, admin, u.userId(), role(server, admin, permissions), null);
    }
    return u;
  }
}
