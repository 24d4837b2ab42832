package dev.atrium.account;

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
import java.util.HashSet;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * TOTP two-factor sign-in over HTTP. Codes are computed from the stored secret with the same
 * RFC 6238 code the server uses (pinned to the RFC's vectors by TotpTest). Mail goes to the log.
 */
class MfaFlowTest {
  @RegisterExtension
  static final TestServer server = TestServer.node(Map.of("ATRIUM_LOGIN_MAX_FAILURES", "5"));

  private static byte[] secret(String userId) {
    return (byte[]) server.sql("SELECT secret FROM user_totp WHERE user_id = ?::uuid", userId).get(0).get("secret");
  }

  private static String codeAt(String userId, int stepsFromNow) {
    return Totp.code(secret(userId), Totp.step(System.currentTimeMillis() / 1000) + stepsFromNow);
  }

  /** Enrols and confirms TOTP for the user; answers the recovery codes. */
  private static JsonArray turnOn(Accounts.Login a) {
    Http.Res enrolled = a.http(server).post("/api/auth/mfa/totp/enroll", null);
    assertEquals(200, enrolled.status(), enrolled::toString);
    JsonObject e = enrolled.json();
    assertTrue(e.getString("otpauth_uri").startsWith("otpauth://totp/Atrium:"), e.getString("otpauth_uri"));
    assertTrue(e.getString("otpauth_uri").contains("secret=" + e.getString("secret")));
    assertTrue(e.getString("qr_png").startsWith("data:image/png;base64,"));
    assertEquals(32, e.getString("secret").length(), "160 bits in Base32");
    Http.Res confirmed = a.http(server).post("/api/auth/mfa/totp/confirm", new JsonObject().put("code", codeAt(a.userId(), 0)));
    assertEquals(200, confirmed.status(), confirmed::toString);
    return confirmed.json().getJsonArray("recovery_codes");
  }

  private static Http.Res password(String email) {
    return server.http().post("/api/auth/login", new JsonObject().put("email", email).put("password", Accounts.PASSWORD));
  }

  private static Http.Res second(String token, String field, String value) {
    return server.http().post("/api/auth/login/mfa", new JsonObject().put("mfa_token", token).put(field, value));
  }

  @Test
  @DisplayName("enrol, confirm, then login needs the code; a code is accepted once; a recovery code works once")
  void fullFlow() {
    Accounts.Login a = Accounts.registerAndLogin(server, "totp");
    Http.Res wrongFirst = a.http(server).post("/api/auth/mfa/totp/enroll", null);
    assertEquals(200, wrongFirst.status());
    Http.Res notYet = a.http(server).post("/api/auth/mfa/totp/confirm", new JsonObject().put("code", "000000"));
    assertEquals(400, notYet.status());
    assertEquals("mfa_code_invalid", notYet.code());

    JsonArray recovery = turnOn(a);
    assertEquals(10, recovery.size());
    assertEquals(10, new HashSet<>(recovery.getList()).size());
    Poll.until(Duration.ofSeconds(5), "/me shows mfa_enabled",
        () -> a.http(server).get("/api/auth/me").json().getBoolean("mfa_enabled"));
    assertEquals(409, a.http(server).post("/api/auth/mfa/totp/enroll", null).status(), "no silent re-enrolment");

    Http.Res held = password(a.email());
    assertEquals(401, held.status());
    assertEquals("mfa_required", held.code());
    String token = held.json().getString("mfa_token");
    assertNotNull(token);
    assertFalse(held.json().containsKey("access"));

    String next = codeAt(a.userId(), 1); // the current step's code was spent by the confirmation
    Http.Res in = second(token, "code", next);
    assertEquals(200, in.status(), in::toString);
    assertEquals(200, server.http().bearer(in.json().getString("access")).get("/api/auth/me").status());
    assertEquals(a.userId(), in.json().getJsonObject("user").getString("id"));
    assertEquals("mfa_token_invalid", second(token, "code", next).code(), "the mfa_token is single use");

    Http.Res replay = second(password(a.email()).json().getString("mfa_token"), "code", next);
    assertEquals(401, replay.status());
    assertEquals("mfa_code_invalid", replay.code(), "a code is never accepted twice");

    String rc = recovery.getString(3);
    assertEquals(200, second(password(a.email()).json().getString("mfa_token"), "recovery_code", rc.toUpperCase()).status());
    Http.Res rcAgain = second(password(a.email()).json().getString("mfa_token"), "recovery_code", rc);
    assertEquals(401, rcAgain.status());
    assertEquals("mfa_code_invalid", rcAgain.code());
    assertEquals(1, server.sql("SELECT 1 FROM audit_log WHERE action = 'user.mfa_enabled' AND target_id = ?", a.userId()).size());
    assertEquals(1, server.sql("SELECT 1 FROM audit_log WHERE action = 'user.mfa_recovery_code_used' AND target_id = ?",
        a.userId()).size());
  }

  @Test
  @DisplayName("second-factor tries count in the login throttle: after five failures even the right password gets 429")
  void wrongCodesThrottle() {
    Accounts.Login a = Accounts.registerAndLogin(server, "throttle");
    turnOn(a);
    String token = password(a.email()).json().getString("mfa_token"); // the password check counts once
    int refused = 0;
    for (int i = 0; i < 5; i++) {
      Http.Res wrong = second(token, "code", i % 2 == 0 ? "000000" : "999999");
      assertTrue(wrong.status() == 401 || wrong.status() == 429, wrong.toString());
      refused += wrong.status() == 429 ? 1 : 0;
    }
    assertTrue(refused >= 1, "five failed steps after the password check reach the limit of five");
    Http.Res locked = password(a.email());
    assertEquals(429, locked.status(), locked::toString);
    assertTrue(locked.header("Retry-After").isPresent());
  }

  @Test
  @DisplayName("turning TOTP off needs the password and a current code; then login is one step again")
  void disable() {
    Accounts.Login a = Accounts.registerAndLogin(server, "off");
    turnOn(a);
    Http.Res noPassword = a.http(server).send("DELETE", "/api/auth/mfa/totp", new JsonObject()
        .put("password", "wrong password").put("code", codeAt(a.userId(), 1)).encode(), "application/json");
    assertEquals(400, noPassword.status());
    assertEquals("invalid_password", noPassword.code());
    Http.Res off = a.http(server).send("DELETE", "/api/auth/mfa/totp", new JsonObject()
        .put("password", Accounts.PASSWORD).put("code", codeAt(a.userId(), 1)).encode(), "application/json");
    assertEquals(204, off.status(), off::toString);
    assertEquals(200, password(a.email()).status());
    assertEquals(0, server.sql("SELECT 1 FROM mfa_recovery_codes WHERE user_id = ?::uuid", a.userId()).size());
  }

  @Test
  @DisplayName("an administrator resets a user's TOTP (audited); not their own, and not without users.manage")
  void adminReset() {
    Accounts.Login admin = Accounts.admin(server);
    Accounts.Login a = Accounts.registerAndLogin(server, "lost");
    turnOn(a);
    Accounts.Login plain = Accounts.registerAndLogin(server, "plain");
    Http.Res denied = plain.http(server).post("/api/users/" + a.userId() + "/mfa/reset", null);
    assertEquals(403, denied.status());
    assertEquals("permission_denied", denied.code());
    Http.Res self = admin.http(server).post("/api/users/" + admin.userId() + "/mfa/reset", null);
    assertEquals(403, self.status());
    assertEquals("cannot_modify_self", self.code());

    assertEquals(204, admin.http(server).post("/api/users/" + a.userId() + "/mfa/reset", null).status());
    assertEquals(200, password(a.email()).status());
    assertEquals(1, server.sql("SELECT 1 FROM audit_log WHERE action = 'user.mfa_reset' AND target_id = ? AND actor_id = ?::uuid",
        a.userId(), admin.userId()).size());
    Http.Res again = admin.http(server).post("/api/users/" + a.userId() + "/mfa/reset", null);
    assertEquals(409, again.status());
    assertEquals("mfa_not_enabled", again.code());
  }
}
