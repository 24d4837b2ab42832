package dev.atrium.account;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atrium.mail.Mailbox;
import dev.atrium.support.Accounts;
import dev.atrium.support.Http;
import dev.atrium.support.Poll;
import dev.atrium.support.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Email verification, password reset and email change against a real SMTP server (GreenMail). */
class EmailFlowsTest {
  @RegisterExtension
  static final Mailbox mailbox = new Mailbox();
  @RegisterExtension
  static final TestServer server = TestServer.node(Map.of("ATRIUM_SMTP_URL", mailbox.smtpUrl(),
      "ATRIUM_PUBLIC_URL", "https://atrium.example.com"));

  private static Http.Res register(String email, String language) {
    Http http = language == null ? server.http() : server.http().with("Accept-Language", language);
    return http.post("/api/auth/register", new JsonObject().put("email", email)
        .put("username", email.substring(0, email.indexOf('@'))).put("password", Accounts.PASSWORD));
  }

  @Test
  @DisplayName("registration mails a code; entering it verifies the address, shown by /me and recorded in the audit log")
  void registerAndVerify() {
    String email = Accounts.uniqueEmail("verify");
    assertEquals(201, register(email, null).status());
    Mailbox.Received mail = mailbox.await(email);
    assertTrue(mail.subject().startsWith("Your Atrium verification code"), mail.subject());
    assertTrue(mail.html().contains(mail.code()), "the HTML part carries the code too");
    assertTrue(mail.link().startsWith("https://atrium.example.com/console/account/verify-email"), mail.link());

    Accounts.Login a = Accounts.login(server, email, Accounts.PASSWORD);
    JsonObject me = a.http(server).get("/api/auth/me").json();
    assertFalse(me.getBoolean("is_verified"));
    assertFalse(me.getBoolean("mfa_enabled"));

    Http.Res wrong = a.http(server).post("/api/auth/email/verify", new JsonObject().put("code", other(mail.code())));
    assertEquals(400, wrong.status());
    assertEquals("code_invalid", wrong.code());
    Http.Res ok = a.http(server).post("/api/auth/email/verify", new JsonObject().put("code", mail.code()));
    assertEquals(200, ok.status(), ok::toString);
    assertTrue(ok.json().getBoolean("is_verified"));
    Poll.until(Duration.ofSeconds(5), "/me shows the address verified",
        () -> a.http(server).get("/api/auth/me").json().getBoolean("is_verified"));
    assertEquals(1, server.sql("SELECT 1 FROM audit_log WHERE action = 'user.email_verified' AND target_id = ?",
        a.userId()).size());
    assertEquals(0, server.sql("SELECT 1 FROM account_codes WHERE user_id = ?::uuid", a.userId()).size());

    Http.Res again = a.http(server).post("/api/auth/email/verify/request", null);
    assertEquals(409, again.status());
    assertEquals("email_already_verified", again.code());
  }

  @Test
  @DisplayName("a mail scanner fetching the link (GET) does not use the code up; only the POST does")
  void scannerGetDoesNotConsume() {
    String email = Accounts.uniqueEmail("scanner");
    assertEquals(201, register(email, null).status());
    Mailbox.Received mail = mailbox.await(email);
    URI link = URI.create(mail.link());
    for (int i = 0; i < 3; i++) {
      server.http().get(link.getRawPath() + "?" + link.getRawQuery()); // what a scanner does, three times
    }
    assertEquals(1, server.sql("SELECT 1 FROM account_codes WHERE purpose = 'verify_email' AND attempts = 0"
        + " AND user_id = (SELECT id FROM users WHERE email = ?)", email).size());
    // signed out, by address and code, as the console page does it
    Http.Res ok = server.http().post("/api/auth/email/verify", new JsonObject().put("email", email).put("code", mail.code()));
    assertEquals(200, ok.status(), ok::toString);
  }

