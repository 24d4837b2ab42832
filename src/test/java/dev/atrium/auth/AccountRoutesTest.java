package dev.atrium.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atrium.support.Accounts;
import dev.atrium.support.Http;
import dev.atrium.support.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Every accounts route of API.md: success and each listed error code. */
class AccountRoutesTest {
  @RegisterExtension
  static final TestServer server = TestServer.node();

  private static JsonObject registration(String email, String username) {
    return new JsonObject().put("email", email).put("username", username).put("password", Accounts.PASSWORD);
  }

  @Test
  @DisplayName("register refuses a taken email (409 email_taken, any case) and a taken username (409 username_taken)")
  void registerConflicts() {
    String email = Accounts.uniqueEmail("dup");
    assertEquals(201, server.http().post("/api/auth/register", registration(email, "dup_a")).status());
    Http.Res sameEmail = server.http().post("/api/auth/register", registration(email.toUpperCase(), "dup_b"));
    assertEquals(409, sameEmail.status(), sameEmail::toString);
    assertEquals("email_taken", sameEmail.code());
    Http.Res sameName = server.http().post("/api/auth/register", registration(Accounts.uniqueEmail("dup"), "DUP_A"));
    assertEquals(409, sameName.status(), sameName::toString);
    assertEquals("username_taken", sameName.code());
    assertEquals(1L, server.sql("SELECT count(*) AS n FROM users WHERE lower(email) = lower(?)", email).get(0).get("n"));
  }

  @Test
  @DisplayName("register refuses weak passwords, bad emails and a mismatched password_confirm with 400 and nothing stored")
  void registerBadInput() {
    String email = Accounts.uniqueEmail("weak");
    Http.Res weak = server.http().post("/api/auth/register",
        new JsonObject().put("email", email).put("username", "weakling").put("password", "12345678"));
    assertEquals(400, weak.status());
    assertEquals("weak_password", weak.code());
    assertEquals("/password", weak.json().getJsonArray("errors").getJsonObject(0).getString("field"));

    Http.Res badEmail = server.http().post("/api/auth/register", registration("not-an-email", "bademail"));
    assertEquals(400, badEmail.status());
    assertEquals("validation_failed", badEmail.code());
    assertEquals("/email", badEmail.json().getJsonArray("errors").getJsonObject(0).getString("field"));

    Http.Res mismatch = server.http().post("/api/auth/register",
        registration(Accounts.uniqueEmail("mm"), "mismatch").put("password_confirm", "something else entirely"));
    assertEquals(400, mismatch.status());
    assertEquals("/password_confirm", mismatch.json().getJsonArray("errors").getJsonObject(0).getString("field"));
    assertEquals(0L, server.sql("SELECT count(*) AS n FROM users WHERE username IN ('weakling','bademail','mismatch')")
        .get(0).get("n"));
  }

  @Test
  @DisplayName("login answers the same 401 invalid_credentials for an unknown email and a wrong password")
  void loginSameAnswer() {
    Accounts.Login a = Accounts.registerAndLogin(server, "same");
    Http.Res wrong = server.http().post("/api/auth/login", new JsonObject().put("email", a.email()).put("password", "nope-nope-nope"));
    Http.Res unknown = server.http().post("/api/auth/login",
        new JsonObject().put("email", Accounts.uniqueEmail("ghost")).put("password", "nope-nope-nope"));
    assertEquals(401, wrong.status());
    assertEquals(401, unknown.status());
    assertEquals("invalid_credentials", wrong.code());
    assertEquals(wrong.json().getString("detail"), unknown.json().getString("detail"));
    assertEquals(wrong.json().fieldNames(), unknown.json().fieldNames());
  }

  @Test
  @DisplayName("login of a deactivated account answers 403 account_inactive and its tokens stop working")
  void inactiveAccount() {
    Accounts.Login a = Accounts.registerAndLogin(server, "inactive");
    assertEquals(200, a.http(server).get("/api/auth/me").status());
    server.sql("UPDATE users SET is_active = false WHERE id = ?::uuid", a.userId());
    dev.atrium.support.Poll.until(dev.atrium.support.Poll.ACROSS_NODES, "the deactivated user's token is refused",
        () -> a.http(server).get("/api/auth/me").status() == 401);
    Http.Res login = server.http().post("/api/auth/login", new JsonObject().put("email", a.email()).put("password", Accounts.PASSWORD));
    assertEquals(403, login.status(), login::toString);
    assertEquals("account_inactive", login.code());
  }

