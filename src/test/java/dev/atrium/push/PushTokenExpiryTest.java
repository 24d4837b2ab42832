package dev.atrium.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atrium.support.Accounts;
import dev.atrium.support.Poll;
import dev.atrium.support.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Access tokens that live three seconds, to see sockets outlive them only through a new auth frame. */
class PushTokenExpiryTest {
  @RegisterExtension
  static final TestServer server = TestServer.node(Map.of("ATRIUM_ACCESS_TTL", "3s"));
  static Vertx vertx;

  @BeforeAll
  static void start() {
    vertx = server.clientVertx();
  }

  @Test
  @DisplayName("a socket closes with 4401 when its token expires, unless a newer auth frame arrived before")
  void expiryAndReauth() {
    Accounts.Login u = Accounts.registerAndLogin(server, "expiry");
    try (WsClient plain = WsClient.connect(vertx, server.port(), null);
         WsClient renewed = WsClient.connect(vertx, server.port(), null)) {
      plain.send(new JsonObject().put("type", "auth").put("token", u.access()));
      Instant exp1 = Instant.parse(plain.next().getString("expires_at"));
      renewed.auth(u.access(), u.userId());
      long later = System.currentTimeMillis() + 1100;
      Poll.until(Duration.ofSeconds(2), "a second has passed, so a new token expires later", () ->
          System.currentTimeMillis() > later);
      Accounts.Login again = Accounts.login(server, u.email(), Accounts.PASSWORD);
      renewed.send(new JsonObject().put("type", "auth").put("token", again.access()));
      JsonObject ack = renewed.next();
      assertEquals("auth", ack.getString("of"), ack::encode);
      Instant exp2 = Instant.parse(ack.getString("expires_at"));
      assertTrue(exp2.isAfter(exp1), exp1 + " / " + exp2);

      assertEquals(4401, plain.awaitClose(Duration.ofSeconds(5)));
      assertEquals("token expired", plain.closeReason());
      assertTrue(Instant.now().isAfter(exp1.minusMillis(50)), "closed before its token expired");
      assertFalse(renewed.isClosed(), "the re-authenticated socket outlives the first token");
      assertEquals(4401, renewed.awaitClose(Duration.ofSeconds(5)));
      assertTrue(Instant.now().isAfter(exp2.minusMillis(50)), "closed before its new token expired");
    }
  }
}