  @Test
  @DisplayName("the mail language follows Accept-Language at registration")
  void chineseMail() {
    String email = Accounts.uniqueEmail("zh");
    assertEquals(201, register(email, "zh-CN,zh;q=0.9,en;q=0.8").status());
    Mailbox.Received mail = mailbox.await(email);
    assertTrue(mail.subject().startsWith("您的 Atrium 验证码"), mail.subject());
    assertTrue(mail.text().contains("分钟内有效"), mail.text());
  }

  @Test
  @DisplayName("five wrong reset codes kill the code: the right one is refused afterwards")
  void fiveWrongCodes() {
    Accounts.Login a = Accounts.registerAndLogin(server, "wrong5");
    mailbox.await(a.email()); // the verification mail
    assertEquals(202, server.http().post("/api/auth/password/reset/request", new JsonObject().put("email", a.email())).status());
    String code = mailbox.await(a.email(), 2).code();
    for (int i = 0; i < 5; i++) {
      Http.Res wrong = reset(a.email(), other(code), "a brand new passphrase");
      assertEquals(400, wrong.status());
      assertEquals("code_invalid", wrong.code());
    }
    Http.Res dead = reset(a.email(), code, "a brand new passphrase");
    assertEquals(400, dead.status());
    assertEquals("code_invalid", dead.code());
    Accounts.login(server, a.email(), Accounts.PASSWORD); // the password never changed
  }

  @Test
  @DisplayName("a password reset voids the old access and refresh tokens; the new password works, the old does not")
  void resetVoidsTokens() {
    Accounts.Login a = Accounts.registerAndLogin(server, "reset");
    mailbox.await(a.email());
    assertEquals(200, a.http(server).get("/api/auth/me").status());
    assertEquals(202, server.http().post("/api/auth/password/reset/request", new JsonObject().put("email", a.email())).status());
    Mailbox.Received mail = mailbox.await(a.email(), 2);
    assertTrue(mail.subject().contains("password reset"), mail.subject());
    assertEquals(204, reset(a.email(), mail.code(), "a brand new passphrase").status());

    Poll.until(Duration.ofSeconds(5), "the old access token is refused",
        () -> a.http(server).get("/api/auth/me").status() == 401);
    assertEquals(401, server.http().post("/api/auth/token/refresh", new JsonObject().put("refresh", a.refresh())).status());
    Http.Res oldPassword = server.http().post("/api/auth/login", new JsonObject().put("email", a.email())
        .put("password", Accounts.PASSWORD));
    assertEquals(401, oldPassword.status());
    Accounts.Login again = Accounts.login(server, a.email(), "a brand new passphrase");
    assertTrue(again.http(server).get("/api/auth/me").json().getBoolean("is_verified"),
        "receiving the reset code proved the address");
    assertEquals(400, reset(a.email(), mail.code(), "yet another passphrase").status(), "a code works once");
    assertEquals(1, server.sql("SELECT 1 FROM audit_log WHERE action = 'user.password_reset' AND target_id = ?",
        a.userId()).size());
  }

  @Test
  @DisplayName("a reset request answers 202 for an unknown address and sends nothing; a new code voids the previous one")
  void unknownAddressAndNewCode() {
    String nobody = Accounts.uniqueEmail("nobody");
    Http.Res r = server.http().post("/api/auth/password/reset/request", new JsonObject().put("email", nobody));
    assertEquals(202, r.status());
    assertEquals("accepted", r.json().getString("status"));

    Accounts.Login a = Accounts.registerAndLogin(server, "twice");
    mailbox.await(a.email());
    server.http().post("/api/auth/password/reset/request", new JsonObject().put("email", a.email()));
    String first = mailbox.await(a.email(), 2).code();
    server.http().post("/api/auth/password/reset/request", new JsonObject().put("email", a.email()));
    String second = mailbox.await(a.email(), 3).code();
    if (!first.equals(second)) {
      assertEquals("code_invalid", reset(a.email(), first, "a brand new passphrase").code());
    }
    assertEquals(204, reset(a.email(), second, "a brand new passphrase").status());
    assertTrue(mailbox.to(nobody).isEmpty());
  }

