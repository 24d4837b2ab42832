package dev.atrium.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atrium.support.Accounts;
import dev.atrium.support.Http;
import dev.atrium.support.Poll;
import dev.atrium.support.TestServer;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Tokens across restarts, across nodes, and at expiry. */
class TokenLifecycleTest {
  @RegisterExtension
  static final TestServer server = TestServer.node(Map.of("ATRIUM_ACCESS_TTL", "3s"));

  @Test
  @DisplayName("a restart keeps access and refresh tokens valid: the signing key is kept in PostgreSQL")
  void restartKeepsTokens() {
    Accounts.Login a = Accounts.registerAndLogin(server, "restart");
    assertEquals(1, server.sql("SELECT kid FROM signing_keys WHERE purpose = 'token'").size());
    String kid = server.http().get("/.well-known/jwks.json").json().getJsonArray("keys").getJsonObject(0).getString("kid");
    server.restart();
    assertEquals(kid, server.http().get("/.well-known/jwks.json").json().getJsonArray("keys").getJsonObject(0).getString("kid"));
    assertEquals(200, a.http(server).get("/api/auth/me").status());
    assertEquals(200, server.http().post("/api/auth/token/refresh", new JsonObject().put("refresh", a.refresh())).status());
  }

  @Test
  @DisplayName("logout-all on one node voids the token on another node")
  void voidAcrossNodes() {
    try (TestServer other = server.join()) {
      Accounts.Login a = Accounts.registerAndLogin(server, "nodes");
      Http onOther = other.http().bearer(a.access());
      assertEquals(200, onOther.get("/api/auth/me").status()); // cached as valid on the other node
      assertEquals(204, a.http(server).post("/api/auth/logout-all", null).status());
      Poll.until(Poll.ACROSS_NODES, "the other node refuses the voided token",
          () -> onOther.get("/api/auth/me").status() == 401);
    }
  }

  @Test
  @DisplayName("an access token stops working when it expires, and refresh gives a working one")
  void expiry() {
    Accounts.Login a = Accounts.registerAndLogin(server, "expiry");
    assertEquals(200, a.http(server).get("/api/auth/me").status());
    Http.Res expired = Poll.value(Duration.ofSeconds(10), "the access token expires",
        () -> a.http(server).get("/api/auth/me"), r -> r.status() == 401);
    assertEquals("token_invalid", expired.code());
    Http.Res refreshed = server.http().post("/api/auth/token/refresh", new JsonObject().put("refresh", a.refresh()));
    assertEquals(200, refreshed.status());
    assertEquals(3, refreshed.json().getInteger("expires_in"));
    assertEquals(200, server.http().bearer(refreshed.json().getString("access")).get("/api/auth/me").status());
  }
}