  @Test
  @DisplayName("GET /api/auth/me shows the caller with profile, roles and permissions; PATCH updates own fields and profile")
  void meAndPatch() {
    Accounts.Login a = Accounts.registerAndLogin(server, "me");
    Http http = a.http(server);
    JsonObject me = http.get("/api/auth/me").json();
    assertEquals(a.userId(), me.getString("id"));
    assertEquals(new JsonArray(), me.getJsonArray("roles"));
    assertEquals(new JsonArray(), me.getJsonArray("permissions"));
    assertNotNull(me.getJsonObject("profile"));

    Http.Res patched = http.patch("/api/auth/me", new JsonObject().put("first_name", "Grace").put("department", "Navy")
        .put("profile", new JsonObject().put("bio", "Admiral").put("birth_date", "1906-12-09")
            .put("social_links", new JsonObject().put("github", "https://github.com/grace"))));
    assertEquals(200, patched.status(), patched::toString);
    assertEquals("Grace", patched.json().getString("first_name"));
    assertEquals("Admiral", patched.json().getJsonObject("profile").getString("bio"));
    Map<String, Object> row = server.sql("SELECT u.first_name, u.department, p.bio, p.birth_date::text AS bd,"
        + " p.social_links->>'github' AS gh FROM users u JOIN user_profiles p ON p.user_id = u.id WHERE u.id = ?::uuid",
        a.userId()).get(0);
    assertEquals("Grace", row.get("first_name"));
    assertEquals("Navy", row.get("department"));
    assertEquals("Admiral", row.get("bio"));
    assertEquals("1906-12-09", row.get("bd"));
    assertEquals("https://github.com/grace", row.get("gh"));

    Http.Res email = http.patch("/api/auth/me", new JsonObject().put("email", "other@example.com"));
    assertEquals(400, email.status());
    assertEquals("/email", email.json().getJsonArray("errors").getJsonObject(0).getString("field"));
    Http.Res badDate = http.patch("/api/auth/me", new JsonObject().put("profile", new JsonObject().put("birth_date", "yesterday")));
    assertEquals(400, badDate.status());
  }

  @Test
  @DisplayName("PATCH /api/auth/me merges social_links and preferences key by key: {} keeps them, a null value removes one key")
  void profileMapsMerge() {
    Accounts.Login a = Accounts.registerAndLogin(server, "merge");
    Http http = a.http(server);
    JsonObject links = new JsonObject().put("github", "https://github.com/ada").put("site", "https://ada.example");
    assertEquals(200, http.patch("/api/auth/me", new JsonObject().put("profile", new JsonObject()
        .put("social_links", links).put("preferences", new JsonObject().put("theme", "dark")))).status());
    // what a generated client sends when the caller only changes a name: empty maps
    Http.Res named = http.patch("/api/auth/me", new JsonObject().put("first_name", "Ada").put("profile",
        new JsonObject().put("social_links", new JsonObject()).put("preferences", new JsonObject())));
    assertEquals(200, named.status(), named::toString);
    assertEquals(links, named.json().getJsonObject("profile").getJsonObject("social_links"));
    assertEquals(new JsonObject().put("theme", "dark"), named.json().getJsonObject("profile").getJsonObject("preferences"));

    Http.Res merged = http.patch("/api/auth/me", new JsonObject().put("profile", new JsonObject()
        .put("social_links", new JsonObject().putNull("site").put("mastodon", "https://m.example/@ada"))));
    assertEquals(200, merged.status(), merged::toString);
    JsonObject stored = new JsonObject((String) server.sql(
        "SELECT social_links::text AS l FROM user_profiles WHERE user_id = ?::uuid", a.userId()).get(0).get("l"));
    assertEquals(new JsonObject().put("github", "https://github.com/ada").put("mastodon", "https://m.example/@ada"), stored);
    assertEquals(stored, merged.json().getJsonObject("profile").getJsonObject("social_links"));
  }