  @Test
  @DisplayName("an email change mails a code to the new address and a notice to the old; the code switches the address")
  void emailChange() {
    Accounts.Login a = Accounts.registerAndLogin(server, "change");
    mailbox.await(a.email());
    String target = Accounts.uniqueEmail("changed");
    Http.Res badPassword = a.http(server).post("/api/auth/email/change", new JsonObject().put("new_email", target)
        .put("password", "not my password"));
    assertEquals(400, badPassword.status());
    assertEquals("invalid_password", badPassword.code());
    Http.Res taken = a.http(server).post("/api/auth/email/change", new JsonObject()
        .put("new_email", TestServer.ADMIN_EMAIL).put("password", Accounts.PASSWORD));
    assertEquals(409, taken.status());

    assertEquals(202, a.http(server).post("/api/auth/email/change", new JsonObject().put("new_email", target)
        .put("password", Accounts.PASSWORD)).status());
    Mailbox.Received code = mailbox.await(target);
    Mailbox.Received notice = mailbox.await(a.email(), 2);
    assertTrue(notice.subject().contains("being changed"), notice.subject());
    assertTrue(notice.text().contains(target), notice.text());
    assertFalse(notice.text().contains(code.code()), "the old address never sees the code");

    Http.Res confirmed = a.http(server).post("/api/auth/email/change/confirm", new JsonObject().put("code", code.code()));
    assertEquals(200, confirmed.status(), confirmed::toString);
    assertEquals(target, confirmed.json().getString("email"));
    Poll.until(Duration.ofSeconds(5), "/me shows the new address",
        () -> target.equals(a.http(server).get("/api/auth/me").json().getString("email")));
    assertTrue(a.http(server).get("/api/auth/me").json().getBoolean("is_verified"));
    assertEquals(200, server.http().post("/api/auth/login", new JsonObject().put("email", target)
        .put("password", Accounts.PASSWORD)).status());
    assertEquals(1, server.sql("SELECT 1 FROM audit_log WHERE action = 'user.email_changed' AND target_id = ?"
        + " AND changes->'email'->>'after' = ?", a.userId(), target).size());
  }

  @Test
  @DisplayName("API keys are refused on every account-lifecycle route")
  void apiKeysRefused() {
    Accounts.Login a = Accounts.registerAndLogin(server, "keys");
    Http.Res created = a.http(server).post("/api/auth/api-keys", new JsonObject().put("name", "script")
        .put("permissions", new JsonArray()));
    assertEquals(201, created.status(), created::toString);
    Http key = server.http().with("X-API-Key", created.json().getString("key"));
    Http bearerKey = server.http().bearer(created.json().getString("key"));
    for (Http h : new Http[] {key, bearerKey}) {
      Map<String, JsonObject> calls = Map.of(
          "/api/auth/email/verify/request", new JsonObject(),
          "/api/auth/email/verify", new JsonObject().put("code", "123456"),
          "/api/auth/email/change", new JsonObject().put("new_email", "x@example.com").put("password", "x"),
          "/api/auth/email/change/confirm", new JsonObject().put("code", "123456"),
          "/api/auth/mfa/totp/enroll", new JsonObject(),
          "/api/auth/mfa/totp/confirm", new JsonObject().put("code", "123456"));
      calls.forEach((path, body) -> {
        Http.Res r = h.post(path, body);
        assertEquals(403, r.status(), path + " " + r);
        assertEquals("session_required", r.code(), path);
      });
      Http.Res off = h.send("DELETE", "/api/auth/mfa/totp", new JsonObject().put("password", "x").put("code", "1").encode(),
          "application/json");
      assertEquals(403, off.status(), off.toString());
    }
    Http.Res admin = key.post("/api/users/" + a.userId() + "/mfa/reset", null);
    assertEquals(403, admin.status(), admin.toString());
  }

  private static Http.Res reset(String email, String code, String password) {
    return server.http().post("/api/auth/password/reset", new JsonObject().put("email", email).put("code", code)
        .put("new_password", password));
  }

  private static String other(String code) {
    return code.equals("000000") ? "000001" : "000000";
  }
}
