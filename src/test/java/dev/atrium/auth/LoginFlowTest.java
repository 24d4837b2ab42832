package dev.atrium.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atrium.support.Accounts;
import dev.atrium.support.Http;
import dev.atrium.support.TestServer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class LoginFlowTest {
  @RegisterExtension
  static final TestServer server = TestServer.node();

  @Test
  @DisplayName("register answers 201 with the user, stores an Argon2id hash, and login returns working tokens")
  void registerThenLogin() {
    String email = Accounts.uniqueEmail("ada");
    Http.Res reg = server.http().post("/api/auth/register", new JsonObject().put("email", email).put("username", "ada1")
        .put("password", Accounts.PASSWORD).put("first_name", "Ada"));
    assertEquals(201, reg.status(), reg::toString);
    String id = reg.json().getString("user_id");
    assertEquals(id, reg.json().getJsonObject("user").getString("id"));
    assertEquals("Ada", reg.json().getJsonObject("user").getString("first_name"));
    assertNull(reg.json().getJsonObject("user").getValue("password_hash"));
    String stored = (String) server.sql("SELECT password_hash FROM users WHERE email = ?", email).get(0).get("password_hash");
    assertTrue(stored.startsWith("$argon2id$v=19$m=19456,t=2,p=1$"), stored);

    Http.Res login = server.http().post("/api/auth/login", new JsonObject().put("email", email).put("password", Accounts.PASSWORD));
    assertEquals(200, login.status(), login::toString);
    JsonObject body = login.json();
    assertEquals("Bearer", body.getString("token_type"));
    assertEquals(3600, body.getInteger("expires_in"));
    assertNotNull(body.getString("refresh"));
    Http.Res me = server.http().bearer(body.getString("access")).get("/api/auth/me");
    assertEquals(200, me.status(), me::toString);
    assertEquals(email, me.json().getString("email"));
    assertEquals("127.0.0.1", server.sql("SELECT last_login_ip FROM users WHERE id = ?::uuid", id).get(0).get("last_login_ip"));
  }

  @Test
  @DisplayName("a refresh token is spent by its refresh; presenting it after its successor was used answers"
      + " token_reused and kills the session")
  void refreshRotation() {
    Accounts.Login a = Accounts.registerAndLogin(server, "rot");
    Http.Res first = server.http().post("/api/auth/token/refresh", new JsonObject().put("refresh", a.refresh()));
    assertEquals(200, first.status(), first::toString);
    String next = first.json().getString("refresh");
    assertNotEquals(a.refresh(), next);
    Http.Res second = server.http().post("/api/auth/token/refresh", new JsonObject().put("refresh", next));
    assertEquals(200, second.status(), second::toString);
    String latest = second.json().getString("refresh");
    Http.Res again = server.http().post("/api/auth/token/refresh", new JsonObject().put("refresh", a.refresh()));
    assertEquals(401, again.status());
    assertEquals("token_reused", again.code());
    Http.Res afterTheft = server.http().post("/api/auth/token/refresh", new JsonObject().put("refresh", latest));
    assertEquals(401, afterTheft.status());
    assertEquals("token_invalid", afterTheft.code());
  }
}
