package dev.atrium.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.atrium.support.Accounts;
import dev.atrium.support.Http;
import dev.atrium.support.TestServer;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** With ATRIUM_REFRESH_REUSE_GRACE=0 a refresh token works exactly once, and nothing is sealed. */
class RefreshGraceOffTest {
  @RegisterExtension
  static final TestServer server = TestServer.node(Map.of("ATRIUM_REFRESH_REUSE_GRACE", "0"));

  @Test
  @DisplayName("without a grace an immediate retry answers token_reused and revokes the session")
  void retryRevokes() {
    Accounts.Login a = Accounts.registerAndLogin(server, "nograce");
    Http.Res first = server.http().post("/api/auth/token/refresh", new JsonObject().put("refresh", a.refresh()));
    assertEquals(200, first.status(), first::toString);
    assertNull(server.sql("SELECT successor_sealed FROM refresh_tokens WHERE token_hash = sha256(convert_to(?, 'UTF8'))",
        a.refresh()).get(0).get("successor_sealed"));
    Http.Res retry = server.http().post("/api/auth/token/refresh", new JsonObject().put("refresh", a.refresh()));
    assertEquals(401, retry.status(), retry::toString);
    assertEquals("token_reused", retry.code());
    Http.Res next = server.http().post("/api/auth/token/refresh",
        new JsonObject().put("refresh", first.json().getString("refresh")));
    assertEquals("token_invalid", next.code());
  }
}
