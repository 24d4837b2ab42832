package dev.atrium.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.atrium.support.Accounts;
import dev.atrium.support.Http;
import dev.atrium.support.TestServer;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** ATRIUM_MAX_SESSIONS_PER_USER bounds a user's live sessions: a sign-in beyond it ends the least recently used. */
class SessionCapTest {
  @RegisterExtension
  static final TestServer server = TestServer.node(Map.of("ATRIUM_MAX_SESSIONS_PER_USER", "3"));

  private static Http.Res refresh(String token) {
    return server.http().post("/api/auth/token/refresh", new JsonObject().put("refresh", token));
  }

  @Test
  @DisplayName("a fourth sign-in revokes the least recently used session: its tokens stop working, the rest live")
  void fourthSignInEndsTheLeastRecentlyUsed() {
    Accounts.Login first = Accounts.registerAndLogin(server, "cap");
    List<Accounts.Login> logins = new ArrayList<>(List.of(first));
    logins.add(Accounts.login(server, first.email(), Accounts.PASSWORD));
    logins.add(Accounts.login(server, first.email(), Accounts.PASSWORD));
    // The first session is used again, so the second is now the least recently used.
    Http.Res renewed = refresh(first.refresh());
    assertEquals(200, renewed.status(), renewed::toString);
    String firstAccess = renewed.json().getString("access");

    Accounts.Login fourth = Accounts.login(server, first.email(), Accounts.PASSWORD);
    Http.Res me = logins.get(1).http(server).get("/api/auth/me");
    assertEquals(401, me.status(), me::toString);
    assertEquals("token_revoked", me.code());
    assertEquals("token_invalid", refresh(logins.get(1).refresh()).code());

    for (String access : List.of(firstAccess, logins.get(2).access(), fourth.access())) {
      assertEquals(200, server.http().bearer(access).get("/api/auth/me").status());
    }
    assertEquals(3, fourth.http(server).get("/api/auth/sessions").json().getJsonArray("results").size());
    assertEquals(3L, server.sql("SELECT count(*) AS n FROM sessions WHERE user_id = ?::uuid AND revoked_at IS NULL",
        first.userId()).get(0).get("n"));
  }

  @Test
  @DisplayName("sign-ins in a loop keep the user at the bound, and every other user's sessions are untouched")
  void signInLoopStaysBounded() {
    Accounts.Login bystander = Accounts.registerAndLogin(server, "bystander");
    Accounts.Login looper = Accounts.registerAndLogin(server, "looper");
    for (int i = 0; i < 6; i++) {
      Accounts.login(server, looper.email(), Accounts.PASSWORD);
    }
    assertEquals(3L, server.sql("SELECT count(*) AS n FROM sessions WHERE user_id = ?::uuid AND revoked_at IS NULL",
        looper.userId()).get(0).get("n"));
    assertEquals(200, bystander.http(server).get("/api/auth/me").status());
    assertEquals(200, refresh(bystander.refresh()).status());
  }
}
