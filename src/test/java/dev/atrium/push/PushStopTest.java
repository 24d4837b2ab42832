package dev.atrium.push;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.atrium.support.Http;
import dev.atrium.support.RedisScan;
import dev.atrium.support.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A node that stops right after a broadcast still hands every recipient's event to Redis (their
 * replay streams, and so every other node's sockets) before it closes its Redis client.
 */
class PushStopTest {
  @RegisterExtension
  static final TestServer server = TestServer.node();
  private static final Vertx vertx = Vertx.vertx();

  /** The 20,000 users' sequence counters live until deleted (they have no expiry): delete them. */
  @AfterAll
  static void close() throws Exception {
    try {
      RedisScan.unlink(vertx, server.env().get("ATRIUM_REDIS_PREFIX") + "*");
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  private static long streams() throws Exception {
    return RedisScan.keys(vertx, server.env().get("ATRIUM_REDIS_PREFIX") + "push:{*}:events").size();
  }

  @Test
  @DisplayName("a broadcast to 20,000 users answered just before the node stops reaches every user's replay stream")
  void broadcastOutlivesTheStop() throws Exception {
    server.sql("""
        INSERT INTO users (email, username, password_hash)
        SELECT 'p' || i || '@stop.test', 'p' || i, '!unusable' FROM generate_series(1, 20000) i""");
    Http.Res sent = server.admin().http(server).post("/api/notifications/send",
        new JsonObject().put("broadcast", true).put("title", "maintenance at noon"));
    assertEquals(202, sent.status(), sent::toString);
    long recipients = sent.json().getLong("count");
    server.stopNode();
    assertEquals(recipients, streams(), "every recipient's event is in Redis");
  }
}
