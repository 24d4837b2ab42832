package dev.atrium.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atrium.support.Accounts;
import dev.atrium.support.Http;
import dev.atrium.support.TestServer;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class PasswordPoolTest {
  @RegisterExtension
  static final TestServer server = TestServer.node(Map.of("ATRIUM_HASH_WORKERS", "1", "ATRIUM_HASH_QUEUE", "1",
      // attempts are counted while in flight: let 16 parallel logins of one account through the throttle
      "ATRIUM_LOGIN_MAX_FAILURES", "100"));

  @Test
  @DisplayName("when the Argon2 pool and its queue are full, login answers 503 service_busy with Retry-After at once")
  void saturated() throws Exception {
    Accounts.Login a = Accounts.registerAndLogin(server, "busy");
    ExecutorService clients = Executors.newFixedThreadPool(16);
    try {
      List<Future<Http.Res>> answers = new ArrayList<>();
      for (int i = 0; i < 16; i++) {
        answers.add(clients.submit(() -> server.http().post("/api/auth/login",
            new JsonObject().put("email", a.email()).put("password", Accounts.PASSWORD))));
      }
      int ok = 0;
      int busy = 0;
      for (Future<Http.Res> f : answers) {
        Http.Res r = f.get();
        if (r.status() == 200) {
          ok++;
        } else {
          assertEquals(503, r.status(), r::toString);
          assertEquals("service_busy", r.code());
          assertEquals("1", r.header("Retry-After").orElse(""));
          busy++;
        }
      }
      assertTrue(ok >= 1, "some logins succeed");
      assertTrue(busy >= 1, "the rest are refused, not queued");
    } finally {
      clients.shutdownNow();
    }
  }
}
