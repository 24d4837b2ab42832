package dev.atrium.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atrium.support.Http;
import dev.atrium.support.TestServer;
import io.vertx.core.json.JsonObject;
import java.net.ServerSocket;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ReadinessTest {
  @RegisterExtension
  static final TestServer server = TestServer.node(Map.of("ATRIUM_REDIS_URL", "redis://127.0.0.1:" + deadPort() + "/0"));

  /** A port that was free a moment ago and is closed again: nothing listens there. */
  private static int deadPort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  @DisplayName("with nothing listening on the Redis port the node still starts, is live, and /health/ready is 503 naming redis")
  void readyNamesRedis() {
    assertEquals(200, server.http().get("/health/live").status());
    Http.Res ready = server.http().get("/health/ready");
    assertEquals(503, ready.status(), ready::toString);
    JsonObject body = ready.json();
    assertEquals("DOWN", body.getString("status"));
    JsonObject redis = body.getJsonArray("checks").stream().map(o -> (JsonObject) o)
        .filter(c -> "redis".equals(c.getString("id"))).findFirst().orElseThrow();
    assertEquals("DOWN", redis.getString("status"));
    JsonObject postgres = body.getJsonArray("checks").stream().map(o -> (JsonObject) o)
        .filter(c -> "postgres".equals(c.getString("id"))).findFirst().orElseThrow();
    assertEquals("UP", postgres.getString("status"));
  }

  @Test
  @DisplayName("a login while Redis is down answers 503 problem+json, not a 500")
  void loginWithoutRedis() {
    Http.Res res = server.http().post("/api/auth/login",
        new JsonObject().put("email", TestServer.ADMIN_EMAIL).put("password", TestServer.ADMIN_PASSWORD));
    assertEquals(503, res.status(), res::toString);
    assertEquals("dependency_unavailable", res.code());
    assertTrue(res.header("Retry-After").isPresent());
  }
}
