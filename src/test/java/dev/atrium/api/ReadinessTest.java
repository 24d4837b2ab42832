package dev.atrium.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.atrium.support.Http;
import dev.atrium.support.TestServer;
import io.vertx.core.json.JsonObject;
import java.net.ServerSocket;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

class ReadinessTest {
  private static final int REDIS_PORT = deadPort();
  @RegisterExtension
  static final TestServer server = TestServer.node(Map.of("ATRIUM_REDIS_URL", "redis://127.0.0.1:" + REDIS_PORT + "/0"));
  static final ListAppender<ILoggingEvent> log = new ListAppender<>();

  @BeforeAll
  static void captureLog() {
    Logger logger = (Logger) LoggerFactory.getLogger(OpsHandlers.class);
    logger.setLevel(Level.INFO);
    log.start();
    logger.addAppender(log);
  }

  @AfterAll
  static void releaseLog() {
    ((Logger) LoggerFactory.getLogger(OpsHandlers.class)).detachAppender(log);
  }

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
  @DisplayName("a DOWN check says only why in a word: the page is public through the gateway, and the cause"
      + " (which names the dependency's host and port) goes to the log once per outage, not per probe")
  void downNamesNoAddress() {
    for (int i = 0; i < 3; i++) {
      Http.Res ready = server.http().get("/health/ready");
      assertEquals(503, ready.status(), ready::toString);
      JsonObject redis = ready.json().getJsonArray("checks").stream().map(o -> (JsonObject) o)
          .filter(c -> "redis".equals(c.getString("id"))).findFirst().orElseThrow();
      assertEquals(new JsonObject().put("reason", "unreachable"), redis.getJsonObject("data"), ready::toString);
      assertFalse(ready.body().contains("127.0.0.1") || ready.body().contains(Integer.toString(REDIS_PORT)),
          ready::toString);
    }
    List<String> warnings = log.list.stream().filter(e -> e.getLevel() == Level.WARN)
        .map(ILoggingEvent::getFormattedMessage).toList();
    assertEquals(1, warnings.size(), warnings::toString);
    assertTrue(warnings.get(0).startsWith("Readiness: redis is down") && warnings.get(0).contains(":" + REDIS_PORT),
        warnings::toString);
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
