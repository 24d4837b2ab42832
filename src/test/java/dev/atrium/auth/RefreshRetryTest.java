package dev.atrium.auth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atrium.config.AppConfig;
import dev.atrium.db.Database;
import dev.atrium.support.Accounts;
import dev.atrium.support.Http;
import dev.atrium.support.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A client that lost the answer to its refresh and retries within ATRIUM_REFRESH_REUSE_GRACE
 * (10 s by default) gets the same successor back; a spent token presented after its successor
 * was used, or after the grace, still revokes the session.
 */
class RefreshRetryTest {
  @RegisterExtension
  static final TestServer server = TestServer.node();

  private static Http.Res refresh(String token) {
    return server.http().post("/api/auth/token/refresh", new JsonObject().put("refresh", token));
  }

  private static byte[] spentRow(String token, String column) {
    return (byte[]) server.sql("SELECT " + column + " FROM refresh_tokens WHERE token_hash = sha256(convert_to(?, 'UTF8'))",
        token).get(0).get(column);
  }

  @Test
  @DisplayName("a retried refresh gets the same successor and a working access token; once the successor is used,"
      + " the spent token revokes the session")
  void retryGetsTheSameSuccessor() {
    Accounts.Login a = Accounts.registerAndLogin(server, "retry");
    Http.Res first = refresh(a.refresh());
    assertEquals(200, first.status(), first::toString);
    String successor = first.json().getString("refresh");

    Http.Res retry = refresh(a.refresh());
    assertEquals(200, retry.status(), retry::toString);
    assertEquals(successor, retry.json().getString("refresh"));
    String retriedAccess = retry.json().getString("access");
    assertEquals(200, server.http().bearer(retriedAccess).get("/api/auth/me").status());
    assertEquals(2L, server.sql("SELECT count(*) AS n FROM refresh_tokens t JOIN sessions s ON s.id = t.session_id"
        + " WHERE s.user_id = ?::uuid", a.userId()).get(0).get("n"), "a retry stores no new token");

    Http.Res next = refresh(successor);
    assertEquals(200, next.status(), next::toString);
    String third = next.json().getString("refresh");
    assertNotEquals(successor, third);

    Http.Res stolen = refresh(a.refresh());
    assertEquals(401, stolen.status(), stolen::toString);
    assertEquals("token_reused", stolen.code());
    assertEquals("token_invalid", refresh(third).code(), "the whole session is revoked");
    Http.Res me = server.http().bearer(retriedAccess).get("/api/auth/me");
    assertEquals(401, me.status(), me::toString);
    assertEquals("token_revoked", me.code());
  }

  @Test
  @DisplayName("concurrent refreshes with one token all get the same successor, and the session lives")
  void concurrentRefreshesShareOneSuccessor() throws Exception {
    Accounts.Login a = Accounts.registerAndLogin(server, "tabs");
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<Http.Res>> answers = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        answers.add(pool.submit(() -> refresh(a.refresh())));
      }
      List<Http.Res> results = new ArrayList<>();
      for (Future<Http.Res> f : answers) {
        results.add(f.get(30, TimeUnit.SECONDS));
      }
      for (Http.Res r : results) {
        assertEquals(200, r.status(), r::toString);
      }
      Set<String> successors = results.stream().map(r -> r.json().getString("refresh")).collect(Collectors.toSet());
      assertEquals(1, successors.size(), successors::toString);
      Http.Res next = refresh(successors.iterator().next());
      assertEquals(200, next.status(), next::toString);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  @DisplayName("past the grace a spent token revokes the session even though its successor is unused")
  void pastTheGraceRevokes() {
    Accounts.Login a = Accounts.registerAndLogin(server, "late");
    String successor = refresh(a.refresh()).json().getString("refresh");
    server.sql("UPDATE refresh_tokens SET used_at = used_at - interval '11 seconds'"
        + " WHERE token_hash = sha256(convert_to(?, 'UTF8')) RETURNING 1", a.refresh());

    Http.Res late = refresh(a.refresh());
    assertEquals(401, late.status(), late::toString);
    assertEquals("token_reused", late.code());
    assertEquals("token_invalid", refresh(successor).code());
  }