  @Test
  @DisplayName("verify-token returns valid, the user, permissions and exp; a forged or missing token is 401")
  void verifyToken() {
    Accounts.Login a = Accounts.registerAndLogin(server, "verify");
    Http.Res ok = a.http(server).post("/api/auth/verify-token", null);
    assertEquals(200, ok.status(), ok::toString);
    assertTrue(ok.json().getBoolean("valid"));
    assertEquals(a.userId(), ok.json().getJsonObject("user").getString("id"));
    assertNotNull(ok.json().getJsonArray("permissions"));
    assertTrue(ok.json().getLong("exp") > System.currentTimeMillis() / 1000);

    String[] parts = a.access().split("\\.");
    String forgedPayload = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
        new JsonObject(new String(java.util.Base64.getUrlDecoder().decode(parts[1])))
            .put("sub", "00000000-0000-0000-0000-000000000001").encode().getBytes());
    Http.Res forged = server.http().bearer(parts[0] + "." + forgedPayload + "." + parts[2]).post("/api/auth/verify-token", null);
    assertEquals(401, forged.status());
    assertEquals("token_invalid", forged.code());
    Http.Res none = server.http().post("/api/auth/verify-token", null);
    assertEquals(401, none.status());
    assertEquals("application/problem+json", none.header("Content-Type").orElse(""));
  }

  @Test
  @DisplayName("the admin seeded at start-up is a superuser holding every built-in permission")
  void seededAdmin() {
    Accounts.Login admin = Accounts.admin(server);
    JsonObject me = admin.http(server).get("/api/auth/me").json();
    assertTrue(me.getBoolean("is_superuser"));
    List<String> perms = me.getJsonArray("permissions").stream().map(Object::toString).collect(Collectors.toList());
    assertTrue(perms.containsAll(List.of("users.view", "users.manage", "rbac.manage", "audit.view", "analytics.view_all",
        "analytics.export", "files.manage_all", "notifications.send", "notifications.broadcast")), perms::toString);
  }

  @Test
  @DisplayName("logout ends the refresh token's session: the refresh token and the session's access token stop working")
  void logout() {
    Accounts.Login a = Accounts.registerAndLogin(server, "logout");
    Http.Res out = a.http(server).post("/api/auth/logout", new JsonObject().put("refresh", a.refresh()));
    assertEquals(204, out.status(), out::toString);
    Http.Res refresh = server.http().post("/api/auth/token/refresh", new JsonObject().put("refresh", a.refresh()));
    assertEquals(401, refresh.status());
    assertEquals("token_invalid", refresh.code());
    Http.Res me = a.http(server).get("/api/auth/me");
    assertEquals(401, me.status());
    assertEquals("token_revoked", me.code());
    assertTrue(server.sql("SELECT revoked_at FROM sessions WHERE user_id = ?::uuid", a.userId()).get(0).get("revoked_at") != null);
  }

  @Test
  @DisplayName("logout-all voids an unexpired access token and every refresh token, but a login right after works")
  void logoutAll() {
    Accounts.Login first = Accounts.registerAndLogin(server, "all");
    Accounts.Login second = Accounts.login(server, first.email(), Accounts.PASSWORD);
    assertEquals(200, first.http(server).get("/api/auth/me").status());
    assertEquals(204, second.http(server).post("/api/auth/logout-all", null).status());
    for (Accounts.Login l : List.of(first, second)) {
      Http.Res me = l.http(server).get("/api/auth/me");
      assertEquals(401, me.status(), me::toString);
      assertEquals("token_revoked", me.code());
      assertEquals(401, server.http().post("/api/auth/token/refresh", new JsonObject().put("refresh", l.refresh())).status());
    }
    Accounts.Login again = Accounts.login(server, first.email(), Accounts.PASSWORD);
    assertEquals(200, again.http(server).get("/api/auth/me").status());
  }

  @Test
  @DisplayName("password change needs the current password, voids access tokens, ends other sessions and keeps this one")
  void passwordChange() {
    Accounts.Login current = Accounts.registerAndLogin(server, "pw");
    Accounts.Login other = Accounts.login(server, current.email(), Accounts.PASSWORD);
    Http.Res wrong = current.http(server).post("/api/auth/password",
        new JsonObject().put("current_password", "not my password").put("new_password", "a brand new passphrase"));
    assertEquals(400, wrong.status());
    assertEquals("invalid_password", wrong.code());
    Http.Res weak = current.http(server).post("/api/auth/password",
        new JsonObject().put("current_password", Accounts.PASSWORD).put("new_password", "short"));
    assertEquals(400, weak.status());
    assertEquals("weak_password", weak.code());

    Http.Res ok = current.http(server).post("/api/auth/password",
        new JsonObject().put("current_password", Accounts.PASSWORD).put("new_password", "a brand new passphrase"));
    assertEquals(204, ok.status(), ok::toString);
    assertEquals(401, current.http(server).get("/api/auth/me").status());
    assertEquals(401, other.http(server).get("/api/auth/me").status());
    assertEquals(401, server.http().post("/api/auth/token/refresh", new JsonObject().put("refresh", other.refresh())).status());
    Http.Res kept = server.http().post("/api/auth/token/refresh", new JsonObject().put("refresh", current.refresh()));
    assertEquals(200, kept.status(), kept::toString);
    assertEquals(401, server.http().post("/api/auth/login",
        new JsonObject().put("email", current.email()).put("password", Accounts.PASSWORD)).status());
    Accounts.login(server, current.email(), "a brand new passphrase");
  }

  @Test
  @DisplayName("sessions lists the caller's devices with the current one marked; revoking one kills its tokens; others' ids are 404")
  void sessions() {
    Accounts.Login laptop = Accounts.registerAndLogin(server, "dev");
    Accounts.Login phone = Accounts.login(server, laptop.email(), Accounts.PASSWORD);
    JsonObject sessions = laptop.http(server).get("/api/auth/sessions").json();
    assertFalse(sessions.containsKey("next"), "an unpaged list does not pretend to have pages");
    JsonArray list = sessions.getJsonArray("results");
    assertEquals(2, list.size());
    long current = list.stream().map(o -> (JsonObject) o).filter(s -> s.getBoolean("current")).count();
    assertEquals(1, current);
    String phoneSession = list.stream().map(o -> (JsonObject) o).filter(s -> !s.getBoolean("current"))
        .findFirst().orElseThrow().getString("id");

    Accounts.Login stranger = Accounts.registerAndLogin(server, "stranger");
    assertEquals(404, stranger.http(server).delete("/api/auth/sessions/" + phoneSession).status());
    assertEquals(400, laptop.http(server).delete("/api/auth/sessions/not-a-uuid").status());

    assertEquals(204, laptop.http(server).delete("/api/auth/sessions/" + phoneSession).status());
    assertEquals(401, phone.http(server).get("/api/auth/me").status());
    assertEquals(200, laptop.http(server).get("/api/auth/me").status());
    assertEquals(1, laptop.http(server).get("/api/auth/sessions").json().getJsonArray("results").size());
    assertEquals(404, laptop.http(server).delete("/api/auth/sessions/" + phoneSession).status());
  }

  @Test
  @DisplayName("cookie mode keeps the refresh token out of the body, in an HttpOnly Secure SameSite=Strict cookie on /api/auth")
  void cookieMode() {
    Accounts.Login a = Accounts.registerAndLogin(server, "cookie");
    Http.Res login = server.http().post("/api/auth/login?cookie=true",
        new JsonObject().put("email", a.email()).put("password", Accounts.PASSWORD));
    assertEquals(200, login.status());
    assertFalse(login.json().containsKey("refresh"));
    String setCookie = login.header("Set-Cookie").orElseThrow();
    assertTrue(setCookie.startsWith("atrium_refresh="), setCookie);
    for (String attr : List.of("HttpOnly", "Secure", "SameSite=Strict", "Path=/api/auth")) {
      assertTrue(setCookie.toLowerCase().contains(attr.toLowerCase()), setCookie); // attribute names are case-insensitive
    }
    String cookie = setCookie.substring(0, setCookie.indexOf(';'));
    Http.Res refreshed = server.http().with("Cookie", cookie).post("/api/auth/token/refresh", null);
    assertEquals(200, refreshed.status(), refreshed::toString);
    assertFalse(refreshed.json().containsKey("refresh"));
    String rotated = refreshed.header("Set-Cookie").orElseThrow();
    assertNotEquals(cookie, rotated.substring(0, rotated.indexOf(';')));
    assertEquals(200, server.http().with("Cookie", rotated.substring(0, rotated.indexOf(';')))
        .post("/api/auth/token/refresh", null).status());
    Http.Res reused = server.http().with("Cookie", cookie).post("/api/auth/token/refresh", null);
    assertEquals("token_reused", reused.code());
    Http.Res none = server.http().post("/api/auth/token/refresh", null);
    assertEquals(400, none.status());
  }

  @Test
  @DisplayName("the JWKS publishes the ES256 key that access tokens name in their header")
  void jwks() {
    Accounts.Login a = Accounts.registerAndLogin(server, "jwks");
    JsonObject key = server.http().get("/.well-known/jwks.json").json().getJsonArray("keys").getJsonObject(0);
    assertEquals("EC", key.getString("kty"));
    assertEquals("P-256", key.getString("crv"));
    assertEquals("ES256", key.getString("alg"));
    JsonObject header = new JsonObject(new String(java.util.Base64.getUrlDecoder().decode(a.access().split("\\.")[0])));
    assertEquals("ES256", header.getString("alg"));
    assertEquals(key.getString("kid"), header.getString("kid"));
  }
}
