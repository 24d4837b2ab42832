package dev.atrium.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atrium.support.Accounts;
import dev.atrium.support.Http;
import dev.atrium.support.TestServer;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class LoginThrottleTest {
  @RegisterExtension
  static final TestServer server = TestServer.node(Map.of("ATRIUM_LOGIN_MAX_FAILURES_PER_IP", "5"));

  @BeforeAll
  static void start() {
    // The per-IP limit is the 5 here; each test uses its own client address via X-Forwarded-For.
  }

  private static Http.Res login(String ip, String email, String password) {
    return server.http().with("X-Forwarded-For", ip)
        .post("/api/auth/login", new JsonObject().put("email", email).put("password", password));
  }

  @Test
  @DisplayName("after 5 failures for one email, login answers 429 with Retry-After even with the right password")
  void perEmail() {
    Accounts.Login a = Accounts.registerAndLogin(server, "throttled");
    for (int i = 0; i < 5; i++) {
      assertEquals(401, login("10.1.0." + i, a.email(), "wrong password " + i).status());
    }
    Http.Res blocked = login("10.1.0.99", a.email(), Accounts.PASSWORD);
    assertEquals(429, blocked.status(), blocked::toString);
    assertEquals("rate_limited", blocked.code());
    long retryAfter = Long.parseLong(blocked.header("Retry-After").orElseThrow());
    assertTrue(retryAfter > 0 && retryAfter <= 900, "Retry-After " + retryAfter);
  }

  @Test
  @DisplayName("a successful login resets the email's failure count")
  void successResets() {
    Accounts.Login a = Accounts.registerAndLogin(server, "reset");
    for (int i = 0; i < 4; i++) {
      assertEquals(401, login("10.2.0.1", a.email(), "wrong").status());
    }
    assertEquals(200, login("10.2.0.1", a.email(), Accounts.PASSWORD).status());
    for (int i = 0; i < 4; i++) {
      assertEquals(401, login("10.2.0.2", a.email(), "wrong").status());
    }
    assertEquals(200, login("10.2.0.2", a.email(), Accounts.PASSWORD).status());
  }

  @Test
  @DisplayName("5 failures from one client address across different emails block that address only")
  void perIp() {
    for (int i = 0; i < 5; i++) {
      assertEquals(401, login("10.3.0.1", Accounts.uniqueEmail("spray"), "guess").status());
    }
    Accounts.Login victim = Accounts.registerAndLogin(server, "victim");
    Http.Res blocked = login("10.3.0.1", victim.email(), Accounts.PASSWORD);
    assertEquals(429, blocked.status());
    assertEquals(200, login("10.3.0.2", victim.email(), Accounts.PASSWORD).status());
  }
}