  @Test
  @DisplayName("the stored successor is its digest and a seal that only the spent token opens")
  void successorIsSealedUnderTheSpentToken() {
    Accounts.Login a = Accounts.registerAndLogin(server, "seal");
    String successor = refresh(a.refresh()).json().getString("refresh");
    assertArrayEquals(TokenService.digest(successor), spentRow(a.refresh(), "successor_hash"));
    byte[] sealed = spentRow(a.refresh(), "successor_sealed");
    assertNotNull(sealed);
    assertFalse(new String(sealed, StandardCharsets.ISO_8859_1).contains(successor));
    assertEquals(successor, SuccessorSeal.open(a.refresh(), sealed).orElseThrow());
    assertTrue(SuccessorSeal.open(successor, sealed).isEmpty(), "another token does not open it");
    sealed[sealed.length - 1] ^= 1;
    assertTrue(SuccessorSeal.open(a.refresh(), sealed).isEmpty(), "changed bytes do not open");
  }

  @Test
  @DisplayName("housekeeping drops the seals of tokens spent before the grace, and keeps the recent ones")
  void housekeepingForgetsOldSeals() throws Exception {
    Accounts.Login old = Accounts.registerAndLogin(server, "oldseal");
    Accounts.Login recent = Accounts.registerAndLogin(server, "newseal");
    assertEquals(200, refresh(old.refresh()).status());
    assertEquals(200, refresh(recent.refresh()).status());
    server.sql("UPDATE refresh_tokens SET used_at = used_at - interval '1 minute'"
        + " WHERE token_hash = sha256(convert_to(?, 'UTF8')) RETURNING 1", old.refresh());

    Vertx vertx = Vertx.vertx();
    try {
      AppConfig config = AppConfig.fromEnv(Map.of("ATRIUM_DB_URL", "postgresql://postgres@127.0.0.1:5432/"
          + server.database()));
      Pool pool = new Database(config).createPool(vertx);
      SessionRepository sessions = new SessionRepository(pool, config.access());
      int forgotten = sessions.forgetSealedSuccessors().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      assertTrue(forgotten >= 1, "forgot " + forgotten);
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    assertNull(spentRow(old.refresh(), "successor_sealed"));
    assertNotNull(spentRow(old.refresh(), "successor_hash"), "the chain stays");
    assertNotNull(spentRow(recent.refresh(), "successor_sealed"));
    assertEquals("token_reused", refresh(old.refresh()).code());
  }

  @Test
  @DisplayName("in cookie mode a retried refresh sets the same successor cookie")
  void cookieRetry() {
    Accounts.Login a = Accounts.registerAndLogin(server, "cookieretry");
    Http.Res login = server.http().post("/api/auth/login?cookie=true",
        new JsonObject().put("email", a.email()).put("password", Accounts.PASSWORD));
    String setCookie = login.header("Set-Cookie").orElseThrow();
    String cookie = setCookie.substring(0, setCookie.indexOf(';'));
    Http.Res first = server.http().with("Cookie", cookie).post("/api/auth/token/refresh", null);
    Http.Res retry = server.http().with("Cookie", cookie).post("/api/auth/token/refresh", null);
    assertEquals(200, first.status(), first::toString);
    assertEquals(200, retry.status(), retry::toString);
    String rotated = first.header("Set-Cookie").orElseThrow();
    assertEquals(rotated.substring(0, rotated.indexOf(';')),
        retry.header("Set-Cookie").orElseThrow().substring(0, rotated.indexOf(';')));
    assertNotEquals(cookie, rotated.substring(0, rotated.indexOf(';')));
  }
}
