package dev.atrium.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atrium.support.Accounts;
import dev.atrium.support.Http;
import dev.atrium.support.TestServer;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class LoginThrottleTest {
  // The per-IP limit is the 5 here; each test uses its own client address via X-Forwarded-For.
  @RegisterExtension
  static final TestServer server = TestServer.node(Map.of("ATRIUM_LOGIN_MAX_FAILURES_PER_IP", "5",
      "ATRIUM_LOGIN_MAX_FAILURES_PER_ACCOUNT", "10"));

  private static Http.Res login(String ip, String email, String password) {
    return server.http().with("X-Forwarded-For", ip)
        .post("/api/auth/login", new JsonObject().put("email", email).put("password", password));
  }

  @Test
  @DisplayName("5 failures for one email from one address give that address 429 even with the right password; another address still signs in; 10 across addresses lock the account")
  void perEmailAndAddress() {
    Accounts.Login a = Accounts.registerAndLogin(server, "throttled");
    for (int i = 0; i < 5; i++) {
      assertEquals(401, login("10.1.0.1", a.email(), "wrong password " + i).status());
    }
    Http.Res blocked = login("10.1.0.1", a.email(), Accounts.PASSWORD);
    assertEquals(429, blocked.status(), blocked::toString);
    assertEquals("rate_limited", blocked.code());
    long retryAfter = Long.parseLong(blocked.header("Retry-After").orElseThrow());
    assertTrue(retryAfter > 0 && retryAfter <= 900, "Retry-After " + retryAfter);
    assertEquals(200, login("10.1.0.2", a.email(), Accounts.PASSWORD).status(), "one address cannot lock the owner out");
    for (int i = 0; i < 10; i++) {
      assertEquals(401, login("10.1.1." + i, a.email(), "wrong password " + i).status());
    }
    assertEquals(429, login("10.1.2.1", a.email(), Accounts.PASSWORD).status(), "the per-account ceiling");
  }

  @Test
  @DisplayName("the lockout counts the email the lookup uses: other spellings of a locked address stay locked")
  void spellings() {
    Accounts.Login a = Accounts.registerAndLogin(server, "spelled");
    for (int i = 0; i < 5; i++) {
      assertEquals(401, login("10.4.0.1", a.email(), "wrong").status());
    }
    for (String spelling : List.of(" " + a.email(), a.email() + " ", "\t" + a.email().toUpperCase(Locale.ROOT),
        a.email().toUpperCase(Locale.ROOT))) {
      Http.Res r = login("10.4.0.1", spelling, Accounts.PASSWORD);
      assertEquals(429, r.status(), spelling + ": " + r);
    }
  }

  @Test
  @DisplayName("20 parallel wrong passwords from one address are checked at most 5 times; the rest are 429")
  void parallelAttempts() throws Exception {
    Accounts.Login a = Accounts.registerAndLogin(server, "parallel");
    ExecutorService clients = Executors.newFixedThreadPool(20);
    try {
      List<Future<Http.Res>> answers = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        int n = i;
        answers.add(clients.submit(() -> login("10.5.0.1", a.email(), "wrong " + n)));
      }
      int checked = 0;
      for (Future<Http.Res> f : answers) {
        Http.Res r = f.get();
        if (r.status() == 401) {
          checked++;
        } else {
          assertEquals(429, r.status(), r::toString);
        }
      }
      assertTrue(checked <= 5 && checked >= 1, "verifications: " + checked);
    } finally {
      clients.shutdownNow();
    }
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

  @Test
  @DisplayName("behind a proxy that appends, a client's own X-Forwarded-For entries do not make it another address")
  void forgedForwardedEntries() {
    // An appending proxy (nginx's $proxy_add_x_forwarded_for, most load balancers) puts the
    // address it saw last; whatever comes before it is the client's to write.
    for (int i = 0; i < 5; i++) {
      assertEquals(401, login("203.0.113." + i + ", 10.6.0.1", Accounts.uniqueEmail("rotate"), "guess").status());
    }
    Accounts.Login victim = Accounts.registerAndLogin(server, "rotated");
    Http.Res blocked = login("198.51.100.7, 10.6.0.1", victim.email(), Accounts.PASSWORD);
    assertEquals(429, blocked.status(), blocked::toString);
    assertEquals(200, login("10.6.0.1, 10.6.0.2", victim.email(), Accounts.PASSWORD).status());
  }
}
