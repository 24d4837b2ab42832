package dev.atrium.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atrium.support.Accounts;
import dev.atrium.support.Http;
import dev.atrium.support.TestServer;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class AuthSchemeTest {
  @RegisterExtension
  static final TestServer server = TestServer.node();

  @Test
  @DisplayName("any Authorization that is not a usable bearer token (Basic, Token, a bare scheme, stray "
      + "characters) is 401 problem+json with WWW-Authenticate: Bearer, on bearer-only and bearer-or-key routes")
  void otherSchemesAre401() {
    List<String> credentials = List.of("Basic dXNlcjpwYXNzd29yZA==", "Token abc123", "Basic", "Bearer", "Token",
        "Bearer a b", "Bearer a+b/c=", "Bearer x.y.z.w", "Digest username=\"x\"", "bearer");
    List<String> paths = List.of("/api/auth/me", "/api/users", "/api/notifications", "/api/auth/sessions",
        "/api/files");
    for (String path : paths) {
      for (String credential : credentials) {
        Http.Res res = server.http().with("Authorization", credential).get(path);
        String what = path + " with '" + credential + "': " + res;
        assertEquals(401, res.status(), what);
        assertEquals("Bearer", res.header("WWW-Authenticate").orElse(""), what);
        assertEquals("application/problem+json", res.header("Content-Type").orElse(""), what);
        assertTrue(res.code().equals("not_authenticated") || res.code().equals("token_invalid"), what);
      }
    }
  }

  @Test
  @DisplayName("the schemes are tried in the contract's order: a refused X-API-Key falls through to a good "
      + "bearer token, and when both are refused the bearer's reason is the answer")
  void schemesAreTriedInOrder() {
    Accounts.Login user = Accounts.registerAndLogin(server, "schemes");
    Http.Res both = server.http().with("X-API-Key", "atr_not-a-key").with("Authorization", "Bearer " + user.access())
        .get("/api/auth/me");
    assertEquals(200, both.status(), both.toString());
    assertEquals(user.userId(), both.json().getString("id"), both.toString());

    Http.Res keyOnly = server.http().with("X-API-Key", "atr_not-a-key").get("/api/auth/me");
    assertEquals(401, keyOnly.status(), keyOnly.toString());
    assertEquals("token_invalid", keyOnly.code(), keyOnly.toString());
    assertEquals("Bearer", keyOnly.header("WWW-Authenticate").orElse(""), keyOnly.toString());

    Http.Res badBearer = server.http().with("X-API-Key", "atr_not-a-key").with("Authorization", "Bearer x.y.z")
        .get("/api/auth/me");
    assertEquals(401, badBearer.status(), badBearer.toString());
    assertEquals("token_invalid", badBearer.code(), badBearer.toString());
  }
}
